"""A claims.yaml with mistakes in it: one clear message naming file and line."""

from __future__ import annotations

import pytest

from appraise.corpus import Corpus
from appraise.errors import DataFileError
from appraise.graph import build_graph

GOOD = """\
claims:
  - id: first
    text: Guided self-help works.
    made_in: {source: NICE CG90}
    cites:
      - target: 10.1000/a
  - id: second
    text: IAPT works.
    made_in: {source: Wakefield 2021}
    cites:
      - {target: "claim:first", kind: supports}
"""


def _write(corpus: Corpus, text: str) -> None:
    corpus.root.mkdir(parents=True, exist_ok=True)
    corpus.claims_path.write_text(text, encoding="utf-8")


def test_a_good_file_loads(corpus: Corpus) -> None:
    _write(corpus, GOOD)
    assert sorted(build_graph(corpus, "rob2").claims) == ["first", "second"]


def test_duplicate_claim_ids_name_the_line(corpus: Corpus) -> None:
    _write(corpus, GOOD.replace("id: second", "id: first"))
    with pytest.raises(DataFileError) as caught:
        build_graph(corpus, "rob2")
    assert str(caught.value).startswith(f"{corpus.claims_path}:7: claim id 'first' is used twice")
    assert "first at line 2" in str(caught.value)


def test_a_typo_in_a_key_names_the_key_and_line(corpus: Corpus) -> None:
    _write(corpus, GOOD.replace("      - target: 10.1000/a", "      - targt: 10.1000/a"))
    with pytest.raises(DataFileError) as caught:
        build_graph(corpus, "rob2")
    assert f"{corpus.claims_path}:6:" in str(caught.value)
    assert "targt" in str(caught.value)


def test_an_unknown_kind_lists_the_allowed_ones(corpus: Corpus) -> None:
    _write(corpus, GOOD.replace("kind: supports", "kind: refutes"))
    with pytest.raises(DataFileError, match=r"claims.yaml:11: .*'supports', 'weakens'"):
        build_graph(corpus, "rob2")


def test_citing_an_unknown_claim_suggests_the_right_one(corpus: Corpus) -> None:
    _write(corpus, GOOD.replace('"claim:first"', '"claim:frist"'))
    with pytest.raises(
        DataFileError,
        match=r":11: claim 'second' cites unknown claim 'frist'.*"
        r"did you mean 'claim:first'",
    ):
        build_graph(corpus, "rob2")


def test_a_target_that_is_no_identifier_is_named(corpus: Corpus) -> None:
    _write(corpus, GOOD.replace("target: 10.1000/a", "target: Smith 2010"))
    with pytest.raises(DataFileError, match=r":6: claim 'first' cites 'Smith 2010'"):
        build_graph(corpus, "rob2")


def test_broken_yaml_names_the_line(corpus: Corpus) -> None:
    _write(corpus, GOOD.replace("text: IAPT works.", "text: [IAPT works."))
    with pytest.raises(DataFileError, match="not valid YAML"):
        build_graph(corpus, "rob2")


def test_an_empty_claims_file_has_no_claims(corpus: Corpus) -> None:
    _write(corpus, "")
    assert build_graph(corpus, "rob2").claims == {}


def test_a_list_at_the_top_asks_for_claims_key(corpus: Corpus) -> None:
    _write(corpus, "- id: a\n")
    with pytest.raises(DataFileError, match=r"claims.yaml:1: expected 'claims:' and a list"):
        build_graph(corpus, "rob2")
