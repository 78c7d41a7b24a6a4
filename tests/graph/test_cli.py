"""`appraise trace`, `appraise claims` and `appraise graph export|draw` end to end."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import networkx as nx
import pytest

from appraise.cli.main import main
from appraise.corpus import Corpus

ROOT = Path(__file__).resolve().parents[2]


def test_trace_prints_the_tree_and_the_figures(
    guideline_corpus: Corpus, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trace", "iapt-works", "--corpus", str(guideline_corpus.root)]) == 0
    out, err = capsys.readouterr()
    assert "claim iapt-works: Claim iapt-works" in out
    assert "R Wakefield 2015 [review]" in out
    assert "x Clark & Layard 2015 — High (D4 Measurement of the outcome" in out
    assert "2 of 5 studies (40%)" in out
    assert "yes: 1 low-risk study (Jones 2015)" in out
    assert "1 weakening study not cited by" in out
    assert "3 of 6 supportive paths (50%) run through 1 work(s) with no primary data" in out
    assert "not in the corpus" in err


def test_trace_json_and_figure(
    guideline_corpus: Corpus, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figure = tmp_path / "trace.svg"
    code = main(
        [
            "trace",
            "gsh-effective",
            "-c",
            str(guideline_corpus.root),
            "--json",
            "--figure",
            str(figure),
        ]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["claim"]["id"] == "gsh-effective"
    assert data["summary"]["by_category"] == {"high": 2, "concerns": 1, "low": 1, "unappraised": 1}
    assert data["summary"]["independent_replication"]["status"] == "no"
    assert {s["id"] for s in data["studies"]} >= {"10.1000/t1", "10.9999/not-in-corpus"}
    assert figure.read_bytes().startswith(b"<?xml")


def test_claims_lists_worst_first(
    guideline_corpus: Corpus, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["claims", "--corpus", str(guideline_corpus.root), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [c["claim"]["id"] for c in data] == ["gsh-effective", "iapt-works"]
    assert main(["claims", "--corpus", str(guideline_corpus.root)]) == 0
    assert "gsh-effective" in capsys.readouterr().out


def test_graph_export_and_draw(
    guideline_corpus: Corpus, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "graph.graphml"
    assert (
        main(
            [
                "graph",
                "export",
                "--format",
                "graphml",
                "--output",
                str(out),
                "--corpus",
                str(guideline_corpus.root),
            ]
        )
        == 0
    )
    assert nx.read_graphml(out).nodes["10.1000/t2"]["judgement"] == "High"
    fig = tmp_path / "fig.png"
    assert (
        main(
            [
                "graph",
                "draw",
                "gsh-effective",
                "--output",
                str(fig),
                "--corpus",
                str(guideline_corpus.root),
            ]
        )
        == 0
    )
    assert fig.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["trace", "iapt-work"], 2, "no claim 'iapt-work' in"),
        (["trace", "iapt-work"], 2, "did you mean 'iapt-works'?"),
        (["trace", "iapt-works", "--rubric", "rob3"], 2, "unknown rubric 'rob3'"),
        (
            ["trace", "iapt-works", "--figure", "x.gif"],
            2,
            "cannot tell the figure format of 'x.gif'",
        ),
        (
            ["graph", "export", "--output", "x.txt"],
            2,
            "cannot tell the graph format of 'x.txt'",
        ),
        (
            ["graph", "draw", "iapt-works", "--output", "x.png", "--palette", "neon"],
            2,
            "unknown palette 'neon'",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    guideline_corpus: Corpus,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    code: int,
    message: str,
) -> None:
    assert main([*argv, "--corpus", str(guideline_corpus.root)]) == code
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_missing_corpus_or_claims_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["claims", "--corpus", str(tmp_path / "nowhere")]) == 2
    assert "no corpus folder at" in capsys.readouterr().err
    assert main(["trace", "x", "--corpus", str(tmp_path)]) == 2
    assert "no claims file at" in capsys.readouterr().err


def test_duplicate_claim_ids_exit_2_with_file_and_line(
    corpus: Corpus, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus.root.mkdir(parents=True)
    corpus.claims_path.write_text(
        "claims:\n"
        "  - {id: a, text: A, made_in: {source: S}}\n"
        "  - {id: a, text: B, made_in: {source: S}}\n",
        encoding="utf-8",
    )
    assert main(["claims", "--corpus", str(corpus.root)]) == 2
    assert f"{corpus.claims_path}:3: claim id 'a' is used twice" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["iapt", "metapsy-ptsd"])
def test_every_claim_of_the_shipped_corpora_traces(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shipped = ROOT / "corpus" / name
    if not (shipped / "claims.yaml").exists():
        pytest.skip(f"the shipped corpus {name} is not in this checkout")
    # A copy, so the build cache is written to the test's folder, not the checkout.
    root = shutil.copytree(shipped, tmp_path / name, ignore=shutil.ignore_patterns(".appraise"))
    assert main(["claims", "--corpus", str(root), "--json"]) == 0
    claims = json.loads(capsys.readouterr().out)
    assert claims
    for entry in claims:
        summary = entry["summary"]
        assert summary["supporting_studies"] + summary["weakening_studies"] > 0, entry["claim"]
