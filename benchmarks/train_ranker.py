"""Train the quote ranker (appraise/evidence/ranker.py) on the dev half of the oa-trials labels,
and measure it by leave-texts-out cross-validation against the rules' own quote order.

Examples: for every labelled question of a ranked family, each sentence the question's detector
cites as evidence (as ``propose`` sees them, on the text as ``read_document`` reads it). A
sentence is positive when it overlaps a sentence the label quotes for a question of the same
family in that text (what the benchmark's quote precision counts as true), negative otherwise.

    python3 benchmarks/train_ranker.py --cv        # 5-fold grouped CV figures, rules vs ranker
    python3 benchmarks/train_ranker.py --write     # train on all dev texts, write ranker.json

Deterministic: the folds are fixed by sorted file name, lbfgs has no random start.
Needs scikit-learn (``pip install -e .[train]``); appraise itself reads only the JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import proposal_quality as pq  # noqa: E402
from sklearn.feature_extraction import DictVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from appraise.documents import read_document  # noqa: E402
from appraise.evidence import proposals as proposals_module  # noqa: E402
from appraise.evidence import ranker as ranker_module  # noqa: E402
from appraise.evidence.document import Document, Sentence  # noqa: E402
from appraise.evidence.ranker import (  # noqa: E402
    FAMILY_OF_DETECTOR,
    NOT_ADDED,
    Policy,
    Ranker,
    question_features,
    sentence_features,
)
from appraise.rubrics import Engine, load_rubric  # noqa: E402

MODEL_PATH = ROOT / "appraise" / "evidence" / ranker_module.MODEL_FILE
FOLDS = 5
# Chosen by the cross-validation below (see docs/evidence.md), not on the full-dev fit.
C = 1.0
POLICY = Policy(cut=0.1, add=0.1, max_quotes=3)
WEIGHT_DIGITS = 4
PRUNE = 0.01
MIN_TEXTS = 3


@dataclass
class Question:
    rubric: str
    qid: str
    family: str
    detector: str
    answer: str | None  # the detector's proposed answer
    candidates: list[Sentence]
    labelled: list[pq.Span]  # this question's labelled quotes
    family_spans: list[pq.Span]  # every labelled quote of its family in the text


@dataclass
class Text:
    file: str
    document: Document
    questions: list[Question]


def _detectors() -> dict[tuple[str, str], str]:
    out = {}
    for rubric in ("rob2", "psychotherapy"):
        for _, q in Engine(load_rubric(rubric)).questions_in_order():
            if q.detector:
                out[(rubric, q.id)] = q.detector
    return out


def read_texts(shared: Path) -> list[Text]:
    """Every dev text with its labelled questions and each one's candidate sentences."""
    detectors = _detectors()
    rubrics = {name: load_rubric(name) for name in ("rob2", "psychotherapy")}
    texts = []
    for label in pq.read_labels("dev"):
        document = read_document(shared / "data" / "oa-trials" / label["file"])
        evidence: dict[str, list[Sentence]] = {}

        def record(
            doc: Document,
            found: Any,
            detector: str | None = None,
            answer: str | None = None,
            evidence: dict[str, list[Sentence]] = evidence,
        ) -> list[Any]:
            if detector is not None:
                evidence[detector] = proposals_module.evidence_sentences(found)
            return []

        with mock.patch.object(proposals_module, "quotes_for", record):
            proposed = {
                name: proposals_module.propose(document, rubric) for name, rubric in rubrics.items()
            }
        spans: dict[tuple[str, str], list[pq.Span]] = {}
        family_spans: dict[str, list[pq.Span]] = defaultdict(list)
        for rubric, questions in (label.get("answers") or {}).items():
            for qid, item in (questions or {}).items():
                found = [pq.locate(document, q) for q in item.get("quotes") or []]
                spans[(rubric, str(qid))] = [s for s in found if s]
                if (rubric, str(qid)) in pq.FAMILIES:
                    family_spans[pq.FAMILIES[(rubric, str(qid))]] += spans[(rubric, str(qid))]
        questions_out = []
        for key, family in pq.FAMILIES.items():
            if key not in spans:
                continue
            detector = detectors[key]
            questions_out.append(
                Question(
                    key[0],
                    key[1],
                    family,
                    detector,
                    getattr(proposed[key[0]].get(key[1]), "answer", None),
                    evidence.get(detector, []),
                    spans[key],
                    family_spans[family],
                )
            )
        texts.append(Text(label["file"], document, questions_out))
    return texts


def _positive(sentence: Sentence, spans: list[pq.Span]) -> bool:
    return any(pq.overlaps((sentence.start, sentence.end), s) for s in spans)


def examples(text: Text) -> dict[str, list[tuple[dict[str, int], int]]]:
    """Per family, every sentence of the text once per labelled question: its features with the
    question's, and whether the label quotes it for that family."""
    plain = [sentence_features(text.document, s) for s in text.document.sentences]
    rows: dict[str, list[tuple[dict[str, int], int]]] = defaultdict(list)
    for q in text.questions:
        if q.detector not in FAMILY_OF_DETECTOR:
            continue
        cited = {s.start for s in q.candidates}
        for sentence, features in zip(text.document.sentences, plain, strict=True):
            if sentence.kind in NOT_ADDED and sentence.start not in cited:
                continue
            x = dict.fromkeys(features, 1)
            x.update(dict.fromkeys(question_features(q.detector, sentence.start in cited), 1))
            rows[q.family].append((x, int(_positive(sentence, q.family_spans))))
    return rows


def fit(
    texts: list[Text], c: float = C, shared: bool = False
) -> dict[str, tuple[float, dict[str, float]]]:
    """One logistic regression per family on the texts' examples, over the features seen in at
    least MIN_TEXTS texts (a word of one report says nothing of others); weights under PRUNE
    dropped (they would only swell the file).

    ``shared``: instead one model over all families, each feature both plain and crossed with
    the family, folded back into per-family weights (plain + crossed) for the same file."""
    rows: dict[str, list[tuple[dict[str, int], int]]] = defaultdict(list)
    seen_in: dict[str, int] = defaultdict(int)
    for text in texts:
        names = {f for s in text.document.sentences for f in sentence_features(text.document, s)}
        for feature in names:
            seen_in[feature] += 1
    for text in texts:
        for family, data in examples(text).items():
            rows[family] += [
                ({f: v for f, v in x.items() if seen_in.get(f, MIN_TEXTS) >= MIN_TEXTS}, y)
                for x, y in data
            ]
    if shared:
        pooled = [
            ({**x, **{f"{family}|{f}": v for f, v in x.items()}, f"{family}|": 1}, y)
            for family, data in rows.items()
            for x, y in data
        ]
        intercept, weights = _logistic(pooled, c)
        return {
            family: (
                round(intercept + weights.get(f"{family}|", 0.0), WEIGHT_DIGITS),
                {
                    name: round(w + weights.get(f"{family}|{name}", 0.0), WEIGHT_DIGITS)
                    for name, w in weights.items()
                    if "|" not in name and abs(w + weights.get(f"{family}|{name}", 0.0)) >= PRUNE
                },
            )
            for family in sorted(rows)
        }
    families = {}
    for family, data in sorted(rows.items()):
        if len({y for _, y in data}) < 2:
            continue
        intercept, weights = _logistic(data, c)
        families[family] = (
            round(intercept, WEIGHT_DIGITS),
            {n: round(w, WEIGHT_DIGITS) for n, w in weights.items() if abs(w) >= PRUNE},
        )
    return families


def _logistic(data: list[tuple[dict[str, int], int]], c: float) -> tuple[float, dict[str, float]]:
    vectorizer = DictVectorizer()
    matrix = vectorizer.fit_transform([x for x, _ in data])
    model = LogisticRegression(C=c, solver="lbfgs", max_iter=3000)
    model.fit(matrix, [y for _, y in data])
    names = vectorizer.get_feature_names_out()
    return float(model.intercept_[0]), {
        str(n): float(w) for n, w in zip(names, model.coef_[0], strict=True)
    }


def measure(texts: list[Text], ranker_for: Callable[[Text], Ranker]) -> dict[str, pq.Tally]:
    """Quote recall and precision per family, as proposal_quality counts them, of ``propose``
    with each text's ranker in place of the shipped one."""
    rubrics = {name: load_rubric(name) for name in ("rob2", "psychotherapy")}
    labels = {label["file"]: label for label in pq.read_labels("dev")}
    out: dict[str, pq.Tally] = defaultdict(pq.Tally)
    for text in texts:
        with mock.patch.object(proposals_module, "default_ranker", lambda t=text: ranker_for(t)):
            proposed = {
                name: proposals_module.propose(text.document, rubric)
                for name, rubric in rubrics.items()
            }
        tallies, _ = pq.score_text(labels[text.file], text.document, proposed)
        for family, tally in tallies.items():
            tally.cases = []
            out[family].add(tally)
    return out


def folds(texts: list[Text]) -> list[list[Text]]:
    return [texts[i::FOLDS] for i in range(FOLDS)]


def cross_validate(
    texts: list[Text], c: float, policies: list[Policy], shared: bool = False
) -> dict[Policy, dict[str, pq.Tally]]:
    """Each fold's texts ranked by models trained on the other folds only, under each policy."""
    parts = folds(texts)
    fold_models = []
    for i in range(FOLDS):
        fold_models.append(
            fit([t for j, part in enumerate(parts) if j != i for t in part], c, shared)
        )
    fold_of = {t.file: i for i, part in enumerate(parts) for t in part}
    out = {}
    for policy in policies:
        rankers = [Ranker(families, policy) for families in fold_models]
        out[policy] = measure(texts, lambda t, rankers=rankers: rankers[fold_of[t.file]])
    return out


def rules(texts: list[Text]) -> dict[str, pq.Tally]:
    """The same texts with no model: the rules' specificity order."""
    empty = Ranker({}, POLICY)
    return measure(texts, lambda t: empty)


def _overall(tallies: dict[str, pq.Tally]) -> dict[str, Any]:
    overall = pq.Tally()
    for tally in tallies.values():
        overall.add(tally)
    return overall.summary()


def _line(family: str, t: pq.Tally) -> str:
    s = t.summary()
    return f"{family:<22} {pq._cell(s['quote_recall']):>17} {pq._cell(s['quote_precision']):>17}"


def report(name: str, tallies: dict[str, pq.Tally]) -> str:
    lines = [f"\n{name}", f"{'family':<22} {'quote recall':>17} {'quote precision':>17}"]
    overall = pq.Tally()
    for family in pq.FAMILY_ORDER:
        if family in tallies:
            lines.append(_line(family, tallies[family]))
            overall.add(tallies[family])
    lines.append(_line("overall", overall))
    return "\n".join(lines)


def to_json(families: dict[str, tuple[float, dict[str, float]]], policy: Policy) -> dict[str, Any]:
    return {
        "about": "quote ranker weights, written by benchmarks/train_ranker.py from the dev half "
        "of benchmarks/labels/oa_trials; see docs/evidence.md",
        "policy": {"cut": policy.cut, "add": policy.add, "max_quotes": policy.max_quotes},
        "families": {
            name: {"intercept": intercept, "weights": dict(sorted(weights.items()))}
            for name, (intercept, weights) in sorted(families.items())
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=pq.DEFAULT_SHARED)
    parser.add_argument("--cv", action="store_true", help="cross-validated figures")
    parser.add_argument(
        "--shared-model", action="store_true", help="CV of one model with family features"
    )
    parser.add_argument("--grid", action="store_true", help="CV over the policy")
    parser.add_argument(
        "--write", action="store_true", help=f"train on all dev, write {MODEL_PATH}"
    )
    args = parser.parse_args(argv)
    texts = read_texts(args.shared)
    if args.cv:
        print(report("rules (same texts)", rules(texts)))
        result = cross_validate(texts, C, [POLICY])[POLICY]
        print(report(f"ranker, {FOLDS}-fold CV by text (C={C}, {POLICY})", result))
    if args.shared_model:
        result = cross_validate(texts, C, [POLICY], shared=True)[POLICY]
        print(report(f"one model for all families, {FOLDS}-fold CV by text", result))
    if args.grid:
        policies = [
            Policy(cut, add, k)
            for cut in (0.0, 0.1, 0.2)
            for add in (0.05, 0.1, 0.2, 1.01)
            for k in (2, 3)
        ]
        for c in (C,):
            for policy, tallies in cross_validate(texts, c, policies).items():
                s = _overall(tallies)
                print(
                    f"C={c} {policy} recall {s['quote_recall']['rate']} "
                    f"precision {s['quote_precision']['rate']}",
                    flush=True,
                )
    if args.write:
        data = to_json(fit(texts, C), POLICY)
        MODEL_PATH.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_PATH} ({MODEL_PATH.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
