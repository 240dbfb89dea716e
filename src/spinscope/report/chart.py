"""The technique-count chart: matplotlib draws it offline, then we sanitise its SVG.

The SVG is inlined into the HTML report, so it is rebuilt element by
element from an allow-list instead of pasted: no DOCTYPE (it names a DTD
URL), no metadata, no ``<style>`` (inline SVG styles leak into the whole
page), no event attributes, no ``href`` except ``#fragment`` references.
Ids get a per-chart prefix so several charts can share one page. The only
words drawn are technique display names, which the serialiser escapes.

matplotlib is optional at run time: without it :func:`technique_chart`
returns ``None`` and the report shows the counts as a table only.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from markupsafe import Markup, escape

from spinscope.report.view import Category

__all__ = ["sanitise_svg", "technique_chart"]

_SVG_NS = "{http://www.w3.org/2000/svg}"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_TAGS = {"svg", "g", "path", "rect", "line", "polyline", "polygon", "circle", "text", "tspan", "defs", "clipPath", "use"}
_ATTRS = {
    "d", "x", "y", "x1", "x2", "y1", "y2", "dx", "dy", "width", "height", "viewBox", "transform", "points",
    "cx", "cy", "r", "style", "fill", "stroke", "stroke-width", "clip-path", "id", "href", "version",
    "text-anchor", "font-size", "font-family",
}  # fmt: skip
# A style or presentation value may reference only fragments of this chart.
_URL = re.compile(r"url\(\s*['\"]?([^)'\"]*)['\"]?\s*\)")
_BAD_CSS = re.compile(r"@import|expression\s*\(|\\|javascript:|behavior\s*:", re.IGNORECASE)


def _local(tag: str) -> str:
    return tag.removeprefix(_SVG_NS)


def _fix_value(name: str, value: str, prefix: str) -> str | None:
    """The attribute value with ids prefixed, or ``None`` to drop the attribute."""
    if name == "id":
        return prefix + value if re.fullmatch(r"[A-Za-z0-9_.:-]+", value) else None
    if name == "href":
        return "#" + prefix + value[1:] if re.fullmatch(r"#[A-Za-z0-9_.:-]+", value) else None
    if _BAD_CSS.search(value):
        return None
    for target in _URL.findall(value):
        if not re.fullmatch(r"#[A-Za-z0-9_.:-]+", target):
            return None
    return _URL.sub(lambda m: f"url(#{prefix}{m.group(1)[1:]})", value)


def _write(el: ET.Element, prefix: str, out: list[str]) -> None:
    tag = _local(el.tag)
    if tag not in _TAGS:
        return  # metadata, style, foreignObject, script...: dropped with their subtree
    attrs: list[str] = []
    for raw_name, raw_value in el.attrib.items():
        name = "href" if raw_name == _XLINK_HREF else raw_name
        if name not in _ATTRS or name.lower().startswith("on"):
            continue
        value = _fix_value(name, raw_value, prefix)
        if value is not None:
            attrs.append(f' {name}="{escape(value)}"')
    out.append(f"<{tag}{''.join(attrs)}>")
    if el.text and tag in {"text", "tspan"}:
        out.append(str(escape(el.text)))
    for child in el:
        _write(child, prefix, out)
        if child.tail and tag in {"text", "tspan"}:
            out.append(str(escape(child.tail)))
    out.append(f"</{tag}>")


def sanitise_svg(svg: str, *, prefix: str, label: str) -> Markup:
    """Rebuild ``svg`` from the allow-list, ids prefixed, as an accessible inline image."""
    # S314: the SVG is matplotlib's own output for our chart, never article text,
    # and ElementTree skips the DOCTYPE without fetching anything.
    root = ET.fromstring(svg.encode("utf-8"))  # noqa: S314
    root.attrib.pop("width", None)
    root.attrib.pop("height", None)
    out: list[str] = []
    _write(root, prefix, out)
    # The accessible name goes on the outer element; role=img keeps screen
    # readers from reading every tick label.
    opening = f'<svg role="img" aria-label="{escape(label)}" focusable="false"'
    # S704: every attribute and text node in ``out`` was escaped by _write.
    return Markup(opening + out[0][len("<svg") :] + "".join(out[1:]))  # noqa: S704


def technique_chart(
    rows: Sequence[tuple[str, str, Category, int]], *, prefix: str
) -> Markup | None:
    """Horizontal bars: paragraphs carrying each technique, coloured by category.

    ``rows`` are ``(label, display name, category, count)``; ``None`` when
    there is nothing to draw or matplotlib is not installed.
    """
    if not rows:
        return None
    try:
        import matplotlib
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        return None
    rows = list(reversed(rows))  # barh draws bottom-up; keep the legend order top-down
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "spinscope", "font.size": 9}):
        # Figure without pyplot: no global state, no GUI backend, thread-safe.
        fig = Figure(figsize=(5.6, 0.6 + 0.28 * len(rows)), layout="constrained")
        ax = fig.add_subplot()
        counts = [r[3] for r in rows]
        bars = ax.barh([r[1] for r in rows], counts, color=[r[2].colour for r in rows], height=0.7)
        ax.bar_label(bars, padding=3)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlim(0, max(counts) * 1.15 + 0.5)
        ax.set_xlabel("paragraphs with the technique")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    summary = ", ".join(f"{r[1]} {r[3]}" for r in reversed(rows))
    return sanitise_svg(buf.getvalue(), prefix=prefix, label=f"Technique counts: {summary}")
