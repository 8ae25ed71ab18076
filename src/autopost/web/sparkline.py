"""Small inline SVG charts of a publication's views over time, drawn on the server."""

from __future__ import annotations

from collections.abc import Sequence

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
