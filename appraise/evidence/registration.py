"""Trial registrations and whether they came before the trial began.

Registration ids are found by ``appraise.sources.registrations.find_registrations`` (one place
knows every registry's id shape). A registration predates the trial when the text says it was
prospective, or when its date (from the record, or 'registered on ...' in the text) is no later
than the start of recruitment read from 'recruited between March 2015 and ...'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from appraise.evidence.document import Sentence
from appraise.evidence.signals import Context, Signal, no_information
from appraise.evidence.text import anywhere, find, is_negated
from appraise.sources.registrations import ANY_REGISTRY, find_registrations

_I = re.IGNORECASE
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
_DATE = (
    rf"(?:(?:\d{{1,2}}(?:st|nd|rd|th)? )?{_MONTH},? (?:\d{{1,2}}, )?(?:19|20)\d{{2}}|"
    r"(?:19|20)\d{2}-\d{2}(?:-\d{2})?(?!\d))"
)
_START = re.compile(
    rf"\b(?:recruit\w*|enrol?l\w*|conducted|carried out|took place|included|screened|randomi[sz]ed)"
    rf"[^.;]{{0,60}}?\b(?:between|from|during|in|since|starting(?: in)?) (?P<date>{_DATE})",
    _I,
)
_NUMERIC_DATE = r"\d{1,2}\.\d{1,2}\.(?:19|20)\d{2}"
_REGISTERED_ON = re.compile(
    rf"\b(?:registered|date of registration|registration date)[^;]{{0,80}}?"
    rf"(?:\b(?:on|in|at|dated?)|:) (?P<date>{_DATE}|{_NUMERIC_DATE})",
    _I,
)
_PROSPECTIVE = re.compile(
    r"\bprospectively regist\w*|\bregistered prospectively\b|"
    r"\b(?:were|was|been|is|are) pre-?registered\b|\bpre-?registered (?:at|via|on|with|in)\b|"
    r"\bregistered (?:before|prior to) (?:the )?"
    r"(?:start|recruitment|enrol\w*|inclusion)",
    _I,
)
_REGISTERED = re.compile(
    r"\b(?:is|was|were|been|are) (?:prospectively |retrospectively )?registered (?:in|at|with|on|"
    r"under)\b|\btrial registration\b|\bregistration (?:number|id)\b",
    _I,
)
_RETROSPECTIVE = re.compile(
    r"\bretrospectively regist\w*|\bregistered retrospectively\b|"
    r"\bregistered after\b",
    _I,
)
_PLAN = re.compile(
    r"\b(?:(?:published|pre-?specified|registered) (?:study )?(?:protocol|"
    r"statistical analysis plan)|statistical analysis plan|study protocol "
    r"(?:was|has been) published|protocol (?:was|has been) published)\b",
    _I,
)


def parse_date(raw: str) -> date | None:
    """'March 2015', '3 Jan 2014', '2016-04-01' or the European '11.7.2011' (day first)."""
    dotted = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.((?:19|20)\d{2})", raw.strip())
    if dotted:
        d, m, y = (int(g) for g in dotted.groups())
        return _date(y, m, d)
    iso = re.fullmatch(r"((?:19|20)\d{2})-(\d{2})(?:-(\d{2}))?", raw.strip())
    if iso:
        return _date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3) or 1))
    month = re.search(_MONTH, raw)
    year = re.search(r"(?:19|20)\d{2}", raw)
    if not (month and year):
        return None
    day = re.match(r"(\d{1,2})(?:st|nd|rd|th)? ", raw)
    return _date(
        int(year.group(0)), _MONTHS[month.group(0)[:3].lower()], int(day.group(1)) if day else 1
    )


def _date(year: int, month: int, day: int) -> date | None:
    """A calendar date, or None for impossible ones ('31.2.2015') rather than an error."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


@dataclass
class RegistrationFacts:
    ids: list[dict[str, str | None]] = field(default_factory=list)
    evidence: list[Sentence] = field(default_factory=list)
    registered: date | None = None
    trial_start: date | None = None
    stated: str | None = None  # prospective / retrospective, when the text says so
    plan: list[Sentence] = field(default_factory=list)
    registered_statements: list[Sentence] = field(default_factory=list)

    @property
    def predates_trial(self) -> bool | None:
        if self.stated:
            return self.stated == "prospective"
        if self.registered and self.trial_start:
            # Same month counts as before: registries date to the day, reports to the month.
            return (self.registered.year, self.registered.month) <= (
                self.trial_start.year,
                self.trial_start.month,
            )
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "registrations": self.ids,
            "registered": self.registered.isoformat() if self.registered else None,
            "trial_start": self.trial_start.isoformat() if self.trial_start else None,
            "stated": self.stated,
            "predates_trial": self.predates_trial,
        }


def registration_facts(ctx: Context) -> RegistrationFacts:
    return ctx.once("registration", _facts)


def _facts(ctx: Context) -> RegistrationFacts:
    doc = ctx.document
    facts = RegistrationFacts()
    seen: set[str] = set()
    for sentence in doc.sentences:
        if sentence.kind == "references":
            continue
        if not doc.cues.may_match(ANY_REGISTRY, sentence.start, sentence.end):
            continue
        for reg in find_registrations(doc.search_text[sentence.start : sentence.end]):
            if reg.id not in seen:
                seen.add(reg.id)
                facts.ids.append({"registry": reg.registry, "id": reg.id, "registered": None})
                facts.evidence.append(sentence)
    if ctx.record:
        for reg in ctx.record.trial_registrations:
            if reg.id not in seen:
                seen.add(reg.id)
                facts.ids.append(
                    {"registry": reg.registry, "id": reg.id, "registered": reg.registered}
                )
            if reg.registered and not facts.registered:
                facts.registered = parse_date(reg.registered[:10])
    if not facts.registered:
        for hit in find(doc, _REGISTERED_ON, anywhere):
            m = _REGISTERED_ON.match(hit.cue)
            if m and (when := parse_date(m.group("date"))):
                facts.registered = when
                facts.evidence.append(hit.sentence)
                break
    starts = [
        (parse_date(m.group("date")), h) for h in find(doc, _START) if (m := _START.match(h.cue))
    ]
    dated = [(d, h) for d, h in starts if d]
    if dated:
        facts.trial_start, hit = min(dated, key=lambda p: p[0])
        facts.evidence.append(hit.sentence)
    for hit in find(doc, _PROSPECTIVE, anywhere):
        if not is_negated(doc.search_text, hit.sentence, hit.start):
            facts.stated = "prospective"
            facts.evidence.append(hit.sentence)
    for hit in find(doc, _REGISTERED, _not_references):
        facts.registered_statements.append(hit.sentence)
    if not facts.stated:
        for hit in find(doc, _RETROSPECTIVE, anywhere):
            facts.stated = "retrospective"
            facts.evidence.append(hit.sentence)
            break
    facts.plan = [h.sentence for h in find(doc, _PLAN)][:2]
    facts.evidence = list(dict.fromkeys(facts.evidence))
    return facts


def _not_references(sentence: Sentence) -> bool:
    return sentence.kind != "references"


def registration(ctx: Context) -> Signal:
    """Y: the result was analysed following a plan settled before unblinded outcome data were
    available (a prospective registration or a published protocol or analysis plan)."""
    facts = registration_facts(ctx)
    ids = ", ".join(str(r["id"]) for r in facts.ids)
    evidence = tuple(
        dict.fromkeys([*facts.evidence[:3], *facts.registered_statements[:2], *facts.plan[:1]])
    )
    if facts.predates_trial is True:
        return Signal(
            "PY",
            0.65,
            evidence,
            f"registered before the trial began ({ids or 'id not found'});"
            " check the registered outcomes and analyses match the report",
        )
    if facts.predates_trial is False:
        return Signal("PN", 0.55, evidence, f"registered after the trial began ({ids})")
    if facts.plan:
        return Signal("PY", 0.5, evidence, "a published protocol or analysis plan is cited")
    if facts.ids:
        return Signal(
            "PY",
            0.45,
            evidence,
            f"registered ({ids}); whether before outcome data could not be established",
        )
    if facts.registered_statements:
        return Signal(
            "PY",
            0.4,
            evidence,
            "registration stated (no id recognised); whether before outcome data is not known",
        )
    return no_information()
