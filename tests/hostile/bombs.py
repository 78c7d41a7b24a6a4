"""Hostile files built on the fly (never stored): a PDF whose one Flate stream expands
about a thousand-fold."""

from __future__ import annotations

import zlib


def flate_bomb_pdf(expanded_mb: int) -> bytes:
    """A valid one-page PDF whose content stream inflates to ``expanded_mb`` MB of drawing
    operators (the PDF itself is about a thousandth of that)."""
    deflate = zlib.compressobj(9)
    chunk = b"0 0 m " * (2**20 // 6)
    body = b"".join(deflate.compress(chunk) for _ in range(expanded_mb)) + deflate.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body_of in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body_of + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
