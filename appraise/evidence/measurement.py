"""How outcomes were measured: which instruments, who rated them, and when the diagnostic
interviews were given (at entry, at the end of treatment, at follow-up)."""

from __future__ import annotations

import re
from typing import Any

from appraise.evidence.document import Sentence
from appraise.evidence.instruments import InstrumentMention, find_instruments
from appraise.evidence.negation import negated_in
from appraise.evidence.schedule import schedule
from appraise.evidence.signals import Context, Signal, no_information
from appraise.evidence.text import LIST_KINDS, clause_end, clause_start, find

TIME_POINTS: dict[str, re.Pattern[str]] = {
    "baseline": re.compile(
        r"\b(?:baseline|pre-?treatment|pre-?intervention|screening|eligib\w*|inclusion|intake|"
        r"entry|enrol?ment|diagnos\w* (?:of|with)|met (?:the )?(?:DSM|ICD|full|diagnostic) "
        r"criteria|to confirm|pre-?test|prior to (?:treatment|randomi[sz]ation))\b",
        re.IGNORECASE,
    ),
    "post": re.compile(
        r"\b(?:post-?treatment|post-?intervention|post-?test|end of (?:the )?(?:treatment|"
        r"intervention|therapy)|after (?:the )?(?:treatment|intervention|therapy)|"
        r"at post|(?:pre|baseline)[- ]?(?:and|,|to) ?post|primary (?:outcome|end ?point)|"
        r"outcome measures?|all (?:assessment|time) points|each assessment)\b",
        re.IGNORECASE,
    ),
    "follow-up": re.compile(
        r"\b(?:follow[- ]?ups?|\d+[- ]months? after|months? post|all (?:assessment|time) points|"
        r"each assessment)\b",
        re.IGNORECASE,
    ),
}
_PRIMARY = re.compile(r"\bprimary (?:outcome|end ?point|measure)", re.IGNORECASE)


def mentions(ctx: Context) -> list[InstrumentMention]:
    """Instrument mentions in the study's own text (not in references or author lists)."""
    return ctx.once(
        "instruments",
        lambda c: [m for m in find_instruments(c.document) if m.sentence.kind not in LIST_KINDS],
    )


def outcome_instruments(ctx: Context) -> list[InstrumentMention]:
    """Mentions that are outcome measures rather than entry diagnoses: those whose sentence
    speaks of post-treatment or follow-up, or every assessor-independent mention if none do."""
    found = mentions(ctx)
    outcome = [m for m in found if _times(ctx, m) & {"post", "follow-up"}]
    return outcome or [m for m in found if m.instrument.kind != "diagnostic-interview"]


def _times(ctx: Context, mention: InstrumentMention) -> set[str]:
    """Time points named in the mention's sentence (computed once per sentence)."""
    cache: dict[int, set[str]] = ctx.once("time_points", lambda c: {})
    start = mention.sentence.start
    if start not in cache:
        text = ctx.document.search_text[start : mention.sentence.end]
        cache[start] = {name for name, pattern in TIME_POINTS.items() if pattern.search(text)}
    return cache[start]


def instrument_findings(ctx: Context) -> list[dict[str, Any]]:
    """One entry per instrument: its kind, where it is named, and (for interviews) when used."""
    by_name: dict[str, dict[str, Any]] = {}
    for m in mentions(ctx):
        entry = by_name.setdefault(
            m.instrument.name,
            {
                "name": m.instrument.name,
                "full": m.instrument.full,
                "kind": m.instrument.kind,
                "as_written": [],
                "sections": [],
                "time_points": [],
            },
        )
        written = ctx.document.text[m.start : m.end]
        if written not in entry["as_written"]:
            entry["as_written"].append(written)
        if m.sentence.section not in entry["sections"]:
            entry["sections"].append(m.sentence.section)
        for tp in sorted(_times(ctx, m)):
            if tp not in entry["time_points"]:
                entry["time_points"].append(tp)
    return list(by_name.values())


def _interviews(ctx: Context) -> list[InstrumentMention]:
    return [m for m in mentions(ctx) if m.instrument.kind == "diagnostic-interview"]


# An interview named by what it is rather than by its title ('diagnoses were established
# with structured clinical interviews'); a qualitative 'semi-structured interview' is not one.
_GENERIC_INTERVIEW = re.compile(
    r"\b(?:structured (?:clinical|diagnostic|psychiatric) interviews?|"
    r"(?:standardi[sz]ed )?diagnostic interviews?|(?-i:Structured Interview for [A-Z]\w*)|"
    r"(?:clinical|diagnostic) interview schedule)\b",
    re.IGNORECASE,
)
# Said not to be given again: 'was not repeated at post-treatment', 'administered only at
# baseline', 'the follow-up exclusively comprised self-report measures'.
_NOT_REPEATED = re.compile(
    r"\b(?:(?:was|were) not (?:\w+ )?(?:repeated|re-?administered|re-?assessed|administered|"
    r"given|conducted|used)|(?:only|solely|exclusively) (?:at|during) (?:the )?(?:baseline|"
    r"screening|intake|entry|inclusion|pre-?treatment)|(?:at|during) (?:the )?(?:baseline|"
    r"screening|intake|entry|inclusion|pre-?treatment) only|(?:only|solely|exclusively) "
    r"(?:comprised|consisted of|included|used|relied on|of)? ?(?:self-?report\w*|"
    # 'at follow-up only questionnaires were used'
    r"(?:\w+ )?questionnaires (?:were|was) (?:used|administered|completed|given|sent)))",
    re.IGNORECASE,
)
_ONLY_AT_ENTRY = re.compile(r"baseline|screening|intake|entry|inclusion|pre-?treatment", re.I)
# Strict time words for a schedule of measures (TIME_POINTS also lets 'outcome measures'
# stand for the end of treatment, which is right for a named interview, not for a schedule).
_SCHEDULE_AT: dict[str, re.Pattern[str]] = {
    "post": re.compile(
        r"\b(?:post-?treatment|post-?intervention|post-?test|end of (?:the )?(?:treatment|"
        r"intervention|therapy|study)|after (?:the )?(?:treatment|intervention|therapy)|"
        r"at post|(?:pre|baseline)[- ]?(?:and|,|to) ?post|after \w+ (?:weeks?|months?|sessions)"
        r"|(?:\d+|\w+)[- ]weeks? (?:later|after))\b",
        re.IGNORECASE,
    ),
    "follow-up": re.compile(r"\bfollow[- ]?ups?\b", re.IGNORECASE),
}
_MEASURED = re.compile(
    r"\b(?:assess\w*|measur\w*|complet\w*|administer\w*|questionnaires?|scales?|repeated|"
    r"collected|outcomes?)\b",
    re.IGNORECASE,
)
_CRITERIA = re.compile(
    r"\b(?:eligib\w*|inclusion criteria|included if|criteria for inclusion|entry criteria)\b",
    re.IGNORECASE,
)
_ENTRY = re.compile(
    r"\b(?:eligib\w*|inclusion criteria|included if|were included|criteria for inclusion|"
    r"were recruited|entry criteria|exclusion criteria|met (?:the )?(?:DSM|ICD|criteria)|"
    r"diagnosed with|diagnosis of)\b",
    re.IGNORECASE,
)


def _sentence_text(ctx: Context, sentence: Sentence) -> str:
    return ctx.document.search_text[sentence.start : sentence.end]


def _own_methods(sentence: Sentence) -> bool:
    return sentence.kind in ("abstract", "methods", "results", "other", "body")


def _interview_sentences(ctx: Context) -> list[Sentence]:
    """Sentences naming a diagnostic interview, by title or by what it is."""
    named = [m.sentence for m in _interviews(ctx)]
    generic = [
        h.sentence for h in find(ctx.document, _GENERIC_INTERVIEW) if h.sentence.kind != "coi"
    ]
    return list(dict.fromkeys(sorted([*named, *generic], key=lambda s: s.start)))


def _not_given_at(ctx: Context, time_point: str, sentences: list[Sentence]) -> Sentence | None:
    """A sentence saying the interview was not given at ``time_point``: the time word nearest
    the negative cue must be this one ('pre- and post-treatment interviews, whereas the
    follow-up comprised only self-report measures' rules out follow-up alone)."""
    nearest_of = {**_SCHEDULE_AT, "baseline": TIME_POINTS["baseline"]}
    for sentence in sentences:
        text = _sentence_text(ctx, sentence)
        for cue in _NOT_REPEATED.finditer(text):
            if _ONLY_AT_ENTRY.search(cue.group(0)) and "self" not in cue.group(0).lower():
                if time_point != "baseline":
                    return sentence  # given at entry only: not at the later points
                continue
            nearest: tuple[int, str] | None = None
            for name, pattern in nearest_of.items():
                for m in pattern.finditer(text):
                    gap = min(abs(m.start() - cue.end()), abs(cue.start() - m.end()))
                    if nearest is None or gap < nearest[0]:
                        nearest = (gap, name)
            if nearest and nearest[1] == time_point:
                return sentence
        if time_point != "baseline" and _denied_in_clause(ctx, sentence, time_point):
            return sentence
    return None


def _denied_in_clause(ctx: Context, sentence: Sentence, time_point: str) -> bool:
    """A named interview in a negation's scope, with the time point in its own clause: 'at
    post-treatment and follow-up, the SCID was not readministered' denies both."""
    text = ctx.document.search_text
    for m in _interviews(ctx):
        if m.sentence != sentence or not negated_in(
            text, sentence.start, sentence.end, m.start, m.end
        ):
            continue
        begin = clause_start(text, sentence, m.start)
        if _SCHEDULE_AT[time_point].search(text, begin, clause_end(text, sentence, m.end)):
            return True
    return False


def _given_at(ctx: Context, sentence: Sentence) -> bool:
    """The sentence says an interview was given: its named interview is not in a negation's
    scope (NegEx: 'the SCID was not repeated at the end of treatment')."""
    named = [m for m in _interviews(ctx) if m.sentence == sentence]
    if not named:
        return True
    text = ctx.document.search_text
    return any(not negated_in(text, sentence.start, sentence.end, m.start, m.end) for m in named)


# A sentence that is the schedule says who was assessed when ('all subjects were assessed at
# baseline, ... and after 15 treatments'); one about analysis or power only uses time words.
_ASSESSED_WHEN = re.compile(
    r"\b(?:(?:were|was) (?:\w+ )?(?:assessed|measured|administered|completed|collected|"
    r"repeated|re-?assessed|evaluated|interviewed|surveyed)|assessments? (?:\w+ )?(?:took place|"
    r"occurred|were (?:made|conducted|performed|held|scheduled))|(?:completed|filled (?:in|out)) "
    r"(?:the )?(?:\w+ )?(?:questionnaires?|measures|surveys?|assessments?))\b",
    re.IGNORECASE,
)
_ANALYSIS = re.compile(
    r"\b(?:analys[ie]s|analy[sz]ed|power|sample size|effect sizes?|calculated|models?|"
    r"statistic\w*|regression|significan\w*|p ?[<=])\b",
    re.IGNORECASE,
)


def _schedule_at(ctx: Context, time_point: str) -> list[Sentence]:
    """Sentences giving the measures taken at ``time_point`` (the schedule): those naming most
    time points with a verb of assessing first, the methods' own before summaries."""
    pattern = _SCHEDULE_AT[time_point]
    text = ctx.document.search_text
    found = [
        h.sentence
        for h in find(ctx.document, pattern, _own_methods)
        if _MEASURED.search(text, h.sentence.start, h.sentence.end)
    ]

    def weight(sentence: Sentence) -> int:
        times = sum(1 for p in TIME_POINTS.values() if p.search(text, sentence.start, sentence.end))
        said = bool(_ASSESSED_WHEN.search(text, sentence.start, sentence.end))
        analysis = bool(_ANALYSIS.search(text, sentence.start, sentence.end))
        return -(2 * times + 2 * said - 3 * analysis)

    unique = list(dict.fromkeys(found))
    return sorted(unique, key=lambda s: (weight(s), s.kind != "methods", s.start))


def _methods_first(sentences: list[Sentence]) -> list[Sentence]:
    """The methods' own account before the abstract's and results' summaries, in text order."""
    unique = list(dict.fromkeys(sentences))
    return sorted(unique, key=lambda s: (s.kind != "methods", s.start))


def _concluded_from_absence(ctx: Context, time_point: str) -> Signal | None:
    """N where the report describes its own trial fully and names no diagnostic interview."""
    if not (ctx.has_full_text and ctx.reports_own_study) or ctx.is_review:
        return None
    found = mentions(ctx)
    names = ", ".join(sorted({m.instrument.name for m in found})[:6])
    if not found:
        measures = (
            "no psychiatric measure is named: a trial whose entry is not a psychiatric diagnosis"
        )
    elif all(m.instrument.kind == "self-report" for m in found):
        measures = f"every measure recognised is a self-report questionnaire: {names}"
    else:
        measures = f"the measures recognised are rating scales, not interviews: {names}"
    if time_point == "baseline":
        entry = [h.sentence for h in find(ctx.document, _ENTRY, _own_methods)]
        if not entry:
            return None
        criteria = [s for s in entry if _CRITERIA.search(ctx.document.search_text, s.start, s.end)]
        entry = _methods_first(criteria) + _methods_first(entry)
        return Signal(
            "N",
            0.6,
            tuple(dict.fromkeys(entry))[:2],
            "concluded from absence: entry is described and no standardised diagnostic "
            f"interview is named ({measures})",
        )
    schedule_sentences = _schedule_at(ctx, time_point)
    plan = schedule(ctx)
    if time_point == "follow-up" and not plan.has_follow_up:
        ends = [h.sentence for h in (*plan.no_follow_up, *plan.post_only)]
        schedule_sentences = _methods_first(ends) + schedule_sentences
    evidence = (
        tuple(dict.fromkeys(schedule_sentences))[:2]
        or tuple(dict.fromkeys(m.sentence for m in found))[:2]
    )
    return Signal(
        "N",
        0.6,
        evidence,
        f"concluded from absence: no standardised diagnostic interview is named anywhere in "
        f"the report ({measures})",
    )


def _interview_at(ctx: Context, time_point: str) -> Signal:
    sentences = _interview_sentences(ctx)
    if not sentences:
        concluded = _concluded_from_absence(ctx, time_point)
        if concluded:
            return concluded
        if not mentions(ctx):
            return no_information()
        return Signal(
            "N" if ctx.has_full_text else "PN",
            0.6 if ctx.has_full_text else 0.4,
            (mentions(ctx)[0].sentence,),
            "instruments are named but none is a standardised diagnostic interview",
        )
    interviews = _interviews(ctx)
    names = ", ".join(sorted({m.instrument.name for m in interviews})) or "a diagnostic interview"
    if denial := _not_given_at(ctx, time_point, sentences):
        return Signal("N", 0.7, (denial,), f"{names} said not to be given at {time_point}")
    at = [s for s in sentences if time_point in _sentence_times(ctx, s) and _given_at(ctx, s)]
    if at:
        return Signal("Y", 0.75, tuple(at), f"{names} at {time_point}")
    if time_point == "baseline":
        return Signal(
            "PY",
            0.55,
            (sentences[0],),
            f"{names} named; a diagnostic interview in a trial is usually given at entry",
        )
    if time_point == "post" and any(_PRIMARY.search(_sentence_text(ctx, s)) for s in sentences):
        return Signal("PY", 0.6, (sentences[0],), f"{names} is a primary outcome")
    if time_point == "follow-up" and not schedule(ctx).has_follow_up:
        ends = schedule(ctx).post_only or schedule(ctx).no_follow_up
        if ends or schedule(ctx).points:
            evidence = tuple(dict.fromkeys(h.sentence for h in ends))[:2] or (sentences[0],)
            return Signal(
                "N", 0.55, evidence, "no follow-up after the end of treatment is reported"
            )
    listed = [s for s in _schedule_at(ctx, time_point) if s not in sentences]
    if listed:
        return Signal(
            "PN",
            0.5,
            tuple(dict.fromkeys(listed))[:2],
            f"the measures at {time_point} are listed and {names} is not among them",
        )
    return Signal(
        "NI",
        0.4,
        (sentences[0],),
        f"{names} named, but not said to be repeated at {time_point}",
    )


def _sentence_times(ctx: Context, sentence: Sentence) -> set[str]:
    text = _sentence_text(ctx, sentence)
    return {name for name, pattern in TIME_POINTS.items() if pattern.search(text)}


def diagnostic_interview_baseline(ctx: Context) -> Signal:
    """Y: diagnosis at entry was made with a standardised diagnostic interview. N when entry is
    described and no interview is named anywhere (concluded from absence, said so)."""
    return _interview_at(ctx, "baseline")


def diagnostic_interview_end(ctx: Context) -> Signal:
    """Y: a standardised diagnostic interview was repeated at the end of treatment."""
    return _interview_at(ctx, "post")


def diagnostic_interview_followup(ctx: Context) -> Signal:
    """Y: a standardised diagnostic interview was repeated at follow-up."""
    return _interview_at(ctx, "follow-up")


def assessor_rated(ctx: Context) -> Signal:
    """Y: the outcome was rated by an assessor (clinician, interviewer, observer) or measured
    objectively (a laboratory value, a registry), not only self-reported. The primary
    outcome's sentences decide when the text names it (see ``raters``)."""
    from appraise.evidence.raters import outcome_rating

    rating = outcome_rating(ctx)
    sure = rating.from_primary
    if rating.only_self_report:
        return Signal(
            "N" if sure else "PN",
            0.7 if sure else 0.55,
            rating.self_report[:3],
            "the primary outcome is self-reported" if sure else "outcomes read as self-report",
        )
    if rating.assessor and not rating.self_report:
        return Signal(
            "Y" if sure else "PY",
            0.75 if sure else 0.6,
            rating.assessor[:3],
            "rated by an assessor or measured objectively",
        )
    if rating.assessor and sure:
        return Signal(
            "PY",
            0.5,
            rating.assessor[:3],
            "both assessor-rated (or objective) and self-reported outcomes: answer for the "
            "result being assessed",
        )
    if rating.assessor:
        # Self-report and assessor-rated measures, and no sentence naming the primary outcome:
        # which of them decides the result is the reviewer's call.
        return Signal(
            "NI",
            0.4,
            (*rating.self_report[:1], *rating.assessor[:1]),
            "both self-report and assessor-rated (or objective) measures, and no primary "
            "outcome named: answer for the result being assessed",
        )
    return no_information()
