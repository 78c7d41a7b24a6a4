"""PDF text through pdfplumber (pdfminer.six): reading order, columns, hyphens, page furniture.

The work is split so each step is a pure function over words and lines:
1. ``page_lines``: a page's words into lines in reading order; a two-column page is read left
   column then right column (a line crossing the gutter, like a title, is read where it sits);
2. ``strip_running_lines``: running headers, footers and page numbers (the same line, digits
   aside, at the top or bottom of most pages) are dropped;
3. ``pdf_sections``: lines into paragraphs (by vertical gaps) under headings, with words broken
   at line ends joined again (``join_hyphenated``).
Every step is linear in the number of words, so a 500-page PDF costs 500 times a page.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from statistics import median
from typing import Any

from appraise.documents.sections import SectionBuilder, heading_title
from appraise.errors import InputError
from appraise.sources.jats import classify_title

Word = dict[str, Any]  # pdfplumber's word: text, x0, x1, top, bottom, fontname, size


@dataclass(frozen=True)
class PdfLine:
    text: str
    top: float
    bottom: float
    bold: bool
    column: int  # 0 whole width or left column, 1 right column
    page: int
    size: float = 0.0  # font size in points


# --- 1. words into lines in reading order -----------------------------------------------------

_ROW_TOLERANCE = 2.0  # points: words whose tops differ less than this sit on one line
_MIN_ROWS_FOR_COLUMNS = 6
_MIN_GUTTER = 8  # points of clear space between columns


def page_lines(words: Sequence[Word], page_width: float, page: int = 0) -> list[PdfLine]:
    """A page's words as lines in reading order, column by column."""
    rows = _rows(words)
    gutter = _gutter(rows, page_width)
    if gutter is None:
        return [_line(row, 0, page) for row in rows]
    lines: list[PdfLine] = []
    left: list[PdfLine] = []
    right: list[PdfLine] = []
    for row in rows:
        # A word that only overflows into the gutter (a long URL or formula) stays in its column.
        left_words = [w for w in row if w["x0"] < gutter]
        right_words = [w for w in row if w["x0"] >= gutter]
        if _spans_columns(row, gutter) or (
            left_words
            and right_words
            and 0 <= right_words[0]["x0"] - left_words[-1]["x1"] < _MIN_GUTTER
        ):
            # A line across the gutter (title, wide table, footer), or one whose words are
            # only a space apart there: columns above it come first.
            lines += left + right + [_line(row, 0, page)]
            left, right = [], []
            continue
        if left_words:
            left.append(_line(left_words, 0, page))
        if right_words:
            right.append(_line(right_words, 1, page))
    return lines + left + right


def _longest_run(values: Sequence[int], target: int) -> tuple[int, int]:
    """(start, length) of the longest stretch of ``values`` equal to ``target``."""
    best_start, best_length, run_start = 0, 0, None
    for index, value in enumerate([*values, target + 1]):
        if value == target and run_start is None:
            run_start = index
        elif value != target and run_start is not None:
            if index - run_start > best_length:
                best_start, best_length = run_start, index - run_start
            run_start = None
    return best_start, best_length


def _spans_columns(row: Sequence[Word], gutter: float) -> bool:
    """A line set across both columns (a title, a wide table), not one overflowing a little.

    Looks at the run of words around the one crossing the gutter (words closer together than
    a gutter, not overlapping): it spans the columns when a third of it or more lies on each
    side.
    """
    crossing = next((i for i, w in enumerate(row) if w["x0"] < gutter < w["x1"]), None)
    if crossing is None:
        return False
    first = last = crossing
    while first > 0 and 0 <= row[first]["x0"] - row[first - 1]["x1"] < _MIN_GUTTER:
        first -= 1
    while last < len(row) - 1 and 0 <= row[last + 1]["x0"] - row[last]["x1"] < _MIN_GUTTER:
        last += 1
    start, end = row[first]["x0"], row[last]["x1"]
    return min(gutter - start, end - gutter) > (end - start) / 3


def _rows(words: Sequence[Word]) -> list[list[Word]]:
    rows: list[list[Word]] = []
    row_top = float("-inf")
    for word in sorted(words, key=lambda w: (round(w["top"], 1), w["x0"])):
        if rows and word["top"] - row_top <= _ROW_TOLERANCE:
            rows[-1].append(word)
        else:
            rows.append([word])
            row_top = word["top"]
    return [sorted(row, key=lambda w: w["x0"]) for row in rows]


def _gutter(rows: list[list[Word]], page_width: float) -> float | None:
    """The x of a vertical gap between two columns, or None for a one-column page.

    Counts, for each point of the middle of the page, the lines with a word over it; a gutter is
    the widest run of points almost no line crosses, with text on both sides of it.
    """
    if not rows:
        return None
    start, stop = int(page_width * 0.3), int(page_width * 0.7)
    crossing = [0] * (stop - start)
    for row in rows:
        covered: set[int] = set()
        for word in row:
            covered.update(range(max(start, int(word["x0"])), min(stop, int(word["x1"]) + 1)))
        for x in covered:
            crossing[x - start] += 1
    # On a page with few lines (the end of an article) only a clean gap counts as a gutter;
    # otherwise a few lines may cross it (a title, a centred page number).
    allowed = len(rows) * 0.15 if len(rows) >= _MIN_ROWS_FOR_COLUMNS else 0
    best_start, best_length, run_start = 0, 0, None
    for index, count in enumerate([*crossing, allowed + 1]):
        if count <= allowed and run_start is None:
            run_start = index
        elif count > allowed and run_start is not None:
            if index - run_start > best_length:
                best_start, best_length = run_start, index - run_start
            run_start = None
    if best_length < _MIN_GUTTER:
        return None
    # Inside that run, the gutter sits in the clearest stretch (a short right column on a last
    # page leaves the run reaching into its text).
    run = crossing[best_start : best_start + best_length]
    clear_start, clear_length = _longest_run(run, min(run))
    gutter = start + best_start + clear_start + clear_length / 2
    words = [w for row in rows for w in row]
    left = sum(1 for w in words if w["x1"] <= gutter)
    right = sum(1 for w in words if w["x0"] >= gutter)
    # Both sides hold text (a short right column on a last page counts).
    if min(left, right) < max(3, len(words) * 0.02):
        return None
    return gutter


# Typeset ligatures as the letters a reader (and a search for 'first') expects.
_LIGATURES = str.maketrans(
    {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
)


def _line(words: Sequence[Word], column: int, page: int) -> PdfLine:
    return PdfLine(
        text=" ".join(w["text"] for w in words).translate(_LIGATURES),
        top=min(w["top"] for w in words),
        bottom=max(w["bottom"] for w in words),
        bold=all(_is_bold(str(w.get("fontname", ""))) for w in words),
        column=column,
        page=page,
        size=median(float(w.get("size", 0.0)) for w in words),
    )


def _is_bold(fontname: str) -> bool:
    return bool(re.search(r"bold|black|heavy|semibold|demi", fontname, re.I))


# --- 2. running headers, footers and page numbers ---------------------------------------------

_TITLE_SEARCH = 6  # the title is among the first lines of page 1, maybe under a running head
_EDGE_LINES = 2  # lines at the top and at the bottom of a page that may be page furniture
_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(r"^(page\s*)?\d{1,4}(\s*(of|/)\s*\d{1,4})?$", re.I)


def _furniture_key(text: str) -> str:
    return _DIGITS.sub("#", text.lower()).strip()


def strip_running_lines(pages: Sequence[Sequence[PdfLine]]) -> list[list[PdfLine]]:
    """Drop running headers, footers and page numbers.

    Candidates are the lines set apart at the top or bottom of a page (a gap wider than the
    usual line spacing separates them from the text); of those, a line repeated (digits aside)
    on at least half the pages, or a bare page number, is page furniture.
    """
    spacing = _line_spacing([line for lines in pages for line in lines])
    edges = [_edge_lines(lines, spacing) for lines in pages]
    counts: Counter[str] = Counter()
    for page_edges in edges:
        counts.update({_furniture_key(line.text) for line in page_edges})
    # On a two-page document a line must be on both pages; on longer ones, on half of them.
    repeated = {key for key, n in counts.items() if n >= max(2, len(pages) * 0.5)}
    kept: list[list[PdfLine]] = []
    for lines, page_edges in zip(pages, edges, strict=True):
        furniture = {
            id(line)
            for line in page_edges
            if _furniture_key(line.text) in repeated or _PAGE_NUMBER.match(line.text.strip())
        }
        kept.append([line for line in lines if id(line) not in furniture])
    return kept


def _edge_lines(lines: Sequence[PdfLine], spacing: float) -> list[PdfLine]:
    """Up to two lines at the top and at the bottom that a wide gap sets apart from the text."""
    by_height = sorted(lines, key=lambda line: line.top)
    wide = spacing * 1.4
    found: list[PdfLine] = []
    for index in range(min(_EDGE_LINES, len(by_height) - 1)):
        if by_height[index + 1].top - by_height[index].top > wide:
            found += by_height[: index + 1]
            break
    for index in range(min(_EDGE_LINES, len(by_height) - 1)):
        position = len(by_height) - 1 - index
        if by_height[position].top - by_height[position - 1].top > wide:
            found += by_height[position:]
            break
    return found


# --- 3. paragraphs, headings and hyphenation --------------------------------------------------

_LETTERS = r"[^\W\d_]+"
_WORD = re.compile(rf"{_LETTERS}(?:[-\u2010]{_LETTERS})*")
_HYPHENS = ("-", "\u2010", "\u00ad")  # hyphen-minus, hyphen, soft hyphen
_SOFT_HYPHEN = "\u00ad"


def pdf_sections(pages: Sequence[Sequence[PdfLine]]) -> list[tuple[str, str, str]]:
    """(title, kind, text) parts from the lines of every page, in reading order."""
    lines = _merge_bold_runs([line for page in pages for line in page])
    vocabulary = _vocabulary(line.text for line in lines)
    spacing = _line_spacing(lines)
    builder = SectionBuilder(first_title="Title page")
    title_lines = _title_lines(lines)
    if title_lines:
        builder.heading("Title", kind="title")
        builder.paragraph(join_lines([line.text for line in title_lines], vocabulary))
        builder.heading("Title page", kind="other")
        lines = lines[len(title_lines) :]
    paragraph: list[str] = []
    previous: PdfLine | None = None
    for line in lines:
        new_block = previous is None or _starts_block(previous, line, spacing)
        # An unknown heading must be bold: a paragraph's short first line is not a heading.
        title = heading_title(line.text, emphasised=line.bold)
        if title is not None and (new_block or line.bold):
            builder.paragraph(join_lines(paragraph, vocabulary))
            paragraph = []
            builder.heading(title)
        else:
            if new_block and paragraph:
                builder.paragraph(join_lines(paragraph, vocabulary))
                paragraph = []
            paragraph.append(line.text)
        previous = line
    builder.paragraph(join_lines(paragraph, vocabulary))
    return builder.parts()


_STARTS_HEADING = re.compile(r"\s*(\d+(\.\d+)*|[IVX]+)[.)]?\s")


def _merge_bold_runs(lines: list[PdfLine]) -> list[PdfLine]:
    """A heading wrapped over lines (bold, one under the other) as one line."""
    merged: list[PdfLine] = []
    for line in lines:
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.bold
            and line.bold
            and line.page == last.page
            and line.column == last.column
            and 0 < line.top - last.top < (line.bottom - line.top) * 2
            and not _STARTS_HEADING.match(line.text)
            and classify_title(line.text) is None
        ):
            text = join_lines([last.text, line.text])
            merged[-1] = PdfLine(
                text, last.top, line.bottom, True, last.column, last.page, last.size
            )
        else:
            merged.append(line)
    return merged


def _title_lines(lines: Sequence[PdfLine]) -> list[PdfLine]:
    """The opening lines of the first page set larger than the body text: the title."""
    sizes = [line.size for line in lines if line.size]
    if not sizes:
        return []
    body = median(sizes)
    first_page = [line for line in lines[:_TITLE_SEARCH] if line.page == lines[0].page]
    start = next((i for i, line in enumerate(first_page) if line.size >= body * 1.2), None)
    if start is None:
        return []
    title: list[PdfLine] = []
    for line in first_page[start:]:
        if line.size < body * 1.2:
            break
        title.append(line)
    return title


def _line_spacing(lines: Sequence[PdfLine]) -> float:
    """The usual distance from one line's top to the next in the same column."""
    steps = [
        b.top - a.top
        for a, b in pairwise(lines)
        if a.page == b.page and a.column == b.column and b.top > a.top
    ]
    return median(steps) if steps else 12.0


def _starts_block(previous: PdfLine, line: PdfLine, spacing: float) -> bool:
    if line.page != previous.page or line.column != previous.column or line.top <= previous.top:
        # A new column or page continues the paragraph unless the last one ended a sentence.
        return previous.text.rstrip()[-1:] in ".!?:"
    return line.top - previous.top > spacing * 1.5


def _vocabulary(texts: Iterable[str]) -> Counter[str]:
    """Word counts of the text, leaving out the halves of words broken at a line end."""
    words: Counter[str] = Counter()
    broken = False
    for text in texts:
        tokens = [token.lower().replace("\u2010", "-") for token in _WORD.findall(text)]
        if broken and tokens:
            tokens = tokens[1:]
        broken = text.rstrip().endswith(_HYPHENS)
        if broken and tokens:
            tokens = tokens[:-1]
        words.update(tokens)
        words.update(part for token in tokens if "-" in token for part in token.split("-"))
    return words


def join_lines(lines: Sequence[str], vocabulary: Counter[str] | None = None) -> str:
    """One paragraph from its lines, joining words broken by a hyphen at a line end.

    'random-' + 'ised' becomes 'randomised' but 'computer-' + 'generated' stays hyphenated.
    The rule, first that applies: the next line starts with a capital or a digit (COVID-19,
    anti-CD28): keep the hyphen; the document elsewhere has the joined word: join; it has the
    hyphenated one, or the second part as a word of its own ('generated', 'blind', 'up'): keep;
    otherwise join, as most breaks in justified text split a word ('ised', 'ment', 'bo').
    """
    words = vocabulary if vocabulary is not None else _vocabulary(lines)
    pieces: list[str] = []  # joined once at the end: linear however long the paragraph
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        last = pieces[-1] if pieces else ""
        if not last:
            pieces.append(line)
        elif last.endswith(_SOFT_HYPHEN):
            pieces[-1] = last[:-1]  # a discretionary hyphen only ever splits a word
            pieces.append(line)
        elif last.endswith(_HYPHENS) and len(last) > 1 and last[-2].isalpha():
            if _suspended(line):
                pieces.append(" " + line)
            else:
                if not _keeps_hyphen(last[:-1], line, words):
                    pieces[-1] = last[:-1]
                pieces.append(line)
        else:
            pieces.append(" " + line)
    return "".join(pieces)


def _keeps_hyphen(before: str, after: str, words: Counter[str]) -> bool:
    """Whether a hyphen at a line end belongs to a compound (kept) or splits a word."""
    head_match = re.search(rf"{_LETTERS}$", before)
    tail_match = re.match(_LETTERS, after)
    if head_match is None or tail_match is None or not after[0].islower():
        return True
    head, tail = head_match.group(0).lower(), tail_match.group(0).lower()
    if words[head + tail]:
        return False
    return bool(words[f"{head}-{tail}"] or words[tail])


def _suspended(after: str) -> bool:
    """'threat- and crime-related': a hyphen left hanging before a conjunction."""
    return bool(_CONJUNCTION.match(after))


_CONJUNCTION = re.compile(r"(and|or|nor|to)\b")


# --- the file -------------------------------------------------------------------------------

# A Flate stream expands at most ~1,000-fold, LZW ~2,500-fold, RunLength 64-fold and ASCII85
# 4-fold, and a stream's filters chain (each one's output is the next one's input), so a 1 MB
# PDF can hold gigabytes. Every filter's output counts against these bounds; no text layer or
# page description of a real article comes near them. A page's images are not decoded to read
# text.
MAX_STREAM_BYTES = 128 * 1024 * 1024
MAX_DOCUMENT_BYTES = 1024 * 1024 * 1024


class PdfTooLargeError(InputError):
    """A compressed stream of the PDF expands beyond the bounds above."""


class _Budget:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.total = 0

    def count(self, produced: int, stream_total: int) -> None:
        self.total += produced
        if stream_total > MAX_STREAM_BYTES or self.total > MAX_DOCUMENT_BYTES:
            raise PdfTooLargeError(
                f"{self.path}: a compressed part of the PDF expands to more than "
                f"{MAX_STREAM_BYTES // 2**20} MB (a decompression bomb?); not read",
                fix="check where the file came from; re-export it from the original",
            )


_budget: ContextVar[_Budget] = ContextVar("pdf_inflation_budget")


class _BoundedZlib:
    """What pdfminer.pdftypes uses of the zlib module (decompress, decompressobj, error),
    counting what each stream and the whole document being read (a context variable, so
    threads keep their own count) expand to, stopping at the bounds instead of filling
    memory."""

    error = zlib.error

    def decompress(self, data: bytes) -> bytes:
        inflater = self.decompressobj()
        return inflater.decompress(data) + inflater.inflater.flush()

    def decompressobj(self) -> _BoundedInflater:
        return _BoundedInflater(_budget.get(None))


class _BoundedInflater:
    def __init__(self, budget: _Budget | None) -> None:
        self.budget = budget or _Budget(Path("the PDF"))
        self.inflater = zlib.decompressobj()
        self.produced = 0

    def decompress(self, data: bytes) -> bytes:
        # at most one byte past the bound: an unfinished stream is refused, never inflated
        out = self.inflater.decompress(data, MAX_STREAM_BYTES + 1 - self.produced)
        self.produced += len(out)
        self.budget.count(len(out), self.produced)
        return out


def _current_budget() -> _Budget:
    return _budget.get(None) or _Budget(Path("the PDF"))


def _bounded_lzw(data: bytes) -> bytes:
    """pdfminer's LZW decoder one code at a time, stopped at the bounds. Its own loop (run)
    also logs a copy of the whole code table per code, which is quadratic on a bomb."""
    from io import BytesIO

    from pdfminer.lzw import CorruptDataError, LZWDecoder

    decoder = LZWDecoder(BytesIO(data))
    budget, produced, out = _current_budget(), 0, []
    while True:
        try:
            piece = decoder.feed(decoder.readbits(decoder.nbits))
        except (EOFError, CorruptDataError):  # like run(): corrupt data ends the stream
            break
        produced += len(piece)
        budget.count(len(piece), produced)
        out.append(piece)
    return b"".join(out)


def _bounded_run_length(data: bytes) -> bytes:
    """RunLengthDecode (PDF 1.7, 7.4.5), stopped at the bounds; pdfminer's own decoder keeps
    one Python int per output byte."""
    out = bytearray()
    at = 0
    while at < len(data) and data[at] != 128:  # 128 marks the end
        length = data[at]
        if length < 128:  # copy the next length + 1 bytes
            out += data[at + 1 : at + 2 + length]
            at += 2 + length
        else:  # repeat the next byte 257 - length times
            out += data[at + 1 : at + 2] * (257 - length)
            at += 2
        if len(out) > MAX_STREAM_BYTES:
            break
    _current_budget().count(len(out), len(out))
    return bytes(out)


def _bounded_ascii85(data: bytes) -> bytes:
    """pdfminer's ASCII85 decoder, after checking what it would produce: at most 4 bytes a
    'z' and 4 for every 5 other characters (white space is skipped)."""
    from pdfminer.ascii85 import ascii85decode

    characters = data.translate(None, b" \t\n\r\v\f")
    zeros = characters.count(b"z")
    most = 4 * zeros + 4 * -(-(len(characters) - zeros) // 5)
    _current_budget().count(0, most)
    out = ascii85decode(data)
    _current_budget().count(len(out), len(out))
    return out


def _bounded_ascii_hex(data: bytes) -> bytes:
    """pdfminer's ASCIIHex decoder (half as many bytes out as in), counted."""
    from pdfminer.ascii85 import asciihexdecode

    out = asciihexdecode(data)
    _current_budget().count(len(out), len(out))
    return out


@contextmanager
def _bounded_decoding(path: Path) -> Iterator[None]:
    """pdfminer's stream filters, each bounded: Flate through its zlib, the others replaced."""
    import pdfminer.pdftypes as streams

    if not isinstance(streams.zlib, _BoundedZlib):
        streams.zlib = _BoundedZlib()  # type: ignore[assignment]
        streams.lzwdecode = _bounded_lzw
        streams.rldecode = _bounded_run_length
        streams.ascii85decode = _bounded_ascii85
        streams.asciihexdecode = _bounded_ascii_hex
    token = _budget.set(_Budget(path))
    try:
        yield
    finally:
        _budget.reset(token)


def read_pdf(path: Path) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Sections and problems of a PDF; raises InputError when it cannot be opened."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    pages: list[list[PdfLine]] = []
    textless: list[int] = []
    try:
        # pdfminer tries the empty password, which opens PDFs encrypted only against editing.
        with _bounded_decoding(path), pdfplumber.open(path, password="") as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                words = page.extract_words(extra_attrs=["fontname", "size"])
                lines = page_lines(words, float(page.width), number)
                if not lines:
                    textless.append(number)
                pages.append(lines)
                page.close()  # frees the page's parsed objects: memory stays flat
    except (PdfminerException, PDFSyntaxError, PDFPasswordIncorrect, PDFEncryptionError) as exc:
        cause = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
        if isinstance(cause, PdfTooLargeError):
            raise cause from None
        if isinstance(cause, PDFPasswordIncorrect) or "password" in str(cause).lower():
            raise InputError(
                f"{path} is encrypted with a password",
                fix="save an unencrypted copy (e.g. qpdf --decrypt --password=PW in.pdf out.pdf)",
            ) from None
        raise InputError(
            f"{path} is not a readable PDF ({type(cause).__name__}: {cause})",
            fix="check the file is a complete PDF; re-download or re-export it",
        ) from None
    problems = _textless_problem(path, textless, len(pages))
    return pdf_sections(strip_running_lines(pages)), problems


def _textless_problem(path: Path, textless: list[int], page_count: int) -> list[str]:
    if not textless:
        return []
    if len(textless) == page_count:
        return [
            f"{path} has no text layer (a scanned PDF?): nothing could be read; "
            "run OCR first (e.g. ocrmypdf in.pdf out.pdf)"
        ]
    shown = ", ".join(map(str, textless[:10])) + (", ..." if len(textless) > 10 else "")
    return [f"{path}: pages {shown} have no text layer and were not read (OCR them first)"]
