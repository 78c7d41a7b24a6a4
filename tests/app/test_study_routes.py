"""Every route to a study's proposals reads the same document and proposes the same answers.

The reproduction from issue 14: a record whose conflict-of-interest statement names royalties,
with a real full text attached that has no COI section of its own. `propose ID` used to join the
text with the record (allegiance 3.1 and COI 4.1/4.2 Y) while `assess --no-input` read the text
alone and stored NI for all of them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from appraise.cli.main import main
from appraise.corpus import Corpus
from appraise.files import load_model
from appraise.models import Appraisal, Author, StudyRecord
from tests.conftest import shared_path

STUDY = "10.1000/royalties.1"
COI = (
    "AB receives royalties from the treatment manual used in this trial and is director of "
    "the company that trains its therapists."
)


@pytest.fixture
def royalties_corpus(corpus: Corpus) -> Corpus:
    corpus.write_record(
        StudyRecord(
            id=STUDY,
            doi=STUDY,
            title="A randomised trial of a manualised therapy",
            authors=[Author(given="Ann", family="Bee")],
            year=2020,
            coi_statement=COI,
        )
    )
    return corpus


def _trial_text() -> Path:
    # An open-access trial whose text has no conflict-of-interest section of its own.
    return shared_path("data", "oa-trials", "PMC3782125.xml")


def _proposed(capsys: pytest.CaptureFixture[str], args: list[str]) -> dict[str, str]:
    assert main(args) == 0
    payload = json.loads(capsys.readouterr().out)
    return {p["question"]: p["answer"] for p in payload["proposals"] if p["answer"] is not None}


def _stored(corpus: Corpus, reviewer: str) -> dict[str, str]:
    path = corpus.appraisal_path(STUDY, "psychotherapy", "study", reviewer)
    return {q: a.answer for q, a in load_model(path, Appraisal).answers.items()}


def test_propose_and_assess_give_the_same_answers_for_an_attached_text(
    royalties_corpus: Corpus, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = str(royalties_corpus.root)
    text = str(_trial_text())
    common = ["--rubric", "psychotherapy", "--corpus", root]
    # Attached by propose, then read again by propose and by assess (no --text).
    with_text = _proposed(capsys, ["propose", STUDY, "--text", text, *common, "--json"])
    attached = _proposed(capsys, ["propose", STUDY, *common, "--json"])
    monkeypatch.setenv("APPRAISE_REVIEWER", "ann")
    assert main(["assess", STUDY, *common, "--no-input"]) == 0
    # And assess given the file itself, as a second reviewer.
    assert main(["assess", STUDY, *common, "--no-input", "--text", text, "--reviewer", "bob"]) == 0
    capsys.readouterr()
    for_ann, for_bob = _stored(royalties_corpus, "ann"), _stored(royalties_corpus, "bob")

    for answers in (with_text, attached, for_ann, for_bob):
        assert (answers["3.1"], answers["4.1"], answers["4.2"]) == ("Y", "Y", "Y")
    applicable = {q: a for q, a in with_text.items() if a != "NA"}
    assert attached == with_text
    assert for_ann == applicable and for_bob == applicable


def test_the_record_alone_is_read_when_nothing_is_attached(
    royalties_corpus: Corpus, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    common = ["--rubric", "psychotherapy", "--corpus", str(royalties_corpus.root)]
    proposed = _proposed(capsys, ["propose", STUDY, *common, "--json"])
    monkeypatch.setenv("APPRAISE_REVIEWER", "ann")
    assert main(["assess", STUDY, *common, "--no-input"]) == 0
    capsys.readouterr()
    assert proposed["4.1"] == "Y"
    assert _stored(royalties_corpus, "ann") == {q: a for q, a in proposed.items() if a != "NA"}


def test_batch_propose_reads_the_attached_text_as_propose_does(
    royalties_corpus: Corpus, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    common = ["--rubric", "psychotherapy", "--corpus", str(royalties_corpus.root)]
    proposed = _proposed(
        capsys, ["propose", STUDY, "--text", str(_trial_text()), *common, "--json"]
    )
    export = tmp_path / "export"
    assert main(["batch", "propose", *common, "--out", str(export), "--json"]) == 0
    capsys.readouterr()
    [row] = pq.read_table(export / "proposals-psychotherapy").to_pylist()
    batch = Appraisal.model_validate_json(row["appraisal_json"])
    answers = {q: a.answer for q, a in batch.answers.items() if a.answer is not None}
    assert (answers["3.1"], answers["4.1"], answers["4.2"]) == ("Y", "Y", "Y")
    assert answers == {q: a for q, a in proposed.items() if a != "NA"}
    assert row["characters"] > len(COI) * 10  # the full text, not the record alone
