"""Batched fetching: the same records by batch as alone, exact matching back to DOIs, the
fallback for what a batch did not return, and the limits of each source's batch."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from werkzeug import Request, Response

from appraise.corpus import Corpus
from appraise.ids import StudyId
from appraise.sources import crossref, europepmc, fetch_records, openalex, pubmed
from appraise.sources.http import HostLimiter, HttpClient, HttpSettings
from appraise.sources.registry import SOURCES
from tests.conftest import shared_path

FAST = HttpSettings(connect_timeout=1, read_timeout=2, attempts=2, backoff=0.01, max_backoff=0.02)


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(HttpSettings, "from_env", classmethod(lambda cls: FAST))


def _recorded_dois(replay_data: Any) -> list[str]:
    """DOIs of recorded works from every source: some in one source only, some in several,
    the open-access ones with a full text, and one that no source holds."""
    with_full_text = [
        doi
        for doi, hit in replay_data.epmc_hits.items()
        if hit.get("pmcid") in replay_data.fulltext
    ]
    dois = set(sorted(replay_data.crossref)[:5]) | set(replay_data.openalex) | set(with_full_text)
    dois |= set(sorted(replay_data.pubmed_by_doi)[:5])
    return [*sorted(dois), "10.1371/notarealdoi"]


def _comparable(record: Any) -> dict[str, Any]:
    """A record without the times it was retrieved (the only thing that differs by run)."""
    data = record.model_dump(mode="json")
    for stamp in data["retrieved"].values():
        stamp.pop("when")
    return data


def test_a_batch_gives_the_same_records_field_for_field_as_one_at_a_time(
    replay, replay_data, tmp_path, monkeypatch
) -> None:
    dois = _recorded_dois(replay_data)
    assert len(dois) > 20
    monkeypatch.setenv("APPRAISE_CACHE_DIR", str(tmp_path / "cache-batch"))
    batch = fetch_records(dois, Corpus(tmp_path / "batch"), mailto="me@example.org")
    batch_paths = list(replay.paths)
    monkeypatch.setenv("APPRAISE_CACHE_DIR", str(tmp_path / "cache-alone"))
    alone = [fetch_records([d], Corpus(tmp_path / "alone"), mailto="me@example.org") for d in dois]
    alone_requests = sum(r.network_requests for r in alone)

    assert [s.identifier for s in batch.saved] == [s.identifier for r in alone for s in r.saved]
    assert [f.identifier for f in batch.failures] == [
        f.identifier for r in alone for f in r.failures
    ]
    for by_batch, one in zip(batch.saved, (s for r in alone for s in r.saved), strict=True):
        assert _comparable(by_batch.record) == _comparable(one.record), by_batch.identifier
        assert by_batch.notes == one.notes
    for name in ("crossref/works?", "openalex/works?", "europepmc/search?", "pubmed/efetch"):
        assert any(name in path for path in batch_paths)
    assert any("%5Bdoi%5D+OR+" in p or "[doi] OR " in p for p in batch_paths)  # esearch OR-ed
    assert batch.network_requests < alone_requests


def test_answers_are_matched_back_exactly_and_what_a_batch_lacks_is_asked_alone(
    replay, replay_data, corpus
) -> None:
    """OpenAlex answers a batch with the DOI as a URL in another case and leaves one work out:
    the first is matched back, the second asked alone (and found)."""
    left_out = "10.7717/peerj.4375"

    def handler(request: Request) -> Response:
        response = replay_data.answer(request)
        if request.path == "/openalex/works" and "filter" in request.args:
            body = json.loads(response.get_data())
            kept = []
            for work in body["results"]:
                if work["doi"].endswith(left_out):
                    continue
                kept.append(
                    {**work, "doi": "https://doi.org/" + work["doi"].split("doi.org/")[1].upper()}
                )
            body["results"] = kept
            return Response(json.dumps(body), content_type="application/json")
        return response

    replay.handler = handler
    asked = ["10.2312/cgvc.20211309", left_out, "10.1136/esmoopen-2020-000776"]
    report = fetch_records(asked, corpus)
    by_id = {s.identifier: s.record for s in report.saved}
    assert by_id["10.2312/cgvc.20211309"].openalex  # matched back despite case and prefix
    assert by_id[left_out].openalex == "W2741809807"  # asked alone
    assert any(p.startswith("/openalex/works/doi:10.7717") for p in replay.paths)
    assert not any(p.startswith("/openalex/works/doi:10.2312") for p in replay.paths)


def test_a_failed_batch_falls_back_to_one_request_per_doi(replay, replay_data, corpus) -> None:
    def handler(request: Request) -> Response:
        if request.path == "/crossref/works":
            return Response('{"status":"error"}', status=400, content_type="application/json")
        return replay_data.answer(request)

    replay.handler = handler
    report = fetch_records(["10.1136/esmoopen-2020-000776", "10.1002/jor.1100150407"], corpus)
    assert report.ok
    assert all(s.record.sources["title"] == "crossref" for s in report.saved)
    assert sum(p.startswith("/crossref/works/10.") for p in replay.paths) == 2


def test_europe_pmc_full_text_only_for_records_that_have_it(replay, replay_data, corpus) -> None:
    report = fetch_records(["10.1111/bcpt.70261", "10.1136/esmoopen-2020-000776"], corpus)
    full_texts = [p for p in replay.paths if "fullTextXML" in p]
    assert len(full_texts) == 1 and "PMC13254492" in full_texts[0]
    assert report.saved[0].record.sections


def test_batch_requests_the_apis_accept() -> None:
    """The parameters each batch sends: filters OR-ed, rows/per-page/pageSize covering them."""
    sent: list[tuple[str, dict[str, str]]] = []

    class Recorder:
        mailto = "me@example.org"

        def caching_on_success(self) -> contextlib.AbstractContextManager[None]:
            return contextlib.nullcontext()

        def get(self, url: str, **options: Any) -> Any:
            sent.append((url, dict(options["params"])))
            raise LookupError

    dois = ["10.1/a", "10.2/b"]
    for call in (crossref.fetch_batch, openalex.fetch_batch, europepmc.fetch_batch):
        with pytest.raises(LookupError):
            call(Recorder(), "https://x", dois)  # type: ignore[arg-type]
    with pytest.raises(LookupError):
        pubmed.search_batch(Recorder(), "https://x", dois)  # type: ignore[arg-type]
    (_, cr), (_, oa), (_, ep), (_, pm) = sent
    assert cr["filter"] == "doi:10.1/a,doi:10.2/b" and cr["rows"] == "2"
    assert oa["filter"] == "doi:10.1/a|10.2/b" and oa["per-page"] == "2"
    assert ep["query"] == 'DOI:"10.1/a" OR DOI:"10.2/b"' and int(ep["pageSize"]) >= 2
    assert pm["term"] == "10.1/a[doi] OR 10.2/b[doi]"
    assert not crossref.batchable("10.1/a,b") and not openalex.batchable("10.1/a|b")
    assert not europepmc.batchable('10.1/a"b') and not pubmed.batchable("10.1/a[b]")


def test_recorded_list_responses_parse_like_single_works() -> None:
    """The recorded OpenAlex list page and Crossref list item give the same fields as the
    same work fetched alone; PubMed's two-article efetch gives both articles."""
    listing = json.loads(
        shared_path(
            "fixtures", "openalex", "list_works_cursor_page1_W2755950973_W2741809807.json"
        ).read_text()
    )
    single = json.loads(
        shared_path("fixtures", "openalex", "work_W2741809807_10.7717_peerj.4375.json").read_text()
    )
    found = openalex.parse_work_list(listing, ["10.7717/peerj.4375", "10.1016/j.joi.2017.08.007"])
    assert set(found) == {"10.7717/peerj.4375", "10.1016/j.joi.2017.08.007"}
    assert found["10.7717/peerj.4375"]["title"] == openalex.parse_work(single)["title"]
    item = json.loads(
        shared_path(
            "fixtures",
            "crossref",
            "list_items",
            "item_10.1371_journal.pone.0000542_clinical-trial-number.json",
        ).read_text()
    )
    payload = {"message": {"items": [item]}}
    listed = crossref.parse_work_list(payload, ["10.1371/journal.pone.0000542"])
    assert listed["10.1371/journal.pone.0000542"] == crossref.parse_work({"message": item})
    assert listed["10.1371/journal.pone.0000542"]["trial_registrations"][0].id == "ISRCTN75784880"
    two = shared_path("fixtures", "pubmed", "efetch_pmid11748933_11700088_biopython_pubmed2.xml")
    articles = pubmed.parse_efetch_all(two.read_bytes())
    assert set(articles) == {"11748933", "11700088"}
    assert articles["11700088"] == pubmed.parse_efetch(two.read_bytes(), "11700088")


def test_europe_pmc_batch_matches_each_doi_to_its_own_hit() -> None:
    core = json.loads(
        shared_path(
            "fixtures", "europepmc", "search", "pyeuropepmc_search_cancer_core.json"
        ).read_text()
    )
    with_doi = [r for r in core["resultList"]["result"] if r.get("doi")][:3]
    dois = [r["doi"].lower() for r in with_doi]
    for doi in dois:
        alone = europepmc.parse_search(core, StudyId("doi", doi))
        assert alone is not None and alone["doi"] == doi


def test_an_ncbi_api_key_is_sent_and_raises_pubmeds_limit(replay, corpus, monkeypatch) -> None:
    monkeypatch.setenv("APPRAISE_NCBI_API_KEY", "abc123")
    assert pubmed.limits() is pubmed.KEYED_LIMITS and pubmed.KEYED_LIMITS.rate == 10
    fetch_records(["10.1177/1352458517722646"], corpus)
    to_pubmed = [p for p in replay.paths if p.startswith("/pubmed/")]
    assert to_pubmed and all("api_key=abc123" in p for p in to_pubmed)
    record = corpus.read_record("10.1177/1352458517722646")
    assert all("abc123" not in (r.url or "") for r in record.retrieved.values())
    monkeypatch.delenv("APPRAISE_NCBI_API_KEY")
    assert pubmed.limits() is pubmed.LIMITS


def test_a_warm_rerun_of_a_batch_makes_no_request(replay, replay_data, corpus) -> None:
    dois = _recorded_dois(replay_data)[:12]
    first = fetch_records(dois, corpus)
    assert first.network_requests > 0
    again = fetch_records(dois, Corpus(corpus.root))
    assert again.network_requests == 0
    assert [s.record.id for s in again.saved] == [s.record.id for s in first.saved]


@pytest.mark.parametrize(("key", "per_second"), [("abc123", 10), (None, 3)])
def test_pubmeds_limiter_allows_ten_a_second_with_an_api_key_and_three_without(
    monkeypatch, tmp_path, key, per_second
) -> None:
    """The limiter a fetch run gives PubMed's host: ``per_second`` starts in any second (on
    a clock that moves only when the limiter waits), the next one a window later."""
    if key:
        monkeypatch.setenv("APPRAISE_NCBI_API_KEY", key)
    else:
        monkeypatch.delenv("APPRAISE_NCBI_API_KEY", raising=False)
    with HttpClient(cache_path=tmp_path / "cache.sqlite") as client:
        configured = client.limiter(pubmed.DEFAULT_ROOT, SOURCES["pubmed"].limits(client)).limits
    assert configured.rate == per_second
    now = [1000.0]
    limiter = HostLimiter(configured, lambda: now[0], lambda s: now.__setitem__(0, now[0] + s))
    starts = []
    for _ in range(per_second + 1):
        limiter.acquire()
        starts.append(now[0])
        limiter.release()
    assert starts[per_second - 1] - starts[0] < 1.0  # all allowed in the first second
    assert starts[per_second] - starts[0] >= 1.0  # one more waits for the window to pass
