"""PNG and SVG charts of :class:`~spinscope.store.query.StatsResult` (matplotlib, drawn offline).

Outlets (and story x outlet groups) are drawn side by side as grouped bars,
months and weeks as one line per label over time; every group's sample
size (its number of articles) is printed in the legend or under its tick,
so a rate from three articles is not read like one from three thousand.
"""

from __future__ import annotations

from pathlib import Path

from spinscope.store.query import StatsResult

__all__ = ["plot_stats"]

_MAX_LABELS = 8


def _label(row: dict[str, object]) -> str:
    return f"{row['label']} ({row['role']})" if "role" in row else str(row["label"])


def plot_stats(result: StatsResult, out: Path) -> Path:
    """Draw ``result`` to ``out``; the suffix (``.png`` or ``.svg``) picks the format."""
    import matplotlib

    matplotlib.use("Agg")  # no display, no network
    import matplotlib.pyplot as plt

    totals: dict[str, int] = {}
    for row in result.rows:
        totals[_label(row)] = totals.get(_label(row), 0) + int(row["count"])
    labels = sorted(totals, key=lambda k: (-totals[k], k))[:_MAX_LABELS]
    groups = [g["group"] for g in result.groups]
    sizes = {g["group"]: g["articles"] for g in result.groups}
    rate = {(r["group"], _label(r)): float(r["rate"]) for r in result.rows}
    fig, ax = plt.subplots(figsize=(10, 1.2 + 0.5 * max(len(labels), 3)) if result.by in {"outlet", "story"} else (10, 5))
    title = f"{result.metric} by {result.by}"
    if not labels:
        ax.text(0.5, 0.5, "no data", ha="center", va="center")
        ax.set_axis_off()
    elif result.by in {"month", "week"}:
        xs = list(range(len(groups)))
        for lab in labels:
            ax.plot(xs, [rate.get((g, lab), 0.0) for g in groups], marker="o", label=lab)
        ax.set_xticks(xs, [f"{g}\nn={sizes[g]}" for g in groups], fontsize=8)
        ax.set_ylabel(result.unit)
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    else:
        height = 0.8 / max(len(groups), 1)
        for k, g in enumerate(groups):
            ys = [i + k * height for i in range(len(labels))]
            ax.barh(ys, [rate.get((g, lab), 0.0) for lab in labels], height=height, label=f"{g} (n={sizes[g]})")
        ax.set_yticks([i + 0.4 - height / 2 for i in range(len(labels))], labels, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel(result.unit)
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title(title)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, format=out.suffix.lstrip(".").lower(), metadata={"Date": None} if out.suffix.lower() == ".svg" else None)
    plt.close(fig)
    return out
