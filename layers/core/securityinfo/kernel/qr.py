"""QR codes as inline SVG for the pages (segno is imported only by functions that draw one)."""

from __future__ import annotations

import io


def svg(data: str) -> str:
    import segno  # deferred: only the registration function pays for it

    out = io.BytesIO()
    # A fixed mask: scoring all eight costs ~3x the CPU, and any mask scans from a screen.
    segno.make(data, error="m", mask=0).save(out, kind="svg", scale=4, border=2, xmldecl=False, svgns=True)
    return out.getvalue().decode()
