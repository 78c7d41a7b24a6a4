"""Every command chooses the same rubric when none is named (issue 14's second reproduction).

Without ``default_rubric`` in corpus.yaml, `table` and `report` used to fall back to the most used
rubric (psychotherapy here) while `claims` and `trace` fell back to rob2. There is one rule now
(appraise.appraisals.default_rubric): corpus.yaml, else the rubric the appraisals use, else rob2.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from appraise.cli.main import main
from appraise.corpus import Corpus
from tests.graph.corpora import add_appraisal, add_study, claim, write_claims

PSYCHOTHERAPY_DOMAINS = {f"D{i}": "Low" for i in range(1, 8)}


@pytest.fixture
def psychotherapy_corpus(corpus: Corpus) -> Corpus:
    for doi, overall in (("10.1000/p1", "High"), ("10.1000/p2", "Low")):
        add_study(corpus, doi)
        add_appraisal(
            corpus,
            doi,
            overall,
            rubric="psychotherapy",
            domains={**PSYCHOTHERAPY_DOMAINS, "D3": overall},
        )
    write_claims(corpus, [claim("works", "10.1000/p1", "10.1000/p2")])
    assert not corpus.info_path.exists()
    return corpus


def _json(capsys: pytest.CaptureFixture[str], args: list[str]) -> object:
    assert main(args) == 0
    return json.loads(capsys.readouterr().out)


def test_table_report_claims_and_trace_use_the_appraisals_rubric(
    psychotherapy_corpus: Corpus, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = ["--corpus", str(psychotherapy_corpus.root)]
    table = _json(capsys, ["table", *root, "--format", "json"])
    report = _json(
        capsys, ["report", str(psychotherapy_corpus.root), "--out", str(tmp_path / "r"), "--json"]
    )
    claims = _json(capsys, ["claims", *root, "--json"])
    trace = _json(capsys, ["trace", "works", *root, "--json"])
    assert isinstance(table, dict) and isinstance(report, dict)
    assert isinstance(claims, list) and isinstance(trace, dict)
    rubrics = {
        "table": table["rubric"]["id"],
        "report": report["rubric"],
        "claims": claims[0]["rubric"],
        "trace": trace["rubric"],
    }
    assert rubrics == dict.fromkeys(rubrics, "psychotherapy")
    assert trace["summary"]["by_category"]["high"] == 1


def test_corpus_yaml_names_the_rubric_for_every_command(
    psychotherapy_corpus: Corpus, capsys: pytest.CaptureFixture[str]
) -> None:
    psychotherapy_corpus.info_path.write_text("name: x\ndefault_rubric: rob2\n", encoding="utf-8")
    root = ["--corpus", str(psychotherapy_corpus.root)]
    claims = _json(capsys, ["claims", *root, "--json"])
    trace = _json(capsys, ["trace", "works", *root, "--json"])
    assert isinstance(claims, list) and isinstance(trace, dict)
    assert (claims[0]["rubric"], trace["rubric"]) == ("rob2", "rob2")
    assert main(["table", *root, "--format", "json"]) == 2
    assert "no rob2 appraisals" in capsys.readouterr().err
