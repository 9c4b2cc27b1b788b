"""A new parser re-reads files whose text did not change: records follow the parser, not only the text."""

from __future__ import annotations

from assistant.ingest.pipeline import PARSER_VERSION, ingest_paths


def _tamper(registry, record_id: str) -> None:
    """Make the stored record look as if an older parser had missed the signatory."""
    rec = registry.get(record_id)
    old = rec.model_copy(update={"signatory": None, "parser_version": "old-parser"})
    registry.conn.execute("UPDATE deliberations SET record_json = ? WHERE id = ?",
                          (old.model_dump_json(), record_id))
    registry.conn.commit()


def test_records_from_an_older_parser_are_reparsed_and_updated(registry, seed_path):
    first = ingest_paths([seed_path], registry)
    seed_id = first.results[0].id
    assert registry.get(seed_id).parser_version == PARSER_VERSION

    _tamper(registry, seed_id)
    assert registry.get(seed_id).signatory is None
    again = ingest_paths([seed_path], registry)
    assert [r.status for r in again.results] == ["updated"]
    rec = registry.get(seed_id)
    assert rec.signatory is not None and rec.signatory.name == "Martial ALVAREZ"
    assert rec.parser_version == PARSER_VERSION


def test_same_record_from_a_new_parser_is_unchanged_and_remembered(registry, seed_path):
    seed_id = ingest_paths([seed_path], registry).results[0].id
    registry.conn.execute(
        "UPDATE deliberations SET record_json = json_set(record_json, '$.parser_version', 'old-parser')")
    registry.conn.commit()
    again = ingest_paths([seed_path], registry)
    assert [r.status for r in again.results] == ["unchanged"]
    # the new parser's version is stored, so the next ingest takes the fast path again
    assert registry.get(seed_id).parser_version == PARSER_VERSION
