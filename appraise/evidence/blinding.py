"""Who was kept unaware of the allocation: outcome assessors, participants, personnel.

Each sentence that speaks of blinding is cut into clauses ('participants were not blinded, but
assessors were'); each clause gets a polarity from its cue (blind/masked/unaware versus
unblinded/open-label/aware of allocation, with a negation in the few words before a positive
cue flipping it) and the roles it names. Trial-level labels are read as conventions have it:
double-blind covers participants and personnel; single-blind without a role named means the
participants (so it says nothing of assessors); open-label means nobody was blinded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from appraise.evidence.document import Sentence
from appraise.evidence.negation import negated_in
from appraise.evidence.signals import Context, Signal, no_information
from appraise.evidence.text import (
    Hit,
    clause_end,
    clause_start,
    find,
    is_narrative,
    section_weight,
)

Role = Literal["assessor", "participant", "personnel", "analyst"]
# The roles the questions ask of, and that trial labels ('double-blind', 'open-label') speak
# of; a blinded data analyst or statistician says nothing of who assessed the outcome.
ROLES: tuple[Role, ...] = ("assessor", "participant", "personnel")

_POSITIVE = re.compile(
    # 'turned a blind eye' and 'blind spot' are idioms, not blinding.
    r"\b(?:blind(?:ed|ing)?(?! eyes?\b| spots?\b)|mask(?:ed|ing)?|unaware|"
    r"(?:not|were not|was not) aware|naive|naïve|"
    r"did not know|without knowledge of|kept ignorant|concealed from)\b",
    re.IGNORECASE,
)
# Cues that themselves mean 'not blinded'; a negation before them is not looked for.
_NEGATIVE = re.compile(
    r"\b(?:un-?blinded|un-?masked|non-?blinded|open[- ]label|unblinding|"
    r"(?:not|im)possible to (?:blind|mask)|no blinding|no masking|"
    r"(?<!not )(?<!un)aware of (?:[\w-]+['’]? ){0,3}?"
    r"(?:allocation|assignment|group|treatment (?:allocation|condition|group|arm)|condition|arm|"
    r"(?:treatment|intervention|therapy) (?:they|he or she|she or he|he|she) (?:\w+ )?(?:delivered|"
    r"received|provided|gave|were (?:given|receiving|delivering|providing)))|"
    r"knew (?:the |their |which |what )?(?:allocation|assignment|group|treatment|condition|arm|"
    r"intervention|programme|program)|"
    # Told afterwards: 'we debriefed our participants about their study condition', 'the
    # therapist was informed ... which intervention he was about to perform'.
    r"(?:debriefed|informed|told|notified) (?:\w+ ){0,8}?(?:about|of|which) (?:[\w'’-]+ ){0,3}?"
    r"(?:intervention|condition|allocation|group|assignment|arm|treatment|programme|program)|"
    r"notification of (?:their |the )?(?:\w+ )?(?:group )?(?:assignment|allocation)|"
    # 'allocation was (not) revealed to the interviewers'
    r"(?:allocation|assignment|group|condition|arm)s? (?:was|were) (?:not )?(?:revealed|"
    r"disclosed) to|"
    # The whole trial: 'open trial', 'open (nonblinded) RCT', 'not a blind trial'.
    r"open (?:\(non-?blinded\) )?(?:\w+ ){0,2}?(?:trial|study|RCT|design)|"
    r"(?:can ?not|could not|cannot) be considered (?:as )?(?:being )?blind)\b",
    re.IGNORECASE,
)
# A clause that imagines rather than reports: 'if patients had been blinded', 'ideally the
# intervention should be blinded', 'it would have been better to keep them blind'.
_HYPOTHETICAL = re.compile(
    r"\b(?:if|whether|would|should|ideally|could have|might have|may have been|need to|"
    r"future (?:studies|trials|research))\b",
    re.IGNORECASE,
)
# 'Whether' and 'would' inside what someone knew are not suppositions: 'blinded to whether
# the participant received the intervention', 'knew which treatment they would receive'.
_KNOWN_WHETHER = re.compile(r"\b(?:to|of|about|know|knew|known|on|regarding)\s+$", re.I)
_KNOWN_WOULD = re.compile(r"\b(?:which|what|whom)\b(?:\s+[\w'’-]+){0,5}\s+$", re.I)
# What follows a cue that names what was known, not who knew: 'did not know whether
# participants ...', 'unaware which patients received'.
_WHICH = re.compile(r"\b(?:which|whether|what)\b", re.IGNORECASE)
_OBJECT_CLAUSE = re.compile(r"\W*(?:whether|which|what|if|who|how)\b", re.I)
# A sentence about the allocation sequence ('the sequence was concealed from the physicians
# allocating treatment') is concealment, not blinding.
_SEQUENCE = re.compile(
    r"\b(?:sequence|block size|envelopes?|randomi[sz]ation (?:list|schedule|code)s?|"
    r"prior to (?:patient )?enrol\w*|"
    # 'randomised in a blinded fashion', 'blinded randomisation': the allocation's concealment
    r"randomi[sz]ed (?:\w+ )?in a (?:blind(?:ed)?|masked) (?:fashion|manner|way)|"
    r"(?:blind(?:ed)?|masked) (?:randomi[sz]ation|allocation))\b",
    re.IGNORECASE,
)
# A later phase whose openness says nothing of the randomised comparison: 'an open-label
# extension followed the double-blind phase', 'thereafter all patients received open-label
# drug', 'unblinding took place after the last assessment', 'non-responders were switched to
# open treatment'. Only after the randomised phase or the last assessment: 'debriefed at the
# end of the session' may come before a follow-up, and 'follow-up after 3 months' is not a
# phase.
_LATER_PHASE = re.compile(
    r"\b(?:extension|continuation (?:phase|period|study)|cross(?:ed)?[- ]?over to|"
    r"switched to|(?:thereafter|subsequently|afterwards),? (?:[\w-]+ ){0,4}?(?:open|unblind)|"
    r"open[- ]label (?:phase|period|follow-?up|stage|part|extension)|"
    r"(?:after|following|completed|completion of|at the end of|end of) (?:the )?(?:end of )?"
    r"(?:the )?(?:(?:double|single|triple)[- ]?)?(?:blind(?:ed)?|randomi[sz]ed|core|acute|main) "
    r"(?:[\w-]+ )?(?:phase|period|part|stage)|"
    r"(?:after|following) (?:the )?(?:last|final) (?:[\w-]+ ){0,3}?(?:assessments?|visits?|"
    r"follow-?ups?|measurements?|data collection)|"
    r"(?:after|at) the (?:end|completion) of the (?:trial|study))\b",
    re.IGNORECASE,
)
# Blinding that ended before the outcome: 'remained blind until the end of the session'.
_TEMPORARY = re.compile(
    r"\buntil (?:the )?(?:end of (?:the )?|after (?:the )?)?(?:first |therapy |treatment )?"
    r"(?:session|sessions|visit|baseline|randomi[sz]ation)\b",
    re.IGNORECASE,
)
# Blinding given up part-way: 'blind diagnosis ..., however, after 2001 this procedure was
# discontinued', 'masked in the first year, but the masking was not maintained'. Some outcomes
# were then assessed with knowledge of the arm.
_ABANDONED = re.compile(
    r"\b(?:(?:was|were|had been|then) (?:(?!not |never )\w+ ){0,3}?(?:discontinued|abandoned|"
    r"stopped|dropped|broken|lifted)|"
    r"(?:were|was) not (?:used|maintained|followed|kept|applied|continued)|"
    r"no longer (?:used|applied|maintained|followed|blind\w*|masked))\b",
    re.IGNORECASE,
)
# A check of blinding, not a statement of who was blind: 'to assess the success of blinding'.
_BLINDING_CHECK = re.compile(
    r"\b(?:success|integrity|adequacy|effectiveness|maintenance|assessment|check) of (?:the )?"
    r"(?:blinding|masking)$",
    re.IGNORECASE,
)
# Unaware only up to a moment: 'up to this point, participants were still unaware'.
_UNTIL_THEN = re.compile(
    r"\b(?:up to|until|till) (?:this|that|then)(?: point| stage| time)?\b", re.I
)
# Intentions and efforts are not achievements: 'every effort was made to keep raters blind'.
_HEDGE = re.compile(
    r"\b(?:attempt\w*|tried|try|intended|efforts?|where(?:ver)? possible|as far as possible|"
    r"as much as possible|were asked not to|aimed|to the extent possible)\b",
    re.IGNORECASE,
)
# A label named only to compare with: 'this design is inferior to a double-blind trial'.
_COMPARED = re.compile(
    r"\b(?:(?:inferior|superior|compared|similar|equivalent|contrary|in contrast) to|than|"
    r"unlike|instead of|rather than|as opposed to|compared with)\s+"
    r"(?:(?:a|an|the|those of|that of|in|previous|earlier|prior|other|published)\s+){0,3}$",
    re.IGNORECASE,
)
# A label of other, earlier studies: 'previous double-blind trials', 'an open trial preceded
# this RCT'.
_EARLIER_STUDY = re.compile(
    r"\b(?:previous(?:ly)?|earlier|prior|preceding|preceded|published)\s+(?:[\w-]+\s+){0,2}$",
    re.IGNORECASE,
)
_PRECEDED = re.compile(r"\S*(?:\s+[\w-]+){0,4}?\s+(?:preceded|was followed by)\b", re.I)
# Not knowing what comes next in the sequence is concealment: 'the researcher was unaware of
# the next allocation'.
_NEXT_ALLOCATION = re.compile(
    r"\b(?:next|upcoming|forthcoming|subsequent|following) (?:\w+ )?(?:allocations?|"
    r"assignments?|group assignments?)\b",
    re.IGNORECASE,
)
# Unblinding as an event: it occurred, was reported, was (not) needed, in some cases.
_BROKEN_AT_TIMES = re.compile(
    r"\b(?:occurred|happened|took place|(?:was|were) (?:not )?(?:reported|recorded|noted|"
    r"required|needed|necessary|requested)|no unblinding|in (?:\d+|a few|some|several|one|two|"
    r"three|four|five|"
    r"a (?:small )?(?:number|minority) of)\b|for (?:\d+|a few|some|several|one|two|three)\b|"
    r"\d+(?:\.\d+)? ?%)",
    re.IGNORECASE,
)
_AVOIDED = re.compile(
    r"\b(?:avoid\w*|prevent\w*|minimi[sz]\w*|reduc\w* the (?:risk|chance|likelihood)|risk of|"
    r"potential)\b",
    re.IGNORECASE,
)
# Blindness as a loss of sight, in eligibility criteria: 'blind or deaf', 'visually impaired
# or blind children', 'legally blind'.
_SIGHT = re.compile(
    r"\b(?:deaf\w*|visual(?:ly)?[- ]impair\w*|partially sighted|sight|eyesight|vision|"
    r"hearing[- ]impair\w*|legally blind|registered blind)\b",
    re.IGNORECASE,
)
# What participants are told when they consent: the aims, nature or procedures of the
# treatment, not which arm they are in.
_CONSENT = re.compile(
    r"^(?:informed|told|notified|debriefed)\b.*\b(?:aims?|nature|purposes?|procedures?|contents?|"
    r"details?|risks?|benefits?|goals?|objectives?|rationale|possibility|right)\b",
    re.IGNORECASE,
)
# The one who knew, named as the exception: 'only the pharmacist preparing the infusions was
# aware of the allocation' says everyone else was kept unaware, not that those treating knew.
_ONLY_DISPENSER_KNEW = re.compile(
    r"\W*(?:only|solely)\b(?:\s+[\w-]+){0,3}?\s+(?:pharmacists?|pharmacy|statisticians?|"
    r"data managers?|(?:trial |study )?monitors?)\b",
    re.IGNORECASE,
)
_ENROLLING = re.compile(r"\b(?:enrol\w*|recruit\w*|randomi[sz]\w*)\b", re.I)
# Blind to something other than the allocation: 'blind to the study hypotheses', 'unaware of
# the aims of the study', 'blind to baseline scores'.
_NOT_ALLOCATION = re.compile(
    r"\s+(?:to|of) (?:the |their |our )?(?:study(?:['’]s)? |trial(?:['’]s)? |research |specific )?"
    r"(?:hypothes[ie]s|aims?|purposes?|objectives?|research questions?|expectations?|"
    r"baseline|predictions?)\b",
    re.IGNORECASE,
)
_FIRST_WORD = re.compile(r"[\w-]+")
_KNOWING = re.compile(
    r"(?:aware|knew|debriefed|informed|told|notified|notification|(?:allocation|assignment|group|"
    r"condition|arm)s? (?:was|were) (?:not )?(?:revealed|disclosed))\b",
    re.I,
)
_TRIAL_LABEL = re.compile(
    r"\b(?P<kind>single|double|triple|quadruple)[- ](?:blind(?:ed)?|mask(?:ed)?)\b", re.IGNORECASE
)
_ROLE_LABEL = re.compile(
    r"\b(?P<role>assessor|rater|observer|evaluator|investigator|outcome[- ]assessor)[- ]"
    r"(?:blind(?:ed)?|mask(?:ed)?)\b",
    re.IGNORECASE,
)
_ROLE_WORDS: dict[Role, re.Pattern[str]] = {
    "assessor": re.compile(
        r"\b(?:"
        # The passive: 'outcome assessment was performed by staff', 'follow-up interviews
        # were conducted by trained nurses', 'outcome data were collected by research staff'.
        r"(?:(?:outcome|follow-?up) )?(?:assessments?|measurements?|evaluations?|interviews?|"
        r"ratings?|tests?|data|measures?)(?: [\w-]+){0,3}? (?:were|was) (?:\w+ )?(?:performed|"
        r"conducted|completed|done|carried out|collected|made|administered|undertaken|"
        r"obtained|gathered) by (?:[\w-]+ ){0,3}?(?:staff|personnel|researchers?|nurses?|"
        r"clinicians?|psychologists?|psychiatrists?|assistants?|team|investigators?|"
        r"physicians?|doctors?|therapists?|members?|students|workers|coordinators?)|"
        r"assessors?|raters?|evaluators?|interviewers?|outcome assessments?|assessments? were|"
        r"research assistants?|data collectors?|psychometrists?|"
        r"those (?:who )?(?:assessing|rating)|"
        r"(?:independent|blind(?:ed)?|masked) (?:clinicians?|psychologists?|psychiatrists?)|"
        r"clinicians? who administered|"
        # 'the nurse who interviewed the patients' ('therapists who administered the
        # treatments' are not assessors).
        r"(?:clinicians?|nurses?|staff|psychologists?|psychiatrists?|physicians?|doctors?|"
        r"therapists?|personnel|members?|assistants?|teachers?|parents?|observers?|"
        r"caregivers?|carers?) (?:who|that) (?:assessed|rated|scored|"
        r"interviewed|measured|evaluated|examined)|"
        r"outcome (?:was|were) (?:assessed|rated)|data extractors?|adjudicat\w+|"
        r"diagnos(?:is|es|ing)|(?:staff|nurses?|clinicians?|coordinators?|personnel|physicians?|"
        r"doctors?|team)(?: [\w-]+){0,3}? (?:undertaking|performing|conducting|collecting|"
        r"assessing|measuring|rating|recording|collected|assessed|measured|rated|recorded|"
        r"scored|who (?:collected|assessed|rated|measured|scored|recorded))\b[^,;]*|"
        # 'study personnel who carried out the measurements', 'researchers conducting the
        # follow-up interviews': whoever does the assessing is an assessor.
        r"(?:staff|personnel|researchers?|team|nurses?|clinicians?|psychologists?|"
        r"assistants?)(?: [\w-]+){0,2}? (?:(?:who|that) )?(?:conducted|conducting|carried out|"
        r"carrying out|performed|performing|administered|administering|undertook|did) "
        r"(?:the |all )?(?:[\w-]+ ){0,2}?(?:assessments?|measurements?|evaluations?|interviews?|"
        r"ratings?|tests?|testing|outcome (?:data|measures?))\b|"
        r"(?:blind(?:ed)?|masked|independent) (?:outcome )?assessments?|"
        r"assessments? of (?:the )?(?:[\w-]+ )?outcomes?|researchers?|"
        r"research (?:coordinators?|nurses?)|"
        r"(?:laboratory|lab) (?:staff|personnel|technicians?))\b",
        re.IGNORECASE,
    ),
    "participant": re.compile(
        r"\b(?:participants?|patients?|subjects?|clients?|respondents?|women|men|children|"
        r"adolescents|veterans|parents|families|students|volunteers)\b",
        re.IGNORECASE,
    ),
    "analyst": re.compile(
        r"\b(?:statisticians?|data analysts?|analysts?|those (?:who )?analy[sz]ing|"
        r"(?:the )?(?:statistical )?analys[ie]s (?:was|were)|data (?:were|was) analy[sz]ed)\b",
        re.IGNORECASE,
    ),
    "personnel": re.compile(
        r"\b(?:therapists?|clinicians?|counsell?ors?|personnel|staff|providers?|care ?givers?|"
        r"investigators?|nurses?|physicians?|trainers?|facilitators?|coaches|practitioners?|"
        r"those (?:delivering|administering|giving|providing)|vaccinators?|surgeons?|"
        r"doctors?|pharmacists?|study team|research team)\b",
        re.IGNORECASE,
    ),
}
_SCOPE = re.compile(
    r"\b(?:blind(?:ed|ing)?|mask(?:ed|ing)?|aware|unaware|knowledge|knew|know|open[- ]label|"
    r"un-?blinded|non-?blinded)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Statement:
    hit: Hit
    role: Role
    blinded: bool
    explicit: bool  # False when read from a convention (double-blind, open-label)
    hedged: bool = False  # 'attempts were made to keep assessors blind'


@dataclass
class Blinding:
    statements: list[Statement] = field(default_factory=list)

    def for_role(self, role: Role) -> list[Statement]:
        return [s for s in self.statements if s.role == role]

    def to_json(self, text: str) -> dict[str, list[dict[str, object]]]:
        return {
            role: [
                {
                    "blinded": s.blinded,
                    "explicit": s.explicit,
                    "cue": s.hit.cue,
                    "section": s.hit.sentence.section,
                    "sentence": text[s.hit.sentence.start : s.hit.sentence.end],
                }
                for s in self.for_role(role)
            ]
            for role in ROLES
        }


def _mentions(text: str, start: int, end: int) -> list[tuple[int, int, Role]]:
    """Role words between ``start`` and ``end`` in text order; staff named by the assessing
    they do ('laboratory staff undertaking culture assessments') are assessors only."""
    assessing = [m.span() for m in _ROLE_WORDS["assessor"].finditer(text, start, end)]
    found: list[tuple[int, int, Role]] = [(a, b, "assessor") for a, b in assessing]
    for role in ("participant", "personnel", "analyst"):
        for match in _ROLE_WORDS[role].finditer(text, start, end):
            if not any(a <= match.start() < b for a, b in assessing):
                found.append((match.start(), match.end(), role))
    return sorted(found)


def _roles_in(text: str, start: int, end: int) -> list[Role]:
    return list(dict.fromkeys(role for _, _, role in _mentions(text, start, end)))


# What joins the members of a list of roles: 'participants, parents, teachers, and study
# personnel', 'neither participants nor therapists', 'raters and subjects'.
_LIST_JOIN = re.compile(
    r"[\s,]*(?:(?:and|or|nor|as well as|&|both|neither|either)\s+)?(?:[\w-]+\s+){0,2}?",
    re.IGNORECASE,
)
_JOINING = re.compile(r",|&|\b(?:and|or|nor|as well as)\b", re.IGNORECASE)


def _joined(text: str, start: int, end: int) -> bool:
    """Two role words are members of one list: a comma or a conjunction between them, with
    at most two words beside it ('participants and study personnel'), not a verb between
    ('blinded raters assessed all participants')."""
    return bool(_LIST_JOIN.fullmatch(text, start, end)) and bool(_JOINING.search(text, start, end))


# A relative clause after the subject: 'the researcher who enrolled participants was unaware',
# 'assessors who rated the children were blind': the head noun is the subject.
_RELATIVE = re.compile(r"\s*,?\s*(?:who|that)\s+(?!(?:was|were|is|are)\b)", re.IGNORECASE)
_CUE_VERB = re.compile(r"(?:was|were|remained)\b", re.IGNORECASE)  # 'were not aware'
_WHO = re.compile(r"\b(?:who|that)\b", re.IGNORECASE)
_MAIN_VERB = re.compile(
    r"\b(?:was|were|remained|had been|have been|has been)\s+(?:not\s+|all\s+|also\s+|kept\s+|"
    r"made\s+|fully\s+)*$",
    re.IGNORECASE,
)


def _subject_roles(text: str, start: int, end: int) -> list[Role]:
    """The roles of the noun phrase nearest before ``end``: the last role named, and those
    listed with it ('participants and therapists were not blind'), not every role the clause
    names earlier ('participants' adherence ... was abstracted by data extractors blinded'),
    nor a role inside a relative clause ('the researcher who enrolled participants was')."""
    mentions = _mentions(text, start, end)
    if not mentions:
        return []
    verb = _MAIN_VERB.search(text, mentions[-1][1], end) or _CUE_VERB.match(text, end)
    if len(mentions) > 1 and verb:
        for mention in mentions[:-1]:
            relative = _RELATIVE.match(text, mention[1]) or _WHO.search(text, *mention[:2])
            if relative and "," not in text[mention[1] : end].rstrip(", "):
                return [mention[2]]
    chosen = [mentions[-1]]
    for mention in reversed(mentions[:-1]):
        if not _joined(text, mention[1], chosen[-1][0]):
            break
        chosen.append(mention)
    return list(dict.fromkeys(role for _, _, role in reversed(chosen)))


# Where a new clause with its own subject begins inside a sentence: ', and the research
# coordinator, who was blind' (but not the list in 'patients, research, and clinical staff').
_NEW_SUBJECT = re.compile(r", and (?:the|a|an|all|each) |, who |, which ", re.IGNORECASE)
_NEXT_WORDS = re.compile(r"(?:\W+[\w'’-]+){1,3}")


def _owner(text: str, mention: tuple[int, int, Role]) -> bool:
    """A possessive ('did not know the participants' group'): whose allocation, not who knew."""
    return text[mention[1] : mention[1] + 2].startswith(("'", "’", "'s", "’s"))


# A clause that repeats the last one's predicate by ellipsis: 'therapists were aware of the
# allocation, but assessors were not', 'participants were not blinded, whereas raters were'.
_ELLIPSIS = re.compile(
    r"(?:,\s*|;\s*|\s+)(?:but|whereas|while|although|and|however,?)\s+"
    r"(?P<who>(?:[\w’'-]+\s+){0,5}?[\w’'-]+)\s+"
    r"(?:was|were|did|could|had|have)(?P<negation>\s+not|n['’]t)?(?:\s+(?:be|been))?"
    r"(?:\s+(?:either|too|as well))?\s*[.;]?\s*$",
    re.IGNORECASE,
)


def _ellipsis(text: str, hit: Hit, cue_blinded: bool) -> list[tuple[Role, bool]]:
    """The roles of an elliptical clause after the cue's, and what they were: the cue's own
    sense ('blinded', 'aware') unless the clause negates it."""
    sentence = hit.sentence
    match = _ELLIPSIS.search(text, hit.end, sentence.end)
    if not match:
        return []
    blinded = cue_blinded if not match.group("negation") else not cue_blinded
    return [(role, blinded) for role in _roles_in(text, *match.span("who"))]


def _roles_for(text: str, hit: Hit) -> list[Role]:
    """The roles a blinding cue speaks of, resolved within its clause: the role it qualifies
    ('blinded assessors', 'blind diagnosis'), else the clause's subject before it, else what
    follows it ('concealed from participants'), else any role the sentence names."""
    sentence = hit.sentence
    begin = clause_start(text, sentence, hit.start)
    stop = clause_end(text, sentence, hit.end)
    if elided := _ELLIPSIS.search(text, hit.end, stop):
        stop = elided.start()  # 'assessors were blinded and participants were not'
    following = _NEXT_WORDS.match(text, hit.end, stop)
    if (
        following
        and (
            mentions := [
                m for m in _mentions(text, hit.end, following.end()) if not _owner(text, m)
            ]
        )
        and "to" not in text[hit.end : following.end()].lower().split()
        and not _OBJECT_CLAUSE.match(text, hit.end)
        # 'told which group participants were in': the cue's own object clause names whose
        # group; 'keep the assessors blind, as participants ...': another clause.
        and not _WHICH.search(hit.cue)
        and not re.search(r"[,;:()]", text[hit.end : mentions[0][0]])
    ):
        # With the roles listed after the first: 'blinding of participants and therapists'.
        chosen = [mentions[0]]
        for mention in _mentions(text, mentions[0][1], stop):
            if not _joined(text, chosen[-1][1], mention[0]):
                break
            chosen.append(mention)
        return list(dict.fromkeys(role for _, _, role in chosen))
    subject = begin
    for match in _NEW_SUBJECT.finditer(text, begin, hit.start):
        subject = match.end()
    return (
        _subject_roles(text, subject, hit.start)
        or _roles_in(text, begin, stop)
        or _roles_in(text, sentence.start, sentence.end)
    )


def _covers_part(text: str, hit: Hit) -> bool:
    """The cue speaks of a second group of assessors only: 'nurses collected the data during
    treatment, and the coordinator, who was blind to condition, collected follow-up data'
    leaves the first group's assessments unblinded, as far as the sentence says."""
    begin = clause_start(text, hit.sentence, hit.start)
    boundary = None
    for match in _NEW_SUBJECT.finditer(text, begin, hit.start):
        if match.group(0).lstrip(", ").lower().startswith("and"):
            boundary = match.start()
    if boundary is None:
        return False
    return any(role == "assessor" for _, _, role in _mentions(text, begin, boundary))


def _undisguisable(ctx: Context) -> bool:
    """A comparison nothing disguises (a psychological treatment, a wait list, usual care) and
    no placebo or sham: a 'single-blind' label then means the assessors, as such trials use it."""
    return bool(find(ctx.document, _PSYCHOLOGICAL)) and not find(ctx.document, _PLACEBO)


def _reports_this_trial(text: str, hit: Hit) -> bool:
    """A statement about this trial's randomised comparison, made as a fact."""
    sentence = hit.sentence
    if sentence.cites_other_trial:
        return False
    begin = clause_start(text, sentence, hit.start)
    for match in _HYPOTHETICAL.finditer(text, begin, clause_end(text, sentence, hit.end)):
        word = match.group(0).lower()
        if match.start() > hit.start:
            before = text[max(begin, match.start() - 60) : match.start()]
            known = {"whether": _KNOWN_WHETHER, "would": _KNOWN_WOULD, "should": _KNOWN_WOULD}
            if word in known and known[word].search(before):
                continue  # what was (not) known: 'unaware of whether ...'
        return False
    return not _SEQUENCE.search(text, sentence.start, sentence.end)


# A role left out of what the clause says: 'assessors, but not participants, were blinded',
# 'all staff except the therapists were masked'.
_EXCEPTION = re.compile(
    r",?\s*\b(?:(?:but|and|or|yet) not|except(?: for)?|other than|apart from|"
    r"with the exception of)\s+(?:(?:the|their|of|by)\s+)?",
    re.IGNORECASE,
)


def _exceptions(text: str, sentence: Sentence) -> list[tuple[int, int, list[Role]]]:
    """The stretches of a sentence that name roles left out, and those roles."""
    found = []
    for match in _EXCEPTION.finditer(text, sentence.start, sentence.end):
        mentions = _mentions(text, match.end(), min(match.end() + 80, sentence.end))
        if not mentions or mentions[0][0] != match.end():
            continue
        chosen = [mentions[0]]
        for mention in mentions[1:]:
            if not _joined(text, chosen[-1][1], mention[0]):
                break
            chosen.append(mention)
        roles = list(dict.fromkeys(role for _, _, role in chosen))
        found.append((match.start(), chosen[-1][1], roles))
    return found


def _without_exceptions(text: str, hits: list[Hit]) -> tuple[str, dict[int, list[Role]]]:
    """The text with the left-out stretches of the cue sentences blanked (offsets kept), so
    the clause reads 'assessors ... were blinded'; and the roles left out, by sentence."""
    excepted: dict[int, list[Role]] = {}
    pieces: list[str] = []
    done = 0
    for sentence in sorted(
        {h.sentence.start: h.sentence for h in hits}.values(), key=lambda s: s.start
    ):
        for start, end, roles in _exceptions(text, sentence):
            if start < done:
                continue
            pieces += [text[done:start], " " * (end - start)]
            done = end
            excepted.setdefault(sentence.start, []).extend(roles)
    return "".join([*pieces, text[done:]]), excepted


def _negated(text: str, hit: Hit) -> bool:
    """NegEx (negspacy) on the cue's sentence: 'not blinded', 'blinding was not possible',
    'neither participants nor therapists were blind'."""
    sentence = hit.sentence
    # The cue's first word: a cue running on ('told which group') may span a term that ends
    # a negation's scope. An elliptical clause after it ('and participants were not') has
    # its own negation.
    first = _FIRST_WORD.match(text, hit.start, hit.end)
    elided = _ELLIPSIS.search(text, hit.end, sentence.end)
    end = elided.start() if elided else sentence.end
    return negated_in(text, sentence.start, end, hit.start, first.end() if first else hit.end)


def analyse(ctx: Context) -> Blinding:
    found = {p: find(ctx.document, p) for p in (_ROLE_LABEL, _TRIAL_LABEL, _NEGATIVE, _POSITIVE)}
    text, excepted = _without_exceptions(
        ctx.document.search_text, [h for hits in found.values() for h in hits]
    )
    out = Blinding()
    seen: set[tuple[int, Role]] = set()

    def add(hit: Hit, role: Role, blinded: bool, explicit: bool, hedge: bool = False) -> None:
        left_out = excepted.get(hit.sentence.start, [])
        if role in left_out:
            return
        for other in left_out:  # 'assessors, but not participants, were blinded'
            if (hit.sentence.start, other) not in seen:
                seen.add((hit.sentence.start, other))
                out.statements.append(Statement(hit, other, not blinded, explicit))
        key = (hit.sentence.start, role)
        if key not in seen:
            seen.add(key)
            sentence = hit.sentence
            hedged = hedge or bool(_HEDGE.search(text, sentence.start, sentence.end))
            if (
                blinded
                and (
                    _TEMPORARY.search(text, hit.end, clause_end(text, sentence, hit.end))
                    or _ABANDONED.search(text, hit.end, sentence.end)
                    or _UNTIL_THEN.search(text, clause_start(text, sentence, hit.start), hit.start)
                )
                # 'At week 12 the blind was broken': after the randomised phase, which is
                # what the questions ask of.
                and not _LATER_PHASE.search(text, sentence.start, sentence.end)
            ):
                # Blind only until the session ended, or until the procedure was given up:
                # not blind for (all of) the outcome, which is what the questions ask.
                blinded, hedged = False, True
            out.statements.append(Statement(hit, role, blinded, explicit, hedged))

    def facts(pattern: re.Pattern[str]) -> list[Hit]:
        return [h for h in found[pattern] if _reports_this_trial(text, h)]

    for hit in facts(_ROLE_LABEL):
        word = hit.cue.lower()
        role: Role = "personnel" if word.startswith("investigator") else "assessor"
        add(hit, role, not _negated(text, hit), True)
    for hit in facts(_TRIAL_LABEL):
        if _COMPARED.search(text, max(hit.sentence.start, hit.start - 40), hit.start):
            continue
        if _EARLIER_STUDY.search(text, max(hit.sentence.start, hit.start - 30), hit.start):
            continue
        kind = hit.cue.lower()
        blinded = not _negated(text, hit)
        named = _roles_in(text, hit.sentence.start, hit.sentence.end)
        if kind.startswith("single"):
            # Conventionally the participants; a role named beside the label says otherwise.
            near = _roles_in(text, max(hit.start - 40, hit.sentence.start), hit.end + 40)
            # So does a role the same sentence says was blinded ('a single-blind trial in
            # which outcome assessors were blinded'): that statement is read below.
            cued = [
                role
                for cue in found[_POSITIVE]
                if cue.sentence.start == hit.sentence.start
                and cue.start > hit.end
                and not _negated(text, cue)
                for role in _roles_for(text, cue)
            ]
            if blinded and any(role != "participant" for role in cued):
                continue
            roles: list[Role] = [r for r in named if r in near and r != "participant"]
            if not roles and blinded and _undisguisable(ctx):
                add(hit, "assessor", True, False)
                add(hit, "participant", False, False)
                add(hit, "personnel", False, False)
                continue
            for role in roles or ["participant"]:
                add(hit, role, blinded, False)
            if not roles and blinded:
                add(hit, "personnel", False, False)  # only one party was blinded
        else:
            # Double-blind: participants and those treating them, and (as usually meant)
            # the outcome assessors; all read from the label, so 'probably'.
            for role in ROLES:
                add(hit, role, blinded, False)
    for hit in facts(_NEGATIVE):
        if _LATER_PHASE.search(text, hit.sentence.start, hit.sentence.end):
            continue  # an open extension after the randomised phase
        if _EARLIER_STUDY.search(text, max(hit.sentence.start, hit.start - 30), hit.start) or (
            _PRECEDED.match(text, hit.start, min(hit.end + 40, hit.sentence.end))
        ):
            continue  # 'previous open-label studies', 'an open trial preceded this RCT'

        # Knowing and being told can be negated ('participants were not told which group',
        # 'not made aware of their allocation'); 'open-label' and 'unblinded' are not.
        if _CONSENT.search(hit.cue):
            continue  # 'informed about the aims of the intervention': consent, not allocation
        blinded = bool(_KNOWING.match(hit.cue)) and _negated(text, hit)
        if not blinded and _ONLY_DISPENSER_KNEW.match(
            text, clause_start(text, hit.sentence, hit.start), hit.start
        ):
            continue  # 'only the pharmacist was aware': the exception, not those treating
        if hit.cue.lower().startswith("unblinding"):
            sentence = hit.sentence
            if _AVOIDED.search(text, sentence.start, sentence.end):
                continue  # 'thereby avoiding problems such as unblinding': nothing happened
            if _BROKEN_AT_TIMES.search(text, sentence.start, sentence.end):
                # An event that presupposes a blind: 'unblinding of assessors occurred in 12%
                # of assessments', 'no unblinding of raters was reported'. The roles it names
                # were blinded, perhaps not throughout; with none named it says nothing of who.
                for role in _roles_for(text, hit):
                    add(hit, role, True, True, hedge=True)
                continue
        roles = _roles_for(text, hit)
        if not roles and not blinded:
            # 'Open trial', 'study group assignment was not blinded': nobody was blinded,
            # the assessors included unless the text says otherwise of them.
            for role in ROLES:
                add(hit, role, False, False)
        for role in roles:
            add(hit, role, blinded, True)
        for role, elided in _ellipsis(text, hit, cue_blinded=False):
            add(hit, role, elided, True)
    for hit in facts(_POSITIVE):
        window = max(hit.start - 22, hit.sentence.start)
        label = _TRIAL_LABEL.search(text, window, hit.end) or _ROLE_LABEL.search(
            text, window, hit.end
        )
        if label and label.end() >= hit.end:
            continue  # read above as a label
        if _BLINDING_CHECK.search(text, max(hit.start - 30, hit.sentence.start), hit.end):
            continue
        if _NOT_ALLOCATION.match(text, hit.end):
            continue  # 'blind to the study hypotheses': not to the allocation
        if _SIGHT.search(
            text,
            clause_start(text, hit.sentence, hit.start),
            clause_end(text, hit.sentence, hit.end),
        ):
            continue  # 'patients who were blind or deaf were excluded': loss of sight
        cue = hit.cue.lower()
        if cue == "concealed from" and _ENROLLING.search(text, hit.end, hit.sentence.end):
            continue  # 'allocation was concealed from those enrolling': concealment
        if _NEXT_ALLOCATION.search(text, hit.end, clause_end(text, hit.sentence, hit.end)):
            continue  # 'unaware of the next allocation': concealment of the sequence
        blinded = cue in ("unaware", "did not know", "without knowledge of") or "aware" in cue
        blinded = blinded or not _negated(text, hit)
        if not blinded and _LATER_PHASE.search(text, hit.sentence.start, hit.sentence.end):
            continue
        roles = _roles_for(text, hit)
        if not roles and not blinded:
            # 'Blinding was not feasible in this trial': nobody was blinded.
            for role in ROLES:
                add(hit, role, False, False)
        for role in roles:
            if role == "assessor" and blinded and _covers_part(text, hit):
                continue
            add(hit, role, blinded, True)
        for role, elided in _ellipsis(text, hit, cue_blinded=True):
            add(hit, role, elided, True)
    return out


def blinding(ctx: Context) -> Blinding:
    return ctx.once("blinding", analyse)


def _decide(statements: list[Statement], role: Role) -> Signal | None:
    if not statements:
        return None
    # What the text says of this role outright outweighs what a label implies.
    statements = [s for s in statements if s.explicit] or statements
    weight = {True: 0.0, False: 0.0}
    for s in statements:
        weight[s.blinded] += section_weight(s.hit.sentence) * (0.5 if s.hedged else 1.0)
    blinded = weight[True] >= weight[False]
    support = tuple(s.hit for s in statements if s.blinded == blinded)
    explicit = any(s.explicit for s in statements if s.blinded == blinded)
    conflicting = weight[not blinded] > 0
    hedged = all(s.hedged for s in statements if s.blinded == blinded)
    who = {
        "assessor": "outcome assessors",
        "participant": "participants",
        "personnel": "those delivering the interventions",
        "analyst": "data analysts",
    }[role]
    if explicit and not conflicting and not hedged:
        answer, confidence = ("Y" if blinded else "N"), 0.85
    else:
        answer, confidence = ("PY" if blinded else "PN"), 0.6 if not conflicting else 0.45
    comment = f"{who} {'blinded' if blinded else 'not blinded'}"
    if not explicit:
        comment += (
            " (read from the trial's label: "
            + ", ".join(sorted({s.hit.cue for s in statements if s.blinded == blinded}))
            + ")"
        )
    if hedged:
        comment += " (stated as an aim or effort, not as done)"
    if conflicting:
        comment += "; the text also says the opposite elsewhere: check"
    return Signal(answer, confidence, support, comment)


_PSYCHOLOGICAL = re.compile(
    r"\b(?:psychotherap\w*|cognitive[- ]behavio\w*|CBT|EMDR|exposure therapy|prolonged exposure|"
    r"cognitive processing therapy|counsell?ing|psycho-?education\w*|mindfulness|"
    r"behavio(?:u)?ral activation|interpersonal (?:psycho)?therapy|trauma-focused|"
    r"problem[- ]solving therapy|internet-(?:based|delivered) (?:treatment|intervention|therapy)|"
    # Trainings a participant takes part in: relaxation, yoga, exercise, mind-body practice.
    r"(?:muscle )?relaxation (?:training|techniques?|therapy|exercises?)|progressive muscle "
    r"relaxation|mind-body|yoga|tai chi|qigong|exercise (?:training|programmes?|programs?|"
    r"classes|sessions|interventions?)|"
    r"wait(?:ing)?[- ]?list|usual care|treatment as usual|standard care|"
    # Comparators nothing disguises: no treatment, no placebo, untouched control clusters.
    r"no[- ](?:intervention|treatment) (?:control|group|arm|condition)|"
    r"(?:absence of|no|without (?:a )?) placebo|did not receive (?:a |any )?(?:placebo|"
    r"intervention)|control (?:halls?|schools?|sites?|clusters?|villages?|practices))\b",
    re.IGNORECASE,
)
# Delivered by a machine with nobody in the loop: nobody delivering can know the arm.
_AUTOMATED = re.compile(
    r"\b(?:(?:fully )?automated (?:system|e-?mails?|delivery|programs?|messages?)|"
    r"no (?:interaction|contact) with (?:a |any )?(?:therapists?|clinicians?|counsell?ors?|staff)|"
    r"(?:self-guided|unguided) (?:[\w-]+ ){0,2}?(?:interventions?|programmes?|programs?|apps?|"
    r"applications?|treatments?|therap(?:y|ies)|courses?|i?CBT|versions?|conditions?|formats?|"
    r"modules?|self-help)|"
    r"without (?:any )?(?:therapist|human|clinician) (?:support|contact|"
    r"guidance|involvement))\b",
    re.IGNORECASE,
)


def _own_account(sentence: Sentence) -> bool:
    """Where a report describes its own interventions: a discussion compares them with
    other trials' ('a trial using automated e-mails ...')."""
    return is_narrative(sentence) and sentence.kind not in ("discussion", "conclusion")


# A placebo or sham the comparator arm received, not a word in passing ('distraction could
# serve as a placebo').
_PLACEBO = re.compile(
    r"\b(?:(?:placebo|sham)(?:[- ](?:controlled|group|arm|condition|capsules?|tablets?|pills?|"
    r"injections?|gel|patch(?:es)?|stimulation|treatment|intervention|procedure|device|"
    r"solution|comparator|training|programmes?|programs?|condition))|"
    r"(?:or|versus|vs\.?|to|with|and|received|receiving|given) (?:a |an |"
    r"the )?(?:matching |identical(?:[- ]appearing)? |inactive )?(?:[\w-]+ )?(?:placebo|sham)|"
    r"dummy (?:pill|tablet|capsule)s?)\b",
    re.IGNORECASE,
)


def participant_blinding(ctx: Context) -> Signal:
    """Y: participants were unaware of their allocation."""
    decided = _decide(blinding(ctx).for_role("participant"), "participant")
    if decided:
        return decided
    placebo = find(ctx.document, _PLACEBO)
    if placebo:
        return Signal(
            "PY",
            0.45,
            (placebo[0],),
            "a placebo or sham comparator is meant to keep participants unaware; "
            "blinding not stated",
        )
    return _unblindable(ctx, "participants") or no_information()


def personnel_blinding(ctx: Context) -> Signal:
    """Y: those delivering the interventions were unaware of each participant's allocation."""
    decided = _decide(blinding(ctx).for_role("personnel"), "personnel")
    if decided:
        return decided
    return _unblindable(ctx, "therapists") or no_information()


# What the methods say each arm received, and who gave it: the sentences a reviewer quotes for
# 'by the nature of the interventions', rather than the title that names them.
_ARMS = re.compile(
    r"\b(?:(?:intervention|experimental|treatment|active|control|comparison|waiting[- ]list|"
    r"wait[- ]list) (?:group|arm|condition)s?|allocated to|assigned to|randomi[sz]ed to)\b",
    re.IGNORECASE,
)
_DELIVERED = re.compile(
    r"\b(?:delivered|provided|taught|led|conducted|carried out|administered|given|facilitated|"
    r"offered|run|supervised) (?:\w+ ){0,3}?by\b|\b(?:therapists?|counsell?ors?|psychologists?|"
    r"nurses?|social workers?|coaches|trainers?|facilitators?|instructors?|researchers?|staff) "
    r"(?:\w+ ){0,3}?(?:delivered|provided|taught|led|conducted|gave|visited|sent|offered)\b",
    re.IGNORECASE,
)


def _what_each_arm_got(ctx: Context, hits: list[Hit], who: str) -> tuple[Hit, ...]:
    """Up to two methods sentences describing the arms (for therapists: who delivered them),
    those naming the treatment first; else the first mention of the treatment."""
    wanted = _DELIVERED if who == "therapists" else _ARMS
    named = {h.sentence.start for h in hits}
    found = [
        h
        for h in find(ctx.document, wanted, _own_account)
        if h.sentence.kind == "methods" and not h.sentence.cites_other_trial
    ]
    found.sort(key=lambda h: h.sentence.start not in named)
    chosen: dict[int, Hit] = {}
    for hit in found:
        chosen.setdefault(hit.sentence.start, hit)
    return tuple(list(chosen.values())[:2]) or (hits[0],)


def _unblindable(ctx: Context, who: str) -> Signal | None:
    """A psychological treatment (or a wait list) cannot be hidden from those who receive or
    give it; with no statement either way, 'probably not blinded' is what a methodologist says."""
    hits = find(ctx.document, _PSYCHOLOGICAL, _own_account)
    if not hits or (who == "therapists" and find(ctx.document, _PLACEBO, _own_account)):
        # A placebo or sham arm can be delivered without knowing which arm it is.
        return None
    return Signal(
        "PN",
        0.55,
        _what_each_arm_got(ctx, hits, who),
        f"no statement on blinding {who}; by the nature of the interventions (a psychological "
        f"or behavioural treatment, a wait list, usual care or no treatment) the allocation "
        f"cannot usually be hidden from {who}",
    )


def assessor_blinding(ctx: Context) -> Signal:
    """Y: outcome assessors were unaware of the allocation."""
    decided = _decide(blinding(ctx).for_role("assessor"), "assessor")
    return decided or no_information()


def assessor_awareness(ctx: Context) -> Signal:
    """Y: outcome assessors knew the allocation (RoB 2 4.3). For a self-reported outcome the
    participant is the assessor ('this study relied on self-reported outcomes'), aware when
    the participants were aware; otherwise what the text says of the assessors decides."""
    from appraise.evidence.raters import outcome_rating

    rating = outcome_rating(ctx)
    said = [s for s in blinding(ctx).for_role("assessor") if s.explicit]
    if rating.self_report and rating.assessor and rating.from_primary and said:
        # The primary outcome is also assessor-rated (psychotherapy 1.1 proposes PY): what
        # the text says of its assessors decides, as it does for a rated outcome.
        decided = _decide(blinding(ctx).for_role("assessor"), "assessor")
        if decided:
            return decided.inverted()
    if rating.self_report:
        aware = participant_awareness(ctx)
        if aware.answer != "NI":
            return Signal(
                aware.answer,
                min(aware.confidence, 0.6),
                (rating.self_report[0], *aware.evidence),
                "the outcome is self-reported, so the participant is the assessor: "
                + (aware.comment or ""),
            )
        if rating.only_self_report and rating.from_primary:
            # What research staff knew says nothing of a questionnaire the participant fills in.
            return Signal(
                "NI",
                0.4,
                rating.self_report[:1],
                "the primary outcome is self-reported, so the participant is the assessor; "
                "whether participants knew their allocation is not stated",
            )
    decided = _decide(blinding(ctx).for_role("assessor"), "assessor")
    if decided:
        return decided.inverted()
    return no_information()


def participant_awareness(ctx: Context) -> Signal:
    """Y: participants knew their allocation (RoB 2 2.1)."""
    return participant_blinding(ctx).inverted()


def personnel_awareness(ctx: Context) -> Signal:
    """Y: those delivering the interventions knew the allocation (RoB 2 2.2)."""
    decided = _decide(blinding(ctx).for_role("personnel"), "personnel")
    if decided:
        return decided.inverted()
    automated = find(ctx.document, _AUTOMATED, _own_account)
    if automated:
        return Signal(
            "PN",
            0.5,
            (automated[0],),
            "delivered automatically, with no therapist or carer who could know the arm",
        )
    return personnel_blinding(ctx).inverted()


_INDEPENDENT = re.compile(
    r"\b(?:independent (?:assessors?|raters?|evaluators?|clinicians?|interviewers?|"
    r"psychologists?|psychiatrists?|research assistants?)|"
    r"(?:not |un)involved in (?:the )?(?:treatment|therapy|delivery|intervention)|"
    r""
    r"independent (?:of|from) (?:the )?(?:treatment|therapists?|intervention|"
    r"clinical team|service)|"
    r"had no (?:role|involvement) in (?:the )?(?:treatment|therapy|delivery))\b",
    re.IGNORECASE,
)
_NOT_INDEPENDENT = re.compile(
    r"\b(?:(?:assessed|rated|administered|completed|conducted) by (?:the |"
    r"their )?(?:own |treating )?"
    r"(?:therapists?|counsell?ors?|clinicians? (?:who|delivering))|"
    r"therapists? (?:administered|conducted|completed|rated) (?:the )?(?:assessments?|measures|"
    r"ratings|interviews?))\b",
    re.IGNORECASE,
)


def assessor_independence(ctx: Context) -> Signal:
    """Y: assessors were independent of the service and therapists delivering the treatment."""
    text = ctx.document.search_text
    against = [h for h in find(ctx.document, _NOT_INDEPENDENT)]
    independent = []
    for h in find(ctx.document, _INDEPENDENT):
        # 'not involved in the treatment' is independence; 'the assessors were not
        # independent of the treatment team' (NegEx) is its opposite.
        if "involved" in h.cue.lower() or not _negated(text, h):
            independent.append(h)
        else:
            against.append(h)
    if against and not independent:
        return Signal(
            "N",
            0.7,
            tuple(against),
            "assessments made by the treating therapists or not independent of them",
        )
    if independent:
        answer = "PY" if against else "Y"
        return Signal(
            answer,
            0.75 if not against else 0.45,
            tuple(independent),
            "assessors independent of treatment" + ("; but see also" if against else ""),
        )
    return no_information()
