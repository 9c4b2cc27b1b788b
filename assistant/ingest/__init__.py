"""Ingestion: load files (text, PDF, OCR, .docx), parse extracts into records, store them."""

from assistant.ingest.parser import NotAnExtract, parse

__all__ = ["NotAnExtract", "parse"]
