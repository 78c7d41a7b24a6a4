"""A small learned sentence ranker for quotes: which sentences a reviewer would cite for a
question, among the detector's evidence and the rest of the text.

One logistic-regression model per question family (sequence, concealment, blinding roles,
assessor-rated, diagnostic interview, allegiance, conflicts of interest, follow-up), over
binary features of a sentence: its words and word pairs, its section's title words and kind,
whether it speaks of a cited trial, which detector asks and whether that detector cited it.
The weights live in ``ranker.json`` next to this module (feature name -> weight per family, an
intercept each, and the policy's cut-offs), written by ``benchmarks/train_ranker.py`` from the
dev half of the oa-trials labels. Scoring is one sparse product per document, cached for the
questions that follow, so run time needs neither scikit-learn nor pickle.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from itertools import chain, pairwise, repeat
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix

from appraise.evidence.document import Document, Sentence

MODEL_FILE = "ranker.json"

# The detectors whose quotes are ranked, by the family of questions they answer.
FAMILY_OF_DETECTOR: dict[str, str] = {
    "randomisation": "sequence",
    "concealment": "concealment",
    "participant_awareness": "blinding",
    "personnel_awareness": "blinding",
    "assessor_awareness": "blinding",
    "assessor_blinding": "blinding",
    "assessor_rated": "assessor-rated",
    "diagnostic_interview_baseline": "diagnostic interview",
    "diagnostic_interview_end": "diagnostic interview",
    "diagnostic_interview_followup": "diagnostic interview",
    "allegiance_developer": "allegiance",
    "coi_present": "conflicts of interest",
    "coi_declared": "conflicts of interest",
    "followup": "follow-up",
}
# Sentences never added from outside the evidence: lists and the title say nothing of conduct.
NOT_ADDED = frozenset({"title", "references", "authors"})
# How many of the best sentences outside the evidence are tried (each must not contradict).
ADD_TRIES = 3
CITED = "cited"

_WORD = re.compile(r"[a-z]+|\d+")
# The words of _WORD, a number that starts with an ASCII digit read as "" (the feature word
# "#") by the pattern itself, so that no second pass over the words renames it.
_TOKEN = re.compile(r"[0-9]\d*|([a-z]+|\d+)")
_TITLE_WORD = re.compile(r"[a-z]+")
_NO_PAIR = np.iinfo(np.int64).max


def sentence_features(document: Document, sentence: Sentence) -> set[str]:
    """The binary features of one sentence, whatever the question."""
    words = [
        "#" if w[0].isdigit() else w
        for w in _WORD.findall(document.search_text[sentence.start : sentence.end].lower())
    ]
    features = {f"w:{w}" for w in words}
    features.update(f"b:{a} {b}" for a, b in pairwise(words))
    features.update(f"s:{w}" for w in _TITLE_WORD.findall(sentence.section.lower()))
    features.add(f"kind:{sentence.kind}")
    if sentence.cites_other_trial:
        features.add("other-trial")
    return features


def question_features(detector: str, cited: bool) -> list[str]:
    """The features of the question asked of a sentence."""
    return [f"detector:{detector}", CITED] if cited else [f"detector:{detector}"]


@dataclass(frozen=True)
class Policy:
    # A cited sentence scoring below this probability is cut, unless it is the best one.
    cut: float
    # A sentence the detector did not cite is added when it scores at least this.
    add: float
    max_quotes: int


class Ranker:
    """Per-family weights over one shared vocabulary, as a matrix for sparse scoring."""

    def __init__(
        self,
        families: dict[str, tuple[float, dict[str, float]]],
        policy: Policy,
    ) -> None:
        self.policy = policy
        self.family_names = sorted(families)
        self.family_index = {name: i for i, name in enumerate(self.family_names)}
        vocabulary: dict[str, int] = {}
        for _, weights in families.values():
            for name in weights:
                vocabulary.setdefault(name, len(vocabulary))
        self.vocabulary = vocabulary
        self.weights = np.zeros((len(vocabulary), len(families)))
        self.intercepts = np.zeros(len(families))
        for name, (intercept, weights) in families.items():
            column = self.family_index[name]
            self.intercepts[column] = intercept
            for feature, weight in weights.items():
                self.weights[vocabulary[feature], column] = weight
        # The word and word-pair features by their words, for the one-pass lookup: each word
        # of a feature gets an id, _TOKEN's "" standing for "#" (a number).
        words: dict[str, int] = {}
        singles: list[tuple[int, int]] = []
        pairs: list[tuple[int, int, int]] = []
        for name, i in vocabulary.items():
            if name.startswith("w:"):
                singles.append((_word_id(words, name[2:]), i))
            elif name.startswith("b:"):
                first, second = name[2:].split(" ")
                pairs.append((_word_id(words, first), _word_id(words, second), i))
        self._word_ids = words
        # A word's w: column by its id, or -1; the extra last entry is for id -1 (not a word
        # of any feature), so that indexing with it gives -1 too.
        self._word_columns = np.full(len(words) + 1, -1, dtype=np.int64)
        for word, column in singles:
            self._word_columns[word] = column
        # The b: columns by first * len(words) + second, sorted for searchsorted, and after
        # them a key above any pair's, so that every search lands on an entry.
        keys = np.array([a * len(words) + b for a, b, _ in pairs] + [_NO_PAIR], dtype=np.int64)
        order = np.argsort(keys)
        self._pair_keys = keys[order]
        self._pair_columns = np.array([c for _, _, c in pairs] + [-1], dtype=np.int64)[order]
        self._lock = threading.Lock()
        self._last: tuple[Document, np.ndarray, dict[int, int]] | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Ranker:
        policy = Policy(
            float(data["policy"]["cut"]),
            float(data["policy"]["add"]),
            int(data["policy"]["max_quotes"]),
        )
        families = {
            name: (float(m["intercept"]), {str(k): float(v) for k, v in m["weights"].items()})
            for name, m in data["families"].items()
        }
        return cls(families, policy)

    def knows(self, detector: str | None) -> bool:
        return FAMILY_OF_DETECTOR.get(detector or "") in self.family_index

    def _scores(self, document: Document) -> tuple[np.ndarray, dict[int, int]]:
        """Every sentence's score (before the question's features) under every family's model,
        and each sentence's row by its start; kept for the document's next questions."""
        with self._lock:
            last = self._last
        if last is not None and last[0] is document:
            return last[1], last[2]
        scores = np.asarray(self._feature_matrix(document) @ self.weights) + self.intercepts
        index = {s.start: i for i, s in enumerate(document.sentences)}
        with self._lock:
            self._last = (document, scores, index)
        return scores, index

    def _feature_matrix(self, document: Document) -> csr_matrix:
        """Which known features each sentence has, a 1 each: ``sentence_features`` looked up in
        the vocabulary, with the words of lists and the title left out (they are never added,
        and ``probabilities`` scores a cited one itself). Python only splits the words and
        looks each up once; pairs and columns are found with numpy."""
        text = document.search_text
        lowered = text.lower()
        if len(lowered) != len(text):  # a character whose lower case is longer
            lowered = ""
        vocabulary = self.vocabulary
        kept = [(row, s) for row, s in enumerate(document.sentences) if s.kind not in NOT_ADDED]
        by_section: dict[tuple[str, str, bool], list[int]] = {}
        fixed_rows: list[int] = []
        fixed_columns: list[int] = []
        for row, sentence in kept:
            key = (sentence.section, sentence.kind, sentence.cites_other_trial)
            fixed = by_section.get(key)
            if fixed is None:
                names = {f"s:{w}" for w in _TITLE_WORD.findall(sentence.section.lower())}
                names.add(f"kind:{sentence.kind}")
                if sentence.cites_other_trial:
                    names.add("other-trial")
                fixed = by_section[key] = [vocabulary[n] for n in names if n in vocabulary]
            fixed_rows.extend([row] * len(fixed))
            fixed_columns.extend(fixed)
        findall = _TOKEN.findall
        found = (
            [findall(lowered, s.start, s.end) for _, s in kept]
            if lowered
            else [findall(text[s.start : s.end].lower()) for _, s in kept]
        )
        words = chain.from_iterable(found)
        ids = np.fromiter(map(self._word_ids.get, words, repeat(-1)), dtype=np.int64)
        rows = np.repeat(np.array([row for row, _ in kept], dtype=np.int64), list(map(len, found)))
        single = self._word_columns[ids]
        # Word pairs within a sentence, both words known, looked up among the pair features.
        first, second = ids[:-1], ids[1:]
        both = np.flatnonzero((rows[1:] == rows[:-1]) & (first >= 0) & (second >= 0))
        keys = first[both] * len(self._word_ids) + second[both]
        at = np.searchsorted(self._pair_keys, keys)
        paired = self._pair_keys[at] == keys
        columns = np.concatenate(
            [np.array(fixed_columns, dtype=np.int64), single, self._pair_columns[at[paired]]]
        )
        row_of = np.concatenate(
            [np.array(fixed_rows, dtype=np.int64), rows, rows[1:][both[paired]]]
        )
        known = columns >= 0
        # Each feature once (binary, as in training), in column order within its row: the
        # order scipy's own duplicate summing leaves, so the products are summed as before.
        width = len(vocabulary)
        cells = np.sort(row_of[known] * width + columns[known])
        cells = cells[np.diff(cells, prepend=-1) != 0]  # as np.unique, which is slower here
        n = len(document.sentences)
        indptr = np.searchsorted(cells // width, np.arange(n + 1))
        return csr_matrix((np.ones(len(cells)), cells % width, indptr), shape=(n, width))

    def probabilities(self, document: Document, detector: str, cited: list[Sentence]) -> np.ndarray:
        """The probability that a reviewer would quote each sentence of the document for the
        detector's question, given the sentences the detector cited."""
        column = self.family_index[FAMILY_OF_DETECTOR[detector]]
        scores, index = self._scores(document)
        logits = scores[:, column].copy()
        weight = self.weights[:, column]
        detector_row = self.vocabulary.get(f"detector:{detector}")
        if detector_row is not None:
            logits += weight[detector_row]
        cited_row = self.vocabulary.get(CITED)
        for sentence in cited:
            row = index.get(sentence.start)
            if row is None:
                continue
            if cited_row is not None:
                logits[row] += weight[cited_row]
            if sentence.kind in NOT_ADDED:  # left out of the one-pass scores
                # Sorted: a float sum in set order would vary with PYTHONHASHSEED.
                logits[row] += sum(
                    weight[self.vocabulary[f]]
                    for f in sorted(sentence_features(document, sentence))
                    if f in self.vocabulary
                )
        result: np.ndarray = 1.0 / (1.0 + np.exp(-logits))
        return result

    def choose(
        self,
        document: Document,
        cited: list[Sentence],
        detector: str,
        add: bool,
        agrees: Callable[[Sentence], bool],
    ) -> list[Sentence]:
        """The quotes, best first: the cited sentences that score at least the cut-off (the best
        one always), and, when ``add``, the best other sentence that clears the add threshold
        and ``agrees`` with the answer; at most ``max_quotes``."""
        policy = self.policy
        starts = {s.start for s in cited}
        probability = self.probabilities(document, detector, cited)
        _, index = self._scores(document)

        def p(sentence: Sentence) -> float:
            row = index.get(sentence.start)
            return float(probability[row]) if row is not None else 0.0

        ranked = sorted(cited, key=lambda s: (-p(s), s.start))
        kept = [s for i, s in enumerate(ranked) if i == 0 or p(s) >= policy.cut]
        if add:
            sentences = document.sentences
            order = np.argsort(-probability, kind="stable")
            tried = 0
            for row in order:
                if probability[row] < policy.add or tried >= ADD_TRIES:
                    break
                sentence = sentences[row]
                if sentence.start in starts or sentence.kind in NOT_ADDED:
                    continue
                tried += 1
                if agrees(sentence):
                    kept.append(sentence)
                    break
        return sorted(kept, key=lambda s: (-p(s), s.start))[: policy.max_quotes]


def _word_id(words: dict[str, int], word: str) -> int:
    """The id of a feature's word, given on first sight; "#" is kept as _TOKEN reads it."""
    return words.setdefault("" if word == "#" else word, len(words))


@cache
def default_ranker() -> Ranker:
    """The ranker shipped with the package."""
    text = files("appraise.evidence").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    return Ranker.from_json(json.loads(text))
