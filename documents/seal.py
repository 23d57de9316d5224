"""The round red seal of an issuing unit, drawn as SVG.

WeasyPrint does not lay text along an SVG <textPath>, so each character of the
unit's name is its own <text>, placed on the arc and rotated to face outwards; the
font is named inside the SVG because SVG text does not inherit the page's language.
"""

import math
from html import escape

SEAL_RED = "#d40000"


def seal_svg(name: str, *, font_family: str, size_mm: float = 42.0, caption: str = "") -> str:
    size = 200.0  # user units; the <svg> is scaled to size_mm
    centre = size / 2
    radius = centre - 6
    text_radius = radius - 22
    chars = list(name)
    # Spread the name over the upper arc, wider for longer names, centred on the top.
    span = min(250.0, max(150.0, 17.0 * len(chars)))
    start = -90 - span / 2
    step = span / max(len(chars) - 1, 1)
    font_size = 24 if len(chars) <= 12 else max(16, 24 - (len(chars) - 12))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size:.0f} {size:.0f}" '
        f'width="{size_mm}mm" height="{size_mm}mm">',
        f'<circle cx="{centre}" cy="{centre}" r="{radius}" fill="none" stroke="{SEAL_RED}" stroke-width="6"/>',
        _star(centre, centre, 30, SEAL_RED),
    ]
    for index, char in enumerate(chars):
        angle = start + index * step
        x = centre + text_radius * math.cos(math.radians(angle))
        y = centre + text_radius * math.sin(math.radians(angle))
        parts.append(
            f'<text x="{x:.2f}" y="{y:.2f}" font-family="{escape(font_family)}" font-size="{font_size}" '
            f'fill="{SEAL_RED}" text-anchor="middle" dominant-baseline="central" '
            f'transform="rotate({angle + 90:.2f} {x:.2f} {y:.2f})">{escape(char)}</text>'
        )
    if caption:
        parts.append(
            f'<text x="{centre}" y="{centre + 58}" font-family="{escape(font_family)}" font-size="17" '
            f'fill="{SEAL_RED}" text-anchor="middle">{escape(caption)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _star(cx: float, cy: float, outer: float, colour: str) -> str:
    inner = outer * 0.382
    points = []
    for k in range(10):
        r = outer if k % 2 == 0 else inner
        a = math.radians(-90 + k * 36)
        points.append(f"{cx + r * math.cos(a):.2f},{cy + r * math.sin(a):.2f}")
    return f'<polygon points="{" ".join(points)}" fill="{colour}"/>'
