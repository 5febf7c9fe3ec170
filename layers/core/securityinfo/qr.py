"""QR codes as inline SVG for the pages (segno is imported only by functions that draw one)."""

from __future__ import annotations

import io


def svg(data: str) -> str:
    import segno  # deferred: only the registration function pays for it

    out = io.BytesIO()
    segno.make(data, error="m").save(out, kind="svg", scale=4, border=2, xmldecl=False, svgns=True)
    return out.getvalue().decode()
