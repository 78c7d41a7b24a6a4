"""A study's text as detectors see it: one string, its sections and sentences, with offsets.

Every quote a detector proposes is a slice ``document.text[start:end]``, so a reviewer (and a
test) can check it is verbatim. Records (abstract, full-text sections, COI statement, funders,
authors) and local files (plain text, JATS, PDF) are both turned into a Document.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from appraise.evidence.cues import CueScan

SECTION_SEPARATOR = "\n\n"
# Sections that are lists (one author, funder, registration or reference a line): each line is
# one "sentence", so an author's affiliations or a reference stay whole.
LINE_KINDS = frozenset({"authors", "funding", "registration", "references"})
# A list of abbreviations says what words mean, not what the trial did ('ITT: intention to
# treat', 'HAM-D: Hamilton Rating Scale'): it is never evidence nor a quote.
NOT_READ_KINDS = frozenset({"abbreviations"})


@dataclass(frozen=True)
class DocSection:
    title: str
    # abstract, methods, results, discussion, coi, funding, authors, registration, references...
    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    section: str  # the section's title, e.g. "Methods"
    kind: str  # the section's kind
    # A sentence of an introduction or discussion that speaks of a cited trial ('a recent
    # double-blind trial [12] found...'): what it says is not this trial's.
    cites_other_trial: bool = False


# Typographic variants folded for searching, one character for one so offsets stay valid:
# publishers write "single‐blind" with U+2010 and "intention‑to‑treat" with U+2011.
_SEARCH_FOLD = str.maketrans(
    {
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u2007": " ",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
    }
)


def non_ascii(text: str) -> list[str]:
    """The distinct non-ASCII characters of ``text``, found over its code points with numpy:
    ``set(text)`` hashes every character, several times slower on a full text."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return [chr(code) for code in np.unique(codes[codes > 127]).tolist()]


def translate_present(text: str, fold: Mapping[int, str]) -> str:
    """``text.translate(fold)`` for a table of non-ASCII characters: ``str.replace`` of just
    the characters present, since ``translate`` looks up every character of the text (ten
    times slower on a full text than a few replaces)."""
    if text.isascii():
        return text
    changed: dict[str, str] = {}
    for char in non_ascii(text):
        try:
            folded = fold[ord(char)]  # a table may compute its entries as they are asked for
        except LookupError:
            continue
        if folded != char:
            changed[char] = folded
    if any(folded in changed for folded in changed.values()):
        return text.translate(fold)  # a replacement that is itself replaced: one pass only
    for char, folded in changed.items():
        text = text.replace(char, folded)
    return text


# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = set(
    "e.g i.e al fig figs vs cf approx no nos dr mr mrs ms prof st eq ref refs vol pp ca resp "
    "inc ltd co jr sr dept univ min max sd se ci n.b u.s u.k".split()
)
# Sections where a report discusses trials other than its own.
_DISCUSSING_KINDS = frozenset({"introduction", "background", "discussion", "conclusion"})
# A citation ('[12]', '(Smith et al., 2019)', 'Smith et al. (') or talk of other studies
# ('previous trials'): two patterns, each searched only in a sentence holding a string every
# match of it holds, since tried at every word of a discussion they are slow.
_CITATION = re.compile(
    r"\[\d+(?:[,\u2013\u2014-]\s?\d+)*\]|\(\s?[A-Z][\w'-]+(?: et al\.?| and [A-Z][\w'-]+)?,? "
    r"(?:19|20)\d\d[a-z]?\s?[;)]|\b[A-Z][\w'-]+ et al\.?(?: \(| \[|,)"
)
_CITATION_HOLDS = ("[", "(", " et al")
_OTHER_STUDIES = re.compile(
    r"\b(?:previous|prior|earlier|other|another|recent|more recent|similar|former|those|these|"
    r"several|many|most|some|one) (?:\w+ ){0,3}?(?:studies|study|trials?|RCTs?|meta-analys[ie]s|"
    r"reviews?|investigations?)\b"
)
_OTHER_STUDIES_HOLDS = ("stud", "trial", "RCT", "meta-analys", "review", "investigation")
_OWN_TRIAL = re.compile(
    r"\b(?:we|our|this (?:\w+ ){0,2}?(?:study|trial)|the (?:present|current) (?:study|trial))\b",
    re.IGNORECASE,
)
_BOUNDARY = re.compile(r"[.!?](?:[\"')\]]*)(\s+)(?=[\"'(\[]?[A-Z0-9])|\n\s*\n")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans (start, end) in ``text[start:end]``; linear in the length of the text.

    Rule-based: ends at . ! ? followed by space and a capital or digit, or at a blank line;
    not after common abbreviations, initials or decimal numbers. Leading/trailing space trimmed.
    """
    stop = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _BOUNDARY.finditer(text, start, stop):
        if match.group(0).startswith("\n"):
            cut = match.start()
        else:
            mark = match.start()
            before = _WORD_BEFORE.search(text, max(cursor, mark - 20), mark)
            word = before.group(1).lower() if before else ""
            blank_line = "\n" in match.group(1) and match.group(1).count("\n") >= 2
            # A blank line ends a sentence even after an abbreviation or an initial
            # ('... and AUDIT-C.' then the next heading of a structured abstract).
            if not blank_line and (word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())):
                continue
            cut = match.start(1)
        _append_trimmed(text, cursor, cut, spans)
        cursor = match.end()
    _append_trimmed(text, cursor, stop, spans)
    return spans


def split_lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Line spans in ``text[start:end]``, trimmed, empty lines dropped."""
    spans: list[tuple[int, int]] = []
    cursor = start
    while cursor < end:
        newline = text.find("\n", cursor, end)
        stop = end if newline < 0 else newline
        _append_trimmed(text, cursor, stop, spans)
        cursor = stop + 1
    return spans


# Longer runs without a sentence end (tables, extraction junk) are cut at a space, so the work
# detectors do per sentence stays bounded and the whole document stays linear.
MAX_SENTENCE = 1500


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    while end - start > MAX_SENTENCE:
        cut = text.rfind(" ", start + MAX_SENTENCE // 2, start + MAX_SENTENCE)
        cut = cut if cut > start else start + MAX_SENTENCE
        _append_trimmed(text, start, cut, spans)
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        spans.append((start, end))


def _speaks_of_other_trial(sentence: str) -> bool:
    """Cites or names other studies and does not speak of 'we', 'our' or 'this trial'."""
    cites = (any(h in sentence for h in _CITATION_HOLDS) and _CITATION.search(sentence)) or (
        any(h in sentence for h in _OTHER_STUDIES_HOLDS) and _OTHER_STUDIES.search(sentence)
    )
    return bool(cites) and not _OWN_TRIAL.search(sentence)


_MARKUP_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|[^<&]+|[<&]")
# What may differ between the file and the extracted text: spacing and line breaks, a run-in
# heading's colon, Markdown emphasis; compared without them, the words line up.
_IGNORED = {True: re.compile(r"[\s:]+"), False: re.compile(r"[\s:*_`]+")}
_KEPT = {True: re.compile(r"[^\s:]+"), False: re.compile(r"[^\s:*_`]+")}


@dataclass(frozen=True)
class _Run:
    plain: int  # where the run starts in the projection
    start: int  # and in the file
    end: int
    verbatim: bool  # one file character per character (else an entity)


@dataclass(frozen=True)
class OriginalFile:
    """The reviewer's file as it was read (text, Markdown or JATS XML), so that a quote of the
    extracted text can be found again in it: a reviewer checks a quote in their own file, not
    in the rebuilt text. Offsets are in characters of the decoded file."""

    text: str
    markup: bool  # XML: tags and entities lie between and inside the quote's words

    def _projection(self, start: int, end: int) -> tuple[str, list[_Run]]:
        """The characters of text[start:end] that must match, and where each run lies."""
        kept, ignored = _KEPT[self.markup], _IGNORED[self.markup]
        chunks: list[str] = []
        runs: list[_Run] = []
        size = 0
        pieces = (
            ((t.start(), t.group()) for t in _MARKUP_TOKEN.finditer(self.text, start, end))
            if self.markup
            else [(start, self.text[start:end])]
        )
        for at, piece in pieces:
            if self.markup and len(piece) > 1 and piece[0] == "<":
                continue
            if self.markup and len(piece) > 2 and piece[0] == "&" and piece[-1] == ";":
                if char := ignored.sub("", html.unescape(piece)):
                    runs.append(_Run(size, at, at + len(piece), False))
                    chunks.append(char)
                    size += len(char)
                continue
            for found in kept.finditer(piece):
                runs.append(_Run(size, at + found.start(), at + found.end(), True))
                chunks.append(found.group())
                size += len(found.group())
        return "".join(chunks), runs

    def span(self, quote: str) -> tuple[int, int] | None:
        """Where ``quote`` lies in the file, or None when it cannot be found there."""
        key = _IGNORED[self.markup].sub("", quote)
        words = {w for w in quote.split() if w.isascii() and w.isalnum()}
        plain_words = sorted(words, key=lambda w: (len(w), w))  # the same anchor on every run
        if not key or not plain_words:
            return None
        # Look only round the places where the quote's longest plain word occurs, with its
        # second longest nearby: projecting a whole article per quote costs more than proposing.
        anchor, second = plain_words[-1], plain_words[-2] if len(plain_words) > 1 else ""
        width = 2 * len(quote) + 200
        at = self.text.find(anchor)
        while at >= 0:
            low, high = max(0, at - width), at + width
            if self.text.find(second, low, high) >= 0:
                start = self.text.rfind(">", 0, low) + 1  # never inside a tag
                plain, runs = self._projection(start, high)
                found = plain.find(key)
                if found >= 0:
                    first, last = found, found + len(key) - 1
                    return _file_offset(runs, first, end=False), _file_offset(runs, last, end=True)
            at = self.text.find(anchor, at + len(anchor))
        return None


def _file_offset(runs: list[_Run], position: int, *, end: bool) -> int:
    run = runs[bisect_right(runs, position, key=lambda r: r.plain) - 1]
    if not run.verbatim:
        return run.end if end else run.start
    return run.start + position - run.plain + (1 if end else 0)


@dataclass
class Document:
    text: str
    sections: list[DocSection]
    source: str
    problems: list[str] = field(default_factory=list)
    original: OriginalFile | None = None  # the reviewer's own file, when read from one
    _spans: dict[str, tuple[int, int] | None] = field(
        default_factory=dict, repr=False, compare=False
    )
    # What a detector answers of one sentence read alone, by (detector, start, end): the quote
    # ranker asks it of its candidates, and several questions try the same sentences.
    answers_alone: dict[tuple[str, int, int], str] = field(
        default_factory=dict, repr=False, compare=False
    )

    def original_span(self, quote: str) -> tuple[int, int] | None:
        """Where a quote of this text lies in the reviewer's file (once per quote: several
        questions often quote one sentence)."""
        if self.original is None:
            return None
        if quote not in self._spans:
            self._spans[quote] = self.original.span(quote)
        return self._spans[quote]

    @classmethod
    def from_sections(
        cls,
        parts: list[tuple[str, str, str]],
        source: str,
        problems: list[str] | None = None,
    ) -> Document:
        """Join (title, kind, text) parts into one text, remembering where each one lies."""
        chunks: list[str] = []
        sections: list[DocSection] = []
        offset = 0
        for title, kind, body in parts:
            body = body.strip()
            if not body or kind in NOT_READ_KINDS:
                continue
            if chunks:
                chunks.append(SECTION_SEPARATOR)
                offset += len(SECTION_SEPARATOR)
            chunks.append(body)
            sections.append(DocSection(title, kind, offset, offset + len(body)))
            offset += len(body)
        return cls("".join(chunks), sections, source, list(problems or []))

    @cached_property
    def sentences(self) -> list[Sentence]:
        out: list[Sentence] = []
        for sec in self.sections:
            spans = (
                split_lines(self.text, sec.start, sec.end)
                if sec.kind in LINE_KINDS
                else split_sentences(self.text, sec.start, sec.end)
            )
            discussing = sec.kind in _DISCUSSING_KINDS
            for s, e in spans:
                cited = discussing and _speaks_of_other_trial(self.text[s:e])
                out.append(Sentence(s, e, sec.title, sec.kind, cited))
        return out

    @cached_property
    def search_text(self) -> str:
        """``text`` with dashes, spaces and quotes folded to ASCII, same length: detectors match
        on this and quote from ``text``."""
        return translate_present(self.text, _SEARCH_FOLD)

    @cached_property
    def cues(self) -> CueScan:
        """Where detector patterns match in ``search_text``, found in one pass."""
        from appraise.evidence.cues import CueScan

        return CueScan(self.search_text)

    @cached_property
    def sentence_starts(self) -> list[int]:
        """Start offsets of ``sentences``, ascending, for finding a position's sentence."""
        return [s.start for s in self.sentences]

    def sentence_at(self, position: int) -> Sentence | None:
        """The sentence holding ``position``, if any (positions between sentences have none)."""
        index = bisect_right(self.sentence_starts, position) - 1
        if index < 0:
            return None
        sentence = self.sentences[index]
        return sentence if position < sentence.end else None

    def quote(self, sentence: Sentence) -> str:
        return self.text[sentence.start : sentence.end]

    def section_text(self, kind: str) -> str:
        return SECTION_SEPARATOR.join(
            self.text[s.start : s.end] for s in self.sections if s.kind == kind
        )

    @property
    def is_empty(self) -> bool:
        return not self.text.strip()
