"""Risk-of-bias tables for manuscripts, in two shapes and many formats.

* the matrix: one row per study, a column per domain and Overall (judgement word and symbol,
  never colour alone), Weight when studies have one;
* the detail: per study, 'Domain | Judgement | Support for judgement' (Cochrane/RevMan style),
  the support being the reviewer's own words, the quotes and comments behind the answers, and
  the reasons for any override.

Writers are pure: they return text or bytes and never touch the disk. Which function writes
which format is appraise.outputs.writers.TABLES.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterable, Iterator
from copy import copy
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from appraise.models import OVERALL, Answer, Appraisal, Judgement
from appraise.outputs.cells import cells_as_text, spreadsheet_row
from appraise.outputs.matrix import Level, Matrix, StudyRow
from appraise.outputs.office import pin_office_file
from appraise.outputs.palette import ink_for
from appraise.outputs.robvis import format_weight

LONG_TABLE_ROWS = 30  # LaTeX: longer tables use longtable so they break across pages


# --- the content, independent of format ---------------------------------------------------
def title_of(matrix: Matrix, detail: bool = False) -> str:
    name = matrix.rubric.name.split(" (")[0]
    profile = (
        "" if matrix.profile == matrix.rubric.default_profile else f", {matrix.profile} profile"
    )
    kind = "support for judgements" if detail else "judgements by domain"
    return f"Risk of bias ({name}{profile}): {kind}"


def key_lines(matrix: Matrix) -> list[str]:
    """The table's legend: domain captions and the judgements with their symbols."""
    seen = matrix.scale.in_order(
        [v for row in matrix.rows for v in (*row.domains.values(), row.overall)]
    )
    domains = "; ".join(f"{d.id}: {d.name}" for d in matrix.domains)
    levels = "; ".join(f"{lvl.symbol} {lvl.label}" if lvl.symbol else lvl.label for lvl in seen)
    lines = [f"Domains: {domains}.", f"Judgements: {levels}."]
    if any(row.overall_by_rule for row in matrix.rows):
        lines.append("* Overall judgement derived from the domain judgements by the rubric's rule.")
    return lines


def matrix_header(matrix: Matrix) -> list[str]:
    head = ["Study", *[d.id for d in matrix.domains], OVERALL]
    return [*head, "Weight"] if matrix.has_weights else head


def matrix_cells(matrix: Matrix, row: StudyRow) -> list[tuple[str, Level | None]]:
    """(text, level) per cell; level is None for the study and weight cells."""
    cells: list[tuple[str, Level | None]] = [(row.name, None)]
    for domain in matrix.domains:
        level = matrix.scale.level(row.domains.get(domain.id))
        cells.append((level.display, level))
    overall = matrix.scale.level(row.overall)
    cells.append((overall.display + ("*" if row.overall_by_rule else ""), overall))
    if matrix.has_weights:
        cells.append((format_weight(row.weight), None))
    return cells


@dataclass(frozen=True)
class DetailLine:
    domain: str  # D1..Dn or 'Overall'
    caption: str
    level: Level
    support: list[str]


def _quote_text(answer: Answer) -> list[str]:
    parts = []
    for quote in answer.quotes:
        where = f" ({quote.section})" if quote.section else ""
        parts.append(f"\u201c{quote.text.strip()}\u201d{where}")
    return parts


def _override_text(judgement: Judgement) -> str | None:
    if judgement.overridden and judgement.proposed is not None:
        reason = f": {judgement.override_reason}" if judgement.override_reason else ""
        return f"Judged {judgement.judgement}; the rules proposed {judgement.proposed}{reason}"
    if judgement.override_reason:
        return f"Reason: {judgement.override_reason}"
    return None


_NOT_JUDGED = Judgement()


def support_for(appraisal: Appraisal, domain_id: str, question_ids: list[str]) -> list[str]:
    """The support for one domain judgement, in words a reader can check."""
    judgement = appraisal.domains.get(domain_id, _NOT_JUDGED)
    lines: list[str] = []
    if judgement.support:
        lines.append(judgement.support.strip())
    if override := _override_text(judgement):
        lines.append(override)
    answered = [(q, appraisal.answers[q]) for q in question_ids if q in appraisal.answers]
    if answered:
        lines.append("Answers: " + ", ".join(f"{q} {a.answer}" for q, a in answered) + ".")
    for qid, answer in answered:
        quotes = _quote_text(answer)
        comment = answer.comment.strip() if answer.comment else ""
        if quotes or comment:
            lines.append(f"{qid}: " + " ".join([*quotes, comment]).strip())
    return lines


def detail_lines(matrix: Matrix, row: StudyRow) -> list[DetailLine]:
    appraisal = row.appraisal
    questions = {
        d.id: [q.id for q in d.questions] for d in matrix.rubric.domains_for(_options(appraisal))
    }
    out = []
    for domain in matrix.domains:
        level = matrix.scale.level(row.domains.get(domain.id))
        support = support_for(appraisal, domain.id, questions.get(domain.id, []))
        out.append(DetailLine(domain.id, f"{domain.id}: {domain.short}", level, support))
    overall = appraisal.overall
    support = [overall.support.strip()] if overall.support else []
    if override := _override_text(overall):
        support.append(override)
    if row.overall_by_rule:
        support.append("Derived from the domain judgements by the rubric's rule.")
    out.append(DetailLine(OVERALL, OVERALL, matrix.scale.level(row.overall), support))
    return out


def _options(appraisal: Appraisal) -> dict[str, str]:
    return dict(appraisal.options)


# --- Markdown ---------------------------------------------------------------------------
_MARKDOWN_SPECIALS = set("\\`*_[]<>|")


def _md(text: str) -> str:
    """Escape Markdown's inline specials (so names and quotes print as written)."""
    escaped = "".join(f"\\{ch}" if ch in _MARKDOWN_SPECIALS else ch for ch in text)
    return escaped.replace("\n", "<br>")


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def markdown_table(matrix: Matrix, detail: bool = False) -> str:
    lines = [f"**{_md(title_of(matrix, detail))}**", ""]
    if detail:
        for row in matrix.rows:
            lines += [
                f"### {_md(row.name)}",
                "",
                _md_row(["Domain", "Judgement", "Support for judgement"]),
                _md_row(["---"] * 3),
            ]
            for item in detail_lines(matrix, row):
                support = "<br>".join(_md(s) for s in item.support) or "\u2014"
                lines.append(_md_row([_md(item.caption), _md(item.level.display), support]))
            lines.append("")
    else:
        header = matrix_header(matrix)
        lines += [_md_row(header), _md_row(["---"] + [":---:"] * (len(header) - 1))]
        lines += [_md_row([_md(t) for t, _ in matrix_cells(matrix, row)]) for row in matrix.rows]
        lines.append("")
    lines += [_md(line) for line in key_lines(matrix)]
    return "\n".join(lines) + "\n"


# --- LaTeX ------------------------------------------------------------------------------
_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}


def latex_escape(text: str) -> str:
    """Escape every character LaTeX treats specially (one pass, so escapes are not re-escaped)."""
    return "".join(_LATEX_SPECIALS.get(ch, ch) for ch in text).replace("\n", " ")


def latex_table(matrix: Matrix, detail: bool = False) -> str:
    caption = latex_escape(title_of(matrix, detail) + ". " + " ".join(key_lines(matrix)))
    preamble = [
        "% Risk-of-bias table written by appraise. Needs \\usepackage{booktabs} and",
        "% \\usepackage{longtable} in the preamble; UTF-8 (pdfLaTeX 2018+, XeLaTeX, LuaLaTeX).",
    ]
    if detail:
        body = [
            "\\begin{longtable}{p{0.22\\linewidth}p{0.16\\linewidth}p{0.54\\linewidth}}",
            f"\\caption{{{caption}}}\\label{{tab:risk-of-bias-support}}\\\\",
            "\\toprule",
            "Domain & Judgement & Support for judgement \\\\",
            "\\midrule",
            "\\endfirsthead",
            "\\toprule",
            "Domain & Judgement & Support for judgement \\\\",
            "\\midrule",
            "\\endhead",
            "\\bottomrule",
            "\\endlastfoot",
        ]
        for index, row in enumerate(matrix.rows):
            if index:
                body.append("\\midrule")
            body.append(f"\\multicolumn{{3}}{{l}}{{\\textbf{{{latex_escape(row.name)}}}}} \\\\")
            for item in detail_lines(matrix, row):
                support = " \\newline ".join(latex_escape(s) for s in item.support)
                body.append(
                    f"{latex_escape(item.caption)} & {latex_escape(item.level.display)}"
                    f" & {support or '--'} \\\\"
                )
        body.append("\\end{longtable}")
        return "\n".join(preamble + body) + "\n"
    header = matrix_header(matrix)
    spec = "l" + "c" * (len(header) - 1)
    head = " & ".join(latex_escape(h) for h in header) + " \\\\"
    rows = [
        " & ".join(latex_escape(text) for text, _ in matrix_cells(matrix, row)) + " \\\\"
        for row in matrix.rows
    ]
    if len(matrix.rows) > LONG_TABLE_ROWS:
        body = [
            f"\\begin{{longtable}}{{{spec}}}",
            f"\\caption{{{caption}}}\\label{{tab:risk-of-bias}}\\\\",
            "\\toprule",
            head,
            "\\midrule",
            "\\endfirsthead",
            "\\toprule",
            head,
            "\\midrule",
            "\\endhead",
            "\\bottomrule",
            "\\endlastfoot",
            *rows,
            "\\end{longtable}",
        ]
    else:
        body = [
            "\\begin{table}[htbp]",
            "\\centering",
            "\\small",
            f"\\caption{{{caption}}}",
            "\\label{tab:risk-of-bias}",
            f"\\begin{{tabular}}{{{spec}}}",
            "\\toprule",
            head,
            "\\midrule",
            *rows,
            "\\bottomrule",
            "\\end{tabular}",
            "\\end{table}",
        ]
    return "\n".join(preamble + body) + "\n"


# --- CSV and JSON (data, words only) -------------------------------------------------------
def csv_table(matrix: Matrix, detail: bool = False) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if detail:
        writer.writerow(["Study", "Study ID", "Domain", "Judgement", "Support for judgement"])
        for row in matrix.rows:
            for item in detail_lines(matrix, row):
                support = "\n".join(item.support)
                cells = [row.name, row.study, item.domain, item.level.label, support]
                writer.writerow(spreadsheet_row(cells))
        return out.getvalue()
    header = ["Study", "Study ID", *[d.id for d in matrix.domains], OVERALL]
    writer.writerow([*header, "Weight"] if matrix.has_weights else header)
    for row in matrix.rows:
        line = [
            row.name,
            row.study,
            *[row.domains.get(d.id) or "" for d in matrix.domains],
            row.overall or "",
        ]
        line = spreadsheet_row(line)
        writer.writerow([*line, format_weight(row.weight)] if matrix.has_weights else line)
    return out.getvalue()


def table_data(matrix: Matrix, detail: bool = False) -> dict[str, Any]:
    studies = []
    for row in matrix.rows:
        entry: dict[str, Any] = {
            "id": row.study,
            "name": row.name,
            "year": row.year,
            "domains": {d.id: row.domains.get(d.id) for d in matrix.domains},
            "overall": row.overall,
            "overall_by_rule": row.overall_by_rule,
            "weight": row.weight,
            "reviewer": row.appraisal.reviewer,
            "status": row.appraisal.status,
        }
        if detail:
            entry["support"] = {
                item.domain: {
                    "judgement": None
                    if item.level is matrix.scale.not_judged
                    else item.level.label,
                    "support": item.support,
                }
                for item in detail_lines(matrix, row)
            }
        studies.append(entry)
    return {
        "rubric": {
            "id": matrix.rubric.id,
            "name": matrix.rubric.name,
            "version": matrix.rubric.version,
        },
        "profile": matrix.profile,
        "domains": [{"id": d.id, "name": d.name, "short": d.short} for d in matrix.domains],
        "scale": [
            {
                "label": lvl.label,
                "symbol": lvl.symbol,
                "colour": lvl.colour,
                "colourblind": lvl.colourblind,
            }
            for lvl in matrix.scale.scale
        ],
        "studies": studies,
    }


def json_table(matrix: Matrix, detail: bool = False) -> str:
    return json.dumps(table_data(matrix, detail), indent=2, ensure_ascii=False) + "\n"


# --- HTML -------------------------------------------------------------------------------
TABLE_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
 margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1a1a1a;line-height:1.45}
table.rob{border-collapse:collapse;margin:1rem 0;font-size:.9rem;max-width:100%}
table.rob th,table.rob td{border:1px solid #bbb;padding:.3rem .5rem;vertical-align:top}
table.rob thead th{background:#f0f0f0;position:sticky;top:0}
table.rob th[scope=row]{overflow-wrap:anywhere;min-width:6rem}
table.rob td.j{text-align:center}
table.rob td.support{max-width:40rem}
@media (max-width:90rem){table.rob{font-size:.8rem}
 table.rob th,table.rob td{padding:.2rem .3rem}}
p.key{font-size:.85rem;color:#333;margin:.2rem 0}
caption{caption-side:top;text-align:left;font-weight:600;padding:.3rem 0}
@media print{body{margin:0;max-width:none}table.rob thead th{position:static}
 table.rob td.j{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 h2,h3{break-after:avoid}tr{break-inside:avoid}}
""".strip()


def _cell_style(level: Level, palette: str) -> str:
    fill = level.fill(palette)
    return f' style="background:{fill};color:{ink_for(fill)}"'


def html_fragment(matrix: Matrix, detail: bool = False, palette: str = "cochrane") -> str:
    esc = html.escape
    parts: list[str] = []
    if detail:
        parts.append(f"<h2>{esc(title_of(matrix, detail))}</h2>")
        for row in matrix.rows:
            parts.append(f'<table class="rob"><caption>{esc(row.name)}</caption>')
            parts.append(
                "<thead><tr><th>Domain</th><th>Judgement</th>"
                "<th>Support for judgement</th></tr></thead><tbody>"
            )
            for item in detail_lines(matrix, row):
                support = "".join(f"<p>{esc(s)}</p>" for s in item.support) or "\u2014"
                parts.append(
                    f'<tr><th scope="row">{esc(item.caption)}</th>'
                    f'<td class="j"{_cell_style(item.level, palette)}>{esc(item.level.display)}'
                    f'</td><td class="support">{support}</td></tr>'
                )
            parts.append("</tbody></table>")
    else:
        parts.append(f'<table class="rob"><caption>{esc(title_of(matrix))}</caption><thead><tr>')
        parts += [f'<th scope="col">{esc(h)}</th>' for h in matrix_header(matrix)]
        parts.append("</tr></thead><tbody>")
        for row in matrix.rows:
            cells = matrix_cells(matrix, row)
            parts.append(f'<tr><th scope="row">{esc(cells[0][0])}</th>')
            for text, level in cells[1:]:
                style = _cell_style(level, palette) if level else ""
                parts.append(f'<td class="j"{style}>{esc(text)}</td>')
            parts.append("</tr>")
        parts.append("</tbody></table>")
    parts += [f'<p class="key">{esc(line)}</p>' for line in key_lines(matrix)]
    return "\n".join(parts) + "\n"


def html_document(title: str, body: str, css: str = TABLE_CSS) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{css}\n</style>\n</head>\n"
        f"<body>\n{body}</body>\n</html>\n"
    )


def html_table(matrix: Matrix, detail: bool = False, palette: str = "cochrane") -> str:
    return html_document(title_of(matrix, detail), html_fragment(matrix, detail, palette))


# --- Word -------------------------------------------------------------------------------
# The table's WordprocessingML is written in one pass: python-docx's per-cell API costs about a
# millisecond a cell (and add_table rescans the body), far too slow for 10,000 studies.
_TABLE_MARKER = "APPRAISE-TABLE-GOES-HERE"
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class WordCell:
    text: str
    fill: str | None = None  # '#RRGGBB'
    bold: bool = False
    white: bool = False
    centred: bool = False


def _word_cell(cell: WordCell, width: int) -> str:
    shading = f'<w:shd w:val="clear" w:color="auto" w:fill="{cell.fill[1:]}"/>' if cell.fill else ""
    run_props = ("<w:b/>" if cell.bold else "") + (
        '<w:color w:val="FFFFFF"/>' if cell.white else ""
    )
    para_props = '<w:pPr><w:jc w:val="center"/></w:pPr>' if cell.centred else ""
    paragraphs = "".join(
        f"<w:p>{para_props}<w:r>{'<w:rPr>' + run_props + '</w:rPr>' if run_props else ''}"
        f'<w:t xml:space="preserve">{html.escape(_XML_INVALID.sub("", line), quote=False)}'
        "</w:t></w:r></w:p>"
        for line in cell.text.split("\n")
    )
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shading}</w:tcPr>{paragraphs}</w:tc>'


def word_table_xml(
    header: list[str], rows: Iterable[list[WordCell]], widths: list[int]
) -> Iterator[str]:
    """A 'Table Grid' table whose header row repeats on every page; widths in twips. The w:
    prefix is the one word/document.xml declares. Yielded a row at a time, so a 10,000-study
    detail table is never held whole."""
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    head = "".join(
        _word_cell(WordCell(h, bold=True), w) for h, w in zip(header, widths, strict=True)
    )
    yield (
        '<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/>'
        '<w:tblW w:w="0" w:type="auto"/><w:tblLayout w:type="fixed"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid><w:tr><w:trPr><w:tblHeader/></w:trPr>{head}</w:tr>"
    )
    for row in rows:
        yield (
            "<w:tr>"
            + "".join(_word_cell(c, w) for c, w in zip(row, widths, strict=True))
            + "</w:tr>"
        )
    yield "</w:tbl>"


def _widths(total: int, first: int, count: int) -> list[int]:
    rest = (total - first) // max(1, count - 1)
    return [first] + [rest] * (count - 1)


def docx_table(
    matrix: Matrix, detail: bool = False, palette: str = "cochrane", *, when: datetime
) -> bytes:
    """A real Word table (python-docx document), shaded with the palette and with the words."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.shared import Pt

    document = docx.Document()
    document.core_properties.author = "appraise"
    document.core_properties.title = title_of(matrix, detail)
    document.core_properties.comments = ""
    document.core_properties.revision = 1
    document.styles["Normal"].font.size = Pt(9)
    section = document.sections[0]
    if not detail and len(matrix.domains) > 6:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    # Twips (1/1440 inch) from EMU (914400 an inch); the default template sets all three.
    usable = int(section.page_width or 0) - int(section.left_margin or 0)
    text_width = (usable - int(section.right_margin or 0)) // 635
    document.add_heading(title_of(matrix, detail), level=2)

    def judged(level: Level) -> WordCell:
        fill = level.fill(palette)
        return WordCell(level.display, fill, white=ink_for(fill) == "white", centred=True)

    def detail_rows() -> Iterator[list[WordCell]]:
        for row in matrix.rows:
            # A shaded, bold row names each study; one table keeps the document quick to open.
            yield [
                WordCell(row.name, "#EDEDED", bold=True),
                WordCell("", "#EDEDED"),
                WordCell("", "#EDEDED"),
            ]
            for item in detail_lines(matrix, row):
                yield [
                    WordCell(item.caption),
                    judged(item.level),
                    WordCell("\n".join(item.support) or "\u2014"),
                ]

    def matrix_rows() -> Iterator[list[WordCell]]:
        for row in matrix.rows:
            yield [
                WordCell(text) if level is None else judged(level)
                for text, level in matrix_cells(matrix, row)
            ]

    rows: Iterator[list[WordCell]]
    if detail:
        header = ["Domain", "Judgement", "Support for judgement"]
        widths = [int(text_width * 0.25), int(text_width * 0.17)]
        widths.append(text_width - sum(widths))
        rows = detail_rows()
    else:
        header = matrix_header(matrix)
        widths = _widths(text_width, int(text_width * 0.22), len(header))
        rows = matrix_rows()
    document.add_paragraph(_TABLE_MARKER)
    for line in key_lines(matrix):
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    table = word_table_xml(header, rows, widths)
    return pin_office_file(buffer.getvalue(), when, splice={_TABLE_MARKER: table})


# --- Excel ------------------------------------------------------------------------------
def xlsx_table(
    matrix: Matrix, detail: bool = False, palette: str = "cochrane", *, when: datetime
) -> bytes:
    """An Excel workbook (openpyxl): palette fills AND the words, a frozen header, a key."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Support" if detail else "Risk of bias"
    bold = Font(bold=True)

    styles: dict[str, Any] = {}
    centred = Alignment(horizontal="center", vertical="top")

    def judged(cell: Any, level: Level) -> None:
        cell.value = level.display
        if level.label in styles:
            # The first cell's style indices, copied as openpyxl copies styles: setting fill,
            # font and alignment again would hash each style object once per cell.
            cell._style = copy(styles[level.label])
            return
        fill = level.fill(palette).lstrip("#").upper()
        ink = "FFFFFF" if ink_for(level.fill(palette)) == "white" else "000000"
        cell.fill = PatternFill(fill_type="solid", start_color=fill, end_color=fill)
        cell.font = Font(color=ink)
        cell.alignment = centred
        styles[level.label] = copy(cell._style)

    if detail:
        wrapped = Alignment(wrap_text=True, vertical="top")
        sheet.append(["Study", "Study ID", "Domain", "Judgement", "Support for judgement"])
        line = 1  # counted here: openpyxl's max_row scans every cell, quadratic in a loop
        for row in matrix.rows:
            for item in detail_lines(matrix, row):
                sheet.append([row.name, row.study, item.caption, None, "\n".join(item.support)])
                line += 1
                judged(sheet.cell(row=line, column=4), item.level)
                sheet.cell(row=line, column=5).alignment = wrapped
        widths = [28, 24, 34, 20, 90]
    else:
        header = matrix_header(matrix)
        sheet.append(header)
        line = 1
        for row in matrix.rows:
            cells = matrix_cells(matrix, row)
            sheet.append([text if level is None else None for text, level in cells])
            line += 1
            if matrix.has_weights and row.weight is not None:
                sheet.cell(row=line, column=len(cells)).value = row.weight
            for column, (_, level) in enumerate(cells, start=1):
                if level is not None:
                    judged(sheet.cell(row=line, column=column), level)
        longest = max((len(r.name) for r in matrix.rows), default=10)
        widths = [min(60, longest + 2)] + [18] * (len(header) - 1)
    for cell in sheet[1]:
        cell.font = bold
    sheet.freeze_panes = "B2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    key = workbook.create_sheet("Key")
    key.append(["Domain", "Name"])
    for domain in matrix.domains:
        key.append([domain.id, domain.name])
    key.append([])
    key.append(["Judgement", "Symbol"])
    for level in matrix.scale.scale:
        key.append([None, level.symbol])
        label_cell = key.cell(row=key.max_row, column=1)
        judged(label_cell, level)
        label_cell.value = level.label
    for remark in key_lines(matrix)[2:]:
        key.append([remark])
    key.column_dimensions["A"].width = 18
    key.column_dimensions["B"].width = 60
    cells_as_text(sheet)
    cells_as_text(key)
    workbook.properties.creator = "appraise"
    workbook.properties.title = title_of(matrix, detail)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return pin_office_file(buffer.getvalue(), when)


def data_date(matrix: Matrix) -> datetime:
    """The date Word and Excel files carry: when the newest appraisal shown was last written,
    so the same data always gives the same file."""
    moments = [row.appraisal.updated or row.appraisal.created for row in matrix.rows]
    known = [m if m.tzinfo else m.replace(tzinfo=UTC) for m in moments if m is not None]
    return max(known, default=datetime(2000, 1, 1, tzinfo=UTC))
