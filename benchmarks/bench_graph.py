"""Citation graph at scale: build it and trace claims over 100,000 works and 1,000,000 citations.

    python3 benchmarks/bench_graph.py                    # 100,000 works, 1,000,000 citations
    python3 benchmarks/bench_graph.py 10000 100000       # smaller

A seeded, corpus-like network: works published over time, 10% reviews and 2% commentaries
(which pass support on), the rest primary studies; every work cites older works (reviews mostly
primary studies, some older reviews), 3% of citations point at DOIs outside the corpus, and a
few reviews cite newer ones, so there are citation cycles. Claims cite recent reviews and
studies, one in four also a weakening study. Judgements: a third of the studies at high risk.

Measured: assembling the graph from the works' facts (what `build_graph` does after reading
records), tracing each claim (path counts by dynamic programming over the condensed DAG, the
full ClaimTrace with its figures), peak memory of a trace (tracemalloc) and of the whole run
(ru_maxrss); and, on a corpus on disk (a fiftieth of the size), a cold build, a cached build,
and a rebuild after one record changed.
"""

from __future__ import annotations

import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))

from common import metric, peak_rss_mb  # noqa: E402

from appraise.corpus import Corpus  # noqa: E402
from appraise.graph import build_graph, trace  # noqa: E402
from appraise.graph.build import assemble  # noqa: E402
from appraise.graph.facts import Judged, WorkFacts  # noqa: E402
from appraise.graph.paths import count_paths  # noqa: E402
from appraise.models import Citation, Claim, MadeIn, Reference, StudyRecord  # noqa: E402
from appraise.rubrics import load_rubric  # noqa: E402

CLAIMS = 10
SEED = 2009  # Greenberg's year


def doi(i: int) -> str:
    return f"10.5555/w{i}"


def synthetic_network(
    works: int, edges: int, seed: int = SEED
) -> tuple[list[WorkFacts], list[Claim], dict[str, Judged]]:
    """Works (oldest first) with ``edges`` citations in all, claims, and judgements."""
    rng = random.Random(seed)
    roles = rng.choices(["primary", "review", "commentary"], weights=[88, 10, 2], k=works)
    reviews = [i for i, r in enumerate(roles) if r == "review"]
    # Reviews cite more: they carry 40% of the citations, the other works share the rest.
    per_review = int(0.4 * edges / max(1, len(reviews)))
    per_other = (edges - per_review * len(reviews)) / max(1, works - len(reviews))
    facts: list[WorkFacts] = []
    for i, role in enumerate(roles):
        # a whole number of references whose mean is per_other
        others = int(per_other) + (rng.random() < per_other % 1)
        n_refs = min(i, per_review if role == "review" else others)
        refs: dict[str, None] = {}
        for _ in range(3 * n_refs):
            if len(refs) == n_refs:
                break
            roll = rng.random()
            if roll < 0.03:
                refs[f"10.9999/outside{rng.randrange(works)}"] = None
            elif role != "primary" and roll < 0.25 and reviews:
                # an older review; now and then a newer one, which makes a cycle
                j = reviews[rng.randrange(len(reviews))]
                if j < i or rng.random() < 0.01:
                    refs[doi(j)] = None
            else:
                refs[doi(rng.randrange(i))] = None
        facts.append(
            WorkFacts(
                id=doi(i),
                label=f"W{i}",
                title="",
                year=1980 + i * 45 // works,
                role=role,  # type: ignore[arg-type]
                retracted=rng.random() < 0.001,
                team=(f"author{rng.randrange(works // 3)} a",),
                aliases=(doi(i),),
                references=tuple(dict.fromkeys(refs)),
            )
        )
    recent_reviews = reviews[-200:]
    claims = []
    for c in range(CLAIMS):
        cites = [
            Citation(target=doi(rng.choice(recent_reviews)), weight=rng.uniform(1, 20))
            for _ in range(3)
        ]
        cites += [Citation(target=doi(rng.randrange(works))) for _ in range(5)]
        if c % 4 == 0:
            cites.append(Citation(target=doi(rng.randrange(works)), kind="weakens"))
        claims.append(
            Claim(
                id=f"claim-{c}",
                text=f"Claim {c}",
                made_in=MadeIn(source="synthetic guideline"),
                cites=cites,
            )
        )
    rubric = load_rubric("rob2")
    labels = rubric.labels
    judgements = {
        doi(i): Judged(
            judgement=label,
            category={"Low": "low", "High": "high"}.get(label, "concerns"),
            high_domains=("D4",) if label == "High" else (),
            weight=None,
            domains={"D4": label},
        )
        for i in range(works)
        if roles[i] == "primary" and rng.random() < 0.8
        for label in [rng.choice(labels)]
    }
    return facts, claims, judgements


def _disk_corpus(root: Path, works: int, seed: int = SEED) -> Corpus:
    """A corpus of ``works`` record files, each citing up to ten older records."""
    rng = random.Random(seed)
    corpus = Corpus(root)
    for i in range(works):
        refs = [Reference(doi=doi(rng.randrange(i))) for _ in range(min(i, 10))]
        corpus.write_record(
            StudyRecord(
                id=doi(i),
                doi=doi(i),
                title=f"Work {i}",
                year=2000 + i % 20,
                references=refs,
                publication_types=["Review"] if i % 10 == 0 else ["Randomized Controlled Trial"],
            )
        )
    corpus.claims_path.write_text(
        "claims:\n  - id: c\n    text: C\n    made_in: {source: S}\n"
        f"    cites: [{{target: '{doi(works - 10)}'}}]\n",
        encoding="utf-8",
    )
    return corpus


def _timed(fn: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def run(works: int = 100_000, edges: int = 1_000_000) -> dict[str, Any]:
    rubric = load_rubric("rob2")
    (facts, claims, judged), generate_s = _timed(lambda: synthetic_network(works, edges))
    started = time.perf_counter()
    graph = assemble(rubric, facts, claims, judged, {})
    assemble_s = time.perf_counter() - started
    graph_mb = sum(a.nbytes for a in (graph.indptr, graph.targets, graph.kinds, graph.weights))

    trace_times = []
    reached = paths = 0
    for claim in claims:
        result, seconds = _timed(lambda c=claim: trace(graph, c.id))
        trace_times.append(seconds)
        if len(result.studies) + len(result.through) > reached:
            reached = len(result.studies) + len(result.through)
            paths = result.paths_by_category("supportive")["total"]
    heaviest = claims[trace_times.index(max(trace_times))].id

    tracemalloc.start()
    count_paths(graph, graph.index["claim:" + heaviest])
    _, dp_peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    trace(graph, heaviest)
    _, trace_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    on_disk = max(100, works // 50)
    with tempfile.TemporaryDirectory(prefix="appraise-bench-graph-") as tmp:
        corpus = _disk_corpus(Path(tmp) / "corpus", on_disk)
        _, cold_s = _timed(lambda: build_graph(corpus, "rob2"))
        _, warm_s = _timed(lambda: build_graph(corpus, "rob2"))
        changed = corpus.read_record(doi(on_disk // 2))
        corpus.write_record(changed.model_copy(update={"title": "Changed"}))
        rebuilt, one_s = _timed(lambda: build_graph(corpus, "rob2"))
        assert rebuilt.stats["records_read"] == 1

    n_edges = graph.number_of_edges
    return {
        "metrics": [
            metric(
                "graph assembled",
                assemble_s,
                "s",
                f"{works:,} works, {n_edges:,} citations, {graph.number_of_nodes:,} nodes",
            ),
            metric(
                "trace, slowest claim",
                max(trace_times),
                "s",
                f"reaches {reached:,} works; {len(str(paths))}-digit path count",
            ),
            metric(
                "trace, median claim", statistics.median(trace_times), "s", f"{len(claims)} claims"
            ),
            metric("trace peak memory", trace_peak / 2**20, "MB", "tracemalloc, whole ClaimTrace"),
            metric("path-count DP peak memory", dp_peak / 2**20, "MB", "tracemalloc"),
            metric("graph arrays", graph_mb / 2**20, "MB", "CSR: indptr, targets, kinds, weights"),
            metric(
                "process peak memory",
                peak_rss_mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
                "MB",
                "ru_maxrss, generator included",
            ),
            metric("build from disk, cold", cold_s, "s", f"{on_disk:,} record files"),
            metric("build from disk, cached", warm_s, "s", "no file changed"),
            metric("build from disk, one record changed", one_s, "s", "1 file re-read"),
        ],
        "details": {
            "works": works,
            "edges": edges,
            "citations": n_edges,
            "generate_seconds": round(generate_s, 1),
            "heaviest_claim": heaviest,
            "supportive_paths_of_heaviest": str(paths),
        },
    }


if __name__ == "__main__":
    sizes = [int(a.replace("_", "")) for a in sys.argv[1:3]]
    outcome = run(*sizes)
    for m in outcome["metrics"]:
        print(f"{m['name']:<38} {m['value']:>12,.3f} {m['unit']:<4} {m['note']}")
