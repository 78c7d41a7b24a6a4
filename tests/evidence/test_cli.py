"""`appraise propose` and `appraise instrument` as a user runs them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from appraise.cli.main import main
from appraise.corpus import Corpus
from appraise.models.record import Section, StudyRecord
from tests.conftest import shared_path

RCT = ("fixtures", "europepmc", "fulltextxml", "PMC13254492_rct_bcpt_coi-untyped-sec.xml")


def _json(capsys: pytest.CaptureFixture[str]) -> object:
    return json.loads(capsys.readouterr().out)


def test_instrument_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["instrument", "PHQ-9", "CAPS-5", "MADRS-S", "Nonsense", "--json"]) == 0
    assert _json(capsys) == [
        {"name": "PHQ-9", "kind": "self-report", "matched": "PHQ-9"},
        {"name": "CAPS-5", "kind": "diagnostic-interview", "matched": "CAPS"},
        {"name": "MADRS-S", "kind": "self-report", "matched": "MADRS-S"},
        {"name": "Nonsense", "kind": "unknown", "matched": None},
    ]


def test_propose_text_json_has_the_documented_shape(capsys: pytest.CaptureFixture[str]) -> None:
    path = shared_path(*RCT)
    assert main(["propose", "--text", str(path), "--rubric", "rob2", "--json"]) == 0
    data = _json(capsys)
    assert isinstance(data, dict)
    first = data["proposals"][0]
    assert set(first) >= {"question", "answer", "confidence", "quotes", "detector", "comment"}
    assert first["question"] == "1.1" and first["answer"] == "Y"
    quote = first["quotes"][0]
    assert set(quote) == {"text", "section", "start", "end", "file_start", "file_end"}
    from appraise.documents import read_document

    text = read_document(path).text
    for proposal in data["proposals"]:
        for q in proposal["quotes"]:
            assert text[q["start"] : q["end"]] == q["text"]
    assert data["document"]["characters"] == len(text)


def test_propose_human_output_shows_answers_and_quotes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["propose", "--text", str(shared_path(*RCT)), "--rubric", "psychotherapy"]) == 0
    out = capsys.readouterr().out
    assert "4.2" in out and "none declared" in out
    assert "The authors declare no conflicts of interest." in out


def test_propose_a_study_from_the_corpus(
    corpus: Corpus, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus.write_record(
        StudyRecord(
            id="10.1000/trial",
            title="A trial",
            abstract="Outcome assessors were blind to allocation.",
            sections=[
                Section(
                    title="Methods",
                    kind="methods",
                    text="Randomisation used a computer-generated list.",
                )
            ],
        )
    )
    code = main(
        ["propose", "10.1000/trial", "--rubric", "rob2", "--corpus", str(corpus.root), "--json"]
    )
    assert code == 0
    answers = {p["question"]: p["answer"] for p in _json(capsys)["proposals"]}  # type: ignore[index]
    assert answers["1.1"] == "Y" and answers["4.3"] == "N"


def test_propose_id_and_text_attaches_the_document(
    corpus: Corpus, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus.write_record(StudyRecord(id="10.1000/trial", title="A trial"))
    paper = tmp_path / "paper.txt"
    paper.write_text("Methods\n\nAll participants completed the study.\n", encoding="utf-8")
    code = main(
        [
            "propose",
            "10.1000/trial",
            "--text",
            str(paper),
            "--rubric",
            "rob2",
            "--corpus",
            str(corpus.root),
            "--json",
        ]
    )
    assert code == 0
    answers = {p["question"]: p["answer"] for p in _json(capsys)["proposals"]}  # type: ignore[index]
    assert answers["3.1"] == "Y"
    assert list(corpus.documents_dir.iterdir())  # attached for next time


def test_propose_a_folder_keeps_going_and_reports_failures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "papers"
    folder.mkdir()
    shutil.copy(shared_path(*RCT), folder / "trial.xml")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"not a pdf at all")
    code = main(["propose", "--text", str(folder), "--rubric", "rob1", "--json"])
    captured = capsys.readouterr()
    assert code == 1
    data = json.loads(captured.out)
    assert [Path(d["file"]).name for d in data] == ["trial.xml"]
    assert "2 of 3 files could not be read" in captured.err
    assert "empty.txt" in captured.err and "broken.pdf" in captured.err


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["propose", "--rubric", "rob2"], 2, "nothing to read"),
        (["propose", "--text", "missing.txt"], 2, "no such file"),
        (["propose", "--text", "x.txt", "--rubric", "nope"], 2, "unknown rubric"),
        (["propose", "--text", "x.txt", "--effect", "sideways"], 2, "not a choice"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(
    args: list[str], code: int, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
