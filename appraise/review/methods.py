"""A ready-to-paste methods paragraph (PRISMA 2020 item 11) written from the corpus itself:
the tool and version, the rubric and its version and profile, how many reviewers and whether
they worked independently, what was proposed automatically and what reviewers did with it,
and where and when the study records were retrieved."""

from __future__ import annotations

from collections import Counter

from appraise import __version__
from appraise.appraisals import CONSENSUS_REVIEWER
from appraise.corpus import Corpus
from appraise.errors import NotFoundError
from appraise.models import Appraisal
from appraise.rubrics import load_rubric

SOURCE_NAMES = {
    "crossref": "Crossref",
    "openalex": "OpenAlex",
    "europepmc": "Europe PMC",
    "pubmed": "PubMed",
    "manual": "manual entry",
    "document": "full-text documents",
}


def _number(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _sentence_for_rubric(rubric_id: str, appraisals: list[Appraisal]) -> str:
    rubric = load_rubric(rubric_id)
    profiles = sorted({a.profile for a in appraisals})
    options = sorted({f"{k}: {v}" for a in appraisals for k, v in a.options.items()})
    setup = f"version {rubric.version}, {', '.join(profiles)} profile"
    if options:
        setup += "; " + "; ".join(options).replace("effect: ", "effect of ")
    text = (
        f"Risk of bias was assessed with the {rubric.name} ({setup}; {rubric.citation}), "
        f"using appraise {__version__}."
    )
    independent = [
        a
        for a in appraisals
        if a.reviewer != CONSENSUS_REVIEWER
        and any(ans.source != "imported" for ans in a.answers.values())
    ]
    imported = [
        a
        for a in appraisals
        if not a.answers or all(ans.source == "imported" for ans in a.answers.values())
    ]
    consensus = [a for a in appraisals if a.reviewer == CONSENSUS_REVIEWER]
    reviewers = sorted({a.reviewer for a in independent})
    per_study = Counter((a.study, a.result.label) for a in independent)
    studies = {a.study for a in appraisals}
    if independent:
        doubled = sum(1 for n in per_study.values() if n >= 2)
        text += (
            f" {_number(len(studies), 'study', 'studies')} "
            f"({_number(len(per_study), 'result')}) were appraised by "
            f"{_number(len(reviewers), 'reviewer')}"
        )
        if doubled == len(per_study) and doubled:
            text += (
                "; every result was appraised independently by two or more reviewers, "
                f"and disagreements were resolved by consensus in {len(consensus)} "
                f"of {doubled}"
            )
        elif doubled:
            text += (
                f"; {doubled} of {len(per_study)} results were appraised independently "
                f"by two or more reviewers ({len(consensus)} resolved by consensus) and "
                "the rest by one reviewer"
            )
        else:
            text += ", each result by a single reviewer"
        text += "."
    if imported:
        text += (
            f" Judgements for {_number(len({a.study for a in imported}), 'study', 'studies')}"
            " were imported without signalling-question answers."
        )
    answers = [ans for a in independent for ans in a.answers.values()]
    automatic = [ans for ans in answers if ans.source == "proposed" or ans.proposed is not None]
    if answers:
        kept = sum(1 for ans in automatic if ans.confirmed and ans.proposed is None)
        changed = sum(1 for ans in automatic if ans.proposed is not None)
        pending = sum(1 for ans in automatic if not ans.confirmed)
        text += (
            f" Of {_number(len(answers), 'signalling-question answer')}, "
            f"{len(automatic)} were first proposed automatically by appraise's rule-based "
            "text detectors, each with the quotes it relied on; reviewers confirmed "
            f"{kept} of these unchanged and changed {changed}"
        )
        text += f", and {pending} remained unconfirmed." if pending else "."
        text += (
            " The rest were answered by reviewers directly."
            if len(automatic) < len(answers)
            else ""
        )
    decided = [j for a in independent for j in a.domains.values() if j.judgement is not None]
    overridden = [j for j in decided if j.overridden]
    if decided and not rubric.judged_directly:
        text += (
            f" Domain judgements followed the tool's algorithm from the answers; reviewers "
            f"overrode {len(overridden)} of {len(decided)}, each with a stated reason."
        )
    return text


def _retrieval_sentence(corpus: Corpus, studies: set[str]) -> str:
    dates: dict[str, list[str]] = {}
    for record in corpus.iter_records():
        if record.id not in studies:
            continue
        for source, retrieval in record.retrieved.items():
            dates.setdefault(source, []).append(retrieval.when.date().isoformat())
    if not dates:
        return ""
    parts = []
    for source in sorted(dates):
        first, last = min(dates[source]), max(dates[source])
        span = first if first == last else f"between {first} and {last}"
        parts.append(f"{SOURCE_NAMES.get(source, source)} ({span})")
    return (
        " Bibliographic records, abstracts and conflict-of-interest statements were "
        "retrieved from " + _join(parts) + "."
    )


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def methods_paragraph(corpus: Corpus, rubric: str | None = None) -> str:
    """The paragraph for the corpus's appraisals (with ``rubric`` only, if given)."""
    by_rubric: dict[str, list[Appraisal]] = {}
    wanted = load_rubric(rubric).id if rubric else None
    for stored in corpus.iter_appraisals(rubric=wanted):
        by_rubric.setdefault(stored.appraisal.rubric, []).append(stored.appraisal)
    if not by_rubric:
        which = f" with rubric {wanted}" if wanted else ""
        raise NotFoundError(
            f"no appraisals{which} in {corpus.root}",
            fix="appraise studies with `appraise assess` first",
        )
    sentences = [_sentence_for_rubric(rid, items) for rid, items in sorted(by_rubric.items())]
    studies = {a.study for items in by_rubric.values() for a in items}
    return " ".join(sentences) + _retrieval_sentence(corpus, studies)
