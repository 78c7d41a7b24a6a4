"""`appraise add FILE`: a record made offline from the reviewer's own file, then appraised."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fpdf import FPDF

from appraise.app.add import add_study, parse_authors
from appraise.cli.main import main
from appraise.corpus import Corpus
from appraise.errors import InputError
from appraise.files import load_model
from appraise.models import Appraisal
from tests.conftest import shared_path
from tests.documents.pdfs import Line, column_lines, journal_parts, write_article_pdf, write_pdf

METHODS = (
    "Participants were randomised by a computer-generated list held by an independent "
    "trials unit. Outcome assessors were unaware of allocation."
)


@pytest.fixture
def store(tmp_path: Path) -> Corpus:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "corpus.yaml").write_text("name: mine\n", encoding="utf-8")
    return Corpus(root)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every source points at a closed port: a fetch would fail, so passing proves none ran."""
    for source in ("CROSSREF", "OPENALEX", "EUROPEPMC", "PUBMED"):
        monkeypatch.setenv(f"APPRAISE_{source}_URL", "http://127.0.0.1:9")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def trial_pdf(path: Path, *, title: str | None = None, info: dict[str, str] | None = None) -> Path:
    if info is None:
        return write_pdf(
            path,
            [column_lines([Line("Methods", bold=True), METHODS])],
            title=title,
        )
    pdf = FPDF()
    pdf.set_title(info["title"])
    pdf.set_author(info["author"])
    pdf.add_page()
    pdf.set_font("Helvetica", size=9)
    pdf.text(20, 20, "https://doi.org/10.1234/own.trial.7")
    pdf.text(20, 30, METHODS[:90])
    pdf.output(str(path))
    return path


def test_a_jats_article_gives_its_front_matter_and_is_appraised_offline(
    store: Corpus, capsys: pytest.CaptureFixture[str]
) -> None:
    article = shared_path("data", "oa-trials", "PMC1201146.xml")
    code, out, err = run(["add", str(article), "--corpus", str(store.root)], capsys)
    assert code == 0, err
    assert "added 10.1186/1471-2474-6-44: Baer et al. 2005" in out
    record = store.read_record("10.1186/1471-2474-6-44")
    assert record.title is not None and record.title.startswith("Treatment of osteoarthritis")
    assert [a.family for a in record.authors] == ["Baer", "Thomas", "Shainhouse"]
    assert (record.journal, record.year, record.pmcid) == (
        "BMC Musculoskeletal Disorders",
        2005,
        "PMC1201146",
    )
    assert record.sources["title"] == "document"
    assert record.missing_fields == []
    assert store.attached_document(record.id) == store.document_path(record.id, ".xml")

    code, out, err = run(
        [
            *("assess", record.id, "-r", "rob2", "--result", "WOMAC pain, 6 weeks"),
            *("--reviewer", "ann", "--no-input", "--corpus", str(store.root)),
        ],
        capsys,
    )
    assert code == 0, err
    path = store.appraisal_path(record.id, "rob2", "WOMAC pain, 6 weeks", "ann")
    appraisal = load_model(path, Appraisal)
    quoted = [a for a in appraisal.answers.values() if a.quotes]
    assert quoted, "the attached article's text gave proposals with quotes"

    code, out, err = run(["propose", record.id, "--corpus", str(store.root), "--json"], capsys)
    assert code == 0, err
    assert json.loads(out)


def test_a_pdf_without_doi_gets_its_title_from_the_type_size_and_an_id_of_its_own(
    store: Corpus, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = trial_pdf(tmp_path / "trial.pdf", title="Guided self-help for low mood")
    args = ["add", str(pdf), "--authors", "Smith, Jane; Doe, J", "--year", "2019"]
    code, out, err = run([*args, "--corpus", str(store.root), "--json"], capsys)
    assert code == 0, err
    added = json.loads(out)
    assert added["id"].startswith("ref:smith-2019-")
    record = store.read_record(added["id"])
    assert record.title == "Guided self-help for low mood"
    assert record.label == "Smith & Doe 2019"
    assert record.sources == {"title": "document", "authors": "manual", "year": "manual"}
    assert store.attached_document(record.id) == store.document_path(record.id, ".pdf")

    code, out, err = run(
        ["assess", record.id, "--reviewer", "ann", "--no-input", "--corpus", str(store.root)],
        capsys,
    )
    assert code == 0, err
    appraisal = load_model(store.appraisal_path(record.id, "rob2", "study", "ann"), Appraisal)
    assert appraisal.answers["1.1"].quotes[0].text.startswith("Participants were randomised")


def test_a_pdf_s_document_information_and_page_one_doi(store: Corpus, tmp_path: Path) -> None:
    pdf = trial_pdf(
        tmp_path / "own.pdf",
        info={"title": "Internet CBT for insomnia: a pilot trial", "author": "Ann Lee and Bo Kim"},
    )
    added = add_study(pdf, corpus=store.root)
    assert added.record.id == "10.1234/own.trial.7"
    assert added.record.title == "Internet CBT for insomnia: a pilot trial"
    assert [a.family for a in added.record.authors] == ["Lee", "Kim"]
    assert "year" in added.record.missing_fields
    assert any("not known: year" in n for n in added.notes)


def test_a_markdown_file_and_fields_asked_for(store: Corpus, tmp_path: Path) -> None:
    text = tmp_path / "notes.md"
    text.write_text(
        f"# Brief therapy for panic\n\n## Methods\n\n{METHODS}\n\n"
        "## Conflicts of interest\n\nThe authors declare no competing interests.\n",
        encoding="utf-8",
    )
    asked: list[str] = []

    def ask(field: str, suggestion: str | None) -> str | None:
        asked.append(field)
        return {"authors": "Jane Roe", "year": "2021"}.get(field)

    added = add_study(text, corpus=store.root, ask=ask)
    assert asked == ["authors", "year"]  # the title came from the heading
    assert added.record.title == "Brief therapy for panic"
    assert added.record.label == "Roe 2021"
    assert added.record.id.startswith("ref:roe-2021-")
    assert added.document_path.suffix == ".md"
    assert added.record.coi_statement == "The authors declare no competing interests."
    assert added.record.sources["coi_statement"] == "document"


def test_the_same_file_twice_is_refused_and_nothing_changes(
    store: Corpus, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tmp_path / "trial.txt"
    text.write_text(f"A trial of something\n\n{METHODS}\n", encoding="utf-8")
    assert run(["add", str(text), "--corpus", str(store.root)], capsys)[0] == 0
    before = {p: p.read_bytes() for p in store.root.rglob("*") if p.is_file()}
    code, _out, err = run(["add", str(text), "--corpus", str(store.root)], capsys)
    assert code == 2
    assert "is already in" in err and "nothing was changed" in err
    assert "appraise assess ref:" in err
    assert {p: p.read_bytes() for p in store.root.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("paper.docx", b"PK\x03\x04 word", "cannot read '.docx' files"),
        ("paper.pdf", b"<html>404 not found</html>", "does not start like a PDF"),
        ("paper.txt", b"\x00\x01\x02" * 50, "is a binary file"),
        ("paper.xml", b"<article><front>", "XML"),
        ("missing.pdf", None, "no such file"),
    ],
)
def test_an_unreadable_or_unknown_file_is_refused_in_one_line(
    store: Corpus,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: bytes | None,
    message: str,
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    code, _out, err = run(["add", str(path), "--corpus", str(store.root)], capsys)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1
    assert not store.records_dir.exists() and not store.documents_dir.exists()


def test_a_year_that_is_not_one_is_refused(store: Corpus, tmp_path: Path) -> None:
    text = tmp_path / "t.txt"
    text.write_text("A trial\n\nText.\n", encoding="utf-8")
    with pytest.raises(InputError, match="'20x9' is not a year"):
        add_study(text, corpus=store.root, year="20x9")
    assert not store.records_dir.exists()


def test_author_lists_as_people_type_them() -> None:
    assert [(a.family, a.given) for a in parse_authors("Smith, Jane; Doe, J")] == [
        ("Smith", "Jane"),
        ("Doe", "J"),
    ]
    assert [a.family for a in parse_authors("Jane Smith, J Doe, Al Lee")] == ["Smith", "Doe", "Lee"]
    assert [a.family for a in parse_authors("Ann Lee and Bo Kim")] == ["Lee", "Kim"]


def test_files_written_follow_the_umask_and_keep_an_existing_mode(
    store: Corpus, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import os
    import stat

    text = tmp_path / "trial.txt"
    text.write_text(f"A trial of something\n\n{METHODS}\n", encoding="utf-8")
    old = os.umask(0o002)  # a team sharing a folder
    try:
        code, out, err = run(["add", str(text), "--corpus", str(store.root), "--json"], capsys)
        assert code == 0, err
        study = json.loads(out)["id"]
        assess = ["assess", study, "--reviewer", "ann", "--no-input", "-c", str(store.root)]
        assert run(assess, capsys)[0] == 0
        appraisal = store.appraisal_path(study, "rob2", "study", "ann")
        for path in (store.record_path(study), store.document_path(study, ".txt"), appraisal):
            assert stat.S_IMODE(path.stat().st_mode) == 0o664, path
            assert stat.S_IMODE(path.parent.stat().st_mode) == 0o775, path.parent
        appraisal.chmod(0o640)  # a reviewer who keeps their file private
        assert run([*assess, "--revise"], capsys)[0] == 0
        assert stat.S_IMODE(appraisal.stat().st_mode) == 0o640
    finally:
        os.umask(old)


def test_a_study_that_cannot_be_fetched_points_to_add(
    store: Corpus, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["assess", "10.1234/not.here", "--no-input", "--reviewer", "ann"]
    code, _out, err = run([*args, "--corpus", str(store.root)], capsys)
    assert code == 1
    assert "make its record offline with `appraise add FILE" in err
    assert len(err.strip().splitlines()) == 1


def test_a_real_article_typeset_as_a_journal_pdf_gives_its_title(
    store: Corpus, tmp_path: Path
) -> None:
    """Two columns, a running head in small type, a title over two lines: the title is the
    large type at the top of page 1, and the record is made offline from the PDF alone."""
    from appraise.sources.jats import parse_jats

    source = shared_path("data", "oa-trials", "PMC1201146.xml")
    article = parse_jats(source.read_bytes())
    assert article.title is not None
    pdf = write_article_pdf(
        tmp_path / "baer.pdf",
        journal_parts(article.section_parts()),
        title=article.title,
        header="BMC Musculoskeletal Disorders 2005, 6:44",
    )
    added = add_study(pdf, corpus=store.root, authors="Baer, Philip A", year="2005")
    assert " ".join(added.record.title.split()) == article.title  # type: ignore[union-attr]
    assert added.record.sources["title"] == "document"
    assert added.record.id.startswith("ref:baer-2005-")


def test_outside_a_corpus_add_says_how_to_start_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tmp_path / "trial.txt"
    text.write_text(f"A trial of something\n\n{METHODS}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, _out, err = run(["add", "trial.txt"], capsys)
    assert code == 2 and "give --corpus DIR (a new folder is made)" in err
    code, _out, err = run(["add", "trial.txt", "--corpus", "my-review"], capsys)
    assert code == 0, err
    assert Corpus(tmp_path / "my-review").record_paths()
