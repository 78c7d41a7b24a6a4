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
from appraise.models import Answer, Appraisal
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
    setup = [f"version {rubric.version}"]
    setup += [f"{p} profile" for p in sorted({a.profile for a in appraisals})]
    setup += sorted(
        {
            f"effect of {v}" if k == "effect" else f"{k} {v}"
            for a in appraisals
            for k, v in a.options.items()
        }
    )
    text = (
        f"Risk of bias was assessed with {rubric.name}, {', '.join(setup)} "
        f"({rubric.citation.rstrip('.')}), applied with appraise {__version__}."
    )
    imported: list[Appraisal] = []
    consensus: list[Appraisal] = []
    independent: list[Appraisal] = []
    for a in appraisals:  # one pass: comparing models across lists was quadratic
        if not a.answers or all(ans.source == "imported" for ans in a.answers.values()):
            imported.append(a)
        elif a.reviewer == CONSENSUS_REVIEWER:
            consensus.append(a)
        else:
            independent.append(a)
    text += _reviewers_sentence(independent, consensus)
    if imported:
        n = len({a.study for a in imported})
        text += (
            f" Judgements for {_number(n, 'study', 'studies')} "
            "were imported without signalling-question answers "
            f"(from {_join(sorted({a.reviewer for a in imported}))})."
        )
    text += _automation_sentence([ans for a in independent for ans in a.answers.values()])
    decided = [j for a in independent for j in a.domains.values() if j.judgement is not None]
    if decided and not rubric.judged_directly:
        overridden = sum(1 for j in decided if j.overridden)
        text += " Domain judgements followed the tool's algorithm from the answers; reviewers " + (
            f"overrode {overridden} of {len(decided)}, each with a stated reason."
            if overridden
            else f"overrode none of the {len(decided)}."
        )
    return text


def _reviewers_sentence(independent: list[Appraisal], consensus: list[Appraisal]) -> str:
    if not independent:
        return ""
    per_result = Counter((a.study, a.result.label) for a in independent)
    studies = {a.study for a in independent}
    reviewers = {a.reviewer for a in independent}
    doubled = sum(1 for n in per_result.values() if n >= 2)
    subject = f"{_number(len(studies), 'study', 'studies')}" + (
        f" ({_number(len(per_result), 'result')})" if len(per_result) != len(studies) else ""
    )
    text = f" {subject} {'was' if len(per_result) == 1 else 'were'} appraised by " + (
        "one reviewer" if len(reviewers) == 1 else f"{len(reviewers)} reviewers"
    )
    if doubled and doubled == len(per_result):
        text += (
            ", two (or more) independently for each, with disagreements resolved by "
            f"consensus ({len(consensus)} of {doubled} reconciled so far)"
        )
    elif doubled:
        text += (
            f"; {doubled} of {len(per_result)} independently by two or more reviewers "
            f"({len(consensus)} reconciled by consensus), the rest by one reviewer"
        )
    elif len(reviewers) > 1:
        text += ", one reviewer for each result"
    return text + "."


def _automation_sentence(answers: list[Answer]) -> str:
    if not answers:
        return ""
    automatic = [ans for ans in answers if ans.source == "proposed" or ans.proposed is not None]
    if not automatic:
        return (
            f" All {_number(len(answers), 'signalling-question answer')} were given by "
            "reviewers; none was proposed automatically."
        )
    kept = sum(1 for ans in automatic if ans.confirmed and ans.proposed is None)
    changed = sum(1 for ans in automatic if ans.proposed is not None)
    pending = sum(1 for ans in automatic if not ans.confirmed)
    text = (
        f" Of {_number(len(answers), 'signalling-question answer')}, {len(automatic)} "
        "were first proposed automatically by appraise's rule-based text detectors, each "
        f"with the quotes it relied on; reviewers confirmed {kept} of these unchanged and "
        f"changed {changed}"
    )
    text += f", and {pending} remain unconfirmed." if pending else "."
    if len(automatic) < len(answers):
        text += f" The other {len(answers) - len(automatic)} were answered by reviewers directly."
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
