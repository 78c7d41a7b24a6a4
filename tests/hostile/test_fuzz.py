"""Fuzzing every parser and loader with hypothesis: real answers and files with one part
replaced by an odd value (a list for a title, a number for a name, null, a deep nest), a part
removed, or bytes cut and spliced. Whatever comes in, the result is data or the project's own
error (one line: a per-record SourceError for an API answer, exit 2 for a user's file), never
a TypeError, KeyError or RecursionError (exit 70).

Examples are kept few (a few seconds a test); CI runs them on every push, so different
examples are tried over time (hypothesis' database is off: no state between runs)."""

from __future__ import annotations

import contextlib
import copy
import csv
import io
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appraise.cli.main import main
from appraise.errors import AppraiseError
from appraise.ids import StudyId
from appraise.imports.metapsy import read_database
from appraise.outputs.robvis import parse_robvis
from appraise.rubrics import load_rubric
from appraise.sources import crossref, europepmc, jats, openalex, pubmed
from appraise.sources.http import NotFound
from appraise.sources.reflist import read_reference_list
from tests.conftest import ROOT, shared_path

# APPRAISE_FUZZ_EXAMPLES: more examples for a long run by hand (benchmarks/hostile_cases.py)
EXAMPLES = int(os.environ.get("APPRAISE_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SLOW_FUZZ = settings(FUZZ, max_examples=max(12, EXAMPLES // 4))

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["", "=cmd|x", "\x1b[2J", "10.1111/x", "Low", "Y", "NaN", "\x00"])
)
odd_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _deep(levels: int = 1000) -> Any:
    value: Any = "bottom"
    for i in range(levels):
        value = [value] if i % 2 else {"k": value}
    return value


odd_or_deep = odd_values | st.just("DEEP")


def _slots(data: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) in ``data``, found without recursion."""
    found: list[tuple[Any, Any]] = []
    stack = [data]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in list(items):
            found.append((node, key))
            if isinstance(value, dict | list):
                stack.append(value)
    return found


@st.composite
def mutated(draw: st.DrawFn, original: Any, changes: int = 3) -> Any:
    """``original`` (JSON-like) with a few slots replaced by odd values or removed."""
    data = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, changes))):
        slots = _slots(data)
        if not slots:
            return draw(odd_values)
        container, key = draw(st.sampled_from(slots))
        action = draw(st.sampled_from(["replace", "replace", "delete"]))
        if action == "delete" and isinstance(container, dict):
            del container[key]
        else:
            value = draw(odd_or_deep)
            container[key] = _deep() if value == "DEEP" else value
    return data


@st.composite
def spliced(draw: st.DrawFn, original: bytes) -> bytes:
    """``original`` cut short, with bytes inserted, or with a stretch repeated."""
    data = original
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["cut", "insert", "repeat"]))
        if action == "cut":
            data = data[:at]
        elif action == "insert":
            extra = draw(
                st.sampled_from([b"<sec>", b"</p>", b"&amp;", b"\x00", b"<x a='1'>", b"]]>"])
            )
            data = data[:at] + extra * draw(st.integers(1, 400)) + data[at:]
        else:
            data = data[:at] + data[at : at + 200] * 5 + data[at:]
    return data


def _json(*parts: str) -> Any:
    return json.loads(shared_path("fixtures", *parts).read_text())


def _parses_or_refuses(parse: Any, *args: Any) -> None:
    with contextlib.suppress(AppraiseError, NotFound):  # the project's own error, one line
        parse(*args)


# --- API answers ---------------------------------------------------------------------------
CROSSREF_WORK = "works_10.1136_esmoopen-2020-000776.json"
OPENALEX_WORK = "work_W2741809807_10.7717_peerj.4375.json"


@FUZZ
@given(data=st.data())
def test_crossref_parsers(data: st.DataObject) -> None:
    work = _json("crossref", CROSSREF_WORK)
    payload = data.draw(mutated(work))
    _parses_or_refuses(crossref.parse_work, payload)
    doi = "10.1136/esmoopen-2020-000776"
    listing = {
        "status": "ok",
        "message": {"items": [payload.get("message") if isinstance(payload, dict) else payload]},
    }
    _parses_or_refuses(crossref.parse_work_list, listing, [doi])


@FUZZ
@given(data=st.data())
def test_openalex_parsers(data: st.DataObject) -> None:
    work = data.draw(mutated(_json("openalex", OPENALEX_WORK)))
    _parses_or_refuses(openalex.parse_work, work)
    _parses_or_refuses(openalex.parse_work_list, {"results": [work]}, ["10.7717/peerj.4375"])


@FUZZ
@given(data=st.data())
def test_europepmc_search_parser(data: st.DataObject) -> None:
    payload = data.draw(mutated(_json("europepmc", "search", "pyeuropepmc_search_cancer.json")))
    _parses_or_refuses(europepmc.parse_search, payload, StudyId("doi", "10.1000/x"))


@FUZZ
@given(payload=odd_values)
def test_pubmed_esearch_parsers(payload: Any) -> None:
    shaped = {"esearchresult": {"idlist": payload, "count": payload}}
    for body in (payload, shaped):
        _parses_or_refuses(pubmed.parse_esearch, body)
        _parses_or_refuses(pubmed.parse_esearch_ids, body)


@FUZZ
@given(data=st.data())
def test_pubmed_efetch_parsers(data: st.DataObject) -> None:
    original = shared_path("fixtures", "pubmed", "efetch_pmid23435529_rct_metapub.xml").read_bytes()
    body = data.draw(spliced(original))
    _parses_or_refuses(pubmed.parse_efetch_all, body)
    _parses_or_refuses(pubmed.parse_efetch, body, "23435529")


@FUZZ
@given(data=st.data())
def test_jats_and_europepmc_full_text(data: st.DataObject) -> None:
    folder = shared_path("fixtures", "europepmc", "fulltextxml")
    original = sorted(folder.glob("*.xml"))[0].read_bytes()
    body = data.draw(spliced(original))
    _parses_or_refuses(jats.parse_jats, body)
    _parses_or_refuses(europepmc.parse_fulltext, body)


# --- a user's files ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def iapt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz") / "iapt"
    shutil.copytree(ROOT / "corpus" / "iapt", root)
    return root


def _exit_is_not_a_bug(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code = main(argv)
    err = capsys.readouterr().err
    assert code != 70, err
    assert "Traceback" not in err
    if code == 2:
        assert len(err.strip().splitlines()) == 1, err


def _write_yaml(path: Path, data: Any) -> None:
    try:
        path.write_text(yaml.safe_dump(data, allow_unicode=True))
    except RecursionError:  # too deep for the dumper itself: write the flow style by hand
        path.write_text("x: " + "[" * 1000 + "]" * 1000 + "\n")


@FUZZ
@given(data=st.data())
def test_appraisal_files(
    data: st.DataObject, iapt: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = sorted((iapt / "appraisals").rglob("*.yaml"))[0]
    original = getattr(test_appraisal_files, "original", None) or yaml.safe_load(path.read_text())
    test_appraisal_files.original = original  # type: ignore[attr-defined]
    _write_yaml(path, data.draw(mutated(original)))
    from appraise.corpus import Corpus
    from appraise.review.check import check_appraisal_file

    check_appraisal_file(Corpus(iapt), path)  # problems are returned, never raised
    _exit_is_not_a_bug(["table", "-c", str(iapt), "--allow-invalid"], capsys)
    path.write_text(yaml.safe_dump(original, allow_unicode=True))


@FUZZ
@given(data=st.data())
def test_record_files(data: st.DataObject, iapt: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = iapt / "records" / "10.1111_bjc.12259.yaml"
    original = getattr(test_record_files, "original", None) or yaml.safe_load(path.read_text())
    test_record_files.original = original  # type: ignore[attr-defined]
    _write_yaml(path, data.draw(mutated(original)))
    _exit_is_not_a_bug(["show", "10.1111/bjc.12259", "-c", str(iapt)], capsys)
    path.write_text(yaml.safe_dump(original, allow_unicode=True))


@SLOW_FUZZ
@given(data=st.data())
def test_claims_files(data: st.DataObject, iapt: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = iapt / "claims.yaml"
    original = getattr(test_claims_files, "original", None) or yaml.safe_load(path.read_text())
    test_claims_files.original = original  # type: ignore[attr-defined]
    _write_yaml(path, data.draw(mutated(original)))
    _exit_is_not_a_bug(["claims", "-c", str(iapt)], capsys)
    path.write_text(yaml.safe_dump(original, allow_unicode=True))


@FUZZ
@given(data=st.data())
def test_rubric_files(
    data: st.DataObject, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = yaml.safe_load((ROOT / "rubrics" / "rob1.yaml").read_text())
    path = tmp_path / "rubric.yaml"
    _write_yaml(path, data.draw(mutated(original)))
    _exit_is_not_a_bug(["rubric", "validate", str(path)], capsys)


@FUZZ
@given(
    answers=st.dictionaries(st.sampled_from(["1.1", "1.2", "2.1", "domains", "x"]), odd_values)
    | odd_values
)
def test_answers_files(answers: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers))
    _exit_is_not_a_bug(["rubric", "evaluate", "rob2", "--answers", str(path)], capsys)


def _csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


cells = st.sampled_from(
    [
        "Study",
        "D1",
        "D2",
        "D3",
        "D4",
        "D5",
        "Overall",
        "Weight",
        "Low",
        "High",
        "Some concerns",
        "x",
        "",
        "-1",
        "1e309",
        "=1+1",
    ]
) | st.text(max_size=6)


@FUZZ
@given(header=st.booleans(), rows=st.lists(st.lists(cells, max_size=9), max_size=6))
def test_robvis_import(header: bool, rows: list[list[str]]) -> None:
    rubric = load_rubric("rob2")
    head = [["Study", "D1", "D2", "D3", "D4", "D5", "Overall", "Weight"]] if header else []
    _parses_or_refuses(parse_robvis, _csv_text(head + rows), rubric)


@FUZZ
@given(
    rows=st.lists(st.lists(cells, min_size=1, max_size=8), max_size=5),
    sep=st.sampled_from([",", ";"]),
)
def test_metapsy_database(rows: list[list[str]], sep: str, tmp_path: Path) -> None:
    header = ["study", "rob_d1", "rob_d2", "rob_d3", "rob_d4", "rob_d5", "g", "g_se"]
    path = tmp_path / "db.csv"
    path.write_text("\n".join(sep.join(r) for r in [header, *rows]) + "\n")
    _parses_or_refuses(read_database, path)


@FUZZ
@given(
    kind=st.sampled_from(["ris", "bib", "json", "nbib", "txt"]),
    payload=odd_values,
    text=st.text(max_size=80),
)
def test_reference_lists(kind: str, payload: Any, text: str, tmp_path: Path) -> None:
    path = tmp_path / f"refs.{kind}"
    starts = {"ris": "TY  - JOUR\n", "bib": "@article{x,\n", "nbib": "PMID- 1\n", "txt": ""}
    path.write_text(json.dumps(payload) if kind == "json" else starts[kind] + text)
    _parses_or_refuses(read_reference_list, path)


# --- what the fuzzing found, kept as plain tests --------------------------------------------
def test_a_control_character_in_a_key_keeps_the_error_on_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"\r": "Y", "\x1e": "N"}))
    assert main(["rubric", "evaluate", "rob2", "--answers", str(path)]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_robvis_file_whose_first_row_is_empty() -> None:
    with pytest.raises(AppraiseError, match="first column must be 'Study'"):
        parse_robvis("\nStudy,D1\n", load_rubric("rob2"))
