"""Plain text and Markdown: decoded, split into sections at heading lines, otherwise as is."""

from __future__ import annotations

import re

from charset_normalizer import from_bytes

from appraise.documents.sections import SectionBuilder, heading_title
from appraise.errors import InputError

_BLANK = re.compile(r"\n[ \t\f\v]*\n")


def decode_text(data: bytes, name: str) -> tuple[str, list[str]]:
    """The text of a file and any problems met decoding it (UTF-8 first, then detected)."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            f"{name} is a binary file, not text",
            fix="give a .txt, .md, .xml/.nxml (JATS) or .pdf document",
        )
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    text = str(best) if best is not None else ""
    if best is None or _unprintable_share(text) > 0.05:
        raise InputError(
            f"{name} is not text in any encoding we can recognise",
            fix="save it as UTF-8 text, or give the PDF or XML it came from",
        )
    return text, [f"{name} is not UTF-8; read it as {best.encoding}"]


def _unprintable_share(text: str) -> float:
    """Share of characters that are neither printable nor whitespace: high in binary junk."""
    if not text:
        return 1.0
    odd = sum(1 for ch in text if not ch.isprintable() and not ch.isspace())
    return odd / len(text)


def text_sections(text: str) -> list[tuple[str, str, str]]:
    """(title, kind, text) parts: paragraphs (blank-line separated) under their headings.

    A paragraph whose first line is a heading ('Methods' then the text on the next line) is
    split there, as pasted articles often have no blank line after a heading.
    """
    builder = SectionBuilder()
    for block in _BLANK.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = block.strip("\n").split("\n")
        while lines:
            # A heading line followed by text in the same block must be followed by a sentence.
            standalone = len(lines) == 1 or lines[1].lstrip()[:1].isupper()
            title = heading_title(lines[0], standalone=standalone)
            if title is None:
                break
            builder.heading(title)
            lines = lines[1:]
        builder.paragraph("\n".join(lines))
    return builder.parts()
