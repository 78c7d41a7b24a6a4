"""How outcomes were measured: which instruments, who rated them, and when the diagnostic
interviews were given (at entry, at the end of treatment, at follow-up)."""

from __future__ import annotations

import re
from typing import Any

from appraise.evidence.instruments import InstrumentMention, find_instruments
from appraise.evidence.signals import Context, Signal, no_information
from appraise.evidence.text import LIST_KINDS

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


def _interview_at(ctx: Context, time_point: str) -> Signal:
    interviews = _interviews(ctx)
    if not mentions(ctx):
        return no_information()
    if not interviews:
        return Signal(
            "N" if ctx.has_full_text else "PN",
            0.6 if ctx.has_full_text else 0.4,
            (mentions(ctx)[0].sentence,),
            "instruments are named but none is a standardised diagnostic interview",
        )
    at = [m for m in interviews if time_point in _times(ctx, m)]
    names = ", ".join(sorted({m.instrument.name for m in interviews}))
    if at:
        return Signal(
            "Y", 0.75, tuple(dict.fromkeys(m.sentence for m in at)), f"{names} at {time_point}"
        )
    if time_point == "baseline":
        return Signal(
            "PY",
            0.55,
            (interviews[0].sentence,),
            f"{names} named; a diagnostic interview in a trial is usually given at entry",
        )
    if time_point == "post" and any(
        _PRIMARY.search(ctx.document.search_text[m.sentence.start : m.sentence.end])
        for m in interviews
    ):
        return Signal("PY", 0.6, (interviews[0].sentence,), f"{names} is a primary outcome")
    return Signal(
        "NI",
        0.4,
        (interviews[0].sentence,),
        f"{names} named, but not said to be repeated at {time_point}",
    )


def diagnostic_interview_baseline(ctx: Context) -> Signal:
    """Y: diagnosis at entry was made with a standardised diagnostic interview."""
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
    if rating.assessor:
        return Signal(
            "PY",
            0.5,
            rating.assessor[:3],
            "both assessor-rated (or objective) and self-reported outcomes: answer for the "
            "result being assessed",
        )
    return no_information()
