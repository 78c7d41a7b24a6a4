"""PDFs the tests write themselves: columns, running headers, hyphens, encryption, scans."""

from __future__ import annotations

from pathlib import Path

import pytest

from appraise.documents import read_document
from appraise.documents.pdf import PdfLine, join_lines, page_lines, strip_running_lines
from appraise.errors import InputError
from appraise.sources.jats import parse_jats
from tests.conftest import shared_path
from tests.documents.pdfs import (
    Line,
    column_lines,
    encrypt,
    journal_parts,
    write_article_pdf,
    write_image_only_pdf,
    write_pdf,
)

HEADER = "Journal of Trials 2024; 12: 101-110"


def _article_pages() -> list[tuple[list[Line], list[Line]]]:
    page_one = (
        column_lines(
            [
                Line("Abstract", bold=True),
                "We compared two therapies for depression in a computer-generated randomised "
                "order and report the primary outcome at twelve weeks.",
                Line("1. Introduction", bold=True),
                "Depression is common and guided self-help is one of the treatments offered "
                "first in primary care, where waiting lists are long.",
            ]
        ),
        [
            Line("2. Methods", bold=True),
            Line("2.1 Randomisation", bold=True),
            Line("Participants were random-"),
            Line("ised in a 1:1 ratio using a computer-"),
            Line("generated sequence kept by a statistician;"),
            Line("allocation was con-"),
            Line("cealed in opaque envelopes. The outcome"),
            Line("assessors were blinded."),
        ],
    )
    page_two = (
        column_lines(
            [
                Line("3. Results", bold=True),
                "Of the 120 participants who were randomised, 110 completed the trial and ten "
                "withdrew before the end of treatment, five from each group.",
            ]
        ),
        column_lines(
            [
                Line("4. Discussion", bold=True),
                "Guided self-help was not inferior to the comparison therapy in this sample, "
                "although the confidence interval was wide.",
            ]
        ),
    )
    page_three = (
        column_lines(
            [
                Line("Conflicts of interest", bold=True),
                "The authors declare no conflicts of interest.",
            ]
        ),
        column_lines([Line("Funding", bold=True), "The trial was funded by the Research Council."]),
    )
    return [page_one, page_two, page_three]


@pytest.fixture
def article_pdf(tmp_path: Path) -> Path:
    return write_pdf(
        tmp_path / "trial.pdf",
        _article_pages(),
        header=HEADER,
        page_numbers=True,
        title="Guided self-help for depression",
    )


def test_two_column_article_reads_column_by_column_into_sections(article_pdf: Path) -> None:
    document = read_document(article_pdf)
    assert document.problems == []
    assert [(s.title, s.kind) for s in document.sections] == [
        ("Title", "title"),  # the larger type at the top of page 1
        ("Abstract", "abstract"),
        ("1. Introduction", "introduction"),
        ("2.1 Randomisation", "methods"),
        ("3. Results", "results"),
        ("4. Discussion", "discussion"),
        ("Conflicts of interest", "coi"),
        ("Funding", "funding"),
    ]
    assert document.section_text("title") == "Guided self-help for depression"
    methods = document.section_text("methods")
    assert methods == (
        "Participants were randomised in a 1:1 ratio using a computer-generated sequence kept "
        "by a statistician; allocation was concealed in opaque envelopes. The outcome assessors "
        "were blinded."
    )


def test_running_headers_and_page_numbers_are_removed(article_pdf: Path) -> None:
    document = read_document(article_pdf)
    assert "Journal of Trials" not in document.text
    assert not any(line.strip().isdigit() for line in document.text.splitlines())


def test_sentences_carry_their_section(article_pdf: Path) -> None:
    document = read_document(article_pdf)
    methods = [(document.quote(s), s.section) for s in document.sentences if s.kind == "methods"]
    assert methods == [
        (
            "Participants were randomised in a 1:1 ratio using a computer-generated sequence "
            "kept by a statistician; allocation was concealed in opaque envelopes.",
            "2.1 Randomisation",
        ),
        ("The outcome assessors were blinded.", "2.1 Randomisation"),
    ]


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        (["were random-", "ised to"], "were randomised to"),
        (["a computer-", "generated list", "nothing generated"], None),
        (["the COVID-", "19 pandemic"], "the COVID-19 pandemic"),
        (["a follow-", "up visit; at follow-up"], "a follow-up visit; at follow-up"),
        (["place-", "bo and placebo"], "placebo and placebo"),
        (
            ["placebo\u2010", "controlled, not self-controlled"],
            "placebo\u2010controlled, not self-controlled",
        ),
        (["signifi\u00ad", "cant"], "significant"),
        (["Überwa-", "chung"], "Überwachung"),
        (["threat-", "and crime-related"], "threat- and crime-related"),
    ],
)
def test_hyphens_at_line_ends(lines: list[str], joined: str | None) -> None:
    expected = joined or "a computer-generated list nothing generated"
    assert join_lines(lines) == expected


def _word(text: str, x0: float, top: float) -> dict[str, object]:
    return {"text": text, "x0": x0, "x1": x0 + 6 * len(text), "top": top, "bottom": top + 9}


def _row(text: str, x0: float, top: float) -> list[dict[str, object]]:
    """Words set with a 3-point space, as a line of body text is."""
    words = []
    for word in text.split():
        words.append(_word(word, x0, top))
        x0 += 6 * len(word) + 3
    return words


def test_one_column_page_is_not_split() -> None:
    sentence = "a single column of text runs across the middle of the page here and there".split()
    rows = [" ".join(sentence[row % 5 :] + sentence[: row % 5]) for row in range(10)]
    words = [w for row, text in enumerate(rows) for w in _row(text, 60, 100 + 12 * row)]
    lines = page_lines(words, 595)
    assert [line.text for line in lines] == rows


def test_ligatures_become_letters() -> None:
    words = _row("the ﬁrst eﬀect was signiﬁcant", 60, 100)
    assert page_lines(words, 595)[0].text == "the first effect was significant"


def test_title_across_the_gutter_comes_before_both_columns() -> None:
    words = [_word("A", 150, 50), _word("wide-title-across-the-gutter-of-the-page", 160, 50)]
    for row in range(8):
        words.append({**_word(f"left{row}", 60, 100 + 12 * row), "x1": 280})
        words.append({**_word(f"right{row}", 320, 100 + 12 * row), "x1": 540})
    texts = [line.text for line in page_lines(words, 595)]
    assert texts == [
        "A wide-title-across-the-gutter-of-the-page",
        *[f"left{row}" for row in range(8)],
        *[f"right{row}" for row in range(8)],
    ]


def test_repeated_edge_lines_are_dropped_but_body_lines_kept() -> None:
    def page(number: int) -> list[PdfLine]:
        body = [
            PdfLine(
                f"Body line {row} of page {number}.", 100 + 12 * row, 108 + 12 * row, False, 0, 0
            )
            for row in range(5)
        ]
        header = PdfLine(f"Smith et al. Trials (2020) 21:{number}", 20, 28, False, 0, number)
        footer = PdfLine(f"Page {number} of 4", 800, 808, False, 0, number)
        return [header, *body, footer]

    kept = strip_running_lines([page(n) for n in range(1, 5)])
    assert [[line.text for line in lines] for lines in kept] == [
        [f"Body line {row} of page {n}." for row in range(5)] for n in range(1, 5)
    ]


def test_scanned_pdf_gives_an_empty_document_with_a_problem(tmp_path: Path) -> None:
    document = read_document(write_image_only_pdf(tmp_path / "scan.pdf"))
    assert document.is_empty
    assert document.sentences == []
    assert "no text layer" in document.problems[0]
    assert "ocrmypdf" in document.problems[0]


def test_pdf_encrypted_against_editing_only_opens(article_pdf: Path, tmp_path: Path) -> None:
    locked = encrypt(article_pdf, tmp_path / "locked.pdf", user_password="", owner_password="x")
    assert "allocation was concealed" in read_document(locked).text


def test_pdf_with_a_password_is_a_clear_input_error(article_pdf: Path, tmp_path: Path) -> None:
    locked = encrypt(article_pdf, tmp_path / "locked.pdf", user_password="pw", owner_password="x")
    with pytest.raises(InputError, match="encrypted with a password") as caught:
        read_document(locked)
    assert "qpdf --decrypt" in str(caught.value)


def test_truncated_and_fake_pdfs(article_pdf: Path, tmp_path: Path) -> None:
    fake = tmp_path / "fake.pdf"
    fake.write_text("<html>Access denied</html>")
    with pytest.raises(InputError, match="does not start like a PDF"):
        read_document(fake)
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(article_pdf.read_bytes()[:300])
    with pytest.raises(InputError, match="not a readable PDF"):
        read_document(truncated)


def test_many_page_pdf_keeps_every_page(tmp_path: Path) -> None:
    pool = [
        "Participants in group {n} attended weekly sessions with a trained therapist.",
        "Outcomes for page {n} were collected by assessors unaware of the allocation.",
        "Adverse events were rare and none was judged to be related to treatment.",
    ]
    pages = [
        column_lines([pool[n % 3].format(n=n), pool[(n + 1) % 3].format(n=n)], 60)
        for n in range(1, 41)
    ]
    document = read_document(write_pdf(tmp_path / "long.pdf", pages, header=HEADER))
    assert "Journal of Trials" not in document.text
    for n in range(1, 41):
        assert pool[n % 3].format(n=n) in document.text


@pytest.mark.parametrize(
    "name",
    [
        "PMC13254492_rct_bcpt_coi-untyped-sec.xml",  # the trial: every section, every quote
        "PMC12458764_bmj-jitc_fn-COI-statement_real-disclosures.xml",  # short last column
    ],
)
def test_a_real_article_as_a_journal_pdf_reads_back_as_its_jats_text(
    name: str, tmp_path: Path
) -> None:
    """The article's own text, typeset in two columns with a running head, page numbers,
    bold headings and words hyphenated at line ends, reads back to the same sections."""
    source = shared_path("fixtures", "europepmc", "fulltextxml", name)
    article = parse_jats(source.read_bytes())
    pdf = write_article_pdf(
        tmp_path / "article.pdf",
        journal_parts(article.section_parts()),
        title=article.title or "",
        header="J Trials 2026; 12: e70261 | www.example.org",
    )
    from_pdf = read_document(pdf)
    from_xml = read_document(source)
    expected = [
        (s.title, s.kind, from_xml.text[s.start : s.end])
        for s in from_xml.sections
        if s.kind not in ("authors", "references")
    ]
    got = [(s.title, s.kind, from_pdf.text[s.start : s.end]) for s in from_pdf.sections]
    assert got == expected
