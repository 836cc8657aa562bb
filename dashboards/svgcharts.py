"""The dashboards' chart specifications (dashboards/charts.py) drawn on the
server as SVG, for the printable brief and its PDF: no JavaScript, so they
print and go into a PDF as they are.

Drawn by matplotlib (its SVG backend, no pyplot: each chart is its own
Figure, safe in a threaded server). Text is written as paths, so a PDF
shows Chinese labels whatever fonts the reader has; the labels are drawn
with Noto Sans CJK (Debian's fonts-noto-cjk) when it is installed, else
with matplotlib's own DejaVu Sans (Latin labels stay right; Chinese ones
would show as boxes, which the brief's table of the same numbers beside
the chart makes up for). The colours are those of static/js/charts.js.
"""

import io
import json
import re
from functools import cache, lru_cache
from pathlib import Path

#: static/js/charts.js's palette, by colour role (dashboards/charts.py).
COLOURS = {
    "visiting": "#0072B2", "joint": "#56B4E9", "local": "#009E73", "share": "#D55E00",
    "experts": "#0072B2", "onsite": "#E69F00", "mentor": "#009E73", "further": "#CC79A7",
    "first": "#D55E00", "other": "#999999",
}
CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
#: Width and height of a chart in inches: two fit beside each other on A4.
SIZE = (4.2, 2.5)


@cache
def fonts() -> list[str]:
    """The font families to draw with, in order of fallback: DejaVu Sans,
    then Noto Sans CJK when installed (matplotlib takes each glyph from
    the first family that has it)."""
    from matplotlib import font_manager

    families = ["DejaVu Sans"]
    if CJK_FONT.exists():
        try:
            font_manager.fontManager.addfont(str(CJK_FONT))
            families.append(font_manager.FontProperties(fname=str(CJK_FONT)).get_name())
        except (OSError, RuntimeError, ValueError):
            pass  # an unreadable font file: Latin labels still draw
    return families


def svg(chart) -> str:
    """The chart spec `chart` (dashboards.charts.chart) drawn as an SVG
    element (text without the XML prolog, to put in a page): stacked or
    side-by-side bars, a dataset with `line` drawn as a line on a percent
    axis at the right. Its title is the page's caption, not drawn.

    Drawing costs matplotlib about 60 ms of CPU a chart; the same spec
    (its numbers and its labels, already in the reader's language) always
    gives the same drawing, so the latest drawings are kept in memory
    (drawn())."""
    return drawn(json.dumps(chart["spec"], sort_keys=True, default=str))


@lru_cache(maxsize=64)
def drawn(spec_json: str) -> str:
    """svg() of a spec given as JSON (hashable, for the memo)."""
    import matplotlib
    from matplotlib.figure import Figure

    spec = json.loads(spec_json)
    labels = [str(label) for label in spec["labels"]]
    bars = [d for d in spec["datasets"] if not d.get("line")]
    lines = [d for d in spec["datasets"] if d.get("line")]
    rc = {"font.family": fonts(), "font.size": 7, "svg.fonttype": "path", "svg.hashsalt": "brief",
          "axes.spines.top": False, "axes.spines.right": bool(lines)}
    labels, axis_label = short_labels(labels)
    with matplotlib.rc_context(rc):
        # Fixed margins: a layout engine would draw every chart twice.
        figure = Figure(figsize=SIZE)
        figure.subplots_adjust(left=0.09, right=0.9 if lines else 0.98, top=0.96, bottom=0.3)
        axes = figure.add_subplot()
        x = list(range(len(labels)))
        bottom = [0] * len(labels)
        width = 0.8 if spec.get("stacked") or len(bars) < 2 else 0.8 / len(bars)
        for i, d in enumerate(bars):
            values = [v or 0 for v in d["data"]]
            if spec.get("stacked"):
                axes.bar(x, values, 0.8, bottom=bottom, label=d["label"], color=COLOURS.get(d["role"]))
                bottom = [b + v for b, v in zip(bottom, values)]
            else:
                offset = (i - (len(bars) - 1) / 2) * width
                axes.bar([p + offset for p in x], values, width, label=d["label"], color=COLOURS.get(d["role"]))
        axes.set_xticks(x, labels_shown(labels))
        axes.tick_params(axis="x", labelrotation=90 if len(labels) > 6 and len(labels[0]) > 4 else 0)
        if axis_label:
            axes.set_xlabel(axis_label)
        axes.yaxis.get_major_locator().set_params(integer=True)
        handles, names = axes.get_legend_handles_labels()
        if lines:
            right = axes.twinx()
            for d in lines:
                points = [(p, v) for p, v in zip(x, d["data"]) if v is not None]
                right.plot([p for p, _v in points], [v for _p, v in points], marker="o", markersize=2,
                           linewidth=1.2, label=d["label"], color=COLOURS.get(d["role"]))
            right.set_ylim(0, 100)
            right.set_ylabel(spec.get("percentAxis") or "%")
            more, more_names = right.get_legend_handles_labels()
            handles, names = handles + more, names + more_names
        if len(handles) > 1:
            figure.legend(handles, names, loc="lower center", ncols=min(len(handles), 2 if lines else 3),
                          frameon=False, fontsize=6)
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
    text = out.getvalue()
    # The element alone, sized by the page (its viewBox keeps the shape).
    text = text[text.index("<svg"):]
    return re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1', text, count=1)


def short_labels(labels):
    """(the x labels, a label of the axis): the months of one year
    ("2024-01" ... "2024-12") as their numbers, the year under the axis;
    other labels as they are."""
    if labels and all(len(x) == 7 and x[4] == "-" and x[:4] == labels[0][:4] for x in labels):
        return [x[5:] for x in labels], labels[0][:4]
    return labels, ""


def labels_shown(labels):
    """The x labels, at most about twelve shown: a year of months keeps
    each, longer series every n-th."""
    step = max(1, -(-len(labels) // 12))
    return [label if i % step == 0 else "" for i, label in enumerate(labels)]
