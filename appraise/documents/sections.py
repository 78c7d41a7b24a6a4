"""Headings and sections in text that carries no markup: pasted text, Markdown, PDF lines.

A heading is a short line on its own: a Markdown ``#`` heading, a known section name
('Methods', '2. Methods', 'RESULTS', 'Conflicts of interest'), a line in capitals or in bold,
or a short capitalised line that stands as its own paragraph ('Participants'). A heading the
section vocabulary does not know ('Randomisation') is a subsection: it keeps the kind of the
section it sits in, the way JATS subsections do.
"""

from __future__ import annotations

import re

from appraise.sources.jats import classify_title

# Sections whose unnamed subsections share their kind; after a statement (funding, COI) or the
# references, an unknown heading starts something else.
_INHERITING_KINDS = {"introduction", "methods", "results", "discussion"}

_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
_CAPITALS = re.compile(r"[A-Z][A-Z0-9 &/,'()\-–]*[A-Z)]")
_NOT_A_HEADING = re.compile(r"^(table|figure|fig\.?|supplementary|page)\s*[\dSIVX]", re.I)
_NUMERIC = re.compile(r"\d{3,}|[=<>%±]")


def heading_title(line: str, *, standalone: bool = False, emphasised: bool = False) -> str | None:
    """The heading's title if ``line`` is a heading, else None.

    ``standalone``: the line is a paragraph of its own (blank line before it).
    ``emphasised``: every character is bold (PDF font information).
    """
    text = line.strip()
    markdown = _MARKDOWN_HEADING.match(text)
    if markdown:
        return markdown.group(1).strip(" *_") or None
    bare = text.strip(" *_").rstrip(":").strip()
    words = bare.split()
    longest = 16 if emphasised else 8
    if not words or len(words) > longest or len(bare) > 160 or bare[-1] in ".,;?!-":
        return None
    capitalised = bare[0].isupper() or bare[0].isdigit() or emphasised  # bold 'pH-stat assays'
    if not capitalised or _NOT_A_HEADING.match(bare):
        return None
    if not any(ch.isalpha() for ch in bare):
        return None
    # A known name ('Methods') on a plain line only when the line is little more than the name:
    # 'Methods/Design: We will conduct a' is the first line of a paragraph.
    if classify_title(bare) and (emphasised or (len(words) <= 6 and ":" not in bare)):
        return bare
    if _NUMERIC.search(bare):
        return None
    if emphasised or (_CAPITALS.fullmatch(bare) and len(bare) > 3):
        return bare
    if standalone and len(words) <= 5 and text.rstrip()[-1:] != ",":
        return bare
    return None


class SectionBuilder:
    """Collects paragraphs under headings into (title, kind, text) parts."""

    def __init__(self, first_title: str = "Text") -> None:
        self._parts: list[tuple[str, str, str]] = []
        self._title = first_title
        self._kind = "other"
        self._paragraphs: list[str] = []

    def heading(self, title: str, kind: str | None = None) -> None:
        self._flush()
        known = kind or classify_title(title)
        if known is None:
            known = self._kind if self._kind in _INHERITING_KINDS else "other"
        self._title = title
        self._kind = known

    def paragraph(self, text: str) -> None:
        if text.strip():
            self._paragraphs.append(text.strip())

    def parts(self) -> list[tuple[str, str, str]]:
        self._flush()
        return self._parts

    def _flush(self) -> None:
        if self._paragraphs:
            self._parts.append((self._title, self._kind, "\n\n".join(self._paragraphs)))
        self._paragraphs = []
