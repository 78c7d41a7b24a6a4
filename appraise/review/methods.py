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

# Where a record's fields can come from besides the APIs (appraise.sources.registry.SOURCES).
OTHER_ORIGINS = {"manual": "manual entry", "document": "full-text documents"}


def _origin_name(name: str) -> str:
    from appraise.sources.registry import SOURCES

    source = SOURCES.get(name)
    return source.label if source is not None else OTHER_ORIGINS.get(name, name)


def _number(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
NAMED_STUDIES = 15  # up to this many, a rubric's sentence names its studies


def _count_word(n: int) -> str:
    return NUMBER_WORDS[n] if n < len(NUMBER_WORDS) else str(n)


def _setup(rubric_id: str, appraisals: list[Appraisal]) -> str:
    """'version V, cochrane profile, effect of assignment': a profile only where the rubric
    has profiles to choose from."""
    rubric = load_rubric(rubric_id)
    setup = [f"version {rubric.version}"]
    if rubric.profiles:
        setup += [f"{p} profile" for p in sorted({a.profile for a in appraisals})]
    setup += sorted(
        {
            f"effect of {v}" if k == "effect" else f"{k} {v}"
            for a in appraisals
            for k, v in a.options.items()
        }
    )
    return ", ".join(setup)


def _studies(labels: dict[str, str], studies: set[str]) -> str:
    """'3 studies (Ames 2019, Bell 2020 and Cole 2021)', or the count alone for many."""
    count = _number(len(studies), "study", "studies")
    if len(studies) > NAMED_STUDIES:
        return f"{count} (listed in the risk-of-bias table)"
    return f"{count} ({_join(sorted(labels.get(s, s) for s in studies))})"


def _sentences_for_rubric(
    rubric_id: str, appraisals: list[Appraisal], labels: dict[str, str], only_rubric: bool
) -> str:
    rubric = load_rubric(rubric_id)
    tool = f"{rubric.name}, {_setup(rubric_id, appraisals)} ({rubric.citation.rstrip('.')})"
    studies = _studies(labels, {a.study for a in appraisals})
    text = (
        f"Risk of bias was assessed with {tool}, applied with appraise {__version__} to {studies}."
        if only_rubric
        else f"{tool} was applied to {studies}."
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
    """How many reviewers appraised each study (or result), read from the appraisals: 'Each
    study was appraised independently by two of three reviewers', never a total that reads
    as a number per study."""
    if not independent:
        return ""
    per_result = Counter((a.study, a.result.label) for a in independent)
    several_results = len(per_result) != len({a.study for a in independent})
    unit, units = ("result", "results") if several_results else ("study", "studies")
    everyone = len({a.reviewer for a in independent})
    of_all = f" of {_count_word(everyone)}"
    by_count = Counter(per_result.values())  # reviewers per result -> how many results
    if len(by_count) == 1:
        (k,) = by_count
        if k == 1:
            text = f" Each {unit} was appraised by one reviewer" + (
                f" ({_count_word(everyone)} reviewers shared the {units})" if everyone > 1 else ""
            )
        else:
            text = (
                f" Each {unit} was appraised independently by {_count_word(k)}"
                + (of_all if everyone > k else "")
                + " reviewers"
            )
    else:
        parts = [
            f"{n} by {_count_word(k)} reviewer{'s' if k > 1 else ''}"
            for k, n in sorted(by_count.items(), reverse=True)
        ]
        parts[0] = parts[0].replace(
            " by ", f" {'was' if parts[0][:2] == '1 ' else 'were'} appraised by ", 1
        )
        text = (
            f" Of {_number(len(per_result), unit, units)}, {_join(parts)}"
            f" ({_count_word(everyone)} reviewers in all)"
        )
    doubled = sum(1 for n in per_result.values() if n >= 2)
    if doubled:
        reconciled = len(consensus)
        text += (
            "; disagreements were resolved by consensus"
            if reconciled >= doubled
            else f"; disagreements are resolved by consensus ({reconciled} of {doubled} so far)"
        )
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
    if kept == len(automatic):
        verdict = "reviewers confirmed every one unchanged"
    else:
        verdict = f"reviewers confirmed {kept} of these unchanged" + (
            f" and changed {changed}" if changed else ""
        )
    text = (
        f" Of {_number(len(answers), 'signalling-question answer')}, {len(automatic)} "
        "were first proposed automatically by appraise's rule-based text detectors, each "
        f"with the quotes it relied on; {verdict}"
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
        parts.append(f"{_origin_name(source)} ({span})")
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
    studies = {a.study for items in by_rubric.values() for a in items}
    labels = {r.id: r.label for r in corpus.iter_records() if r.id in studies}
    only = len(by_rubric) == 1
    sentences = [
        _sentences_for_rubric(rid, items, labels, only) for rid, items in sorted(by_rubric.items())
    ]
    opening = (
        []
        if only
        else [
            f"Risk of bias was assessed with {_count_word(len(by_rubric))} tools, applied with "
            f"appraise "
            f"{__version__}."
        ]
    )
    return " ".join([*opening, *sentences]) + _retrieval_sentence(corpus, studies)
