"""QR codes as images: the organiser's check-in code, and the share code of a wish's or an
activity's page (on the page, its poster and its WeChat link card)."""

from __future__ import annotations

import io
from functools import lru_cache

import segno
from flask import Response

MIMETYPES = {"svg": "image/svg+xml", "png": "image/png"}


def qr_image(target: str, *, kind: str = "svg", title: str | None = None,
             headers: dict[str, str] | None = None) -> Response:
    """``target`` (an absolute address) as a QR code, an SVG or a PNG answer. Medium error
    correction, big modules and a quiet zone: scannable from a metre away, or from paper."""
    return Response(_qr_bytes(target, kind, title), mimetype=MIMETYPES[kind], headers=headers)


@lru_cache(maxsize=512)
def _qr_bytes(target: str, kind: str, title: str | None) -> bytes:
    """Made once per address and kind in each worker: a poster on a notice board is
    scanned and reloaded many times."""
    out = io.BytesIO()
    extra = {"title": title} if kind == "svg" and title else {}
    segno.make(target, error="m").save(out, kind=kind, scale=10, border=2, **extra)
    return out.getvalue()

