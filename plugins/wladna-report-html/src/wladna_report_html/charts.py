"""Horizontal bar charts as inline SVG: readable without JavaScript, mirrored for Arabic.

A chart is a list of :class:`Bar` objects, already labelled in the reader's language.  Bars
that share a ``group`` are drawn under a heading with the group's name (a table broken down by
two dimensions: one block per value of the first); bars without a group are drawn one per line.
A bar without a value (withheld or missing) keeps its line and shows its text, so that no row
silently disappears.  The scale starts at 0 and ends at the largest value, or at 100 % for
shares.

>>> svg = bar_chart(
...     [Bar("Salé", 12, "12"), Bar("Rabat", None, "[c]")],
...     title="Cases opened",
...     description="Cases opened by province",
...     chart_id="chart-1",
...     tick_text=str,
... )
>>> svg.startswith('<svg role="img"'), svg.count("<rect")
(True, 1)
"""

from __future__ import annotations

import math
from html import escape
from typing import TYPE_CHECKING, Final

import attrs

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = ["PALETTE", "Bar", "bar_chart", "ticks"]

#: Bar colours, one per series (Okabe and Ito's palette, which colour-blind readers tell apart).
PALETTE: Final = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")

_WIDTH: Final = 720
_LABEL_WIDTH: Final = 230
_VALUE_WIDTH: Final = 80
_MARGIN: Final = 8
_PLOT_LEFT: Final = _LABEL_WIDTH
_PLOT_WIDTH: Final = _WIDTH - _LABEL_WIDTH - _VALUE_WIDTH - _MARGIN
_LINE: Final = 24
_BAR: Final = 16
_HEADING: Final = 24
_AXIS: Final = 28
_TOP: Final = 8
_LABEL_CHARS: Final = 34
_HEADING_CHARS: Final = 100
_MAX_TICKS: Final = 6


@attrs.frozen
class Bar:
    """One bar of a chart.

    :param label: what the bar stands for, in the reader's language.
    :param value: its length, or ``None`` to draw no bar (a withheld or missing value).
    :param text: the value as the reader sees it, written next to the bar.
    :param group: the heading the bar is drawn under, or ``None``.
    :param series: which colour of :data:`PALETTE` the bar takes (cycling).
    """

    label: str
    value: float | None
    text: str
    group: str | None = None
    series: int = 0


def ticks(low: float, high: float) -> list[float]:
    """Return round values from ``low`` to ``high`` for the axis: 0, 5, 10... or 0, 0.25...

    :param low: the start of the scale (0 or less).
    :param high: the end of the scale (more than ``low``).
    """
    # Halves keep the span finite even for the largest floats.
    half_span = high / 2 - low / 2
    if not (math.isfinite(half_span) and half_span > 0):
        return [low]
    rough = half_span * 2 / (_MAX_TICKS - 1) if half_span < 1e307 else half_span / 2
    if rough < 1e-300:
        return [low, high]
    base = 10.0 ** math.floor(math.log10(rough))
    step = next((base * factor for factor in (1, 2, 2.5, 5) if base * factor >= rough), base * 10)
    first, last = math.ceil(low / step), math.floor(high / step)
    return [number * step for number in range(first, last + 1)][: _MAX_TICKS * 2]


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    description: str,
    chart_id: str,
    tick_text: Callable[[float], str],
    share: bool = False,
    rtl: bool = False,
    empty_text: str = "",
) -> str:
    """Return an SVG bar chart of ``bars``, for inclusion in an HTML page.

    :param bars: the bars, in the order to draw them (top to bottom).
    :param title: the chart's accessible name (its ``<title>``).
    :param description: a sentence saying what the chart shows (its ``<desc>``).
    :param chart_id: an id unique in the page, prefix of the ids inside the chart.
    :param tick_text: writes a value of the axis, e.g. ``25 %``.
    :param share: whether the values are shares (the scale then runs to at least 1).
    :param rtl: draw for a right-to-left language: labels on the right, bars growing leftwards.
    :param empty_text: what the chart says when there are no bars.
    """
    values = [bar.value for bar in bars if bar.value is not None]
    low = min([0.0, *values])
    high = max([1.0 if share or not values else 0.0, *values])
    if not high / 2 - low / 2 > 0:
        # Nothing to scale, or values so close to 0 that halving them (against overflow, see
        # position) gives 0: 5e-324 was drawn as a count once.
        low, high = 0.0, 1.0

    def position(value: float) -> float:
        ratio = (value / 2 - low / 2) / (high / 2 - low / 2)
        x = _PLOT_LEFT + ratio * _PLOT_WIDTH
        return _WIDTH - x if rtl else x

    def at(x: float) -> float:
        return _WIDTH - x if rtl else x

    parts: list[str] = []
    y = _TOP
    current_group: str | None = None
    for bar in bars:
        if bar.group is not None and bar.group != current_group:
            current_group = bar.group
            parts.append(
                f'<text class="group" x="{at(_MARGIN):.1f}" y="{y + 16}" font-weight="bold">'
                f"{escape(_short(bar.group, _HEADING_CHARS))}</text>"
            )
            y += _HEADING
        parts.append(_bar(bar, y, position, at, rtl=rtl))
        y += _LINE
    if not bars:
        parts.append(f'<text x="{at(_MARGIN):.1f}" y="{y + 16}">{escape(empty_text)}</text>')
        y += _LINE
    axis = _axis(ticks(low, high), y, position, tick_text)
    height = y + _AXIS
    direction = "rtl" if rtl else "ltr"
    return (
        f'<svg role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'viewBox="0 0 {_WIDTH} {height}" width="{_WIDTH}" height="{height}" '
        f'direction="{direction}" font-size="12" class="chart">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
        f"{axis}{''.join(parts)}</svg>"
    )


def _bar(
    bar: Bar,
    y: int,
    position: Callable[[float], float],
    at: Callable[[float], float],
    *,
    rtl: bool,
) -> str:
    zero = position(0.0)
    label_x = at(_LABEL_WIDTH - 6)
    parts = [
        f"<g><title>{escape(bar.label)}: {escape(bar.text)}</title>",
        f'<text x="{label_x:.1f}" y="{y + 13}" text-anchor="end">'
        f"{escape(_short(bar.label, _LABEL_CHARS))}</text>",
    ]
    end = zero
    if bar.value is not None:
        tip = position(bar.value)
        left, right = sorted((zero, tip))
        colour = PALETTE[bar.series % len(PALETTE)]
        parts.append(
            f'<rect x="{left:.1f}" y="{y + (_LINE - _BAR) // 2 - 2}" '
            f'width="{right - left:.1f}" height="{_BAR}" fill="{colour}"/>'
        )
        # The text goes beyond whichever end of the bar lies further from the labels.
        end = min(zero, tip) if rtl else max(zero, tip)
    offset = -4 if rtl else 4
    parts.append(
        f'<text x="{end + offset:.1f}" y="{y + 13}" text-anchor="start" class="value">'
        f"{escape(bar.text)}</text></g>"
    )
    return "".join(parts)


def _axis(
    values: Sequence[float],
    y: int,
    position: Callable[[float], float],
    tick_text: Callable[[float], str],
) -> str:
    parts = ['<g class="axis">']
    for value in values:
        x = position(value)
        colour = "#555555" if value == 0 else "#dddddd"
        parts.append(
            f'<line x1="{x:.1f}" y1="{_TOP}" x2="{x:.1f}" y2="{y + 2}" stroke="{colour}"/>'
            f'<text x="{x:.1f}" y="{y + 18}" text-anchor="middle" fill="#555555">'
            f"{escape(tick_text(value))}</text>"
        )
    parts.append("</g>")
    return "".join(parts)
