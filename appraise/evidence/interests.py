"""Conflicts of interest, funding and researcher allegiance.

RoB 2 leaves these out by design; the psychotherapy rubric asks for them, and the findings
report every indicator with its evidence whatever the rubric, so allegiance is flagged rather
than folded silently into a bias domain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from appraise.evidence.document import Sentence
from appraise.evidence.negation import negated_in
from appraise.evidence.signals import Context, Signal, no_information
from appraise.evidence.text import Hit, find

_I = re.IGNORECASE

_COI_HEADING = re.compile(
    r"\b(?:conflicts? of interests?|competing interests?|"
    r"declarations? of (?:competing )?interests?|"
    r"duality of interests?|financial disclosures?|disclosures?|conflicting interests?)\b",
    _I,
)
_AUTHORS_DECLARE = re.compile(
    r"\b(?:the )?(?:authors?|we) (?:\w+ )?(?:declare|report|disclose|ha(?:ve|s) no)\b", _I
)
_COI_WORDS = re.compile(
    r"\b(?:interests?|conflicts?|competing|disclos\w*|declar\w*|relationships?|fees?|employ\w*|"
    r"royalt\w*|consult\w*|honorari\w*|grants?|shares?|stock|board|advis\w*|speaker\w*|none|"
    r"paid|owns?|founder|director)\b",
    _I,
)
_NONE_DECLARED = re.compile(
    r"\b(?:no (?:known |potential |relevant |financial |competing |conflicts?|conflicting )"
    r"[\w ,-]{0,40}?(?:interests?|conflicts?|relationships?)|"
    r"(?:none|nothing) (?:to )?(?:declared?|disclose|report)|"
    r"(?:declare|report|have|has) (?:that (?:they|he|she) (?:have|"
    r"has) )?no (?:conflicts?|competing)|"
    r"(?:there (?:is|are) )?no conflicts? of interest|not? (?:have )?any (?:conflicts?|competing)|"
    r"absence of any (?:commercial|financial)|declare(?:s|d)? none|"
    r"no (?:author|one) has (?:any )?(?:\w+ ){0,3}(?:relationships?|interests?|conflicts?)|"
    # 'no potential conflicts with any product mentioned ... were reported', 'no financial or
    # other competing interests': a 'no' governing an interest noun a few words on
    r"\bno (?:[\w-]+[ ,]+){0,8}?(?:interests?|conflicts?|relationships?|disclosures?)\b|"
    # 'Conflict of interest: nil', 'Competing interests - none', 'Disclosures: N/A'
    r"(?:interests?|conflicts?|disclosures?)(?: statement)?\s*[:.-]\s*(?:nil|none|no|not "
    r"applicable|n/?a)\b|"
    r"^(?:nil|none|none declared|nothing to declare)\.?$)",
    _I,
)


def _declares_none(text: str, sentence: Sentence) -> bool:
    """A statement declaring no interests; a bare 'None.' or 'Nil' as the whole statement too
    (``^`` anchors at the text's start, not a sentence's)."""
    return bool(
        _NONE_DECLARED.search(text, sentence.start, sentence.end)
        or _NONE_DECLARED.fullmatch(text[sentence.start : sentence.end].strip())
    )


# What a declared interest is, by category; the first word group names it.
_INTEREST_KINDS: dict[str, re.Pattern[str]] = {
    "royalties": re.compile(
        r"\broyalt\w*|\bbook\b|\bauthor of (?:the |a )?(?:manual|book|workbook)", _I
    ),
    "employment": re.compile(
        r"\b(?:employ(?:ed|ees?|s|ment)|works? (?:for|at)|salary|chief executive|CEO|"
        r"(?:chief|executive) \w+ officer|managing director)\b",
        _I,
    ),
    "consultancy": re.compile(
        r"\b(?:consult\w*|advis(?:er|or|ory)|honorari\w*|speaker\w*|"
        r"(?:personal |speaking )?fees?|paid|remunerat\w*)\b",
        _I,
    ),
    "ownership": re.compile(
        r"\b(?:owns?|owner|shares?|shareholder|stock|equity|founder|"
        r"co-?founder|patents?)\b",
        _I,
    ),
    "programme role": re.compile(
        r"\b(?:director|developer|developed|trainer|trains|train(?:ing|s)? "
        r"(?:in|for)|workshops?|supervis\w*|board|chair|president|"
        r"clinical lead|(?:is|are|was|were) (?:the|an?|one of the) (?:co-?)?(?:creators?|"
        r"originators?|authors?|developers?|designers?|inventors?) of (?:the|this|a))\b",
        _I,
    ),
    "grants": re.compile(r"\b(?:grants?|research (?:support|funding)|funding from)\b", _I),
}
_PERSON = re.compile(
    r"\b(?:[A-Z]\.? ?){2,3}\b|\b(?:Dr|Prof(?:essor)?)\.? [A-Z][a-z]+|"
    r"\b[A-Z][a-z]+ [A-Z][a-z]+\b"
)


def _coi_sentences(ctx: Context) -> list[Sentence]:
    coi = [s for s in ctx.document.sentences if s.kind == "coi"]
    if coi:
        # Sections filed as COI also hold version notes and transparency statements.
        text = ctx.document.search_text
        about_interests = [
            s
            for s in coi
            if _COI_WORDS.search(text, s.start, s.end)
            or any(p.search(text, s.start, s.end) for p in _INTEREST_KINDS.values())
        ]
        return about_interests or coi
    # A statement filed under another heading ('Funding', 'Acknowledgements', 'Notes').
    sentences = ctx.document.sentences
    found: list[Sentence] = []
    text = ctx.document.search_text
    for hit in find(ctx.document, _COI_HEADING, _not_a_list):
        # A statement, not prose about conflicts: it opens with its heading ('Competing
        # interests: none') or the authors declare something.
        opens = hit.start - hit.sentence.start <= 5
        if not (opens or _AUTHORS_DECLARE.search(text, hit.sentence.start, hit.sentence.end)):
            continue
        if not opens and about_other_study(text, hit.sentence):
            continue
        found.append(hit.sentence)
        # A bare heading ('Conflict of interest statement.') is followed by the statement.
        if len(ctx.document.text[hit.sentence.start : hit.sentence.end].split()) <= 6:
            index = sentences.index(hit.sentence)
            if index + 1 < len(sentences) and sentences[index + 1].section == hit.sentence.section:
                found.append(sentences[index + 1])
    return list(dict.fromkeys(found))


def _not_a_list(sentence: Sentence) -> bool:
    return sentence.kind not in ("references", "authors")


# A sentence about another study: it cites one ('[12]', 'Smith et al.') or names it as
# previous, earlier or another trial. Its funding or interests are not this trial's.
_OTHER_STUDY = re.compile(
    r"\[\d{1,3}(?:[,–-]\s*\d{1,3})*\]|\bet al\b|\b(?:previous|earlier|prior|another|other|"
    r"former|original|parent|similar|those|these|their|that) (?:\w+ )?(?:trials?|stud(?:y|ies)|"
    r"RCTs?)\b",
    _I,
)


def about_other_study(text: str, sentence: Sentence) -> bool:
    return bool(_OTHER_STUDY.search(text, sentence.start, sentence.end))


@dataclass
class Interest:
    sentence: Sentence
    kinds: list[str]
    who: str | None


_PIECES = re.compile(r"[^.;]+(?:\.(?=\S)[^.;]*)*")  # '. ' and ';' part declarations


def declared_interests(ctx: Context) -> list[Interest]:
    """Declared interests, one per statement sentence, with who and what. Parts that say
    'none' ('LB has no competing interests') are left out, the rest of the sentence kept."""
    text = ctx.document.search_text
    out: list[Interest] = []
    for s in _coi_sentences(ctx):
        body = text[s.start : s.end]
        pieces = [p.group(0) for p in _PIECES.finditer(body)]
        kept = " ".join(
            p
            for p in pieces
            if not _NONE_DECLARED.search(p) or re.search(r"\bexcept\b|\bother than\b", p, _I)
        )
        kinds = [k for k, pattern in _INTEREST_KINDS.items() if pattern.search(kept)]
        if kinds:
            who = _PERSON.search(kept)
            out.append(Interest(s, kinds, who.group(0).strip() if who else None))
    return out


def coi_present(ctx: Context) -> Signal:
    """Y: the report carries a conflict-of-interest statement."""
    sentences = _coi_sentences(ctx)
    if sentences:
        return Signal("Y", 0.9, tuple(sentences[:3]), "conflict-of-interest statement found")
    if ctx.has_full_text:
        return Signal("PN", 0.6, (), "no conflict-of-interest statement found in the full text")
    return no_information("no full text: a statement may exist in the paper")


def coi_declared(ctx: Context) -> Signal:
    """Y: the statement declares relevant interests (employment, royalties, consultancy,
    ownership, programme roles)."""
    sentences = _coi_sentences(ctx)
    if not sentences:
        return no_information()
    interests = declared_interests(ctx)
    if interests:
        summary = "; ".join(
            f"{i.who + ': ' if i.who else ''}{', '.join(i.kinds)}" for i in interests[:4]
        )
        return Signal("Y", 0.8, tuple(i.sentence for i in interests[:5]), summary)
    text = ctx.document.search_text
    none = [s for s in sentences if _declares_none(text, s)]
    if none:
        return Signal("N", 0.85, tuple(none[:2]), "none declared")
    return Signal("NI", 0.4, tuple(sentences[:2]), "statement found but not read as either")


# ----- allegiance -----------------------------------------------------------------------------

_DEVELOPED_BY_AUTHORS = re.compile(
    r"\b(?:(?:developed|designed|created|devised|written|authored) by (?:the |one of the |two of "
    r"the )?(?:first |senior |last |present |current )?(?:authors?|investigators?|us|"
    r"our (?:[\w-]+ )?(?:group|team)|(?:study|research|project|trial) (?:team|group))|"
    r"(?:we|the authors?|our (?:group|team)|the first author|the senior author|the "
    r"(?:researchers|investigators|research team|study team)) "
    r"(?:have |had )?(?:previously )?(?:developed|designed|created|devised|wrote|"
    r"co-?wrote|authored|(?:did not|didn['’]t|do not) (?:develop|design|create|write))|"
    r"developed (?:in|at) our (?:group|lab\w*|clinic|centre|center|unit)|"
    r"(?:developed|designed|created|devised|written|authored) by our (?:[\w-]+ )?(?:group|team|"
    r"lab\w*|unit)|"
    # 'none of the authors was involved in developing it': read with its negation.
    r"(?:authors?|investigators?|we) (?:[\w-]+ ){0,3}?(?:involved|participated|took part|"
    r"role|part|involvement|hand) in "
    r"(?:the |its |their )?(?:develop\w*|design\w*|creat\w*|writ\w*))\b",
    _I,
)
# What a verb of making has for its object when it is not a treatment: 'we designed a
# randomised trial to test the app', 'we developed the study protocol', 'a questionnaire'.
_NOT_TREATMENT = re.compile(
    r"\b(?:trials?|stud(?:y|ies)|RCT|questionnaires?|surveys?|measures?|scales?|items?|"
    r"analys[ie]s|databases?|samples?|study protocol|research protocol|hypothes[ie]s|"
    r"(?:this|the|a) (?:\w+ )?(?:design|evaluation|experiment)|"
    # Tools for checking or running the trial, and the therapists' own training.
    r"checklists?|fidelity|coding (?:schemes?|systems?|manuals?)|(?:case report )?forms|"
    r"randomi[sz]ation|allocation (?:procedures?|schedules?|sequences?|lists?)|"
    # Not the treatment tested: 'we previously developed a similar programme for adolescents'.
    r"(?:similar|another|different|related|separate|other|earlier) (?:[\w-]+ )?(?:programmes?|"
    r"programs?|interventions?|treatments?|therap(?:y|ies)|versions?|apps?)|"
    r"training of (?:the )?(?:\w+ )?(?:therapists?|staff|clinicians?|facilitators?|nurses?|"
    r"counsell?ors?|coaches|providers?|interventionists?))\b",
    _I,
)
# Where a verb of making's object ends: 'we developed a 10-week guided self-help intervention'.
_OBJECT_END = re.compile(r"[,;:.()]|(?<![\w-])(?:to|for|in|with|that|which|as|at|based|from)\b", _I)
_MANUAL_TITLE = re.compile(
    r"\b(?:manual|workbook|therapist(?:'s)? guide|treatment guide|clinician(?:'s)? guide|"
    r"self-help (?:guide|book)|a (?:cognitive|behavio\w*|psychological) (?:treatment|therapy|"
    r"model|approach) (?:for|of)|treatment (?:manual|protocol|programme|program))\b",
    _I,
)
# A sentence about the treatment itself, so 'we designed a survey' is not read as allegiance.
_TREATMENT_WORDS = re.compile(
    r"\b(?:treatment|therapy|intervention|programme|program|manual|protocol|training|"
    r"psychotherap\w*|counsell?ing|course|app|scripts?|scenarios?|modules?|website|game|"
    r"curriculum|workbook|package|practices?|techniques?|exercises?|paradigm)\b",
    _I,
)
_TRAINED_BY = re.compile(
    r"\b(?:(?:trained|supervised|supervision (?:was )?(?:provided|given) by|training (?:was )?"
    r"(?:provided|given|delivered) by|certified by)) (?:by )?(?:the |one of the )?"
    r"(?:first |senior |last )?(?:authors?|investigators?|(?-i:(?:[A-Z]\.? ?){2,3})\b|"
    r"(?:Dr|Prof(?:essor)?)\.? [A-Z][a-z]+)",
    _I,
)
_AUTHORS_TRAINED = re.compile(
    r"\b(?:the (?:first |senior |last )?authors?|(?:[A-Z]\.? ?){2,3}) (?:\w+ ){0,2}?"
    r"(?:trained|supervised|provided (?:training|supervision)|delivered (?:the )?training)\b"
)
_EMPLOYED = re.compile(
    r"\b(?:employ(?:ed|ees?) (?:by|of|at)|owns?|owner of|shareholder|(?:co-?)?founder of|"
    r"director of|chief executive|CEO|managing director)\b",
    _I,
)
_COMPANY = re.compile(r"\b(?:Ltd|Limited|Inc|LLC|GmbH|B\.V|Pty|Corp(?:oration)?|plc|Company)\b\.?")
_PROGRAMME = re.compile(
    r"(?:\b[A-Z][\w-]+(?: [A-Z][\w-]+){0,4} (?:Programme|Program|Method|Protocol|Approach|Model|"
    r"Therapy|Training|Intervention)\b|\b[A-Z][\w-]*[®™])"
)


@dataclass(frozen=True)
class AuthorInfo:
    family: str
    given: str
    line: Sentence | None
    affiliations: str


def _authors(ctx: Context) -> list[AuthorInfo]:
    text = ctx.document.search_text
    lines = [s for s in ctx.document.sentences if s.kind == "authors"]
    out: list[AuthorInfo] = []
    if ctx.record and ctx.record.authors:
        for i, a in enumerate(ctx.record.authors):
            family = a.family or (a.name or "").split(" ")[-1]
            if family:
                line = lines[i] if i < len(lines) else None
                out.append(AuthorInfo(family, a.given or "", line, "; ".join(a.affiliations)))
        return out
    for line in lines:
        body = text[line.start : line.end]
        name, _, aff = body.partition(" (")
        parts = name.split()
        if parts:
            out.append(AuthorInfo(parts[-1], " ".join(parts[:-1]), line, aff.rstrip(")")))
    return out


def _initials(author: AuthorInfo) -> set[str]:
    given = [p[0] for p in re.split(r"[\s.-]+", author.given) if p]
    if not given:
        return set()
    return {"".join(given) + author.family[0], given[0] + author.family[0]}


@dataclass(frozen=True)
class Indicator:
    kind: str  # developer, training, employment, programme
    evidence: tuple[Hit | Sentence, ...]
    detail: str

    def to_json(self, text: str) -> dict[str, Any]:
        return {
            "indicator": self.kind,
            "detail": self.detail,
            "evidence": [
                {
                    "text": text[e.start : e.end],
                    "section": (e.sentence.section if isinstance(e, Hit) else e.section),
                }
                for e in self.evidence
            ],
        }


def allegiance(ctx: Context) -> list[Indicator]:
    return ctx.once("allegiance", _allegiance)


def _allegiance(ctx: Context) -> list[Indicator]:
    text = ctx.document.search_text
    authors = _authors(ctx)
    out: list[Indicator] = []
    made = [
        h for h in find(ctx.document, _DEVELOPED_BY_AUTHORS, _own_words) if _made_treatment(text, h)
    ]
    developed = [h for h in made if not _negated(text, h)]
    if developed:
        out.append(
            Indicator("developer", tuple(developed[:2]), "the text says the authors developed it")
        )
    # Cited manuals and treatment books co-written by an author of this study.
    families = {a.family for a in authors if len(a.family) >= 3}
    if families:
        pattern = re.compile(r"\b(?:" + "|".join(re.escape(f) for f in sorted(families)) + r")\b")
        for ref in (s for s in ctx.document.sentences if s.kind == "references"):
            body = text[ref.start : ref.end]
            if _MANUAL_TITLE.search(body) and (m := pattern.search(body)):
                out.append(
                    Indicator(
                        "developer",
                        (ref,),
                        f"{m.group(0)} co-wrote a cited manual or treatment text",
                    )
                )
    for i in declared_interests(ctx):
        if "royalties" in i.kinds:
            out.append(Indicator("developer", (i.sentence,), "royalties from a book or manual"))
        elif {"ownership", "employment"} & set(i.kinds) and _BUILT_IT.search(
            text, i.sentence.start, i.sentence.end
        ):
            out.append(
                Indicator(
                    "developer",
                    (i.sentence,),
                    "an author works for or has a stake in the company that built it",
                )
            )
        elif _DECLARED_DEVELOPER.search(text, i.sentence.start, i.sentence.end):
            out.append(
                Indicator(
                    "developer", (i.sentence,), "an author is declared its developer or author"
                )
            )
    named = [
        h
        for h in find(ctx.document, _NAMED_DEVELOPER, _own_words)
        if _names_author(h.cue, initials_of(authors), families)
        and _TREATMENT_WORDS.search(text, h.start, min(h.end + 60, h.sentence.end))
    ]
    if named:
        out.append(Indicator("developer", tuple(named[:2]), "an author is named as its developer"))
    if credited := _credited_to_authors(ctx, families):
        out.append(
            Indicator("developer", tuple(credited[:2]), "the treatment is credited to an author")
        )
    out += _cited_to_an_author(ctx, families)
    out += _designed_by_authors_organisation(ctx, authors)
    initials = {x for a in authors for x in _initials(a)}
    trained = [
        h for h in find(ctx.document, _TRAINED_BY) if _names_author(h.cue, initials, families)
    ]
    trained += [
        h for h in find(ctx.document, _AUTHORS_TRAINED) if _names_author(h.cue, initials, families)
    ]
    for i in declared_interests(ctx):
        if "programme role" in i.kinds and re.search(
            r"train|supervis|workshop", text[i.sentence.start : i.sentence.end], _I
        ):
            trained.append(Hit(i.sentence, i.sentence.start, i.sentence.end, "coi"))
    if trained:
        out.append(
            Indicator(
                "training", tuple(trained[:2]), "an author trained or supervised the therapists"
            )
        )
    # Employment or ownership counts when the organisation is also named in the study's own
    # account (title, abstract, methods): then it provides the treatment or product studied.
    narrative_text = " ".join(
        text[s.start : s.end]
        for s in ctx.document.sentences
        if s.kind in ("title", "abstract", "methods")
    )
    # Each organisation looked for once: searching the narrative again for every declared
    # interest made a long text's time grow with its square.
    in_narrative: dict[str, bool] = {}

    def in_the_narrative(org: str) -> bool:
        if org not in in_narrative:
            in_narrative[org] = org in narrative_text
        return in_narrative[org]

    employed: list[Hit | Sentence] = []
    for i in declared_interests(ctx):
        body = text[i.sentence.start : i.sentence.end]
        linked = any(map(in_the_narrative, _organisations(body))) or bool(_BUILT_IT.search(body))
        if {"employment", "ownership"} & set(i.kinds) and _EMPLOYED.search(body) and linked:
            employed.append(i.sentence)
    for a in authors:
        linked = any(map(in_the_narrative, _organisations(a.affiliations)))
        if a.line and _COMPANY.search(a.affiliations) and linked:
            employed.append(a.line)
    if employed:
        out.append(
            Indicator(
                "employment",
                tuple(employed[:3]),
                "an author works for or owns an organisation named in the study's methods",
            )
        )
    programmes = _named_programmes(ctx)
    for name, hit in programmes.items():
        words = [w for w in re.findall(r"[A-Z][\w-]{3,}", name) if w.lower() not in _GENERIC]
        for a in authors:
            if a.line and words and any(w in a.affiliations for w in words):
                out.append(
                    Indicator(
                        "programme", (hit, a.line), f"'{name}' also names {a.family}'s affiliation"
                    )
                )
                break
    return out


def _negated(text: str, hit: Hit) -> bool:
    """NegEx (negspacy) on the cue's last word: 'the authors did not develop the programme',
    'none of the authors was involved in developing it', 'not developed by the authors'."""
    last = text.rfind(" ", hit.start, hit.end) + 1
    return negated_in(text, hit.sentence.start, hit.sentence.end, max(last, hit.start), hit.end)


def _made_treatment(text: str, hit: Hit) -> bool:
    """What the authors made is a treatment: the object after an active verb ('we developed a
    guided self-help intervention', not 'we designed a trial to test the app'), or the subject
    before a passive one ('the treatment manual was written by the first author')."""
    sentence = hit.sentence
    if re.search(r"\bby\b|\b(?:in|at) our\b|\b(?:its|their) (?:develop|design|creat)", hit.cue, _I):
        begin = max(sentence.start, hit.start - 80)
        return bool(_TREATMENT_WORDS.search(text, begin, hit.start)) and not _NOT_TREATMENT.search(
            text, begin, hit.start
        )
    end = min(hit.end + 80, sentence.end)
    stop = _OBJECT_END.search(text, hit.end, end)
    words = text[hit.end : stop.start() if stop else end]
    return bool(_TREATMENT_WORDS.search(words)) and not _NOT_TREATMENT.search(words)


def _own_words(sentence: Sentence) -> bool:
    """Where the authors speak of their own work: anywhere but the lists and references."""
    return sentence.kind not in ("references", "authors", "funding", "registration")


def initials_of(authors: list[AuthorInfo]) -> set[str]:
    return {x for a in authors for x in _initials(a)}


# 'X is the developer of the programme', 'the first author is the author of the game',
# 'Y. Khazaal wrote the game'; a name or role, then a verb of making, then the treatment.
_DECLARED_DEVELOPER = re.compile(
    r"\b(?:developers?|co-?developers?|creators?|designers?|inventors?|originators?|"
    r"(?:is|are|was|were) (?:the|an?|one of the) (?:co-?)?authors? of|(?:co-?)?(?:developed|"
    r"designed|created|wrote|authored|invented) (?:the|this|a)\b)",
    _I,
)
_NAMED_DEVELOPER = re.compile(
    r"(?:\b(?:the )?(?:first|senior|last|corresponding|lead) author|(?-i:\b(?:[A-Z]\.[ -]?){1,3}"
    r"(?:[A-Z][a-z]+)?|\b[A-Z][a-z]+ [A-Z][a-z]+|\b[A-Z]{2,3}))\s(?:(?:is|was) (?:the|an?|one "
    r"of the) (?:co-?)?(?:developers?|authors?|creators?|designers?|inventors?|originators?) of"
    r"|(?:co-?)?(?:wrote|developed|designed|created|devised|authored|invented)) (?:the|this|a)\b",
    _I,
)
# 'equity in Mindly AB, the company that built the intervention'
_BUILT_IT = re.compile(
    r"\b(?:company|firm|organi[sz]ation|business|start-?up|provider)s? (?:that|which|who) "
    r"(?:\w+ ){0,2}?(?:developed|built|created|designed|owns|sells|markets|provides|delivers|"
    r"licenses|distributes)\b",
    _I,
)
# '[12]', '[3, 5-7]', and superscript numbers left glued to a word: 'two PhD theses57,58'.
_CITATION = re.compile(
    r"\[(\d{1,3}(?:\s*[,–-]\s*\d{1,3})*)\]|(?<=[a-z])(\d{1,3}(?:[,–-]\d{1,3})*)(?=[\s.,;:)]|$)"
)
_DESCRIBES_TREATMENT = re.compile(
    r"\b(?:(?:intervention|treatment|therapy|programme|program|protocol|manual|app|course)s? "
    r"(?:\w+ ){0,3}?(?:was|were|is|are|consisted|based|drawn|adapted|described|followed|"
    r"delivered)|based on|drawn from|adapted from|according to|following the (?:\w+ )?"
    r"(?:manual|protocol)|"
    # 'a detailed description of the app is reported in', 'have been elaborated in two books'
    r"(?:description|details|account) of|(?:described|elaborated|detailed|reported|documented|"
    r"published|presented) (?:\w+ ){0,2}?(?:in|elsewhere))\b",
    _I,
)
_MEASURE_WORDS = re.compile(
    r"\b(?:questionnaires?|scales?|inventor(?:y|ies)|measures?|scores?|assessed|analys[ie]s|"
    r"statistic\w*|criteria|sample size|power|results|findings|effects?|effective\w*)\b",
    _I,
)


# A trial's protocol paper: 'described in the published study protocol [5]', a reference titled
# '... : study protocol for a randomised controlled trial'.
_PROTOCOL_PAPER = re.compile(
    r"\b(?:(?:study|trial) protocol|protocol (?:paper|article|publication)|protocol for a|"
    r"published protocol|design (?:paper|article)|rationale and design)\b",
    _I,
)


def _cited_to_an_author(ctx: Context, families: set[str]) -> list[Indicator]:
    """The methods describe the treatment citing work an author of this study co-wrote."""
    references = [s for s in ctx.document.sentences if s.kind == "references"]
    if not references or not families:
        return []
    text = ctx.document.search_text
    author = re.compile(r"\b(?:" + "|".join(re.escape(f) for f in sorted(families)) + r")\b")
    for sentence in ctx.document.sentences:
        # The introduction often presents the treatment and where it is set out.
        if sentence.kind not in ("methods", "introduction"):
            continue
        body = text[sentence.start : sentence.end]
        if not (_DESCRIBES_TREATMENT.search(body) and _TREATMENT_WORDS.search(body)):
            continue
        citations = [c.group(1) or c.group(2) for c in _CITATION.finditer(body)]
        cited = sum(len(re.findall(r"\d+", c)) for c in citations)
        # A string of references is the literature a treatment draws on, not its source; the
        # trial's own protocol paper is by its authors whoever made the treatment.
        if _MEASURE_WORDS.search(body) or cited > 2 or _PROTOCOL_PAPER.search(body):
            continue
        for citation in citations:
            for number in re.findall(r"\d+", citation):
                index = int(number) - 1
                if 0 <= index < len(references):
                    ref = references[index]
                    if _PROTOCOL_PAPER.search(text, ref.start, ref.end):
                        continue
                    # Authors come first in a reference: look only there.
                    if m := author.search(text, ref.start, min(ref.end, ref.start + 120)):
                        return [
                            Indicator(
                                "developer",
                                (sentence, ref),
                                f"the treatment is cited to work co-written by {m.group(0)}",
                            )
                        ]
    return []


# 'The program ... was designed and implemented by Health Quality Partners', 'has been
# designed by ReachOut.com': made by an organisation that an author works for.
_MADE_BY = re.compile(
    r"\b(?:developed|designed|created|built|devised|written|produced)(?: and \w+)? by (?:the )?"
    r"(?P<org>[A-Z][\w.&-]+(?: [A-Z][\w.&-]+){0,4})"
)


def _designed_by_authors_organisation(ctx: Context, authors: list[AuthorInfo]) -> list[Indicator]:
    text = ctx.document.search_text
    employers = (
        " ".join(a.affiliations for a in authors)
        + " "
        + " ".join(
            text[i.sentence.start : i.sentence.end]
            for i in declared_interests(ctx)
            if "employment" in i.kinds
        )
    )
    for hit in find(ctx.document, _MADE_BY, _own_words):
        if hit.sentence.kind not in (
            "abstract",
            "methods",
            "introduction",
            "other",
            "body",
            "acknowledgements",
        ):
            continue
        before = text[hit.sentence.start : hit.start]
        if _MEASURE_WORDS.search(before) or not _TREATMENT_WORDS.search(
            text, hit.sentence.start, hit.sentence.end
        ):
            continue
        m = _MADE_BY.match(text, hit.start, hit.end)
        org = m.group("org") if m else ""
        words = [w.rstrip(".") for w in re.findall(r"[A-Z][\w.&-]{3,}", org) if w not in _ORG_STOP]
        if words and words[0] in employers:
            return [
                Indicator(
                    "developer",
                    (hit,),
                    f"made by {org.rstrip('.')}, which an author of this study works for",
                )
            ]
    return []


_GENERIC = {
    "therapy",
    "training",
    "programme",
    "program",
    "method",
    "model",
    "approach",
    "protocol",
    "intervention",
    "cognitive",
    "behavioral",
    "behavioural",
    "treatment",
}


_ORGANISATION = re.compile(
    r"(?:employee (?:of|at)|employed (?:by|at)|works? (?:for|at)|owner of|founder of|director of|"
    r"shareholder (?:of|in)|shares in|\bat|\bof|;|^)\s*(?:the )?"
    r"(?P<org>[A-Z][\w&-]+(?: [A-Z][\w&-]+){0,3})"
)
_ORG_STOP = {
    "The",
    "University",
    "Department",
    "Institute",
    "Hospital",
    "School",
    "Faculty",
    "Centre",
    "Center",
    "National",
    "College",
}


def _organisations(text: str) -> set[str]:
    """Capitalised names after 'employee of', 'at', 'founder of' ... (first word if distinctive)."""
    names = set()
    for m in _ORGANISATION.finditer(text):
        first = m.group("org").split()[0]
        if first not in _ORG_STOP and len(first) > 3:
            names.add(first)
    return names


def _named_programmes(ctx: Context) -> dict[str, Hit]:
    found: dict[str, Hit] = {}
    for hit in find(ctx.document, _PROGRAMME):
        if hit.sentence.kind in ("title", "abstract", "methods"):
            found.setdefault(hit.cue, hit)
    return found


def _names_author(cue: str, initials: set[str], families: set[str]) -> bool:
    if re.search(r"\bauthors?\b|\binvestigators?\b", cue, _I):
        return True
    compact = re.sub(r"[\s.]", "", cue)
    return any(i in compact for i in initials if len(i) >= 2) or any(f in cue for f in families)


def _indicator_signal(ctx: Context, kind: str, what: str) -> Signal:
    found = [i for i in allegiance(ctx) if i.kind == kind]
    if found:
        evidence = tuple(e for i in found for e in i.evidence)[:3]
        return Signal(
            "PY" if kind in ("programme", "employment") else "Y",
            0.6 if kind in ("programme", "employment") else 0.75,
            evidence,
            "; ".join(i.detail for i in found[:3]),
        )
    if ctx.has_full_text and any(s.kind == "references" for s in ctx.document.sections):
        return Signal("PN", 0.3, (), f"no sign that {what} in the text, statement or references")
    return no_information(f"no information found on whether {what}")


# A product made by a third party: 'Gatifloxacin (Broadband™, Novartis AG)', 'supplied by
# Magnetika Ltd.', 'purchased from the hospital pharmacy', 'a stimulator (CX-6650; Rolf
# Schneider Electronics, Germany)'.
_THIRD_PARTY = re.compile(
    r"[®™]|\b(?:produced|manufactured|made) (?:in|at) [A-Z]|"
    r"\b(?:supplied|provided|manufactured|donated|purchased|produced|obtained|made "
    r"available) (?:\w+ ){0,4}?(?:by|from) (?:the )?(?:[\w.&-]+ ){0,4}?(?:Ltd|Inc|GmbH|AG|A/S|"
    r"plc|LLC|S\.?A|Co|Corp\w*|Pharma\w*|pharmacy|Laborator\w+|manufacturer)\b|"
    r"\((?:[^()]{0,60}[;,] )?[A-Z][\w&.-]+(?: [A-Z][\w&.-]+){0,3},? (?:Ltd|Inc|GmbH|AG|A/S|plc|"
    r"LLC|Corp\w*|Electronics|Medical|Pharma\w*|Laborator\w+)\b|\b(?:licensed|commercially "
    r"available) (?:\w+ )?(?:drugs?|medications?|products?|devices?|vaccines?)\b",
)


# A treatment credited to named people with a citation: 'the CBM-I paradigm from Smith and
# Jones [6] was used', 'the protocol developed by Miller et al. (2004)'.
_CREDITED = re.compile(
    r"\b(?:paradigm|protocol|programme|program|manual|intervention|treatment|model|approach|"
    r"method|procedure|technique|training)s? (?:\w+ ){0,2}?(?:from|by|developed by|described by|"
    r"designed by|devised by|introduced by|proposed by) (?-i:(?P<names>[A-Z][a-z'-]+"
    r"(?:(?:,| and| &) [A-Z][a-z'-]+)*(?: et al\.?)?)) ?(?:\[\d|\((?:19|20)\d\d)",
    _I,
)


# The same credit without a citation: 'the programme was developed by Okafor and colleagues'.
_CREDITED_BY_NAME = re.compile(
    r"\b(?:paradigm|protocol|programme|program|manual|intervention|treatment|therapy|model|"
    r"approach|method|procedure|technique|training|app|course)s? (?:\w+ ){0,6}?(?:developed|"
    r"designed|devised|created|written|authored) by (?:Drs?\.? |Prof(?:essor)?\.? )?"
    r"(?-i:(?P<names>[A-Z][a-z'-]+(?:(?:,| and| &) (?:Drs?\.? )?[A-Z][a-z'-]+)*))",
    _I,
)


def _credited_to_authors(ctx: Context, families: set[str]) -> list[Sentence]:
    """Sentences of the trial's own account crediting the treatment to an author by name."""
    if not families:
        return []
    out = []
    text = ctx.document.search_text
    for hit in find(ctx.document, _CREDITED_BY_NAME):
        if hit.sentence.kind not in ("methods", "introduction", "abstract") or _negated(text, hit):
            continue
        m = _CREDITED_BY_NAME.match(text, hit.start, hit.end)
        names = re.findall(r"[A-Z][a-z'-]+", m.group("names")) if m else []
        if any(n in families for n in names):
            out.append(hit.sentence)
    return list(dict.fromkeys(out))


def _credited_to_others(ctx: Context) -> list[Sentence]:
    """Methods sentences crediting the treatment to cited people who are not its authors."""
    families = {a.family.lower() for a in _authors(ctx)}
    out = []
    for hit in find(ctx.document, _CREDITED):
        if hit.sentence.kind != "methods":
            continue
        m = _CREDITED.match(ctx.document.search_text, hit.start, hit.end)
        names = re.findall(r"[A-Z][a-z'-]+", m.group("names")) if m else []
        if names and not any(n.lower() in families for n in names):
            out.append(hit.sentence)
    return list(dict.fromkeys(out))


def allegiance_developer(ctx: Context) -> Signal:
    """Y: an author developed the treatment, or wrote or co-wrote its manual. PN when the
    treatment is a third party's product and nothing says an author made it; NI otherwise
    (a text seldom says that its authors did not develop what it tests)."""
    found = _indicator_signal(ctx, "developer", "an author developed the treatment")
    if found.answer not in ("PN", "NI"):
        return found
    text = ctx.document.search_text
    denied = [
        h
        for h in find(ctx.document, _DEVELOPED_BY_AUTHORS, _own_words)
        if _made_treatment(text, h) and _negated(text, h)
    ]
    if denied:
        return Signal("N", 0.7, tuple(denied[:2]), "the text says the authors did not develop it")
    if found.answer == "NI":
        return found
    employer = [i for i in allegiance(ctx) if i.kind == "employment"]
    if employer:
        return Signal(
            "PY",
            0.5,
            employer[0].evidence[:2],
            "an author works for or owns the organisation named as making or running it",
        )
    made = [
        h
        for h in find(ctx.document, _THIRD_PARTY)
        if h.sentence.kind in ("methods", "abstract", "acknowledgements")
        and _TREATMENT_OR_PRODUCT.search(ctx.document.search_text, h.sentence.start, h.sentence.end)
    ]
    if made:
        return Signal(
            "PN",
            0.45,
            tuple(dict.fromkeys(h.sentence for h in made))[:2],
            "the treatment is a product made or supplied by a third party, and nothing says "
            "an author developed it",
        )
    credited = _credited_to_others(ctx)
    if credited and _authors(ctx):
        return Signal(
            "PN",
            0.45,
            tuple(credited[:2]),
            "the treatment is credited to cited people who are not among the authors, and "
            "nothing says an author developed it",
        )
    return no_information(
        "no sign that an author developed the treatment; the text does not say who did"
    )


# What a maker supplies: drugs, devices, supplements (not the software that randomised).
_TREATMENT_OR_PRODUCT = re.compile(
    r"\b(?:drugs?|medications?|placebo|capsules?|tablets?|pills?|devices?|stimulat\w*|"
    r"vaccines?|supplements?|doses?|mg|patch(?:es)?|gum|inhalers?|injections?)\b",
    _I,
)


def allegiance_training(ctx: Context) -> Signal:
    """Y: an author trained or supervised the therapists."""
    return _indicator_signal(ctx, "training", "an author trained or supervised the therapists")


def allegiance_employment(ctx: Context) -> Signal:
    """Y: an author is employed by, or owns, the organisation that sells or runs the treatment."""
    return _indicator_signal(ctx, "employment", "an author works for or owns its provider")


def allegiance_programme(ctx: Context) -> Signal:
    """Y: the treatment is an author's own named programme."""
    return _indicator_signal(ctx, "programme", "the treatment is an author's own programme")


def coi_undeclared(ctx: Context) -> Signal:
    """Y: roles or affiliations show an interest the statement does not declare."""
    indicators = [
        i for i in allegiance(ctx) if i.kind != "developer" or "royalties" not in i.detail
    ]
    statement = _coi_sentences(ctx)
    declared = declared_interests(ctx)
    text = ctx.document.search_text
    none = [s for s in statement if _declares_none(text, s)]
    if indicators and (none or not statement) and not declared:
        evidence = tuple(e for i in indicators for e in i.evidence)[:2] + tuple(none[:1])
        return Signal(
            "PY",
            0.55,
            evidence,
            "allegiance indicators ("
            + ", ".join(sorted({i.kind for i in indicators}))
            + ") but the statement declares none",
        )
    if statement and ctx.record and ctx.record.authors:
        return Signal(
            "PN",
            0.35,
            tuple(statement[:1]),
            "no role or affiliation found that the statement leaves out",
        )
    return no_information()


_FUNDED = re.compile(r"\b(?:funded|supported|sponsored|financed|grants?|funding|award)\b", _I)
_NO_FUNDING = re.compile(
    r"\b(?:no (?:specific |external |financial )?(?:funding|grants?|financial support)|"
    r"(?:received|receive) no (?:specific )?(?:funding|grant)|unfunded|not funded|"
    r"nothing to (?:report|declare))\b",
    _I,
)
_STAKEHOLDER = re.compile(
    r"\b(?:Ltd|Limited|Inc|LLC|GmbH|Pty|Corp(?:oration)?|plc|"
    r"(?i:pharma\w*|company|industry|manufacturer|the (?:developer|provider|owner)s? of)|"
    # Makers of drugs and devices that sponsor trials of their own products.
    r"AstraZeneca|Pfizer|GlaxoSmithKline|GSK|Novartis|Roche|Merck|MSD|Sanofi|Eli Lilly|Lilly|"
    r"AbbVie|Bayer|Boehringer|Janssen|Johnson & Johnson|Takeda|Biogen|Amgen|Gilead|"
    r"Bristol-Myers Squibb|Novo Nordisk|Teva|Otsuka|Lundbeck|Servier|Astellas|Daiichi|Eisai|"
    r"Regeneron|Medtronic|Abbott|Allergan|Shire|Sunovion|Alkermes|Compass Pathways)\b",
)
_FUNDED_ANYWHERE = re.compile(
    r"\b(?:funded by|sponsored by|supported by (?:a )?(?:grants?|funding)|financial support "
    r"(?:from|was provided))\b",
    _I,
)


def funding(ctx: Context) -> Signal:
    """Y: the study was funded by a party with a stake in the result."""
    text = ctx.document.search_text
    sentences = [s for s in ctx.document.sentences if s.kind == "funding"]
    sentences += [
        h.sentence
        for h in find(ctx.document, _FUNDED)
        if re.search(
            r"\b(?:this|the) (?:study|trial|work|research)\b",
            text[h.sentence.start : h.sentence.end],
            _I,
        )
    ]
    sentences += [h.sentence for h in find(ctx.document, _FUNDED_ANYWHERE)]
    sentences = [
        s for s in dict.fromkeys(sentences) if s.kind == "funding" or not about_other_study(text, s)
    ]
    if not sentences:
        return no_information()
    stake = [s for s in sentences if _STAKEHOLDER.search(text, s.start, s.end)]
    if stake:
        return Signal("PY", 0.55, tuple(stake[:2]), "a commercial or interested funder is named")
    if any(_NO_FUNDING.search(text, s.start, s.end) for s in sentences):
        return Signal("N", 0.7, tuple(sentences[:2]), "no funding received")
    return Signal(
        "PN",
        0.6,
        tuple(sentences[:2]),
        "funders named are public or charitable; none has an evident stake",
    )
