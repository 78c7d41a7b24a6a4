"""Hostile files built on the fly (never stored): one-page PDFs whose content stream expands
far beyond its size through each of the filters pdfminer decodes, alone or chained."""

from __future__ import annotations

import zlib

MB = 2**20
DRAWING = b"0 0 m " * (MB // 6)  # about 1 MB of drawing operators: valid, and no text


FONT = b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>"


def text_operators(text: str) -> bytes:
    """A content stream writing ``text`` in Helvetica, then a run of spaces."""
    return b"BT /F1 12 Tf 72 700 Td (%s) Tj ET" % text.encode() + b" " * 300


def pdf_with_stream(body: bytes, filters: list[str]) -> bytes:
    """A valid one-page PDF (with a font for text) whose content stream is ``body``, declared
    encoded by ``filters`` (names without the slash, applied by a reader in this order)."""
    names = " ".join(f"/{name}" for name in filters)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] %s /Contents 4 0 R >>" % FONT,
        b"<< /Length %d /Filter [%s] >>\nstream\n" % (len(body), names.encode())
        + body
        + b"\nendstream",
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


def deflated(chunks: int, chunk: bytes = DRAWING) -> bytes:
    deflate = zlib.compressobj(9)
    return b"".join(deflate.compress(chunk) for _ in range(chunks)) + deflate.flush()


def flate_bomb_pdf(expanded_mb: int) -> bytes:
    """A content stream that inflates to ``expanded_mb`` MB of drawing operators (the PDF
    itself is about a thousandth of that)."""
    return pdf_with_stream(deflated(expanded_mb), ["FlateDecode"])


def lzw_spaces(expanded_mb: float) -> bytes:
    """LZW codes for ``expanded_mb`` MB of spaces, written the way pdfminer reads them: each
    new code one space longer than the last up to code 4095 (about 3,800 spaces), then that
    code over and over, about 2,500-fold."""
    codes, widths = [256, 32], [9, 9]  # clear the table; one space
    entries, width = 258, 9
    produced, length = 1, 1
    target = int(expanded_mb * MB)
    while produced < target:
        if entries <= 4095:
            code, length = entries, length + 1
        else:
            code = 4095  # the longest string there is; the table keeps growing unaddressed
        codes.append(code)
        widths.append(width)
        produced += length
        entries += 1
        width = {511: 10, 1023: 11, 2047: 12}.get(entries, width)
    bits = "".join(format(code, f"0{w}b") for code, w in zip(codes, widths, strict=True))
    bits += "0" * (-len(bits) % 8)
    return int(bits, 2).to_bytes(len(bits) // 8, "big")


def lzw_bomb_pdf(expanded_mb: float) -> bytes:
    return pdf_with_stream(lzw_spaces(expanded_mb), ["LZWDecode"])


def run_length_encoded(data: bytes) -> bytes:
    """RunLength: runs of one repeated byte as repeats, everything else as literal runs."""
    out, at = bytearray(), 0
    while at < len(data):
        same = 1
        while same < 128 and at + same < len(data) and data[at + same] == data[at]:
            same += 1
        if same > 1:
            out += bytes([257 - same, data[at]])
            at += same
        else:
            chunk = data[at : at + 128]
            out += bytes([len(chunk) - 1]) + chunk
            at += len(chunk)
    return bytes(out + bytes([128]))


def run_length_spaces(expanded_mb: float) -> bytes:
    """RunLength runs of 128 spaces, two bytes each (64-fold), and the end mark."""
    return bytes([129, 32]) * int(expanded_mb * MB / 128) + bytes([128])


def run_length_bomb_pdf(expanded_mb: int, *, deflate_first: bool = False) -> bytes:
    """RunLength alone (the PDF is a 64th of ``expanded_mb``), or Flate then RunLength
    (a few kB: the runs deflate well)."""
    if deflate_first:
        runs = deflated(expanded_mb, bytes([129, 32]) * (MB // 128))  # no end mark: none needed
        return pdf_with_stream(runs, ["FlateDecode", "RunLengthDecode"])
    return pdf_with_stream(run_length_spaces(expanded_mb), ["RunLengthDecode"])


def lzw_literal(data: bytes) -> bytes:
    """LZW codes that spell ``data`` one byte per code, with a clear code before the table
    would widen the codes past 9 bits, which every LZW reader decodes back to ``data``."""
    clear = format(256, "09b")
    bits, entries, first = clear, 258, True
    for byte in data:
        bits += format(byte, "09b")
        entries, first = entries + (not first), False  # each code but the first adds one
        if entries == 510:
            bits, entries, first = bits + clear, 258, True
    bits += "0" * (-len(bits) % 8)
    return int(bits, 2).to_bytes(len(bits) // 8, "big")


def ascii85_bomb_pdf(expanded_mb: int) -> bytes:
    """Flate then ASCII85: 'z' (four zero bytes) over and over, deflated."""
    zeros = deflated(expanded_mb, b"z" * (MB // 4))
    return pdf_with_stream(zeros, ["FlateDecode", "ASCII85Decode"])


def encoded_flate_bomb_pdf(expanded_mb: int, encoding: str) -> bytes:
    """A Flate bomb written as text, ASCII85 or ASCIIHex, as [/ASCII85Decode /FlateDecode]."""
    import base64

    body = deflated(expanded_mb)
    if encoding == "ASCII85Decode":
        text = base64.a85encode(body, wrapcol=76) + b"~>"
    else:
        text = body.hex().encode() + b">"
    return pdf_with_stream(text, [encoding, "FlateDecode"])
