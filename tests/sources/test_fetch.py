"""`appraise fetch` / `show` and fetch_records against a local server replaying the fixtures."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from werkzeug import Request, Response

from appraise.cli.main import main
from appraise.corpus import Corpus
from appraise.errors import InputError, NotFoundError
from appraise.ids import StudyId
from appraise.models import Author, Reference, Retrieval, StudyRecord, TrialRegistration
from appraise.sources import fetch_record, fetch_records
from appraise.sources.http import HttpSettings
from appraise.sources.merge import merge
from appraise.sources.registrations import find_registrations

FAST = HttpSettings(connect_timeout=1, read_timeout=2, attempts=2, backoff=0.01, max_backoff=0.02)

CROSSREF_TRIAL = "10.1136/esmoopen-2020-000776"  # Crossref: funders, two NCT numbers
OPENALEX_WORK = "10.7717/peerj.4375"  # OpenAlex: referenced works, authorships
OA_TRIAL = "10.1111/bcpt.70261"  # Europe PMC full text: untyped COI section, NCT id
BJSO = "10.1111/bjso.70094"  # Europe PMC full text with a sec-type COI
PUBMED_RCT = "10.1177/1352458517722646"  # PubMed: RCT, CoiStatement with <b> markup
UNKNOWN = "10.1371/notarealdoi"


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(HttpSettings, "from_env", classmethod(lambda cls: FAST))


def _run(*argv: str) -> tuple[int, str, str]:
    """main() with captured stdout/stderr (capsys does not see rich consoles made earlier)."""
    import contextlib
    import io

    from appraise.cli import common

    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(argv))
    finally:
        # The consoles follow sys.stdout/sys.stderr while their file is unset.
        common.console.file = common.err_console.file = None  # type: ignore[assignment]
    return code, out.getvalue(), err.getvalue()


def _no_partial_files(root: Path) -> None:
    assert not [p for p in root.rglob("*.tmp")], "a partial file was left behind"


def test_fetch_merges_every_source_and_show_prints_it(replay, tmp_path) -> None:
    corpus = tmp_path / "corpus"
    ids = [
        f"https://doi.org/{CROSSREF_TRIAL}",
        f"doi:{OPENALEX_WORK}",
        OA_TRIAL,
        BJSO,
        PUBMED_RCT,
        "pmid:35123456",
        UNKNOWN,
        f"{BJSO.upper()}.",
    ]
    code, out, err = _run("fetch", *ids, "--corpus", str(corpus), "--mailto", "me@example.org")
    assert code == 1, err  # one DOI is unknown everywhere
    assert "Traceback" not in err
    assert f"{UNKNOWN}: not found at Crossref, OpenAlex, Europe PMC or PubMed" in err
    assert "6 of 7 record(s) saved" in err  # the duplicate spelling of BJSO was dropped
    _no_partial_files(corpus)
    store = Corpus(corpus)

    trial = store.read_record(OA_TRIAL)
    assert trial.pmcid == "PMC13254492" and trial.pmid == "42272128"
    assert trial.coi_statement == "The authors declare no conflicts of interest."
    assert any(s.kind == "methods" for s in trial.sections)
    assert [r.registry for r in trial.trial_registrations] == ["ClinicalTrials.gov"]
    assert trial.sources["coi_statement"] == "europepmc"
    assert trial.retrieved["crossref"].status == "not found"
    assert trial.retrieved["europepmc-fulltext"].status == "ok"

    bjso = store.read_record(BJSO)  # PubMed was asked by the PMID Europe PMC gave
    assert bjso.pmid == "42141529" and bjso.retrieved["pubmed"].status == "not found"
    assert "senior administrative role" in bjso.coi_statement

    rct = store.read_record(PUBMED_RCT)
    assert "Randomized Controlled Trial" in rct.publication_types
    assert rct.sources["publication_types"] == "pubmed"

    by_pmid = store.read_record("pmid:35123456")
    assert by_pmid.id == "10.1186/s12891-022-05070-w"  # the DOI PubMed gave is the id

    crossref_trial = store.read_record(CROSSREF_TRIAL)
    assert crossref_trial.funders[0].awards == ["JP18lk0201037"]
    assert {r.id for r in crossref_trial.trial_registrations} == {"NCT03797326", "NCT04008797"}

    code, out, err = _run("show", PUBMED_RCT, "--corpus", str(corpus), "--json")
    assert code == 0, err
    shown = json.loads(out)
    for key in (
        "doi",
        "title",
        "year",
        "authors",
        "journal",
        "abstract",
        "funders",
        "coi_statement",
        "trial_registrations",
        "references",
        "sources",
        "appraisals",
    ):
        assert key in shown
    assert shown["authors"][0]["family"] == "Rolf" and shown["authors"][0]["given"] == "Linda"
    assert len(shown["references"]) == 34 and shown["references"][0]["pmid"] == "20428908"
    assert shown["appraisals"] == []

    code, out, err = _run("show", OA_TRIAL, "--corpus", str(corpus))
    assert code == 0 and "Conflicts of interest: The authors declare no conflicts" in out
    assert "NCT01304069 (ClinicalTrials.gov)" in out


def test_second_run_makes_no_requests_and_refresh_asks_again(replay, corpus) -> None:
    first = fetch_records([CROSSREF_TRIAL, OA_TRIAL, UNKNOWN], corpus)
    asked = len(replay.paths)
    assert first.network_requests == asked > 0
    second = fetch_records([CROSSREF_TRIAL, OA_TRIAL, UNKNOWN], corpus)
    assert second.network_requests == 0 and len(replay.paths) == asked
    assert [s.record.id for s in second.saved] == [CROSSREF_TRIAL, OA_TRIAL]
    assert second.saved[0].record.model_dump() == first.saved[0].record.model_dump()
    fetch_records([CROSSREF_TRIAL], corpus, refresh=True)
    assert len(replay.paths) > asked


def test_a_rerun_reuses_complete_records_until_their_file_changes(replay, corpus) -> None:
    fetch_records([CROSSREF_TRIAL, OA_TRIAL], corpus)
    again = fetch_records([CROSSREF_TRIAL, OA_TRIAL], corpus)
    assert again.network_requests == 0
    assert [s.from_corpus for s in again.saved] == [True, True]  # nor the HTTP cache was read
    path = corpus.record_path(CROSSREF_TRIAL)
    path.write_text(path.read_text() + "\n")  # a hand edit: the remembered copy no longer counts
    asked = len(replay.paths)
    edited = fetch_records([CROSSREF_TRIAL, OA_TRIAL], Corpus(corpus.root))
    assert [s.from_corpus for s in edited.saved] == [False, True]
    # Issue 15: the first run asked in a batch, whose cached answer is keyed by both DOIs; the
    # edited record alone is asked by its own requests (what is cached alone is not asked).
    again_asked = replay.paths[asked:]
    assert 0 < len(again_asked) <= 4
    assert all("esmoopen-2020-000776" in path for path in again_asked)


def test_offline_serves_corpus_and_cache_only(replay, corpus) -> None:
    report = fetch_records([CROSSREF_TRIAL], corpus, offline=True)
    assert replay.paths == []
    assert report.failures[0].reason.startswith("not in the corpus or the cache")
    fetch_records([CROSSREF_TRIAL], corpus)
    asked = len(replay.paths)
    corpus.record_path(CROSSREF_TRIAL).unlink()
    corpus = Corpus(corpus.root)  # a new run, which has not seen the deleted file
    rebuilt = fetch_records([CROSSREF_TRIAL], corpus, offline=True)  # from the cache alone
    assert rebuilt.ok and len(replay.paths) == asked
    assert corpus.read_record(CROSSREF_TRIAL).funders


def test_invalid_identifier_stops_before_any_request(replay, tmp_path) -> None:
    code, _out, err = _run("fetch", CROSSREF_TRIAL, "10.12/x", "--corpus", str(tmp_path))
    assert code == 2 and replay.paths == []
    assert err.strip() == (
        "appraise: error: '10.12/x' is not a DOI (a DOI starts with 10., a 4-9 digit "
        "registrant, a slash and a suffix, e.g. 10.1111/bjc.12259)"
    )


def test_identifiers_from_a_file(replay, tmp_path) -> None:
    listing = tmp_path / "ids.txt"
    listing.write_text(f"# trials\n{CROSSREF_TRIAL}\n\n{PUBMED_RCT}  # PubMed only\n")
    code, _out, err = _run("fetch", "--from", str(listing), "--corpus", str(tmp_path / "c"))
    assert code == 0, err
    assert "2 of 2 record(s) saved" in err


def test_a_failing_source_keeps_the_rest_and_exits_1(replay, replay_data, tmp_path) -> None:
    def crossref_down(request: Request) -> Response:
        if request.path.startswith("/crossref/"):
            return Response(
                "<html><body>502 Bad Gateway</body></html>", status=503, content_type="text/html"
            )
        return replay_data.answer(request)

    replay.handler = crossref_down
    corpus = tmp_path / "c"
    code, _out, err = _run("fetch", CROSSREF_TRIAL, OA_TRIAL, "--corpus", str(corpus))
    assert code == 1 and "Traceback" not in err
    assert f"{CROSSREF_TRIAL}: Crossref: server error (HTTP 503)" in err
    assert f"{OA_TRIAL}: saved without Crossref: server error (HTTP 503)" in err
    assert Corpus(corpus).read_record(OA_TRIAL).coi_statement  # what the others gave is kept
    assert not Corpus(corpus).record_path(CROSSREF_TRIAL).exists()
    _no_partial_files(corpus)


def test_connection_refused_everywhere_is_one_line_per_record(
    monkeypatch, tmp_path, fast_limits
) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    for name in ("CROSSREF", "OPENALEX", "EUROPEPMC", "PUBMED"):
        monkeypatch.setenv(f"APPRAISE_{name}_URL", dead)
    code, _out, err = _run("fetch", CROSSREF_TRIAL, "--corpus", str(tmp_path))
    assert code == 1 and "Traceback" not in err
    assert (
        f"  {CROSSREF_TRIAL}: not fetched (Crossref, OpenAlex, Europe PMC, PubMed unreachable)"
        in err
    )
    assert "could not reach Crossref, OpenAlex, Europe PMC, PubMed (connection refused)" in err
    assert "--offline" in err
    assert not (tmp_path / "records").exists()


def test_fetch_record_raises_not_found(replay, corpus) -> None:
    with pytest.raises(NotFoundError, match="not found at Crossref"):
        fetch_record(UNKNOWN, corpus)
    with pytest.raises(InputError):
        fetch_record("not a doi", corpus)
    assert fetch_record(PUBMED_RCT, corpus).pmid == "28731372"


def test_manual_record_is_refreshed_and_keeps_what_apis_lack(replay, corpus) -> None:
    manual = StudyRecord(
        id=PUBMED_RCT,
        doi=PUBMED_RCT,
        title="Vitamin D and EBV (typed by hand)",
        notes="x",
        url="https://example.org/paper",
        sources={"title": "manual", "url": "manual"},
    )
    corpus.write_record(manual)
    fetched = fetch_record(PUBMED_RCT, corpus)
    assert fetched.title.startswith("Exploring the effect of vitamin D3")
    assert fetched.sources["title"] == "pubmed"
    assert fetched.url == "https://example.org/paper" and fetched.sources["url"] == "manual"
    assert fetched.notes == "x"


def test_killed_run_keeps_every_record_already_saved(replay, replay_data, tmp_path) -> None:
    """SIGKILL a batch while one record hangs: the finished records are whole on disk."""

    def hang_on_one(request: Request) -> Response:
        if request.path == "/europepmc/search" and UNKNOWN in request.args.get("query", ""):
            time.sleep(5)  # after its first answers, so the limits have been raised
        response = replay_data.answer(request)
        # the child process starts from the documented limits; let it go fast after one answer
        response.headers.update(
            {"x-rate-limit-limit": "500", "x-rate-limit-interval": "1s", "x-concurrency-limit": "8"}
        )
        return response

    replay.handler = hang_on_one
    corpus = tmp_path / "c"
    env = {**os.environ, "APPRAISE_HTTP_TIMEOUT": "30", "APPRAISE_HTTP_ATTEMPTS": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from appraise.cli.main import run; run()",
            "fetch",
            CROSSREF_TRIAL,
            PUBMED_RCT,
            UNKNOWN,
            "--corpus",
            str(corpus),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(list(corpus.glob("records/*.yaml"))) < 2:
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    store = Corpus(corpus)
    assert {r.id for r in store.iter_records()} == {CROSSREF_TRIAL, PUBMED_RCT}
    _no_partial_files(corpus)


# --- merge and registrations ------------------------------------------------------------------
def test_merge_precedence_provenance_and_pooled_registrations() -> None:
    nct = TrialRegistration(registry="ClinicalTrials.gov", id="NCT01234567")
    isrctn = TrialRegistration(registry="ISRCTN", id="ISRCTN12345678")
    parts = {
        "crossref": {
            "doi": "10.1/x",
            "title": "Crossref title",
            "trial_registrations": [nct],
            "authors": [Author(family="Smith", given="A")],
            "references": [Reference(doi="10.1/a")],
        },
        "openalex": {
            "title": "OpenAlex title",
            "is_retracted": True,
            "authors": [Author(family="Smith", orcid="0000-0001-2345-6789", affiliations=["Univ"])],
            "references": [Reference(openalex="W1"), Reference(openalex="W2")],
        },
        "pubmed": {"abstract": "METHODS: ...", "trial_registrations": [nct, isrctn]},
    }
    stamp = {"crossref": Retrieval(when="2026-01-01T00:00:00Z")}
    record = merge(parts, stamp, StudyId("doi", "10.1/x"))  # type: ignore[arg-type]
    assert record.id == "10.1/x" and record.title == "Crossref title"
    assert record.sources["title"] == "crossref" and record.sources["abstract"] == "pubmed"
    assert record.is_retracted is True and record.sources["is_retracted"] == "openalex"
    assert record.trial_registrations == [nct, isrctn]
    assert record.sources["trial_registrations"] == "crossref+pubmed"
    assert len(record.references) == 2 and record.sources["references"] == "openalex"
    assert record.authors[0].given == "A" and record.authors[0].orcid == "0000-0001-2345-6789"
    assert record.authors[0].affiliations == ["Univ"]
    assert "crossref" in record.retrieved


def test_find_registrations_in_prose() -> None:
    text = (
        "Registered at ClinicalTrials.gov (NCT 01234567) and ISRCTN:12345678; "
        "ACTRN12615000123456, DRKS00012345, ChiCTR-IOR-17013110, EudraCT 2004-001234-56, "
        "CTRI/2018/05/014012, IRCT2014010716121N1, Netherlands Trial Register NL7234, "
        "PROSPERO CRD42020123456. Again NCT01234567. Phone 2004-001234-5 is not one."
    )
    found = [(r.registry, r.id) for r in find_registrations(text)]
    assert found == [
        ("ClinicalTrials.gov", "NCT01234567"),
        ("ISRCTN", "ISRCTN12345678"),
        ("ANZCTR", "ACTRN12615000123456"),
        ("DRKS", "DRKS00012345"),
        ("ChiCTR", "ChiCTR-IOR-17013110"),
        ("EudraCT", "2004-001234-56"),
        ("CTRI", "CTRI/2018/05/014012"),
        ("IRCT", "IRCT2014010716121N1"),
        ("Netherlands Trial Register", "NL7234"),
        ("PROSPERO", "CRD42020123456"),
    ]
    assert find_registrations("sample size NL1234 participants") == []


def test_a_doi_with_dot_segments_is_refused_before_any_request(replay, corpus) -> None:
    """No DOI has a '.' or '..' segment; sent, one would name another resource (issue 19)."""
    from appraise.errors import InputError

    for odd in ("10.1234/../../x", "10.1234/%2E%2E/x"):
        with pytest.raises(InputError, match="path segment"):
            fetch_record(odd, corpus)
    assert not corpus.records_dir.exists() or not any(corpus.records_dir.iterdir())


def test_show_lists_the_studys_appraisals(corpus) -> None:
    from appraise.models import Appraisal, Judgement

    corpus.write_record(StudyRecord(id=PUBMED_RCT, doi=PUBMED_RCT, title="Vitamin D and EBV"))
    corpus.write_appraisal(
        Appraisal(
            study=PUBMED_RCT,
            rubric="rob2",
            rubric_version="2019-08-22",
            reviewer="ab",
            status="complete",
            overall=Judgement(proposed="Some concerns", judgement="High"),
        )
    )
    code, out, err = _run("show", PUBMED_RCT, "--corpus", str(corpus.root), "--json")
    assert code == 0, err
    (appraisal,) = json.loads(out)["appraisals"]
    assert appraisal["rubric"] == "rob2" and appraisal["reviewer"] == "ab"
    assert appraisal["overall"] == "High" and appraisal["status"] == "complete"
    assert appraisal["path"].endswith("rob2--study--ab.yaml")
    code, out, _err = _run("show", PUBMED_RCT, "--corpus", str(corpus.root))
    assert "rob2 / study / ab (complete): High" in out


def test_show_unknown_study_is_one_line(corpus) -> None:
    code, out, err = _run("show", "10.9999/none", "--corpus", str(corpus.root))
    assert code == 2 and out == ""
    assert err.startswith("appraise: error: no record for 10.9999/none") and err.count("\n") == 1


def test_from_a_ris_list_fetches_and_lists_items_without_an_id(replay, tmp_path) -> None:
    listing = tmp_path / "refs.ris"
    listing.write_text(
        f"TY  - JOUR\nDO  - {CROSSREF_TRIAL}\nER  - \n\n"
        f"TY  - JOUR\nDO  - {PUBMED_RCT}\nER  - \n\n"
        "TY  - BOOK\nTI  - A handbook\nPY  - 2001\nER  - \n"
    )
    code, out, err = _run("fetch", "--from", str(listing), "-c", str(tmp_path / "c"))
    assert code == 0, err
    assert f"skipped: {listing}: item 3: A handbook (2001): no DOI or PMID" in err
    assert "2 of 2 record(s) saved; 1 item(s) without a DOI or PMID skipped" in err
    code, out, _err = _run("fetch", "--from", str(listing), "-c", str(tmp_path / "c"), "--json")
    report = json.loads(out)
    assert [s["status"] for s in report["saved"]] == ["in corpus", "in corpus"]
    assert report["without_id"] == [f"{listing}: item 3: A handbook (2001)"]
    assert report["network_requests"] == 0


def test_offline_for_a_record_in_the_corpus_says_it_was_already_there(replay, tmp_path) -> None:
    corpus = str(tmp_path / "c")
    assert _run("fetch", CROSSREF_TRIAL, "-c", corpus)[0] == 0
    code, out, err = _run("fetch", CROSSREF_TRIAL, "-c", corpus, "--offline")
    assert code == 0
    assert out.startswith(f"in corpus: {CROSSREF_TRIAL}")
    assert "0 of 1 record(s) saved; 1 already in the corpus as fetched" in err


def test_a_dead_network_fails_a_batch_fast_with_a_summary_and_the_hint(
    monkeypatch, tmp_path
) -> None:
    """No name resolves (.invalid never does): ten DOIs fail in seconds, one short line each,
    and the corpus is untouched."""
    for name in ("CROSSREF", "OPENALEX", "EUROPEPMC", "PUBMED"):
        monkeypatch.setenv(f"APPRAISE_{name}_URL", f"https://{name.lower()}.appraise.invalid")
    monkeypatch.setattr(HttpSettings, "from_env", classmethod(lambda cls: HttpSettings()))
    corpus = tmp_path / "c"
    Corpus(corpus).write_record(StudyRecord(id=PUBMED_RCT, doi=PUBMED_RCT, title="kept as it is"))
    before = {p: p.read_bytes() for p in corpus.rglob("*") if p.is_file()}
    dois = [f"10.5555/dead.{i}" for i in range(9)] + [PUBMED_RCT]
    started = time.monotonic()
    code, out, err = _run("fetch", *dois, "-c", str(corpus))
    assert time.monotonic() - started < 5
    assert code == 1 and out == "" and "Traceback" not in err
    lines = err.strip().splitlines()
    per_doi = [line for line in lines if line.startswith("  10.")]
    assert len(per_doi) == 10 and all(len(line) < 110 for line in per_doi)
    assert "0 of 10 record(s) saved" in lines[0]
    assert lines[-1].startswith(
        "could not reach Crossref, OpenAlex, Europe PMC, PubMed (host name not found)"
    )
    assert "--offline" in lines[-1] and "APPRAISE_<SOURCE>_URL" in lines[-1]
    assert {p: p.read_bytes() for p in corpus.rglob("*") if p.is_file()} == before


def test_a_refused_port_fails_a_batch_of_ten_at_the_first_refusal_per_source(
    monkeypatch, tmp_path
) -> None:
    """Every API on a port where nothing listens, default retries: each source is tried once
    (its batch request) and never again, each DOI gets one short line, a summary and the hint
    follow, and the corpus (one of the DOIs already in it) is byte for byte as it was."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    for name in ("CROSSREF", "OPENALEX", "EUROPEPMC", "PUBMED"):
        monkeypatch.setenv(f"APPRAISE_{name}_URL", f"http://127.0.0.1:{port}/{name.lower()}")
    monkeypatch.setattr(HttpSettings, "from_env", classmethod(lambda cls: HttpSettings()))
    corpus = tmp_path / "c"
    Corpus(corpus).write_record(StudyRecord(id=PUBMED_RCT, doi=PUBMED_RCT, title="kept as it is"))
    before = {p: p.read_bytes() for p in corpus.rglob("*") if p.is_file()}
    dois = [f"10.5555/refused.{i}" for i in range(9)] + [PUBMED_RCT]

    report = fetch_records(dois, Corpus(corpus))
    assert report.network_requests <= 4  # one per source: none retried, none asked again
    assert not report.saved and len(report.failures) == 10
    assert set(report.unreachable) == {"Crossref", "OpenAlex", "Europe PMC", "PubMed"}

    code, out, err = _run("fetch", *dois, "-c", str(corpus))
    assert code == 1 and out == "" and "Traceback" not in err
    lines = err.strip().splitlines()
    per_doi = [line for line in lines if line.startswith("  10.")]
    assert len(per_doi) == 10 and all(len(line) < 110 for line in per_doi)
    assert all(
        line.endswith("not fetched (Crossref, OpenAlex, Europe PMC, PubMed unreachable)")
        for line in per_doi
    )
    assert lines[0].startswith("0 of 10 record(s) saved")
    assert lines[-1].startswith(
        "could not reach Crossref, OpenAlex, Europe PMC, PubMed (connection refused)"
    )
    assert "--offline" in lines[-1]
    assert {p: p.read_bytes() for p in corpus.rglob("*") if p.is_file()} == before
    _no_partial_files(corpus)


def test_ctrl_c_during_a_fetch_exits_130_with_one_line(replay, replay_data, tmp_path) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1.5)
        return replay_data.answer(request)

    replay.handler = slow
    env = {**os.environ, "APPRAISE_HTTP_ATTEMPTS": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from appraise.cli.main import run; run()",
            "fetch",
            CROSSREF_TRIAL,
            PUBMED_RCT,
            OA_TRIAL,
            "-c",
            str(tmp_path / "c"),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 10
    while not replay.paths and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=15)
    assert process.returncode == 130
    # cli/main.py words the line; typer 0.29 turns the interrupt into a silent Exit(130) first
    assert len(err.strip().splitlines()) <= 1 and "Traceback" not in err
