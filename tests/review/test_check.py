"""`appraise check` finds each kind of problem, with file, line and fix."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from appraise.cli.main import main
from appraise.corpus import Corpus
from appraise.models import Appraisal, Judgement
from appraise.review import AssessSession, Problem, check_corpus

STUDY = "10.1000/trial.1"


@pytest.fixture
def appraised(study_corpus: Corpus) -> Path:
    """A complete, valid rob1 appraisal; tests then break it the way a hand edit would."""
    session = AssessSession.open(study_corpus, STUDY, "rob1", reviewer="ann")
    session.apply_answers({f"D{i}": "Low" for i in range(1, 8)})
    return session.path


def only(problems: list[Problem], text: str) -> Problem:
    found = [p for p in problems if text in p.message]
    assert len(found) == 1, problems
    return found[0]


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_a_clean_corpus_has_no_problems(appraised: Path, study_corpus: Corpus, capsys) -> None:  # type: ignore[no-untyped-def]
    assert check_corpus(study_corpus) == []
    assert main(["check", "--corpus", str(study_corpus.root)]) == 0
    assert capsys.readouterr().out.strip() == "ok: 1 record, 1 appraisal checked"


def test_shipped_corpora_are_clean() -> None:
    root = Path(__file__).resolve().parents[2] / "corpus"
    for folder in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        errors = [p for p in check_corpus(Corpus(folder)) if p.severity == "error"]
        assert errors == [], folder


def test_a_judgement_that_does_not_follow_from_the_answers(
    appraised: Path, study_corpus: Corpus
) -> None:  # type: ignore[no-untyped-def]
    edit(appraised, "  D3:\n    answer: Low", "  D3:\n    answer: High")
    problem = only(check_corpus(study_corpus), "D3 proposed judgement Low does not follow")
    lines = appraised.read_text().splitlines()
    d3 = lines.index("  D3:", lines.index("domains:"))
    assert problem.line == d3 + 2 and lines[d3 + 1].strip() == "proposed: Low"
    assert problem.path == appraised and "the rules give High" in problem.message
    assert "appraise assess" in problem.fix


def test_an_override_without_a_reason(appraised: Path, study_corpus: Corpus) -> None:
    appraisal = Appraisal.model_validate(yaml.safe_load(appraised.read_text()))
    overall = appraisal.overall.model_copy(update={"judgement": "High"})
    study_corpus.write_appraisal(appraisal.model_copy(update={"overall": overall}), appraised)
    problem = only(check_corpus(study_corpus), "overall judgement High overrides")
    assert problem.line == line_of(appraised, "judgement: High")
    assert problem.fix == "add override_reason: why"


def test_schema_errors_and_bad_answers_name_the_line(appraised: Path, study_corpus: Corpus) -> None:
    edit(appraised, "  D2:\n    answer: Low", "  D2:\n    answer: Lowish")
    problem = only(check_corpus(study_corpus), "Lowish")
    assert problem.line == line_of(appraised, "answer: Lowish")
    edit(appraised, "reviewer: ann", "reviewer: ann\nreviewr: bob")
    problem = only(check_corpus(study_corpus), "reviewr")
    assert problem.line == line_of(appraised, "reviewr: bob")
    assert "remove 'reviewr'" in problem.fix
    appraised.write_text("study: [unclosed\n")
    assert only(check_corpus(study_corpus), "not valid YAML").path == appraised


def test_rubric_and_its_versions(appraised: Path, study_corpus: Corpus) -> None:
    edit(appraised, "rubric_version: '2011'", "rubric_version: '2008'")
    edit(appraised, "rubric_file_version: 1", "rubric_file_version: 7")
    problems = check_corpus(study_corpus)
    assert only(problems, "version 2008").line == line_of(appraised, "rubric_version")
    assert only(problems, "file version 7").line == line_of(appraised, "rubric_file_version")
    edit(appraised, "rubric: rob1", "rubric: rob9")
    problem = only(check_corpus(study_corpus), "unknown rubric 'rob9'")
    assert problem.line == line_of(appraised, "rubric: rob9")


def test_orphans_documents_and_claims(appraised: Path, study_corpus: Corpus) -> None:
    session = AssessSession.open(study_corpus, "ref:unknown-study", "rob1", reviewer="ann")
    study_corpus.documents_dir.mkdir(parents=True)
    (study_corpus.documents_dir / "10.1000_gone.pdf").write_bytes(b"%PDF-1.4")
    study_corpus.claims_path.write_text(
        yaml.safe_dump(
            {
                "claims": [
                    {
                        "id": "gsh-works",
                        "text": "Guided self-help works",
                        "made_in": {"source": "NICE"},
                        "cites": [
                            {"target": STUDY},
                            {"target": "10.1000/never-fetched"},
                            {"target": "claim:missing"},
                            {"target": "not an id"},
                        ],
                    }
                ]
            }
        )
    )
    problems = check_corpus(study_corpus)
    orphan = only(problems, "no record for study ref:unknown-study")
    assert orphan.path == session.path and orphan.severity == "error"
    document = only(problems, "a document with no record")
    assert document.severity == "warning" and "10.1000/gone" in document.message
    cited = only(problems, "10.1000/never-fetched, which has no record")
    assert cited.severity == "warning" and cited.line == line_of(
        study_corpus.claims_path, "never-fetched"
    )
    assert only(problems, "claim:missing").severity == "warning"
    assert only(problems, "'not an id'").severity == "error"
    assert main(["check", "--corpus", str(study_corpus.root)]) == 1


def test_records_that_do_not_load_or_are_misnamed(study_corpus: Corpus, new_record) -> None:  # type: ignore[no-untyped-def]
    path = study_corpus.write_record(new_record("10.1000/other"))
    path.rename(path.with_name("10.1000_renamed.yaml"))
    bad = study_corpus.records_dir / "10.1000_broken.yaml"
    bad.write_text("id: 10.1000/broken\nyear: last year\n")
    problems = check_corpus(study_corpus)
    assert "rename it to 10.1000_other.yaml" in only(problems, "does not match").fix
    assert only(problems, "year").line == 2


def test_imported_judgements_only_need_a_consistent_overall(study_corpus: Corpus) -> None:
    def imported(overall: Judgement) -> Appraisal:
        labels = ["Low", "Some concerns", "Low", "High", "Low"]
        return Appraisal(
            study=STUDY,
            rubric="rob2",
            rubric_version="2019-08-22",
            reviewer="metapsy",
            status="complete",
            overall=overall,
            domains={f"D{i}": Judgement(judgement=j) for i, j in enumerate(labels, 1)},
        )

    study_corpus.write_appraisal(imported(Judgement(judgement="High")))
    assert check_corpus(study_corpus) == []
    study_corpus.write_appraisal(imported(Judgement(judgement="Low")))
    problem = only(check_corpus(study_corpus), "overall Low does not follow")
    assert "which gives High" in problem.message
    study_corpus.write_appraisal(
        imported(Judgement(judgement="Low", override_reason="the database's own overall column"))
    )
    assert check_corpus(study_corpus) == []


def test_check_json_output(appraised: Path, study_corpus: Corpus, capsys) -> None:  # type: ignore[no-untyped-def]
    import json

    edit(appraised, "rubric_file_version: 1", "rubric_file_version: 2")
    assert main(["check", "--corpus", str(study_corpus.root), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and data["problems"][0]["line"] == line_of(appraised, "file_version")


def test_a_missing_corpus_folder_is_one_line(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["check", "--corpus", str(tmp_path / "nowhere")]) == 2
    assert "no corpus folder at" in capsys.readouterr().err
