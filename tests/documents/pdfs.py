"""PDFs written by the tests themselves (fpdf2): layouts a reviewer's library is full of."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter

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
