"""Trial conduct read from wording: sequence generation, allocation concealment, baseline
balance, analysis population, fidelity, dose and follow-up.

Answers follow the RoB 2 guidance: 'randomised' alone says nothing of how the sequence was
made (NI, with the quote); sealed envelopes without 'opaque' or 'sequentially numbered' are
only probably concealed; alternation or dates of birth are not random.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from appraise.evidence.document import Sentence
from appraise.evidence.schedule import schedule
from appraise.evidence.signals import Context, Signal, no_information
from appraise.evidence.text import (
    NUMBER,
    Hit,
    find,
    is_narrative,
    negated,
    section_weight,
    to_number,
)

_I = re.IGNORECASE

_RANDOM_METHOD = re.compile(
    r"\b(?:computer[- ]?(?:generated|based random\w*|random\w*)|random[- ]number(?:s| tables?| "
    r"generators?)?|random(?:i[sz]ation)? (?:sequence|table|software|program\w*)|"
    r"(?:block|stratified|permuted[- ]block|blocked|centrali[sz]ed|web[- ]based|online|"
    r"computeri[sz]ed|adaptive) randomi[sz]\w*|permuted blocks?|minimi[sz]ation|coin (?:toss|flip)|"
    r"toss(?:ing|ed)? (?:of )?a coin|flip(?:ping|ped)? a coin|shuffl\w+ (?:of )?(?:cards|"
    r"envelopes)|"
    r"draw(?:ing|n)? (?:of )?lots|throw(?:ing)? dice|sealedenvelope|randomi[sz]ation\.com|"
    # The online randomisation service (not an envelope): 'the Sealed Envelope online service'.
    r"sealed envelope (?:ltd|limited|online|website|web|internet|"
    r"randomi[sz]ation (?:service|system))|"
    r"random allocation software|interactive (?:voice|web) response|blocks? of (?:size )?\w+|"
    r"latin square|generated (?:by|using|with) (?:a |an )?(?:computer|independent|statistician|"
    r"software|random)|"
    # A machine that draws the allocation: 'through an automated computer script', 'the
    # software randomized the participants', 'an automated algorithm within the app'.
    r"(?:automated|automatic|computeri[sz]ed) (?:computer |web |online |web-based |"
    r"internet-based )?"
    r"(?:randomi[sz]ation |allocation |assignment )?(?:scripts?|algorithms?|"
    r"systems?|programs?|procedures?|process)|(?:web|online|computer) (?:scripts?|programs?|"
    r"algorithms?|generators?)|software (?:randomi[sz]\w*|allocat\w*|assign\w*)|"
    r"(?:randomi[sz]\w*|allocat\w*|assign\w*) (?:\w+ ){0,6}?(?:by|through|using|via|with) "
    r"(?:the |a |an )?(?:\w+ )?(?:software|website|web ?site|app|algorithm)|"
    r"randomly (?:generated|chosen|selected|permuted|drawn)|random (?:sequence|list|allocation "
    r"sequence|assignment (?:list|sequence|schedule)|codes?|permutations?|strings?)|"
    # Named statistics packages and generators.
    r"(?:SAS|SPSS|Stata|STATA|nQuery|PROC PLAN|ralloc|blockrand|R software|R package|"
    r"Microsoft Excel|Excel)(?=\W)|"
    # Lots: drawing an envelope, a card or a ball out of a set.
    r"draw(?:ing|n|s)? (?:\w+ ){0,3}?(?:out )?of (?:\w+ ){0,3}?(?:envelopes|cards|lots|balls|"
    r"tickets|numbers))",
    _I,
)
# Done by someone outside the trial team, which the guidance reads as a random method
# properly applied (PY): 'randomisation was done offsite by MPR', 'by an independent unit'.
_INDEPENDENT_RANDOMISER = re.compile(
    r"\b(?:randomi[sz]ation|allocation sequence|allocation|sequence|schedule) (?:\w+ ){0,4}?"
    r"(?:done|performed|carried out|conducted|prepared|generated|created|made|coordinated) "
    r"(?:\w+ ){0,2}?(?:offsite|off-site|externally|centrally|independently|by (?:an? |the )?"
    r"(?:independent|external|outside|offsite|third|uninvolved)\b)",
    _I,
)
_BLOCK_ONLY = re.compile(r"\b(?:block|stratified|permuted|blocks? of)\b", _I)
_NON_RANDOM = re.compile(
    r"\b(?:alternat(?:e|ion|ing|ely)(?: allocation| assignment)?|quasi-?random\w*|"
    r"date of (?:birth|admission)|odd (?:or|and) even|even (?:or|and) odd|"
    r"(?:hospital|record|case|chart) numbers?|day of (?:the week|admission)|"
    r"(?:allocated|assigned) (?:by|according to) (?:the )?(?:clinician|therapist|investigator|"
    r"preference|patient preference|availability))\b",
    _I,
)
_RANDOMISED = re.compile(
    r"\b(?:randomi[sz](?:ed|ation|ing|ly)|random(?:ly)? (?:assigned|allocated|divided)|"
    r"(?:assigned|allocated) (?:at )?random(?:ly)?|at random)\b",
    _I,
)


_ASSIGNED = re.compile(
    r"\b(?:random(?:ly)? (?:assigned|allocated)|(?:assigned|allocated) "
    r"(?:at )?random)",
    _I,
)


def _where_methods_are(sentence: Sentence) -> bool:
    """Where a trial says how it was run; not its title, discussion or conclusion."""
    return sentence.kind in ("abstract", "methods", "results", "other", "body")


def _own_methods(sentence: Sentence) -> bool:
    """The study's own text, less what an introduction or discussion says of cited trials."""
    return is_narrative(sentence) and not sentence.cites_other_trial


_ALLOCATION = re.compile(r"\b(?:randomi[sz]\w*|random(?:ly)?|alloc\w*|assign\w*)", _I)


def randomisation(ctx: Context) -> Signal:
    """Y: the allocation sequence was random (a random component is described)."""
    text = ctx.document.search_text

    def about_allocation(h: Hit) -> bool:
        return bool(_ALLOCATION.search(text, h.sentence.start, h.sentence.end))

    methods = [
        h
        for h in find(ctx.document, _RANDOM_METHOD, _own_methods)
        if not negated(text, h) and about_allocation(h)
    ]
    non_random = [h for h in find(ctx.document, _NON_RANDOM, _own_methods) if about_allocation(h)]
    if non_random:
        # 'Allocated alternately in a list, with the first arm set by a random number': a
        # random element in the same sentence as the rule makes it probably random.
        mixed = [h for h in methods if h.sentence in {n.sentence for n in non_random}]
        if mixed:
            return Signal(
                "PY",
                0.5,
                _sentences(mixed),
                "a non-random rule with a random element: check which decided the allocation",
            )
        if not methods:
            return Signal("N", 0.7, _sentences(non_random), "allocation by a non-random rule")
    if methods:
        generated = [h for h in methods if not _BLOCK_ONLY.search(h.cue)]
        if generated:
            return Signal("Y", 0.85, _sentences(generated), "random sequence generation described")
        return Signal(
            "PY",
            0.65,
            _sentences(methods),
            "block or stratified randomisation; how the sequence was generated not said",
        )
    independent = [
        h for h in find(ctx.document, _INDEPENDENT_RANDOMISER, _own_methods) if not negated(text, h)
    ]
    if independent:
        return Signal(
            "PY",
            0.55,
            _sentences(independent),
            "randomised by someone outside the trial team; the method is not named",
        )
    stated = find(ctx.document, _RANDOMISED, _where_methods_are)
    if stated:
        # Quote the sentence that says how people were assigned, if there is one.
        assigned = [h for h in stated if _ASSIGNED.search(h.cue)] or stated
        return Signal(
            "NI",
            0.6,
            _sentences(assigned, 1),
            "randomised, but how the sequence was generated is not described",
        )
    return no_information()


_CONCEALED_STRONG = re.compile(
    r"\b(?:central(?:ly|i[sz]ed)? (?:randomi[sz]\w*|allocat\w*)|(?:web|internet|telephone|"
    r"computer|online)[- ](?:based |generated )?(?:randomi[sz]\w*|allocation|system)|"
    r"interactive (?:voice|web) response|pharmacy|sequentially numbered|"
    r"(?:opaque,? sealed|sealed,? (?:and )?opaque)|independent (?:statistician|person|researcher|"
    r"third party|trial unit|clinical trials? unit|research assistant|data manager|centre|center|"
    r"investigator)|third party|clinical trials? unit|not involved in (?:the )?(?:recruitment|"
    r"enrol\w*|assessment)|remote(?:ly)? (?:randomi\w*|allocat\w*)|sealedenvelope|"
    # Allocation by a remote service or a machine, which nobody enrolling can foresee.
    r"(?:telephone|phone|web|internet|online|central(?:i[sz]ed)?) (?:\w+ )?(?:service|procedure|"
    r"computer|website|server)|secure (?:web ?site|website|server|system)|via the (?:web ?site|"
    r"website|internet)|offsite|off-site|password[- ]protected|"
    # 'a telephone call to the central trials unit'
    r"(?:telephone|phone)(?:d| calls?| call(?:ed)?)? (?:to )?(?:the |a )?(?:[\w-]+ ){0,2}?"
    r"(?:unit|centre|center|office|line)|trials? (?:unit|centre|center|office)|"
    # 'treatment allocation was done by a computer program' (not what else was assigned:
    # 'messages randomly assigned by a computer program').
    r"(?:allocation|assignment)s? (?:was|were) (?:\w+ ){0,3}?(?:by|through|using|via|with) "
    r"(?:the |a |an )?computer(?:i[sz]ed)? (?:programs?|programmes?|system)"
    r"(?! (?:generated|to generate))|"
    r"(?:automated|automatic|computeri[sz]ed) (?:computer |web |online )?"
    r"(?:randomi[sz]ation |allocation |assignment )?(?:scripts?|algorithms?|"
    r"systems?|programs?|procedures?|process)|software (?:randomi[sz]\w*|allocat\w*|assign\w*)|"
    r"(?:randomi[sz]\w*|allocat\w*|assign\w*) (?:\w+ ){0,6}?(?:by|through|using|via|with) "
    r"(?:the |a |an )?(?:\w+ )?(?:software|website|web ?site|app|algorithm)|"
    r"independent of the (?:recruiting|enrolling|clinical|study) (?:\w+ )?(?:site|team|staff|"
    r"centre|center)|"
    # Identical numbered containers made up by a pharmacy or a third party.
    r"(?:numbered|coded) (?:consecutively|sequentially|serially)|(?:consecutively|sequentially|"
    r"serially) (?:numbered|coded)|(?:numbered|coded) (?:\w+ ){0,4}?by (?:a |an |the )?"
    r"(?:person|pharmacist|pharmacy|third|independent|outside|external)\w*|"
    r"(?:prepared|packed|packaged|labell?ed|dispensed) (?:\w+ ){0,3}?by (?:a |an |the )?(?:\w+ )?"
    r"(?:pharmacy|pharmacist|manufacturer|third party|outside|external|independent))\b",
    _I,
)
_CONCEALED_WEAK = re.compile(
    r"\b(?:allocation concealment|concealed allocation|concealment of (?:the )?allocation|"
    r"(?:allocation|sequence|assignment|randomi[sz]ation)(?: list| sequence| schedule)? "
    r"(?:was|were) concealed|sealed envelopes?|envelopes?|"
    # Kept from those who enrol, method not named: 'concealed from the investigators'.
    r"concealed from (?:the )?(?:investigators?|researchers?|recruiters?|study (?:team|staff)|"
    r"staff|clinicians?|physicians?|those (?:enrolling|recruiting))|"
    r"numbered (?:\w+ )?(?:bottles|packs|containers|kits|boxes|envelopes)|"
    # Kept from those who enrol: 'the assistant who enrolled participants had no access to the
    # randomisation list'.
    r"(?:no|without) access to (?:the )?(?:randomi[sz]ation |allocation |treatment )?(?:list|"
    r"sequence|schedule|codes?)|"
    # Done by someone kept apart from the trial: 'the random assignment was performed by an
    # assistant who was blind to the design'.
    r"(?:randomi[sz]ation|random assignment|allocation|assignment) (?:was |were )?(?:performed|"
    r"conducted|carried out|done|made) by (?:a |an |the )?(?:[\w-]+ ){0,3}?(?:(?:who|that) "
    r"(?:was|were) (?:blind\w*|unaware|not (?:otherwise )?involved)|blind(?:ed)? to|"
    r"not (?:otherwise )?involved))\b",
    _I,
)
# The enrolling person read the next allocation off the list: 'the coordinator assigned each
# group to the next intervention in the sequence'.
_OPEN_SEQUENCE = re.compile(
    r"\b(?:assigned|allocated|gave|given) (?:[\w()]+ ){0,5}?(?:to )?the next (?:\w+ )?"
    r"(?:intervention|treatment|arm|group|condition|allocation|assignment|number) "
    r"(?:in|on|of|from) the (?:\w+ )?(?:sequence|list|schedule)\b",
    _I,
)
_NOT_CONCEALED = re.compile(
    r"\b(?:open (?:random\w* |allocation )?(?:list|schedule|table)|unconcealed|"
    r"no (?:allocation )?concealment|not concealed|(?:allocation )?concealment was not)\b",
    _I,
)
# Those enrolling knew what came next: 'investigators could foresee the next assignment'
# (unless negated: 'nobody could foresee').
_FORESEEN = re.compile(
    r"\b(?:could|can|were able to|was able to) (?!not\b|never\b)(?:\w+ )?(?:foresee|predict|know) "
    r"(?:the )?(?:next|upcoming|forthcoming) (?:\w+ )?(?:assignments?|allocations?|treatments?)\b",
    _I,
)


def concealment(ctx: Context) -> Signal:
    """Y: the sequence stayed concealed until participants were enrolled and assigned."""
    text = ctx.document.search_text
    allocation_context = re.compile(
        r"\b(?:alloc\w*|randomi[sz]\w*|assign\w*|conceal\w*|consecutive\w*|sequential\w*)", _I
    )

    def about_allocation(h: Hit) -> bool:
        return bool(allocation_context.search(text, h.sentence.start, h.sentence.end))

    against = [h for h in find(ctx.document, _NOT_CONCEALED, _own_methods) if about_allocation(h)]
    against += [
        h
        for h in find(ctx.document, _FORESEEN, _own_methods)
        if about_allocation(h) and not negated(text, h)
    ]
    strong = [
        h
        for h in find(ctx.document, _CONCEALED_STRONG, _own_methods)
        if about_allocation(h) and not negated(text, h)
    ]
    weak_hits = [
        h for h in find(ctx.document, _CONCEALED_WEAK, _own_methods) if about_allocation(h)
    ]
    weak = [h for h in weak_hits if not negated(text, h)]
    negated_weak = [h for h in weak_hits if negated(text, h)]
    against += negated_weak
    if against and not strong:
        return Signal(
            "N" if not weak else "PN",
            0.7 if not weak else 0.45,
            _sentences(against),
            "allocation not concealed",
        )
    if strong:
        return Signal(
            "Y" if not against else "PY",
            0.8 if not against else 0.5,
            _sentences(strong),
            "concealed by a method recruiters could not foresee",
        )
    if not weak and (opened := find(ctx.document, _OPEN_SEQUENCE, _own_methods)):
        return Signal(
            "PN",
            0.5,
            _sentences(opened),
            "the person assigning read the next allocation off the sequence: it was open to them",
        )
    if weak:
        envelope_only = all("envelope" in h.cue.lower() for h in weak)
        return Signal(
            "PY",
            0.55 if envelope_only else 0.6,
            _sentences(weak),
            "envelopes, but not said to be opaque and sequentially numbered"
            if envelope_only
            else "concealment stated; method not described",
        )
    return no_information()


_BALANCED = re.compile(
    r"\b(?:no (?:statistically )?significant (?:baseline )?differences?|did not (?:significantly )?"
    r"differ|(?:were|was) (?:well[- ])?(?:balanced|comparable|similar)|comparable at baseline|"
    r"similar at baseline|no (?:baseline )?imbalance|balanced (?:at|across|between))\b",
    _I,
)
_IMBALANCED = re.compile(
    r"\b(?:differed significantly|significant(?:ly)? (?:different|difference|differed|more|"
    r"less|higher|lower|older|younger)|(?:baseline )?imbalances?|unbalanced|"
    r"were not (?:comparable|balanced|similar))\b",
    _I,
)
_BASELINE = re.compile(r"\b(?:baseline|pre-?treatment|demographic|at entry|characteristics)\b", _I)


def baseline(ctx: Context) -> Signal:
    """Y: baseline differences between the groups suggest a problem with randomisation."""
    text = ctx.document.search_text

    def at_baseline(h: Hit) -> bool:
        return bool(_BASELINE.search(text, h.sentence.start, h.sentence.end))

    imbalanced = [
        h for h in find(ctx.document, _IMBALANCED) if at_baseline(h) and not negated(text, h)
    ]
    balanced = [h for h in find(ctx.document, _BALANCED) if at_baseline(h)]
    if balanced and not imbalanced:
        return Signal("PN", 0.65, _sentences(balanced), "groups comparable at baseline")
    if imbalanced:
        return Signal(
            "NI",
            0.4,
            _sentences(imbalanced),
            "baseline differences reported: judge whether they exceed chance",
        )
    return no_information()


_ITT = re.compile(
    r"\b(?:intention[- ]to[- ]treat|intent(?:ion)?[- ]to[- ]treat|ITT|"
    r"all (?:randomi[sz]ed|allocated) (?:participants|patients|subjects)(?: were)? "
    r"(?:included|analy[sz]ed)|analy[sz]ed (?:in|according to) the (?:groups?|arms?) to which|"
    r"analy[sz]\w* [^.;]{0,80}\b(?:in|of|on) all randomi[sz]ed (?:participants|patients|"
    r"subjects)|full analysis (?:set|population|and safety))\b",
    _I,
)
_MODIFIED = re.compile(r"\bmodified\b|\bmITT\b|\bfull analysis\b", _I)
_COMPLETER = re.compile(
    r"\b(?:per[- ]protocol|completers?(?:[- ]only)? analys\w*|completer|only (?:those|participants|"
    r"patients) who completed|as[- ]treated)\b",
    _I,
)
_IMPUTATION = re.compile(
    r"\b(?:multiple imputation|imputed|imputation|mixed[- ](?:effects? )?models?|"
    r"maximum likelihood|last observation carried forward|LOCF|multilevel model\w*|"
    r"sensitivity analys\w*)\b",
    _I,
)


def itt_analysis(ctx: Context) -> Signal:
    """Y: the analysis suits the effect of assignment (intention to treat)."""
    text = ctx.document.search_text
    itt = [h for h in find(ctx.document, _ITT) if not negated(text, h)]
    completer = [h for h in find(ctx.document, _COMPLETER) if not negated(text, h)]
    if itt:
        # 'modified ITT' and the 'full analysis set' may leave some randomised people out.
        modified = [h for h in itt if _MODIFIED.search(text, max(h.start - 12, 0), h.end)]
        if modified and len(modified) == len(itt):
            return Signal(
                "PY",
                0.6,
                _sentences(modified),
                "modified intention to treat: check who was left out",
            )
        return Signal(
            "Y",
            0.8,
            _sentences([h for h in itt if h not in modified]),
            "intention-to-treat analysis",
        )
    if completer:
        return Signal("PN", 0.65, _sentences(completer), "completer or per-protocol analysis only")
    return no_information()


def missing_data_handling(ctx: Context) -> Signal:
    """Y: the result is unlikely to be biased by missing data (little loss, or intention to
    treat with principled handling such as multiple imputation or mixed models)."""
    text = ctx.document.search_text
    att = attrition_facts(ctx)
    itt = [h for h in find(ctx.document, _ITT) if not negated(text, h)]
    handled = [h for h in find(ctx.document, _IMPUTATION) if not negated(text, h)]
    completer = [h for h in find(ctx.document, _COMPLETER) if not negated(text, h)]
    loss = att.dropout_percent
    if loss is not None and loss <= 5:
        return Signal("Y", 0.65, att.evidence, f"about {loss:.0f}% of outcome data missing")
    if itt and handled:
        return Signal(
            "PY",
            0.6,
            _sentences(itt[:1] + handled[:1]),
            "intention to treat with modelled or imputed missing data",
        )
    if completer and not itt:
        return Signal("PN", 0.6, _sentences(completer), "completers only")
    if loss is not None and loss > 20:
        return Signal("PN", 0.55, att.evidence, f"about {loss:.0f}% lost")
    return no_information()


# ----- attrition ---------------------------------------------------------------------------

_PEOPLE = (
    r"(?:participants?|patients?|subjects?|individuals?|veterans?|women|men|adults?|"
    r"children|adolescents|people|clients?|persons?|refugees?|students?|soldiers?)"
)
_RANDOMISED_N = re.compile(
    rf"\b(?P<n>\d{{2,5}}) (?:eligible |consenting )?(?:{_PEOPLE} )?(?:were |was )?"
    rf"(?:randomi[sz]ed|randomly (?:assigned|allocated)|underwent randomi[sz]ation)\b|"
    rf"\brandomi[sz]ed (?:a total of )?(?P<n2>\d{{2,5}}) {_PEOPLE}",
    _I,
)
_ENROLLED_N = re.compile(
    rf"\b(?P<n>\d{{2,5}}) (?:eligible )?(?:{_PEOPLE} )?(?:were |was )?(?:enrol?led|recruited)\b", _I
)
# '3836 (1277 in the terbutaline group, ...) were included in the full analysis'
_ANALYSED_N = re.compile(
    rf"\b(?P<n>\d{{2,6}}) (?:\([^()]{{0,200}}\) )?(?:{_PEOPLE} )?(?:were |was )?"
    r"(?:included in (?:the )?(?:full |final |primary |main |intention-to-treat |ITT )?"
    r"analys[ie]s|analy[sz]ed|completed (?:the )?(?:study|trial|treatment|follow-?up|"
    r"post-?treatment assessment))",
    _I,
)
_DROPOUT_PCT = re.compile(
    r"\b(?:drop-?out|attrition|loss to follow-?up|withdrawal|discontinuation)(?: rates?)?"
    r"(?: was| of| were|:)? (?:\w+ ){0,3}?(?P<pct>\d{1,2}(?:\.\d+)?) ?%|"
    r"\b(?P<pct2>\d{1,2}(?:\.\d+)?) ?% (?:of (?:the )?(?:participants|patients|sample) )?"
    r"(?:dropped out|discontinued|withdrew|were lost|did not complete)",
    _I,
)
_COMPLETED_PCT = re.compile(
    r"\b(?:completion rate|retention(?: rate)?)(?: was| of)? (?P<pct>\d{1,3}(?:\.\d+)?) ?%|"
    r"\b(?P<pct2>\d{1,3}(?:\.\d+)?) ?% (?:of (?:the )?(?:participants|patients|sample) )?"
    r"(?:completed|were retained|provided (?:follow-up|outcome) data)",
    _I,
)
_LOST_N = re.compile(
    rf"\b(?P<n>{NUMBER}) (?:\(\d+(?:\.\d+)? ?%\) )?(?:{_PEOPLE} )?(?:were lost to follow-?up|"
    r"dropped out|withdrew|discontinued|did not complete)",
    _I,
)
_NONE_LOST = re.compile(
    r"\b(?:no (?:participants?|patients?|one|subjects?) (?:was |were )?(?:lost|"
    r"dropped out|withdrew)|"
    r"(?:all|every) (?:randomi[sz]ed )?(?:participants?|patients?|subjects?) (?:completed|were "
    r"(?:included|analy[sz]ed|followed up))|no (?:drop-?outs|losses to follow-?up|attrition))\b",
    _I,
)


# Per-arm counts as trials write them: '1277 in the terbutaline group', 'placebo (n = 23)',
# 'vitamin D3 (14,000 IU/day; n = 30)'.
_ARM_IN_GROUP = re.compile(
    r"\b(?P<n>\d{1,5}) (?:participants |patients )?(?:were )?(?:in|to|into) the "
    r"(?P<arm>[\w-]+(?: [\w-]+){0,2}?) (?:group|arm|condition)\b",
    _I,
)
_ARM_N_EQUALS = re.compile(
    r"(?P<arm>\b[A-Za-z][\w-]*(?: [A-Za-z][\w-]*){0,2}) \( ?(?:[^();]{0,40}; )?n ?= ?"
    r"(?P<n>\d{1,5}) ?\)"
)
_ARM_LEAD_WORDS = frozenset(
    {
        "either",
        "or",
        "and",
        "to",
        "the",
        "with",
        "vs",
        "versus",
        "receiving",
        "randomised",
        "randomized",
        "assigned",
        "allocated",
        "a",
        "an",
        "of",
        "in",
        "into",
        "group",
    }
)
_STAGES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("analysed", re.compile(r"\b(?:analy[sz]\w*|included in the|completed|follow-?up data)", _I)),
    ("randomised", re.compile(r"\b(?:randomi[sz]\w*|assigned|allocated|receiving)", _I)),
)


@dataclass(frozen=True)
class ArmCount:
    arm: str
    n: int
    stage: str  # randomised or analysed, from the words of the sentence
    sentence: Sentence


class AttritionFacts:
    def __init__(self) -> None:
        self.randomised: int | None = None
        self.lost: int | None = None
        self.dropout_percent: float | None = None
        self.evidence: tuple[Hit, ...] = ()
        self.none_lost = False
        self.arms: list[ArmCount] = []

    def per_arm(self) -> list[tuple[str, int, int]]:
        """(arm, randomised, analysed) for arms with both numbers stated, analysed <= randomised."""
        randomised = {a.arm.lower(): a for a in self.arms if a.stage == "randomised"}
        out = []
        for a in self.arms:
            first = randomised.get(a.arm.lower())
            if a.stage == "analysed" and first and a.n <= first.n:
                out.append((first.arm, first.n, a.n))
        return out if len(out) >= 2 else []

    def to_json(self) -> dict[str, object]:
        return {
            "randomised": self.randomised,
            "lost": self.lost,
            "dropout_percent": None
            if self.dropout_percent is None
            else round(self.dropout_percent, 1),
            "none_lost": self.none_lost,
            "arms": [{"arm": a.arm, "n": a.n, "stage": a.stage} for a in self.arms],
            "per_arm": [
                {"arm": arm, "randomised": r, "analysed": n} for arm, r, n in self.per_arm()
            ],
        }


def _arm_counts(ctx: Context) -> list[ArmCount]:
    """Numbers per arm, each labelled randomised or analysed by its sentence's verbs."""
    text = ctx.document.search_text
    out: list[ArmCount] = []
    seen: set[tuple[str, int, str]] = set()
    for pattern in (_ARM_IN_GROUP, _ARM_N_EQUALS):
        for hit in find(ctx.document, pattern, _where_methods_are):
            m = pattern.match(hit.cue)
            if not m:
                continue
            stage = next(
                (
                    name
                    for name, verbs in _STAGES
                    if verbs.search(text, hit.sentence.start, hit.sentence.end)
                ),
                None,
            )
            words = m.group("arm").split()
            while words and words[0].lower() in _ARM_LEAD_WORDS:
                words.pop(0)
            arm = " ".join(words)
            if stage is None or not arm or arm.lower() in ("total", "each", "both", "all"):
                continue
            key = (arm.lower(), int(m.group("n")), stage)
            if key not in seen:
                seen.add(key)
                out.append(ArmCount(arm, int(m.group("n")), stage, hit.sentence))
    return out


def _attrition(ctx: Context) -> AttritionFacts:
    facts = AttritionFacts()
    evidence: list[Hit] = []
    randomised = find(ctx.document, _RANDOMISED_N)
    if randomised:
        # The largest number randomised is the trial's total; per-arm counts are smaller.
        best = max(randomised, key=lambda h: _int(_RANDOMISED_N, h) or 0)
        facts.randomised = _int(_RANDOMISED_N, best)
        evidence.append(best)
    pct = [(h, _float(_DROPOUT_PCT, h)) for h in find(ctx.document, _DROPOUT_PCT)]
    done = [(h, _float(_COMPLETED_PCT, h)) for h in find(ctx.document, _COMPLETED_PCT)]
    lost = [(h, _lost(h)) for h in find(ctx.document, _LOST_N)]
    if pct:
        hit, value = max(pct, key=lambda p: (section_weight(p[0].sentence), p[1] or 0))
        facts.dropout_percent = value
        evidence.append(hit)
    elif done:
        hit, value = max(done, key=lambda p: section_weight(p[0].sentence))
        if value is not None and value <= 100:
            facts.dropout_percent = 100 - value
            evidence.append(hit)
    elif (analysed := find(ctx.document, _ANALYSED_N)) and facts.randomised:
        best = max(analysed, key=lambda h: _int(_ANALYSED_N, h) or 0)
        count = _int(_ANALYSED_N, best) or 0
        if 0 < count <= facts.randomised:
            facts.lost = facts.randomised - count
            facts.dropout_percent = 100 * facts.lost / facts.randomised
            evidence.append(best)
    elif lost and facts.randomised:
        total = sum(v for _, v in lost if v)
        if 0 < total < facts.randomised:
            facts.lost = int(total)
            facts.dropout_percent = 100 * total / facts.randomised
            evidence.extend(h for h, _ in lost)
    none = find(ctx.document, _NONE_LOST)
    if none and facts.dropout_percent is None:
        facts.none_lost = True
        facts.dropout_percent = 0.0
        evidence.append(none[0])
    if facts.randomised is None and facts.dropout_percent is None:
        enrolled = find(ctx.document, _ENROLLED_N)
        if enrolled:
            evidence.append(enrolled[0])  # the denominator a reviewer starts from
    facts.arms = _arm_counts(ctx)
    per_arm = facts.per_arm()
    if per_arm and facts.dropout_percent is None:
        randomised_total = sum(r for _, r, _ in per_arm)
        facts.lost = randomised_total - sum(a for _, _, a in per_arm)
        facts.randomised = facts.randomised or randomised_total
        facts.dropout_percent = 100 * facts.lost / randomised_total
        evidence.extend(
            Hit(a.sentence, a.sentence.start, a.sentence.end, a.arm) for a in facts.arms
        )
    facts.evidence = tuple(evidence)
    return facts


def _int(pattern: re.Pattern[str], hit: Hit) -> int | None:
    m = pattern.fullmatch(hit.cue) or pattern.match(hit.cue)
    if not m:
        return None
    raw = m.groupdict().get("n") or m.groupdict().get("n2")
    return int(raw) if raw else None


def _float(pattern: re.Pattern[str], hit: Hit) -> float | None:
    m = pattern.match(hit.cue)
    if not m:
        return None
    raw = m.groupdict().get("pct") or m.groupdict().get("pct2")
    return float(raw) if raw else None


def _lost(hit: Hit) -> float | None:
    m = _LOST_N.match(hit.cue)
    return to_number(m.group("n")) if m else None


def attrition_facts(ctx: Context) -> AttritionFacts:
    return ctx.once("attrition", _attrition)


def attrition(ctx: Context) -> Signal:
    """Y: outcome data were available for all, or nearly all (about 95%), of those randomised."""
    facts = attrition_facts(ctx)
    loss = facts.dropout_percent
    if loss is None:
        if facts.evidence:
            counted = f"{facts.randomised} randomised" if facts.randomised else "numbers enrolled"
            return Signal("NI", 0.4, facts.evidence, f"{counted}; numbers analysed not found")
        return no_information()
    where = f"about {loss:.0f}% missing"
    if facts.randomised and facts.lost is not None:
        where = f"{facts.lost} of {facts.randomised} randomised lost ({loss:.0f}%)"
    if arms := facts.per_arm():
        where += "; per arm " + ", ".join(f"{arm} {n}/{r}" for arm, r, n in arms)
    if loss <= 5:
        return Signal("Y", 0.7, facts.evidence, where)
    if loss <= 10:
        return Signal("PN", 0.5, facts.evidence, where + ": more than a few")
    return Signal("N", 0.7, facts.evidence, where)


_NON_STARTERS = re.compile(
    r"\b(?:did not (?:start|begin|commence|attend|receive|initiate)(?: any)?(?: the)?"
    r"(?: allocated| assigned)? (?:treatment|therapy|intervention|sessions?|first session)|"
    r"never (?:started|attended|began|initiated)|non-?starters?|"
    r"(?:received|did not receive) (?:the )?allocated intervention|"
    r"(?:attended|received) (?:no|zero) sessions|before (?:the first|"
    r"starting) (?:session|treatment))\b",
    _I,
)


def non_starters(ctx: Context) -> Signal:
    """Y: those who never started treatment, and early drop-outs, were counted and reported."""
    hits = find(ctx.document, _NON_STARTERS)
    if hits:
        return Signal("Y", 0.7, _sentences(hits), "non-starters reported")
    return no_information()


_COMPLETION_DEF = re.compile(
    rf"\b(?:(?:treatment )?complet\w+ (?:was |were )?defined as|defined (?:as )?(?:treatment )?"
    rf"complet\w+|(?:considered|classified as|counted as) (?:treatment )?(?:completers?|having "
    rf"completed)|adequate dose|minimum (?:adequate )?dose)\b[^.;]{{0,80}}?"
    rf"(?:(?:at least|a minimum of|≥|>=) ?(?P<n>{NUMBER})|(?P<all>all))"
    rf"(?: (?:of (?:the )?)?(?P<of>{NUMBER}))? ?(?:sessions|modules|appointments)?",
    _I,
)


def completion_definition(ctx: Context) -> Signal:
    """Y: completion and drop-out were defined in the usual way (most of the planned
    treatment), not leniently (e.g. two sessions counted as a completed treatment)."""
    hits = find(ctx.document, _COMPLETION_DEF)
    for hit in hits:
        m = _COMPLETION_DEF.match(hit.cue)
        if not m:
            continue
        if m.group("all"):
            return Signal("Y", 0.7, (hit,), "completion means all planned sessions")
        needed = to_number(m.group("n") or "")
        planned = to_number(m.group("of") or "")
        if needed is None:
            continue
        if planned and needed / planned >= 0.5:
            return Signal("PY", 0.6, (hit,), f"completion: {needed:.0f} of {planned:.0f} sessions")
        if needed <= 2 or (planned and needed / planned < 0.5):
            share = f" of {planned:.0f}" if planned else ""
            return Signal(
                "PN", 0.6, (hit,), f"completion counted from {needed:.0f}{share} sessions: lenient"
            )
        return Signal("PY", 0.45, (hit,), f"completion: at least {needed:.0f} sessions")
    return no_information()


_FIDELITY = re.compile(
    r"\b(?:treatment (?:fidelity|integrity|adherence)|therapist (?:adherence|competence|fidelity)|"
    r"fidelity|adherence (?:and|&) competence|protocol adherence|adherence to (?:the )?"
    r"(?:protocol|manual|treatment (?:protocol|manual)|model)|competence (?:ratings?|scale)|"
    r"(?:audio|video)[- ]?(?:taped|recorded|recordings?)|sessions were recorded|"
    r"(?:CTS-R|CTRS|Cognitive Therapy (?:Rating )?Scale))\b",
    _I,
)
_CHECKED = re.compile(
    r"\b(?:rated|assessed|checked|monitored|evaluated|coded|reviewed|scored|measured|"
    r"randomly selected|recorded|rating)\b",
    _I,
)


def fidelity(ctx: Context) -> Signal:
    """Y: delivery was checked against the protocol (e.g. recorded sessions rated)."""
    text = ctx.document.search_text
    hits = [
        h
        for h in find(ctx.document, _FIDELITY)
        if _CHECKED.search(text, h.sentence.start, h.sentence.end)
    ]
    unchecked = [h for h in hits if negated(text, h)]
    checked = [h for h in hits if h not in unchecked]
    if checked:
        return Signal("Y", 0.7, _sentences(checked), "fidelity checked")
    if unchecked:
        return Signal("N", 0.6, _sentences(unchecked), "fidelity not checked")
    return no_information()


_DOSE = re.compile(
    r"\b(?:(?:mean|average|median) (?:number of )?sessions(?: attended| received| completed)?|"
    r"sessions (?:attended|received|completed)|attended (?:a mean|an average|a median|on average|"
    r"all|at least|(?:a )?(?:mean|median) of)|received (?:a mean|an average|a median|on average|"
    r"all|(?:a )?(?:mean|median) of)|number of sessions)\b",
    _I,
)


def dose(ctx: Context) -> Signal:
    """Y: it is reported how much of the treatment participants actually received."""
    hits = find(ctx.document, _DOSE)
    if hits:
        return Signal("Y", 0.65, _sentences(hits), "sessions received reported")
    return no_information()


def followup(ctx: Context) -> Signal:
    """Y: outcomes were assessed at a follow-up at least six months after treatment ended.

    N when the last assessment is at post-treatment or less than six months after the end
    (a start-anchored time point minus the treatment's length); NI when timing is not given."""
    plan = schedule(ctx)
    found = plan.longest_after_end()
    if found and found[0] >= 6:
        months, point = found
        counted = point.anchor == "start"
        return Signal(
            "Y",
            0.7 if point.anchor == "end" else 0.6,
            (point.hit, *plan.treatment_evidence) if counted else (point.hit,),
            f"follow-up about {months:.0f} months after the end of treatment"
            + (" (time from the start less the treatment's length)" if counted else ""),
        )
    if plan.ongoing:
        return Signal(
            "N",
            0.55,
            plan.ongoing[:1],
            "the treatment went on for as long as outcomes were observed: no follow-up after "
            "it ended",
        )
    unsure = [p for p in plan.points if plan.ambiguous(p)]
    if unsure:
        point = max(unsure, key=lambda p: p.months)
        from_start = plan.after_end(point)
        return Signal(
            "NI",
            0.4,
            (point.hit, *plan.treatment_evidence)[:2],
            f"a follow-up at {point.months:.0f} months is named without saying from when; "
            + (
                f"counted from the start it would be about {from_start:.1f} months after the "
                "end of treatment"
                if from_start is not None
                else "how long the treatment lasted is not found either"
            ),
        )
    starts = [p for p in plan.points if p.anchor == "start" and plan.treatment_months is None]
    if starts and max(p.months for p in starts) < 6 and any(p.assessed for p in starts):
        latest = max(starts, key=lambda p: p.months)
        return Signal(
            "N",
            0.55,
            (latest.hit,),
            f"last assessment about {latest.months:.1f} months from the start, so under six "
            "months after the end of treatment",
        )
    if starts:
        latest = max(starts, key=lambda p: p.months)
        return Signal(
            "NI",
            0.4,
            (latest.hit,),
            f"last assessment about {latest.months:.0f} months from the start; how long the "
            "treatment lasted is not found, so the time after its end is unknown",
        )
    if found and found[0] > 0.25:
        months, point = found
        return Signal(
            "N",
            0.6,
            (point.hit, *plan.treatment_evidence)[:2],
            f"longest follow-up found about {months:.1f} months after the end of treatment "
            "(under six)",
        )
    if found:
        return Signal(
            "N",
            0.55,
            (found[1].hit, *plan.treatment_evidence)[:2],
            "the last assessment is at the end of treatment: no follow-up after it",
        )
    if plan.post_only or plan.no_follow_up:
        return Signal(
            "N",
            0.55,
            _sentences([*plan.post_only, *plan.no_follow_up], 2),
            "the schedule of assessments ends at post-treatment: no follow-up after it",
        )
    return no_information()


def _sentences(hits: list[Hit], limit: int = 3) -> tuple[Hit, ...]:
    """At most ``limit`` hits, one per sentence, best-placed sections first."""
    seen: dict[int, Hit] = {}
    for hit in sorted(hits, key=lambda h: -section_weight(h.sentence)):
        seen.setdefault(hit.sentence.start, hit)
    return tuple(sorted(list(seen.values())[:limit], key=lambda h: h.start))
