"""read_document for text, Markdown and JATS; attach_document; folder mode; every fault."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from appraise.corpus import Corpus
from appraise.documents import attach_document, iter_documents, read_document
from appraise.documents.sections import heading_title
from appraise.documents.text import text_sections
from appraise.errors import InputError, NotFoundError
from tests.conftest import shared_path

PASTED = """Guided self-help for depression: a randomised trial

Abstract
Background: Low-intensity CBT is offered first.

2. Methods
Participants
We recruited 120 adults from primary care.

Randomisation
A statistician generated the sequence with a computer. Allocation was concealed.

RESULTS
Ten participants withdrew.

Conflicts of interest
None declared.
"""


def test_plain_text_sections_from_heading_lines() -> None:
    parts = text_sections(PASTED)
    assert [(title, kind) for title, kind, _ in parts] == [
        ("Text", "other"),
        ("Abstract", "abstract"),
        ("Participants", "methods"),  # '2. Methods' has no text of its own
        ("Randomisation", "methods"),
        ("RESULTS", "results"),
        ("Conflicts of interest", "coi"),
    ]
    assert parts[3][2] == (
        "A statistician generated the sequence with a computer. Allocation was concealed."
    )


def test_markdown_headings(tmp_path: Path) -> None:
    path = tmp_path / "paper.md"
    path.write_text("# Methods\n\nWe randomised.\n\n## Blinding\n\nAssessors were blind.\n")
    document = read_document(path)
    assert [(s.title, s.kind) for s in document.sections] == [
        ("Methods", "methods"),
        ("Blinding", "methods"),
    ]
    sentence = document.sentences[1]
    assert document.quote(sentence) == "Assessors were blind."
    assert sentence.section == "Blinding"


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("Methods", "Methods"),
        ("2. Methods", "2. Methods"),
        ("METHODS AND MATERIALS", "METHODS AND MATERIALS"),
        ("Conflict of interest statement:", "Conflict of interest statement"),
        ("## Outcome measures", "Outcome measures"),
        ("Results were mixed.", None),
        ("Table 2 Baseline characteristics", None),
        ("NCT01234567", None),
        ("we recruited adults", None),
    ],
)
def test_heading_lines(line: str, title: str | None) -> None:
    assert heading_title(line) == title


def test_unknown_short_line_is_a_heading_only_when_it_stands_alone() -> None:
    assert heading_title("Participants", standalone=True) == "Participants"
    assert heading_title("Participants", standalone=False) is None


def test_non_utf8_text_is_decoded_and_noted(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    text = "Méthodes\n\nLes participants ont été répartis au hasard par ordinateur. " * 3
    path.write_bytes(text.encode("cp1252"))
    document = read_document(path)
    assert "répartis au hasard" in document.text
    assert "not UTF-8" in document.problems[0]


def test_jats_file_becomes_a_document_with_coi_section() -> None:
    path = shared_path(
        "fixtures", "europepmc", "fulltextxml", "PMC13254492_rct_bcpt_coi-untyped-sec.xml"
    )
    document = read_document(path)
    coi = [s for s in document.sentences if s.kind == "coi"]
    assert [document.quote(s) for s in coi] == ["The authors declare no conflicts of interest."]
    assert document.source == str(path)
    kinds = [s.kind for s in document.sections]
    assert kinds[:2] == ["title", "abstract"]
    assert kinds[-2:] == ["authors", "references"]
    authors = document.section_text("authors").splitlines()
    assert len(authors) == 7
    assert document.section_text("references").count("\n") == 32  # 33 references


_GLOSSARY_JATS = """<article><front><article-meta><title-group><article-title>A trial
</article-title></title-group></article-meta></front><body>
<sec><title>Methods</title><p>Analysis was by intention to treat.</p></sec>
<sec><title>Abbreviations</title><p>ITT: intention to treat; HAM-D: Hamilton Rating Scale for
Depression.</p></sec></body></article>"""

_GLOSSARY_TEXT = """A trial

Methods
Analysis was by intention to treat.

List of abbreviations
ITT: intention to treat; HAM-D: Hamilton Rating Scale for Depression.
"""


@pytest.mark.parametrize(
    ("name", "content"), [("a.xml", _GLOSSARY_JATS), ("a.txt", _GLOSSARY_TEXT)]
)
def test_a_list_of_abbreviations_is_never_read_as_evidence(
    tmp_path: Path, name: str, content: str
) -> None:
    # 'ITT: intention to treat' in a glossary says what a word means, not what the trial did:
    # it must never become a quote.
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    document = read_document(path)
    assert "Hamilton" not in document.text
    assert [document.quote(s) for s in document.sentences][-1] == (
        "Analysis was by intention to treat."
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "is empty"),
        ("blank.md", b"  \n\n ", "is empty"),
        ("junk.txt", bytes(range(256)) * 4, "binary file"),
        ("noise.txt", random.Random(0).randbytes(5000).replace(b"\x00", b""), "not text"),
        ("paper.docx", b"PK\x03\x04", "cannot read '.docx' files"),
        ("README", b"text", "no extension"),
        ("broken.xml", b"<article><body><p>cut", "not well-formed XML"),
        ("pubmed.xml", b"<PubmedArticleSet></PubmedArticleSet>", "not a JATS article"),
    ],
)
def test_unreadable_files_are_input_errors(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_document(path)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        read_document(tmp_path / "nope.pdf")
    with pytest.raises(InputError, match="is a folder"):
        read_document(tmp_path)


def test_five_hundred_page_text_document(tmp_path: Path) -> None:
    page = "Participants were followed up for {n} weeks. Ten withdrew.\f\n"
    path = tmp_path / "long.txt"
    path.write_text("Methods\n\n" + "".join(page.format(n=n) for n in range(500)))
    document = read_document(path)
    assert len(document.sentences) == 1000
    assert document.sections[0].kind == "methods"


def test_attach_copies_into_the_corpus(corpus: Corpus, tmp_path: Path) -> None:
    source = tmp_path / "Smith 2020.TXT"
    source.write_text("Methods\n\nWe randomised.\n")
    target = attach_document(corpus, "10.1111/bjc.12259", source)
    assert target == corpus.documents_dir / "10.1111_bjc.12259.txt"
    assert target.read_text() == "Methods\n\nWe randomised.\n"


def test_attach_refuses_unreadable_documents_and_keeps_the_old_one(
    corpus: Corpus, tmp_path: Path
) -> None:
    good = tmp_path / "good.txt"
    good.write_text("We randomised.")
    target = attach_document(corpus, "10.1/x", good)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    with pytest.raises(InputError):
        attach_document(corpus, "10.1/x", bad)
    assert target.read_text() == "We randomised."


def test_folder_mode_reads_each_file_and_keeps_failures(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("Methods\n\nWe randomised.")
    (tmp_path / "a.md").write_text("# Results\n\nTen withdrew.")
    (tmp_path / "c.pdf").write_bytes(b"not a pdf")
    (tmp_path / "notes.docx").write_bytes(b"PK")
    (tmp_path / ".hidden.txt").write_text("x")
    results = list(iter_documents(tmp_path))
    assert [path.name for path, _ in results] == ["a.md", "b.txt", "c.pdf"]
    assert results[0][1].text == "Ten withdrew."
    assert isinstance(results[2][1], InputError)
    assert "does not start like a PDF" in str(results[2][1])


def test_folder_mode_on_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        list(iter_documents(tmp_path / "missing"))
