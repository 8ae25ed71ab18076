"""Inline SVG charts drawn on the server: a clip card's sparkline, the Stats page's bars of views per day."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

WIDTH = 120
HEIGHT = 28
PAD = 2


def sparkline(values: Sequence[int], label: str, *, width: int = WIDTH, height: int = HEIGHT) -> Markup:
    """A polyline of `values` scaled to the box; fewer than two points draw nothing (no trend yet)."""
    if len(values) < 2:
        return Markup("")
    low, high = min(values), max(values)
    span = (high - low) or 1
    step = (width - 2 * PAD) / (len(values) - 1)
    points = " ".join(
        f"{PAD + i * step:.1f},{height - PAD - (v - low) * (height - 2 * PAD) / span:.1f}"
        for i, v in enumerate(values)
    )
    last_x, last_y = points.rsplit(" ", 1)[-1].split(",")
    # The area under the line, faintly filled, makes a short series read as a chart, not a stroke.
    area = f"{PAD:.1f},{height - PAD:.1f} {points} {last_x},{height - PAD:.1f}"
    return Markup(
        '<svg class="spark" role="img" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'aria-label="{label}"><polygon fill="currentColor" fill-opacity="0.12" points="{area}"/>'
        '<polyline fill="none" stroke="currentColor" stroke-width="1.5" '
        'stroke-linejoin="round" stroke-linecap="round" points="{points}"/>'
        '<circle cx="{x}" cy="{y}" r="2" fill="currentColor"/></svg>'
    ).format(w=width, h=height, label=escape(label), area=area, points=points, x=last_x, y=last_y)


CHART_HEIGHT = 220
GUTTER = 44  # room for the value labels on the left
FOOT = 22  # room for the day labels below
TOP = 10


def _nice_ceiling(value: int) -> int:
    """The axis top: 1, 2 or 5 times a power of ten, at least `value` (and at least 1)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def bar_chart(
    values: Sequence[int],
    days: Sequence[str],
    label: str,
    number: Callable[[int], str],
    *,
    width: int,
    height: int = CHART_HEIGHT,
) -> Markup:
    """Bars of `values` (one per day, labelled `days`) drawn 1:1 in a `width` box, with a value axis.

    Drawn at the size it is shown (the page draws a wide and a narrow one), so its text stays
    legible on a phone instead of being scaled down with the whole picture.
    """
    top = _nice_ceiling(max(values, default=0))
    plot_w, plot_h = width - GUTTER - PAD, height - FOOT - TOP
    slot = plot_w / max(len(values), 1)
    bar_w = max(slot * 0.75, 1.0)
    parts = []
    for fraction in (0, 0.5, 1):
        y = TOP + plot_h * (1 - fraction)
        parts.append(
            Markup(
                '<line x1="{x1}" x2="{x2}" y1="{y:.1f}" y2="{y:.1f}" stroke="currentColor" '
                'stroke-opacity="0.15"/><text x="{tx}" y="{ty:.1f}" text-anchor="end" font-size="12" '
                'fill="currentColor" fill-opacity="0.7">{text}</text>'
            ).format(
                x1=GUTTER, x2=width - PAD, y=y, tx=GUTTER - 6, ty=y + 4, text=number(round(top * fraction))
            )
        )
    labelled = _label_every(len(days), plot_w)
    for i, (value, day) in enumerate(zip(values, days, strict=True)):
        x = GUTTER + i * slot + (slot - bar_w) / 2
        bar_h = plot_h * value / top
        parts.append(
            Markup(
                '<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="1.5" '
                'fill="currentColor"><title>{day}: {text}</title></rect>'
            ).format(x=x, y=TOP + plot_h - bar_h, w=bar_w, h=bar_h, day=day, text=number(value))
        )
        if i % labelled == 0:
            parts.append(
                Markup(
                    '<text x="{x:.1f}" y="{y}" text-anchor="middle" font-size="12" fill="currentColor" '
                    'fill-opacity="0.7">{day}</text>'
                ).format(x=x + bar_w / 2, y=height - 6, day=day)
            )
    return Markup(
        '<svg class="chart" role="img" viewBox="0 0 {w} {h}" width="{w}" height="{h}" aria-label="{label}">'
        "{parts}</svg>"
    ).format(w=width, h=height, label=escape(label), parts=Markup("").join(parts))


def _label_every(count: int, plot_width: float) -> int:
    """Label every n-th day so labels ("30.11", about 40 px) never overlap."""
    fits = max(int(plot_width // 48), 1)
    return max(-(-count // fits), 1)
