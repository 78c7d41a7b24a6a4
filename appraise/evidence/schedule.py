"""When outcomes were assessed: the schedule of assessments, counted where the text allows in
months after the end of treatment.

A report gives its time points against different anchors: "3 months post-treatment" counts
from the end of treatment, "at 6 months after randomisation" or "week 52 post-quit date" from
the start. A start-anchored point says how long after the end only when the treatment's length
is known ("a 12-week programme": 6 months after randomisation is about 3 months after the end),
so the longest stated treatment length is subtracted, which can only shorten a follow-up.
Plans ("a 1-year follow-up is underway") are not assessments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from appraise.evidence.document import Sentence
from appraise.evidence.signals import Context
from appraise.evidence.text import NUMBER, Hit, find, to_number

_I = re.IGNORECASE
Anchor = Literal["end", "start", "unknown"]

_UNIT = r"(?P<unit>days?|weeks?|wks?|months?|mos?|years?|yrs?|y)\b"
# A number or a list of them ('1, 3, 5 and 12', '6 or 12', '3-6'); the last is the latest.
_NUMBERS = rf"(?P<list>{NUMBER}(?:(?:, {NUMBER})*,? (?:and|or|to) {NUMBER}|[-/]{NUMBER})?)"
_END = re.compile(
    r"^(?:the )?(?:(?:completing|finishing|ending|concluding) (?:the |their )?(?:\w+ ){0,2}?"
    r"(?:treatment|intervention|therapy|programme|program|course|sessions?|training)|"
    r"(?:end|completion|termination|conclusion|cessation) of (?:the |their )?"
    r"(?:\w+ ){0,2}?(?:treatment|intervention|therapy|programme|program|course|sessions?|"
    r"training|supplementation)|post-?(?:treatment|intervention|therapy)|(?:the )?"
    r"(?:last|final) (?:\w+ )?session|(?:the )?(?:single |group |\w+ )?session|treatment|"
    r"intervention|therapy|hypnotherapy|discharge|training|programme|program|course)",
    _I,
)
_START = re.compile(
    r"^(?:the )?(?:randomi[sz]ation|baseline|enrol?ment|inclusion|(?:study )?entry|"
    r"start|beginning|onset|(?:target )?quit(?:ting)? date|recruitment|registration|"
    r"download\w*|allocation|assignment|admission|first (?:\w+ )?(?:session|visit)|"
    r"vaccination|surgery|birth|delivery|study start|initiation)",
    _I,
)
_FOLLOW = r"follow[- ]?ups?"
_AFTER = r"(?:(?:after|from|following|since) |post[- ]?)"
_POINT_PATTERNS: tuple[tuple[re.Pattern[str], Anchor | None], ...] = (
    # '12-month follow-up', '3 months post-treatment follow-up'
    (
        re.compile(
            # '6-month (T2) follow-up'
            rf"\b{_NUMBERS}[- ]{_UNIT}(?: \([^()]{{1,12}}\))?[- ]"
            r"(?:post[- ]?(?:treatment|intervention) |"
            r"(?:naturalistic|long-term|longer-term|further|additional|telephone|postal|"
            r"uncontrolled|open) )?"
            rf"{_FOLLOW}\b"
            rf"(?: {_AFTER}(?P<anchor>[\w -]{{1,50}}))?",
            _I,
        ),
        None,
    ),
    # 'follow-up at 3 and 6 months (after the intervention)'
    (
        re.compile(
            rf"\b(?:{_FOLLOW}|followed[- ]up) (?:\w+ ){{0,3}}?(?:at|after|in) (?:weeks? |months? )?"
            rf"{_NUMBERS}"
            rf"[- ]?{_UNIT}(?: {_AFTER}(?P<anchor>[\w -]{{1,50}}))?",
            _I,
        ),
        None,
    ),
    # '6 months after the intervention', '28 days after downloading', '3 months post-treatment',
    # 'six months (from March to April) after the baseline survey'
    (
        re.compile(
            rf"\b{_NUMBERS}[- ]{_UNIT}(?: later)?(?: \([^()]{{1,60}}\))? {_AFTER}"
            rf"(?P<anchor>[\w -]{{1,50}})",
            _I,
        ),
        None,
    ),
    # 'at week 12', 'weeks 1, 3 and 52'
    (
        re.compile(
            rf"\b(?:at|by|until|through|to|in|on|and|of) (?P<unit>week|month)s? {_NUMBERS}\b(?!%)",
            _I,
        ),
        "start",
    ),
    # Observation periods: 'followed for 5 years', 'median follow-up of 7.7 y'
    (
        re.compile(
            rf"\b(?:followed(?: up)? (?:for|over|during)|{_FOLLOW} (?:period |duration )?"
            rf"(?:of|was|lasted|ranged from [\d.]+ \w+ to)) (?:up to |a (?:median|mean) of |"
            rf"about |approximately )?{_NUMBERS} {_UNIT}"
            # 'followed up for two years after completing therapy' counts from the end.
            rf"(?: {_AFTER}(?P<anchor>[\w -]{{1,50}}))?",
            _I,
        ),
        "start",
    ),
    # 'at the end of the 10-week programme and again 6 months later': from the point named
    # before it in the sentence (the end of treatment when the sentence names it there).
    (
        re.compile(rf"\b{_NUMBERS}[- ]{_UNIT} (?P<later>later|thereafter)\b", _I),
        None,
    ),
    # 'at baseline and at 8 weeks', 'at baseline, 3 and 6 months': counted from the start.
    (
        re.compile(
            r"\b(?:at |from )?(?:baseline|randomi[sz]ation),? (?:and |to )?(?:at )?"
            rf"(?:(?:{NUMBER}[- ](?:weeks?|months?)|post-?(?:treatment|intervention)|"
            rf"mid-?(?:treatment|intervention)),? (?:and |or )?(?:at )?)*{_NUMBERS}[- ]{_UNIT}"
            r"(?![- ](?:follow|post|after|later|from|of|long|period|programme|program|"
            r"intervention|treatment|course))\b",
            _I,
        ),
        "start",
    ),
)
# How long the treatment lasted: 'a 12-week programme', 'after 8 weeks of supplementation'.
_DURATION = re.compile(
    rf"\b(?P<n>{NUMBER})[- ](?P<unit>days?|weeks?|months?|years?|y)(?:[- ]long)? "
    r"(?:\w+[- ]){0,3}?(?:programmes?|programs?|interventions?|treatments?|courses?|"
    r"therap(?:y|ies)|"
    r"supplementation|training|protocol|period of (?:treatment|intervention))\b|"
    rf"\b(?P<n2>{NUMBER}) (?P<unit2>days?|weeks?|months?|years?) of (?:\w+ )?(?:treatment|"
    r"intervention|therapy|supplementation|training|stimulation)\b|"
    r"\b(?:treatment|intervention|therapy|programme|program|course|supplementation|training) "
    r"(?:\w+ ){0,3}?"
    rf"(?:lasted|lasting|was delivered over|was given over|ran for|for|over) (?:a period of )?"
    rf"(?P<n3>{NUMBER}) (?P<unit3>days?|weeks?|months?|years?)\b|"
    # 'Posttreatment assessment took place nine weeks after the baseline assessment'
    r"\bpost-?(?:treatment|intervention) (?:\w+ ){0,3}?(?:took place|was|were|occurred|at) "
    rf"(?:\w+ )?(?P<n4>{NUMBER}) (?P<unit4>days?|weeks?|months?) after (?:the )?"
    r"(?:baseline|randomi[sz]ation|start)|"
    # '12 weekly sessions', 'eight sessions over 10 weeks'
    rf"\b(?P<n5>{NUMBER}) (?P<unit5>week|fortnight)ly (?:[\w-]+ ){{0,2}}?sessions\b|"
    rf"\bsessions? (?:\w+ ){{0,2}}?(?:over|across|during|within) (?:a period of |an? )?"
    rf"(?P<n6>{NUMBER})[- ](?P<unit6>days?|weeks?|months?)\b|"
    # 'sessions once a week for 10 weeks', 'the intervention period was 12 weeks'
    r"\b(?:sessions|weekly|once a week|twice (?:a )?week(?:ly)?|each week|per week) "
    rf"(?:\w+ ){{0,2}}?for (?P<n7>{NUMBER}) (?P<unit7>weeks?|months?)\b|"
    r"\b(?:intervention|treatment|therapy|training) (?:period|phase) (?:was|of|lasted) "
    rf"(?:\w+ )?(?P<n8>{NUMBER})[- ](?P<unit8>days?|weeks?|months?)\b",
    _I,
)
_POST_FROM_START = re.compile(
    r"\bpost-?(?:treatment|intervention) (?:\w+ ){0,3}?(?:took place|was|were|occurred|at) "
    rf"(?:\w+ )?{NUMBER} (?:days?|weeks?|months?) after (?:the )?(?:baseline|randomi[sz]ation|"
    r"start)",
    _I,
)
# Treatment that lasts as long as the observation: 'participants received services until they
# died or the study ended', 'the intervention continued throughout follow-up'.
_ONGOING = re.compile(
    r"\b(?:received|receive|continued|remained in|stayed in) (?:to receive )?(?:the )?(?:\w+ )?"
    r"(?:services|interventions?|treatments?|programmes?|programs?|care|therapy|visits|"
    r"support|sessions) "
    r"(?:\w+ ){0,3}?(?:until (?:they |he or she |she or he )?(?:died|death|the end of (?:the )?"
    r"(?:study|trial|observation|follow-?up))|throughout (?:the )?(?:study|trial|observation|"
    r"follow-?up))",
    _I,
)
# The end of treatment named earlier in a sentence: 'at the end of the 10-week programme and
# again 6 months later', 'post-treatment and 3 months later'.
_END_BEFORE = re.compile(
    r"\b(?:(?:end|completion|termination) of (?:the |their )?(?:[\w-]+ ){0,2}?(?:treatment|"
    r"intervention|therapy|programme|program|course|training|sessions?)|post-?(?:treatment|"
    r"intervention|therapy)|after (?:the )?(?:last|final) session|discharge|(?:immediately |"
    r"directly )?after (?:the )?(?:treatment|intervention|therapy|programme|program|course)"
    r"(?! (?:began|started|had begun|initiation|onset|allocation)))\b",
    _I,
)
_SINGLE_SESSION = re.compile(r"\b(?:single|one|1)[- ]session\b", _I)
# The assessments end when treatment does: 'at baseline and post-treatment', 'lack of follow-up'.
_POST_ONLY = re.compile(
    r"\b(?:(?:at |before and |pre- and )?(?:baseline|pre-?treatment|pre-?test|pre-?intervention)"
    r",? and (?:at )?(?:post-?treatment|post-?intervention|post-?test|the end of (?:the )?"
    # 'at baseline and at the end of the 8-week treatment', with nothing after it
    r"(?:[\w-]+ ){0,2}?(?:treatment|intervention|therapy|study)(?! and| or|,))|"
    r"after \w+ (?:weeks?|months?|sessions|treatments)"
    r" of (?:\w+ )?(?:treatment|supplementation|therapy|intervention|stimulation)|"
    r"after (?:\w+ )?(?:\d+|\w+) treatments|"
    r"pre-? ?and post-?(?:treatment|intervention|test|therapy)\b(?!,? (?:and|as well as) "
    r"(?:at )?(?:\w+[- ])?(?:\w+[- ])?follow)|"
    # 'at baseline, mid-treatment and post-treatment', 'before and immediately after the
    # intervention', 'only at the end of the intervention'
    r"(?:baseline|pre-?treatment|pre-?intervention),? (?:at )?mid-?(?:treatment|intervention|"
    r"therapy),? and (?:at )?post-?(?:treatment|intervention|therapy)|"
    r"before and (?:immediately |directly |again )?after (?:the |each )?(?:[\w-]+ ){0,2}?"
    r"(?:treatment|intervention|therapy|programme|program|course|training)(?! (?:and|,))|"
    r"only (?:at|after|on completion of) (?:the )?(?:end of (?:the )?)?(?:[\w-]+ )?"
    r"(?:treatment|intervention|therapy|programme|program|course|training))\b",
    _I,
)
_NO_FOLLOW_UP = re.compile(
    rf"\b(?:(?:lack|absence) of (?:a |any )?(?:longer[- ]term |long[- ]term |longitudinal )?"
    rf"{_FOLLOW}|no (?:longer[- ]term |long[- ]term )?{_FOLLOW}|without (?:a |any )?"
    rf"(?:long[- ]term )?{_FOLLOW}|(?:did not include|lacked|lacks|lacking) (?:a |any )?"
    rf"(?:longer[- ]term |long[- ]term )?{_FOLLOW})",
    _I,
)
_PLANNED = re.compile(
    r"\b(?:underway|ongoing|will be|are planned|is planned|being (?:conducted|collected)|"
    r"future|would be|in progress|protocol)\b",
    _I,
)


_ASSESSED = re.compile(
    r"\b(?:assess\w*|measur\w*|complet\w*|questionnaires?|surveys?|follow[- ]?ups?|outcomes?|"
    r"interview\w*|administer\w*|collected|visits?|seen|evaluat\w*|scores?)\b",
    _I,
)


@dataclass(frozen=True)
class TimePoint:
    hit: Hit
    months: float  # as the text counts them
    anchor: Anchor
    assessed: bool  # its sentence speaks of assessing, not only of when something happened


@dataclass(frozen=True)
class Schedule:
    points: tuple[TimePoint, ...]
    treatment_months: float | None
    treatment_evidence: tuple[Hit, ...]
    post_only: tuple[Hit, ...]  # sentences whose assessments end at post-treatment
    no_follow_up: tuple[Hit, ...]  # 'no follow-up', 'lack of longitudinal follow-up'
    ongoing: tuple[Hit, ...] = ()  # treatment lasting as long as the observation

    def after_end(self, point: TimePoint) -> float | None:
        """Months between the end of treatment and the point, where that can be counted."""
        if point.anchor == "end" or (point.anchor == "unknown" and not self.ambiguous(point)):
            return point.months
        if self.treatment_months is None:
            return None
        return point.months - self.treatment_months

    def ambiguous(self, point: TimePoint) -> bool:
        """A '6-month follow-up' with no anchor that reaches six months after the end only if
        counted from the end: counted from the start it would fall short."""
        if point.anchor != "unknown" or point.months < 6:
            return False
        if self.treatment_months is None:
            # Nothing to count from: a '6-month follow-up' is as often six months from the
            # start as from the end; a year or more reaches six months after any usual course.
            return point.months < 12
        return point.months - self.treatment_months < 6

    def longest_after_end(self) -> tuple[float, TimePoint] | None:
        best: tuple[float, TimePoint] | None = None
        for point in self.points:
            months = self.after_end(point)
            if months is not None and (best is None or months > best[0]):
                best = (months, point)
        return best

    @property
    def has_follow_up(self) -> bool:
        """Some assessment more than a month after the end of treatment is named (one or two
        weeks after the last session is the post-treatment assessment)."""
        found = self.longest_after_end()
        return bool(found and found[0] > 1.0) or any(
            p.anchor in ("start", "unknown") and self.treatment_months is None for p in self.points
        )


def _months(n: float, unit: str) -> float:
    unit = unit.lower()
    if unit.startswith("d"):
        return n / 30.4
    if unit.startswith("w"):
        return n / 4.345
    if unit.startswith("y"):
        return n * 12
    return n


def _where_schedules_are(sentence: Sentence) -> bool:
    return sentence.kind in ("abstract", "methods", "results", "other", "body")


def _latest(numbers: str) -> float | None:
    values = [to_number(t) for t in re.findall(NUMBER, numbers, _I)]
    found = [v for v in values if v is not None]
    return max(found) if found else None


def _anchor(text: str | None, default: Anchor | None) -> Anchor | None:
    """The anchor named after the point, else the pattern's own (None: not a time point)."""
    if not text:
        return default or "unknown"
    if _START.match(text):
        return "start"
    if _END.match(text):
        return "end"
    return default


def schedule(ctx: Context) -> Schedule:
    return ctx.once("schedule", _schedule)


def _schedule(ctx: Context) -> Schedule:
    document = ctx.document
    text = document.search_text
    points: list[TimePoint] = []
    stated: set[Anchor] = set()  # anchors the text names in words, not by default
    for pattern, default in _POINT_PATTERNS:
        for hit in find(document, pattern, _where_schedules_are):
            if _PLANNED.search(text, hit.sentence.start, hit.sentence.end):
                continue
            m = pattern.match(text, hit.start, hit.end)
            if not m:
                continue
            n = _latest(m.group("list"))
            anchor_text = m.groupdict().get("anchor")
            anchor = _anchor(anchor_text, default)
            if m.groupdict().get("later"):
                # 'N months later' counts from the point named before it: the end of
                # treatment if the sentence names it there, else from when is unknown.
                before = text[hit.sentence.start : hit.start]
                anchor = "end" if _END_BEFORE.search(before) else "unknown"
            if n is None or anchor is None or n > 600:
                continue
            assessed = bool(_ASSESSED.search(text, hit.sentence.start, hit.sentence.end))
            if anchor_text and default is None and anchor != "unknown":
                stated.add(anchor)
            points.append(TimePoint(hit, _months(n, m.group("unit")), anchor, assessed))
    # A point given without an anchor ('six-month follow-up') that the text also gives from
    # the start ('six months after the baseline survey') counts from the start; so do all of
    # them when the text counts its time points from the start in words and never from the
    # end ('post-treatment assessment took place nine weeks after baseline').
    if find(document, _POST_FROM_START, _where_schedules_are):
        stated.add("start")
    from_start = {round(p.months, 1) for p in points if p.anchor == "start"}
    counts_from_start = stated == {"start"}
    points = [
        TimePoint(p.hit, p.months, "start", p.assessed)
        if p.anchor == "unknown" and (counts_from_start or round(p.months, 1) in from_start)
        else p
        for p in points
    ]
    durations: list[tuple[float, Hit]] = []
    for hit in find(document, _DURATION, _where_schedules_are):
        m = _DURATION.match(text, hit.start, hit.end)
        if not m:
            continue
        groups = ("", "2", "3", "4", "5", "6", "7", "8")
        n = to_number(next((m.group("n" + g) for g in groups if m.group("n" + g)), ""))
        unit = next((m.group("unit" + g) for g in groups if m.group("unit" + g)), "")
        if unit.lower() == "fortnight" and n is not None:
            n, unit = n * 2, "weeks"
        if n is not None:
            durations.append((_months(n, unit), hit))
    if not durations:
        durations = [(0.0, h) for h in find(document, _SINGLE_SESSION, _where_schedules_are)]
    longest = max(durations, key=lambda d: d[0]) if durations else None
    return Schedule(
        tuple(points),
        longest[0] if longest else None,
        (longest[1],) if longest else (),
        tuple(find(document, _POST_ONLY, _where_schedules_are)),
        tuple(h for h in find(document, _NO_FOLLOW_UP) if h.sentence.kind != "introduction"),
        tuple(find(document, _ONGOING, _where_schedules_are)),
    )
