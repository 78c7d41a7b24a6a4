"""PDFs written by the tests themselves (fpdf2): layouts a reviewer's library is full of."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import matplotlib
from fpdf import FPDF
from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter

from appraise.sources.jats import classify_title

PAGE_WIDTH = 210.0  # A4, millimetres
LINE_HEIGHT = 4.6


@dataclass(frozen=True)
class Line:
    text: str
    bold: bool = False


def _wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """Greedy word wrap at ``width`` mm in the current font."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and pdf.get_string_width(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def column_lines(paragraphs: list[str | Line], width: float = 80.0) -> list[Line]:
    """Wrap paragraphs (a Line is kept as one line, e.g. a heading) with a blank line between."""
    pdf = FPDF()
    pdf.set_font("Helvetica", size=9)
    out: list[Line] = []
    for paragraph in paragraphs:
        if isinstance(paragraph, Line):
            out.append(paragraph)
        else:
            out.extend(Line(text) for text in _wrap(pdf, paragraph, width))
        out.append(Line(""))
    return out


def write_pdf(
    path: Path,
    pages: list[tuple[list[Line], list[Line]] | list[Line]],
    *,
    header: str | None = None,
    page_numbers: bool = False,
    title: str | None = None,
) -> Path:
    """Each page is one column (a list of lines) or two (left, right); headers on every page."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    for number, page in enumerate(pages, start=1):
        pdf.add_page()
        if header:
            pdf.set_font("Helvetica", size=7)
            pdf.text(20, 12, header)
        top = 25.0
        if title and number == 1:
            pdf.set_font("Helvetica", style="B", size=14)
            pdf.text(20, top, title)
            top += 12
        columns = page if isinstance(page, tuple) else (page,)
        for index, lines in enumerate(columns):
            x = 20.0 + index * 95.0
            y = top
            for line in lines:
                pdf.set_font("Helvetica", style="B" if line.bold else "", size=9)
                if line.text:
                    pdf.text(x, y, line.text)
                y += LINE_HEIGHT
        if page_numbers:
            pdf.set_font("Helvetica", size=8)
            pdf.text(PAGE_WIDTH / 2, 287, str(number))
    pdf.output(str(path))
    return path


def _unicode_fonts(pdf: FPDF) -> None:
    """DejaVu Sans from matplotlib's own files: real article text is not Latin-1."""
    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))


def _hyphenated_wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """Word wrap that breaks long words at a line end with a hyphen, as typesetters do."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if not current or pdf.get_string_width(candidate) <= width:
            current = candidate
            continue
        half = len(word) // 2
        head = word[:half]
        if len(word) >= 9 and head.isalpha() and word[half:].isalpha():
            joined = f"{current} {head}-"
            if pdf.get_string_width(joined) <= width:
                lines.append(joined)
                current = word[half:]
                continue
        lines.append(current)
        current = word
    if current:
        lines.append(current)
    return lines


def write_article_pdf(path: Path, parts: list[tuple[str, str]], *, title: str, header: str) -> Path:
    """An article laid out as a journal would: two justified-width columns, bold headings,
    a running header and page numbers, words hyphenated at line ends. ``parts`` are
    (heading, text) pairs; paragraphs in a text are separated by blank lines."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    _unicode_fonts(pdf)
    pdf.set_font("DejaVu", size=8.5)
    blocks: list[Line] = []
    for heading, text in parts:
        blocks.append(Line(""))
        pdf.set_font("DejaVu", style="B", size=8.5)
        blocks.extend(Line(line, bold=True) for line in _hyphenated_wrap(pdf, heading, 82))
        pdf.set_font("DejaVu", size=8.5)
        for paragraph in filter(None, text.split("\n\n")):
            blocks.extend(Line(line) for line in _hyphenated_wrap(pdf, paragraph, 82))
            blocks.append(Line(""))
    top, bottom = 30.0, 272.0
    first_top = top
    page, column, y = 0, 1, bottom  # the first line opens page 1
    for line in blocks:
        if y + LINE_HEIGHT > bottom:
            if column == 0:
                column, y = 1, top if page > 1 else first_top
            else:
                page += 1
                pdf.add_page()
                pdf.set_font("DejaVu", size=7)
                pdf.text(20, 12, header)
                pdf.text(PAGE_WIDTH / 2, 287, str(page))
                column, y = 0, top
                if page == 1:
                    pdf.set_font("DejaVu", style="B", size=13)
                    title_lines = _hyphenated_wrap(pdf, title, 170)
                    for index, title_line in enumerate(title_lines):
                        pdf.text(20, 25 + 6 * index, title_line)
                    first_top = y = 25 + 6 * len(title_lines) + 8
        if line.text:
            pdf.set_font("DejaVu", style="B" if line.bold else "", size=8.5)
            pdf.text(20 + column * 92, y, line.text)
        y += LINE_HEIGHT
    pdf.output(str(path))
    return path


_PARENT_HEADINGS = {
    "introduction": "Introduction",
    "methods": "Materials and Methods",
    "results": "Results",
    "discussion": "Discussion",
}


def journal_parts(sections: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """(heading, text) pairs for ``write_article_pdf`` from a JATS article's sections, with
    the parent heading ('Materials and Methods') a journal prints above untitled-kind
    subsections ('Study Design'), which JATS keeps only as nesting."""
    parts: list[tuple[str, str]] = []
    previous = None
    for title, kind, text in sections:
        if kind != previous and kind in _PARENT_HEADINGS and classify_title(title) != kind:
            parts.append((_PARENT_HEADINGS[kind], ""))
        parts.append((title, text))
        previous = kind
    return parts


def write_image_only_pdf(path: Path) -> Path:
    """A 'scanned' page: the words are pixels, there is no text layer."""
    image = Image.new("RGB", (800, 300), "white")
    ImageDraw.Draw(image).text((20, 20), "Participants were randomised.", fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(buffer, x=10, y=10, w=180)
    pdf.output(str(path))
    return path


def encrypt(source: Path, target: Path, *, user_password: str, owner_password: str) -> Path:
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password=user_password, owner_password=owner_password)
    with target.open("wb") as handle:
        writer.write(handle)
    return target
