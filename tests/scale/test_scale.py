"""The Parquet export and the batch runner: same appraisals on Dask as in one process."""

from __future__ import annotations

import json
import random
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from appraise.cli.main import main
from appraise.corpus import Corpus
from appraise.errors import InputError
from appraise.files import model_to_yaml
from appraise.models import (
    Answer,
    Appraisal,
    Author,
    Citation,
    Claim,
    ClaimsFile,
    Judgement,
    MadeIn,
    Reference,
    ResultAssessed,
    StudyRecord,
)
from appraise.rubrics import Engine, load_rubric
from appraise.scale.batch import PROPOSER, ProposeTask, ScoreTask, run_batch
from appraise.scale.parquet import export_corpus
from tests.conftest import shared_path

N_STUDIES = 12


def _appraisal(study: str, answers: dict[str, str], reviewer: str, profile: str) -> Appraisal:
    rubric = load_rubric("rob2")
    evaluation = Engine(rubric, profile=profile).evaluate(answers)
    return Appraisal(
        study=study,
        rubric="rob2",
        rubric_version=rubric.version,
        profile=profile,
        reviewer=reviewer,
        result=ResultAssessed(label="PHQ-9, 12 weeks"),
        answers={
            q: Answer(answer=a, source="reviewer", confirmed=True) for q, a in answers.items()
        },
        domains={
            d: Judgement(proposed=r.judgement, rule=r.rule, judgement=r.judgement)
            for d, r in evaluation.domains.items()
        },
        overall=Judgement(proposed=evaluation.overall, judgement=evaluation.overall),
    )


@pytest.fixture
def scored_corpus(corpus: Corpus) -> Corpus:
    """Twelve trials citing each other, each with a reviewer's RoB 2 answers (a seeded random
    draw), one under the metapsy profile, one with an answer the rubric does not allow."""
    rng = random.Random(7)
    engine = Engine(load_rubric("rob2"))
    for i in range(N_STUDIES):
        doi = f"10.5555/trial.{i}"
        corpus.write_record(
            StudyRecord(
                id=doi,
                doi=doi,
                title=f"Guided self-help for depression: trial {i}",
                year=2010 + i % 10,
                authors=[Author(family="Smith", given="A"), Author(family="Jones", given="B")],
                references=[Reference(doi=f"10.5555/TRIAL.{j}") for j in range(i)]
                + [Reference(pmid="123456"), Reference(text="a reference without identifiers")],
            )
        )
        answers = {q.id: rng.choice(q.options) for _, q in engine.questions_in_order()}
        profile = "metapsy" if i == 3 else "cochrane"
        if profile == "metapsy":
            answers["rater"] = "self-report"
        corpus.write_appraisal(_appraisal(doi, answers, "reviewer-a", profile))
    broken = _appraisal("10.5555/trial.0", {"1.1": "Y"}, "reviewer-b", "cochrane")
    path = corpus.write_appraisal(broken)
    path.write_text(path.read_text().replace("answer: Y", "answer: Sure"))
    claims = ClaimsFile(
        claims=[
            Claim(
                id="gsh-works",
                text="Guided self-help works",
                made_in=MadeIn(source="A guideline"),
                cites=[
                    Citation(target="10.5555/trial.1"),
                    Citation(target="10.5555/trial.2", kind="weakens", weight=0.4),
                ],
            )
        ]
    )
    corpus.write_text(corpus.claims_path, model_to_yaml(claims))
    return corpus


def _sorted_rows(folder: Path) -> list[dict[str, object]]:
    rows = pq.read_table(folder).to_pylist()
    return sorted(rows, key=lambda r: (str(r["study"]), str(r["result"]), str(r["reviewer"])))


def test_export_is_queryable_with_duckdb(scored_corpus: Corpus, tmp_path: Path) -> None:
    out = tmp_path / "export"
    summary = export_corpus(scored_corpus, out, partitions=3)

    assert summary.parts["records"] == 3
    assert summary.rows == {
        "records": N_STUDIES,
        "appraisals": N_STUDIES + 1,
        "judgements": 5 * (N_STUDIES + 1),
        # each trial cites every earlier one and one PMID; the claim cites two trials
        "edges": sum(range(N_STUDIES)) + N_STUDIES + 2,
    }
    db = duckdb.connect()
    overall = dict(
        db.execute(
            f"SELECT overall, count(*) FROM '{out}/appraisals/*.parquet' "
            "WHERE reviewer = 'reviewer-a' GROUP BY overall"
        ).fetchall()
    )
    assert sum(overall.values()) == N_STUDIES
    most_cited = db.execute(
        f"SELECT target, count(*) AS n FROM '{out}/edges/*.parquet' WHERE relation = 'cites' "
        "AND target_kind = 'doi' GROUP BY target ORDER BY n DESC, target LIMIT 1"
    ).fetchone()
    assert most_cited == ("10.5555/trial.0", N_STUDIES - 1)  # DOIs normalised to lower case
    claim_edges = db.execute(
        f"SELECT source, target, relation, weight FROM '{out}/edges/*.parquet' "
        "WHERE source_kind = 'claim' ORDER BY target"
    ).fetchall()
    assert claim_edges == [
        ("claim:gsh-works", "10.5555/trial.1", "supports", None),
        ("claim:gsh-works", "10.5555/trial.2", "weakens", 0.4),
    ]
    record = json.loads(
        db.execute(
            f"SELECT record_json FROM '{out}/records/*.parquet' WHERE id = '10.5555/trial.2'"
        ).fetchone()[0]
    )
    assert StudyRecord.model_validate(record) == scored_corpus.read_record("10.5555/trial.2")


def test_dask_gives_the_same_appraisals_as_one_process(
    scored_corpus: Corpus, tmp_path: Path
) -> None:
    out = tmp_path / "export"
    export_corpus(scored_corpus, out, partitions=4)
    task = ScoreTask(load_rubric("rob2"))

    local = run_batch(task, out, engine="local")
    local_rows = _sorted_rows(out / task.name)
    on_dask = run_batch(task, out, engine="dask", workers=2, processes=False)
    dask_rows = _sorted_rows(out / task.name)

    assert dask_rows == local_rows
    assert (on_dask.rows_out, on_dask.errors, on_dask.overall) == (
        local.rows_out,
        local.errors,
        local.overall,
    )
    assert local.rows_out == N_STUDIES + 1 and local.errors == 1
    # the batch judges exactly as the engine does, and as the reviewer's file recorded
    for stored in scored_corpus.iter_appraisals(rubric="rob2"):
        a = stored.appraisal
        row = next(r for r in local_rows if (r["study"], r["reviewer"]) == (a.study, a.reviewer))
        if a.reviewer == "reviewer-b":
            assert "'Sure' to question 1.1 is not allowed" in str(row["error"])
            continue
        assert row["overall"] == a.overall.proposed
        assert {d: row[d] for d in ("D1", "D2", "D3", "D4", "D5")} == {
            d: j.proposed for d, j in a.domains.items()
        }
        assert row["profile"] == a.profile


def test_profile_override_rescores_every_appraisal(scored_corpus: Corpus, tmp_path: Path) -> None:
    out = tmp_path / "export"
    export_corpus(scored_corpus, out)
    run_batch(ScoreTask(load_rubric("rob2"), profile="metapsy"), out)
    rows = [r for r in _sorted_rows(out / "scores-rob2") if not r["error"]]
    assert {r["profile"] for r in rows} == {"metapsy"}
    # without a rater, metapsy's D4 cannot always decide: the batch says what is missing
    undecided = [r for r in rows if not r["complete"]]
    assert all("D4" in json.loads(str(r["missing_json"])) for r in undecided)


def test_export_refuses_a_folder_that_is_not_an_export(corpus: Corpus, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    code = main(["export-parquet", "--corpus", str(corpus.root), "--out", str(out)])
    assert code == 2
    assert (out / "notes.txt").read_text() == "keep me"


def test_cli_export_and_batch_score(
    scored_corpus: Corpus, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "export"
    root = str(scored_corpus.root)
    assert main(["export-parquet", "--corpus", root, "--out", str(out), "--json"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["rows"]["records"] == N_STUDIES
    # a second export replaces the first in place
    assert main(["export-parquet", "--corpus", root, "--out", str(out)]) == 0
    capsys.readouterr()

    code = main(["batch", "score", "--parquet", str(out), "--rubric", "rob2", "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 1  # one appraisal could not be judged: the batch says so and keeps the rest
    assert summary["rows_out"] == N_STUDIES + 1 and summary["errors"] == 1
    assert len(pq.read_table(out / "scores-rob2")) == N_STUDIES + 1


def test_batch_needs_an_export(
    corpus: Corpus, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["batch", "score", "--parquet", str(tmp_path / "nothing"), "--rubric", "rob2"])
    assert code == 2
    assert "export-parquet" in capsys.readouterr().err


def test_missing_extra_is_one_line(
    monkeypatch: pytest.MonkeyPatch,
    corpus: Corpus,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pyarrow" else real(name, *a)
    )
    code = main(["export-parquet", "--corpus", str(corpus.root), "--out", str(tmp_path / "x")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "install appraise[scale]" in err


FULL_TEXTS = [
    "PMC13254492_rct_bcpt_coi-untyped-sec.xml",
    "PMC13249512_protocol_review_coi-sec-type.xml",
    "PMC13244564_letter_small.xml",
]


@pytest.fixture
def full_text_corpus(corpus: Corpus) -> Corpus:
    """Records built from real open-access full texts (Europe PMC fullTextXML in ../shared)."""
    from appraise.ids import parse_identifier
    from appraise.sources.europepmc import parse_fulltext
    from appraise.sources.merge import merge

    for name in FULL_TEXTS:
        data = shared_path("fixtures", "europepmc", "fulltextxml", name).read_bytes()
        fields = parse_fulltext(data)
        corpus.write_record(merge({"europepmc": fields}, {}, parse_identifier(fields["doi"])))
    return corpus


def test_proposals_on_dask_match_one_process_and_never_replace_a_reviewer(
    full_text_corpus: Corpus, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from appraise.evidence import document_from_record

    corpus = full_text_corpus
    rct = corpus.read_record("10.1111/bcpt.70261")
    mine = corpus.write_appraisal(
        _appraisal("10.1111/aas.70273", {"1.1": "Y", "1.2": "Y"}, "reviewer-a", "cochrane")
    )
    before = mine.read_bytes()
    out = tmp_path / "export"
    export_corpus(corpus, out)
    task = ProposeTask(load_rubric("rob2"))

    run_batch(task, out, engine="local")
    local_rows = sorted(pq.read_table(out / task.name).to_pylist(), key=lambda r: r["study"])
    run_batch(task, out, engine="dask", workers=2, processes=False)
    dask_rows = sorted(pq.read_table(out / task.name).to_pylist(), key=lambda r: r["study"])
    assert dask_rows == local_rows
    assert [r["error"] for r in local_rows] == [None] * len(FULL_TEXTS)
    proposed = Appraisal.model_validate_json(
        next(r["appraisal_json"] for r in local_rows if r["study"] == rct.id)
    )
    text = document_from_record(rct).text
    quotes = [q for a in proposed.answers.values() for q in a.quotes]
    assert quotes and all(text[q.start : q.end] == q.text for q in quotes)
    assert {(a.source, a.confirmed) for a in proposed.answers.values()} == {("proposed", False)}

    code = main(
        [
            "batch",
            "propose",
            "--parquet",
            str(out),
            "--rubric",
            "rob2",
            "--corpus",
            str(corpus.root),
            "--write",
            "--json",
        ]
    )
    summary = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (summary["written"], summary["already_appraised"]) == (len(FULL_TEXTS) - 1, 1)
    assert mine.read_bytes() == before
    saved = {s.appraisal.study: s.appraisal for s in corpus.iter_appraisals(rubric="rob2")}
    assert saved["10.1111/aas.70273"].reviewer == "reviewer-a"
    assert saved[rct.id].reviewer == PROPOSER and saved[rct.id].answers == proposed.answers
    # a second run finds every study appraised and writes nothing
    assert (
        main(
            [
                "batch",
                "propose",
                "--parquet",
                str(out),
                "--rubric",
                "rob2",
                "--corpus",
                str(corpus.root),
                "--write",
                "--json",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["written"] == 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--engine", "spark"], "unknown engine 'spark'"),
        (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler needs --engine dask"),
        (["--parquet", "{tmp}", "--out", "{tmp}"], "give --parquet or --output, not both"),
        ([], "say where the Parquet data is"),
        (["--parquet", "{tmp}", "--profile", "nope"], "has no profile 'nope'"),
    ],
)
def test_batch_argument_mistakes_are_one_line(
    extra: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in extra]
    code = main(["batch", "score", "--rubric", "rob2", *args])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and err.count("\n") == 1


def test_export_read_by_processes_matches_one_process(
    scored_corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import appraise.scale.parquet as parquet

    export_corpus(scored_corpus, tmp_path / "serial", workers=1)
    monkeypatch.setattr(parquet, "READ_CHUNK", 2)  # small chunks, so two processes share them
    export_corpus(scored_corpus, tmp_path / "pool", workers=2)
    for table in ("records", "appraisals", "judgements", "edges"):
        assert pq.read_table(tmp_path / "pool" / table) == pq.read_table(
            tmp_path / "serial" / table
        )

    broken = scored_corpus.record_path("10.5555/trial.5")
    broken.write_text(broken.read_text() + "colour: blue\n")
    with pytest.raises(InputError, match=r"trial\.5\.yaml:\d+: colour"):
        export_corpus(scored_corpus, tmp_path / "pool", workers=2)
    # the earlier export is still whole
    assert len(pq.read_table(tmp_path / "pool" / "records")) == N_STUDIES


def test_batch_reports_progress_per_part_and_prints_nothing(
    scored_corpus: Corpus, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "export"
    export_corpus(scored_corpus, out, partitions=3)
    calls: list[tuple[str, int, int]] = []
    summary = run_batch(
        ScoreTask(load_rubric("rob2")), out, progress=lambda *call: calls.append(call)
    )
    total = summary.partitions
    assert total > 1
    assert [(done, of) for _, done, of in calls] == [(n, total) for n in range(1, total + 1)]
    assert all(part.endswith(".parquet") for part, _, _ in calls)
    assert capsys.readouterr() == ("", "")
