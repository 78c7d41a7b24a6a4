"""Agreement between reviewers who appraised the same studies independently.

Per domain and overall: the number of studies both judged, percent agreement, Cohen's kappa
(statsmodels' ``cohens_kappa`` on the contingency table), the Brennan-Prediger
prevalence-adjusted kappa (statsmodels' ``fleiss_kappa(..., method="randolph")``, chance =
1/number of judgement levels of the rubric; equal to PABAK when there are two levels), Gwet's
AC1 and, for judgements on an ordered scale, the linearly weighted kappa (statsmodels'
``cohens_kappa(..., wt="linear")``, levels in the rubric's order of severity).

Kappa is undefined when chance agreement is 1 (both reviewers used one and the same level
throughout): reported as such, not as a number. AC1 stays defined there: it is the statistic
that does not collapse when nearly every study gets the same judgement (the prevalence
problem of RoB data; Gwet 2008, Wongpakaran et al. 2013). No statistic means much on a few
studies: a pair with fewer than ``MIN_STUDIES`` shared results carries a warning.

Gwet's AC1 is computed here from its published formula because the one library offering it
(irrCAC) pins SciPy to 1.12 and so NumPy below 2; the tests check it against Gwet's and
Wongpakaran's worked examples.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from appraise.appraisals import CONSENSUS_REVIEWER, final_domains, final_overall
from appraise.corpus import Corpus
from appraise.errors import InputError, NotFoundError
from appraise.models import OVERALL, Appraisal
from appraise.rubrics import load_rubric

MIN_STUDIES = 10
NO_INFORMATION = "No information"  # not a degree of risk: judgements using it are not ordered


@dataclass(frozen=True)
class Statistics:
    n: int
    percent: float | None
    kappa: float | None
    prevalence_adjusted: float | None
    note: str | None = None
    ac1: float | None = None
    weighted_kappa: float | None = None


@dataclass(frozen=True)
class Disagreement:
    study: str
    result: str
    domain: str
    judgements: dict[str, str]


@dataclass
class PairAgreement:
    reviewers: tuple[str, str]
    rows: dict[str, Statistics]
    disagreements: list[Disagreement] = field(default_factory=list)
    studies: int = 0

    @property
    def warning(self) -> str | None:
        if self.studies >= MIN_STUDIES:
            return None
        return (
            f"only {self.studies} result(s) appraised by both: agreement statistics are "
            f"unstable below {MIN_STUDIES} (report the disagreements rather than kappa)"
        )


@dataclass
class AgreementReport:
    rubric: str
    levels: list[str]
    pairs: list[PairAgreement]

    def to_json(self) -> dict[str, Any]:
        return {
            "rubric": self.rubric,
            "levels": self.levels,
            "pairs": [
                {
                    "reviewers": list(p.reviewers),
                    "studies": p.studies,
                    "warning": p.warning,
                    "domains": {d: vars(s) for d, s in p.rows.items()},
                    "disagreements": [vars(d) for d in p.disagreements],
                }
                for p in self.pairs
            ],
        }


def gwet_ac1(table: Any) -> float:
    """Gwet's AC1 for two raters from their contingency table over all q levels of the scale:
    (pa - pe) / (1 - pe), pe = sum_k pi_k (1 - pi_k) / (q - 1), pi_k the mean of the two
    raters' marginal proportions of level k (Gwet 2008, eq. 20)."""
    import numpy as np

    proportions = np.asarray(table, dtype=float) / float(np.sum(table))
    levels = proportions.shape[0]
    observed = float(np.trace(proportions))
    pi = (proportions.sum(axis=1) + proportions.sum(axis=0)) / 2
    chance = float(np.sum(pi * (1 - pi)) / (levels - 1))
    return (observed - chance) / (1 - chance)


def pair_statistics(
    first: Sequence[str], second: Sequence[str], levels: Sequence[str]
) -> Statistics:
    """Agreement of two reviewers' judgements of the same items, on a scale of ``levels``
    (given best to worst: the weighted kappa reads them as ordered)."""
    import numpy as np
    from statsmodels.stats.inter_rater import cohens_kappa, fleiss_kappa

    if len(first) != len(second):
        raise ValueError("both reviewers must judge the same items")
    n = len(first)
    if n == 0:
        return Statistics(0, None, None, None, "no study judged by both")
    index = {label: i for i, label in enumerate(levels)}
    table = np.zeros((len(levels), len(levels)))
    for a, b in zip(first, second, strict=True):
        table[index[a], index[b]] += 1
    percent = float(np.trace(table) / n * 100)
    # One row per study: how many of the two reviewers chose each level.
    counts = np.zeros((n, len(levels)))
    for row, (a, b) in enumerate(zip(first, second, strict=True)):
        counts[row, index[a]] += 1
        counts[row, index[b]] += 1
    adjusted = float(fleiss_kappa(counts, method="randolph"))
    ac1 = gwet_ac1(table)
    chance = float((table.sum(axis=1) / n) @ (table.sum(axis=0) / n))
    if chance >= 1.0:
        only = first[0]
        return Statistics(
            n,
            percent,
            None,
            adjusted,
            f"kappa undefined: both reviewers judged every study {only}",
            ac1=ac1,
        )
    used = set(first) | set(second)
    ordered = NO_INFORMATION not in used
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        kappa = float(cohens_kappa(table).kappa)
        weighted = float(cohens_kappa(table, wt="linear").kappa) if ordered else None
    note = None if ordered else f"no weighted kappa: '{NO_INFORMATION}' is not a degree of risk"
    return Statistics(n, percent, kappa, adjusted, note, ac1=ac1, weighted_kappa=weighted)


def _key(appraisal: Appraisal) -> tuple[str, str]:
    return appraisal.study, appraisal.result.label


def agreement(corpus: Corpus, rubric: str) -> AgreementReport:
    """Pairwise agreement of every two reviewers who appraised the same studies with ``rubric``
    (the consensus is not a reviewer; unfinished judgements are left out)."""
    rub = load_rubric(rubric)
    by_reviewer: dict[str, dict[tuple[str, str], Appraisal]] = {}
    for stored in corpus.iter_appraisals(rubric=rub.id):
        a = stored.appraisal
        if a.reviewer == CONSENSUS_REVIEWER or a.rubric != rub.id:
            continue
        by_reviewer.setdefault(a.reviewer, {})[_key(a)] = a
    if not by_reviewer:
        raise NotFoundError(
            f"no appraisals with rubric {rub.id} in {corpus.root}",
            fix=f"appraise studies with `appraise assess ID --rubric {rub.id}` first",
        )
    domains = [d.id for d in rub.domains_for()] + [OVERALL]
    levels = [j.label for j in sorted(rub.scale, key=lambda j: j.severity)]
    pairs: list[PairAgreement] = []
    for a_name, b_name in itertools.combinations(sorted(by_reviewer), 2):
        shared = sorted(set(by_reviewer[a_name]) & set(by_reviewer[b_name]))
        if not shared:
            continue
        rows: dict[str, Statistics] = {}
        disagreements: list[Disagreement] = []
        for domain in domains:
            first: list[str] = []
            second: list[str] = []
            for key in shared:
                ja = _final(by_reviewer[a_name][key], domain)
                jb = _final(by_reviewer[b_name][key], domain)
                if ja is None or jb is None:
                    continue
                for who, label in ((a_name, ja), (b_name, jb)):
                    if label not in rub.labels:
                        raise InputError(
                            f"{who}'s {domain} judgement of {key[0]} is '{label}', not one of "
                            f"{', '.join(rub.labels)}",
                            fix=f"run `appraise check --corpus {corpus.root}` and correct it",
                        )
                first.append(ja)
                second.append(jb)
                if ja != jb:
                    disagreements.append(
                        Disagreement(key[0], key[1], domain, {a_name: ja, b_name: jb})
                    )
            rows[domain] = pair_statistics(first, second, levels)
        pairs.append(PairAgreement((a_name, b_name), rows, disagreements, len(shared)))
    return AgreementReport(rub.id, levels, pairs)


def _final(appraisal: Appraisal, domain: str) -> str | None:
    return final_overall(appraisal) if domain == OVERALL else final_domains(appraisal).get(domain)
