"""The report's charts: matplotlib figures drawn to inline SVG.

Figures are made with the object API (no pyplot and its global state), text is drawn as paths
so the page looks the same without the fonts matplotlib used, and the SVG ids are salted with
a constant so the same figures give the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

__all__ = ["bar_chart", "histogram"]

_BLUE = "#2b6cb0"
_GREY = "#a0aec0"
_RED = "#c53030"
_RC: dict[str, Any] = {
    "svg.fonttype": "path",
    "svg.hashsalt": "matcher-report",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
}


def _svg(figure: Any) -> str:
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    FigureCanvasSVG(figure)
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    start = text.find("<svg")  # drop the XML prolog and doctype: inline SVG needs neither
    return text[start:].strip()


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def histogram(
    values: Sequence[float], *, title: str, xlabel: str, ylabel: str, bins: int = 20
) -> str:
    """A histogram of values in [0, 1] as an SVG element."""
    import matplotlib

    with matplotlib.rc_context(_RC):  # type: ignore[arg-type]
        figure = _figure(6.5, 2.4)
        axes = figure.add_subplot()
        axes.hist(list(values), bins=bins, range=(0.0, 1.0), color=_BLUE, edgecolor="white")
        axes.set_xlim(0, 1)
        axes.set_title(title, loc="left")
        axes.set_xlabel(xlabel)
        axes.set_ylabel(ylabel)
        axes.yaxis.get_major_locator().set_params(integer=True)
        return _svg(figure)


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    xlabel: str,
    texts: Sequence[str] | None = None,
    flagged: Sequence[bool] | None = None,
    limit: float | None = None,
    colors: Sequence[str] | None = None,
    share: bool = False,
) -> str:
    """Horizontal bars, first label on top, each bar's figure written at its end."""
    import matplotlib

    n = len(labels)
    with matplotlib.rc_context(_RC):  # type: ignore[arg-type]
        wrapped = sum(1 for label in labels if len(label) > 34)
        figure = _figure(6.5, 0.7 + 0.28 * max(n, 1) + 0.14 * wrapped)
        axes = figure.add_subplot()
        positions = list(range(n))[::-1]
        if colors is None:
            colors = [_RED if flagged and flagged[k] else _BLUE for k in range(n)]
        axes.barh(positions, list(values), color=list(colors), height=0.7)
        axes.set_yticks(positions, [_wrap(label) for label in labels])
        high = limit if limit is not None else max([*values, 1e-9]) * 1.18
        axes.set_xlim(0, high)
        if share:  # a share: ticks from 0 to 100 %, the room beyond is for the bar's text
            axes.set_xticks([0, 0.25, 0.5, 0.75, 1], ["0", "25%", "50%", "75%", "100%"])
        else:
            axes.xaxis.get_major_locator().set_params(integer=True)
        for k, value in enumerate(values):
            text = texts[k] if texts is not None else f"{value:g}"
            axes.text(min(value, high) + high * 0.01, positions[k], text, va="center", fontsize=8)
        axes.set_title(title, loc="left")
        axes.set_xlabel(xlabel)
        return _svg(figure)


def paired_bars(
    labels: Sequence[str],
    before: Sequence[float],
    after: Sequence[float],
    *,
    title: str,
    xlabel: str,
    names: tuple[str, str],
) -> str:
    """Two horizontal bars per label (``before`` grey, ``after`` blue), shares from 0 to 100 %,
    first label on top, each bar's percentage at its end."""
    import matplotlib

    n = len(labels)
    with matplotlib.rc_context(_RC):  # type: ignore[arg-type]
        figure = _figure(6.5, 0.9 + 0.5 * max(n, 1))
        axes = figure.add_subplot()
        top = [float(2 * k) for k in range(n)][::-1]
        for offset, values, color, name in (
            (0.35, before, _GREY, names[0]),
            (-0.35, after, _BLUE, names[1]),
        ):
            where = [p + offset for p in top]
            axes.barh(where, list(values), color=color, height=0.65, label=name)
            for y, value in zip(where, values, strict=True):
                axes.text(value + 0.012, y, f"{value * 100:.1f}%", va="center", fontsize=7.5)
        axes.set_yticks(top, [_wrap(label) for label in labels])
        axes.set_xlim(0, 1.18)
        axes.set_xticks([0, 0.25, 0.5, 0.75, 1], ["0", "25%", "50%", "75%", "100%"])
        axes.legend(loc="lower right", fontsize=7.5, frameon=False)
        axes.set_title(title, loc="left")
        axes.set_xlabel(xlabel)
        return _svg(figure)


def _wrap(label: str, width: int = 34) -> str:
    """A long label on two lines (at most), so that the bars keep their room."""
    if len(label) <= width:
        return label
    cut = label.rfind(" ", 0, width)
    cut = cut if cut > 0 else width
    rest = label[cut:].strip()
    if len(rest) > width:
        rest = rest[: width - 1] + "…"
    return label[:cut] + "\n" + rest


GREY = _GREY
RED = _RED
BLUE = _BLUE
