"""Charts shown in the app: a history's bars (the sum granted per year), drawn by matplotlib as a PNG."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..formats import format_money

_CHART_DIR = Path(tempfile.gettempdir()) / "delib-charts"  # a folder Gradio may serve files from


def history_png(chart: dict, path: Path | str | None = None) -> Path:
    """A bar chart of `Answer.chart` ({"title", "years", "euros"}), one bar per year, each labelled with
    its sum in French format; written to `path` (default: a new file under the system's temp folder)."""
    import matplotlib

    matplotlib.use("Agg")  # no display: the server draws into files
    import matplotlib.pyplot as plt

    if path is None:
        _CHART_DIR.mkdir(parents=True, exist_ok=True)
        path = Path(tempfile.mkstemp(suffix=".png", prefix="historique-", dir=_CHART_DIR)[1])
    years, euros = [str(y) for y in chart["years"]], chart["euros"]
    fig, ax = plt.subplots(figsize=(6.4, 3.2), dpi=110)
    try:
        bars = ax.bar(years, euros, color="#2f6db5")
        ax.bar_label(bars, labels=[format_money(round(e * 100)) for e in euros], padding=2, fontsize=8)
        ax.set_title(chart.get("title", ""), fontsize=10)
        ax.set_ylabel("€")
        ax.spines[["top", "right"]].set_visible(False)
        ax.yaxis.set_major_formatter(lambda v, _pos: format_money(round(v * 100)).replace(" €", ""))
        ax.margins(y=0.18)
        fig.tight_layout()
        fig.savefig(path)
    finally:
        plt.close(fig)
    return Path(path)
