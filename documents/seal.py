"""The round red seal of an issuing unit, drawn as SVG.

The unit's name runs along the upper arc, one character at a time, each rotated to
face outwards (WeasyPrint does not lay text along an SVG <textPath>). The characters
are drawn as their glyph outlines taken from the document font with fontTools rather
than as SVG <text>: laying out a dozen rotated text runs cost ~30 ms per document, and
an outline needs no font lookup (SVG text would not inherit the page's language and
picked a Japanese face). The SVG of a unit never changes, so it is built once per process.

A seal is stamped over the signer's name and date (落款), and on paper those stay
legible because red ink is translucent: it darkens what is under it and hides nothing.
The drawing does the same: it is painted with the PDF blend mode Multiply (through an
SVG feBlend filter, which WeasyPrint turns into an ExtGState /BM) so black text under
it stays black, at an opacity a little below one so the paper shows through the red.
"""

import functools
import math
import shutil
import subprocess
import zlib
from html import escape

SEAL_RED = "#d40000"
# Red ink on paper: not a solid paint. 0.85 keeps the seal clearly red.
SEAL_OPACITY = 0.85
VIEWBOX = 200.0


@functools.lru_cache(maxsize=256)
def seal_svg(name: str, *, font_family: str, size_mm: float = 42.0) -> str:
    centre = VIEWBOX / 2
    radius = centre - 6
    text_radius = radius - 22
    chars = list(name)
    # Spread the name over the upper arc, wider for longer names, centred on the top.
    span = min(250.0, max(150.0, 17.0 * len(chars)))
    start = -90 - span / 2
    step = span / max(len(chars) - 1, 1)
    font_size = 24 if len(chars) <= 12 else max(16, 24 - (len(chars) - 12))
    outlines = _outlines(font_family)
    ink = f"ink-{zlib.crc32(name.encode()):08x}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {VIEWBOX:.0f} {VIEWBOX:.0f}" '
        f'width="{size_mm}mm" height="{size_mm}mm">',
        # WeasyPrint registers ids inside inline SVG as page anchors, so each unit's seal
        # names its filter differently (two seals on a page would otherwise clash), and
        # never "seal-…": those are the anchors signature fields are placed over.
        f'<defs><filter id="{ink}"><feBlend mode="multiply"/></filter></defs>',
        f'<g filter="url(#{ink})" opacity="{SEAL_OPACITY}">',
        f'<circle cx="{centre}" cy="{centre}" r="{radius}" fill="none" stroke="{SEAL_RED}" stroke-width="6"/>',
        _star(centre, centre, 30),
    ]
    for index, char in enumerate(chars):
        angle = start + index * step
        x = centre + text_radius * math.cos(math.radians(angle))
        y = centre + text_radius * math.sin(math.radians(angle))
        glyph = outlines.glyph(char) if outlines else None
        if glyph:
            d, (cx, cy), units = glyph
            scale = font_size / units
            parts.append(
                f'<path fill="{SEAL_RED}" d="{d}" transform="translate({x:.2f} {y:.2f}) rotate({angle + 90:.2f}) '
                f'scale({scale:.5f} {-scale:.5f}) translate({-cx:.1f} {-cy:.1f})"/>'
            )
        else:  # no outline available: fall back to SVG text
            parts.append(
                f'<text x="{x:.2f}" y="{y:.2f}" font-family="{escape(font_family)}" font-size="{font_size}" '
                f'fill="{SEAL_RED}" text-anchor="middle" dominant-baseline="central" '
                f'transform="rotate({angle + 90:.2f} {x:.2f} {y:.2f})">{escape(char)}</text>'
            )
    parts.append("</g></svg>")
    return "".join(parts)


def _star(cx: float, cy: float, outer: float) -> str:
    inner = outer * 0.382
    points = []
    for k in range(10):
        r = outer if k % 2 == 0 else inner
        a = math.radians(-90 + k * 36)
        points.append(f"{cx + r * math.cos(a):.2f},{cy + r * math.sin(a):.2f}")
    return f'<polygon points="{" ".join(points)}" fill="{SEAL_RED}"/>'


class _Outlines:
    """Glyph outlines of one installed font, as SVG path data in font units."""

    def __init__(self, path: str, index: int):
        from fontTools.ttLib import TTFont

        self.font = TTFont(path, fontNumber=index, lazy=True)
        self.glyphs = self.font.getGlyphSet()
        self.cmap = self.font.getBestCmap()
        self.units = self.font["head"].unitsPerEm

    @functools.lru_cache(maxsize=1024)  # noqa: B019 - one instance per font for the process's life
    def glyph(self, char: str):
        from fontTools.pens.boundsPen import BoundsPen
        from fontTools.pens.svgPathPen import SVGPathPen

        name = self.cmap.get(ord(char))
        if name is None:
            return None
        pen = SVGPathPen(self.glyphs, ntos=lambda value: str(round(value)))  # font units: integers suffice
        self.glyphs[name].draw(pen)
        bounds = BoundsPen(self.glyphs)
        self.glyphs[name].draw(bounds)
        if bounds.bounds is None:
            return None
        x1, y1, x2, y2 = bounds.bounds
        return pen.getCommands(), ((x1 + x2) / 2, (y1 + y2) / 2), self.units


@functools.lru_cache(maxsize=8)
def _outlines(font_family: str) -> _Outlines | None:
    """The font fontconfig picks for the family (file and index within a .ttc)."""
    if shutil.which("fc-match") is None:
        return None
    found = subprocess.run(
        ["fc-match", "-f", "%{file}\n%{index}", font_family], capture_output=True, text=True
    ).stdout.split("\n")
    if len(found) < 2 or not found[0]:
        return None
    try:
        return _Outlines(found[0], int(found[1] or 0))
    except Exception:
        return None
