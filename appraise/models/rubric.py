"""Rubrics as data: questions, when they apply, and the rule tables that turn answers into
judgements. Validated on load; the JSON Schema in ``rubrics/schema/`` is generated from here."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from appraise.models.base import Strict

SIGNALLING_ANSWERS: tuple[str, ...] = ("Y", "PY", "PN", "N", "NI")
NOT_APPLICABLE = "NA"
_SHORTHANDS = {"Y*": ("Y", "PY"), "N*": ("N", "PN")}
_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


def expand_pattern(pattern: str | list[str]) -> tuple[str, ...]:
    """'Y*|NI' -> ('Y', 'PY', 'NI'); lists are taken as alternatives too."""
    parts = pattern if isinstance(pattern, list) else pattern.split("|")
    codes: list[str] = []
    for part in (p.strip() for p in parts):
        codes.extend(_SHORTHANDS.get(part, (part,)))
    return tuple(dict.fromkeys(codes))


def describe_codes(codes: tuple[str, ...]) -> str:
    """The inverse of expand_pattern, for messages: ('Y','PY','NI') -> 'Y*/NI'."""
    rest = list(codes)
    out: list[str] = []
    for short, members in _SHORTHANDS.items():
        if all(m in rest for m in members):
            out.append(short)
            rest = [c for c in rest if c not in members]
    return "/".join(out + rest)


class Condition(BaseModel):
    """Answers that must hold. Keys are question (or context) ids mapped to an answer pattern
    such as ``"Y*|NI"``; ``any``/``all`` combine nested conditions. Empty means always."""

    # Extra keys are question ids; the rubric validator rejects any it does not define.
    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, str | list[str]] = Field(init=False)

    any: list[Condition] | None = None
    all: list[Condition] | None = None

    @property
    def answers(self) -> dict[str, tuple[str, ...]]:
        return {qid: expand_pattern(p) for qid, p in (self.__pydantic_extra__ or {}).items()}

    def question_ids(self) -> set[str]:
        ids = set(self.answers)
        for child in (self.any or []) + (self.all or []):
            ids |= child.question_ids()
        return ids

    def describe(self) -> str:
        parts = [f"{qid} {describe_codes(codes)}" for qid, codes in self.answers.items()]
        if self.all:
            parts += [f"({c.describe()})" for c in self.all]
        if self.any:
            parts.append("(" + " or ".join(c.describe() for c in self.any) + ")")
        return " and ".join(parts) if parts else "otherwise"


class JudgementLevel(Strict):
    label: str = Field(description="The judgement word, spelt as robvis spells it.")
    severity: int = Field(description="0 is the best; higher is worse.")
    symbol: str = Field(description="Shown beside the colour so colour is never the only cue.")
    colour: str = Field(pattern=r"^#[0-9A-Fa-f]{6}$", description="Cochrane palette.")
    colourblind: str = Field(pattern=r"^#[0-9A-Fa-f]{6}$")


class Question(Strict):
    id: str = Field(pattern=_ID)
    text: str = Field(description="The question, in the project's own words.")
    guidance: str | None = None
    options: list[str] = Field(default_factory=lambda: list(SIGNALLING_ANSWERS))
    na_allowed: bool = Field(
        default=False, description="'If applicable' questions: NA is a valid answer."
    )
    applies_if: Condition | None = Field(
        default=None, description="Asked only when this holds; otherwise its answer is NA."
    )
    detector: str | None = Field(
        default=None, description="Evidence detector that proposes an answer to this question."
    )


class ContextItem(Strict):
    """A fact about the result being assessed that some rules need (e.g. who rated it)."""

    id: str = Field(pattern=_ID)
    text: str
    options: list[str]


class Rule(Strict):
    when: Condition
    then: str
    note: str | None = None


class Domain(Strict):
    id: str = Field(pattern=r"^D\d+$", description="D1..Dn, numbered as robvis numbers them.")
    name: str
    short: str | None = Field(default=None, description="Caption for narrow tables and plots.")
    only_for: dict[str, str] = Field(
        default_factory=dict, description="Rubric options under which this variant is used."
    )
    questions: list[Question]
    rules: list[Rule] | None = Field(default=None, description="First matching rule decides.")
    parts: dict[str, list[Rule]] | None = Field(
        default=None, description="Independent rule tables; the worst of their results decides."
    )

    @model_validator(mode="after")
    def _one_rule_form(self) -> Domain:
        if (self.rules is None) == (self.parts is None):
            raise ValueError(f"domain {self.id}: give exactly one of 'rules' or 'parts'")
        return self

    def rule_tables(self) -> dict[str, list[Rule]]:
        return self.parts if self.parts is not None else {"": self.rules or []}


class CountCondition(Strict):
    labels: list[str]
    more_than: int = Field(ge=0)


class OverallCondition(Strict):
    any_domain: list[str] | None = Field(default=None, description="Some domain is one of these.")
    all_domains: list[str] | None = Field(default=None, description="Every domain is one of these.")
    count: CountCondition | None = Field(
        default=None, description="More than N domains are one of these."
    )

    def describe(self) -> str:
        parts = []
        if self.any_domain:
            parts.append("any domain " + "/".join(self.any_domain))
        if self.all_domains:
            parts.append("all domains " + "/".join(self.all_domains))
        if self.count:
            parts.append(f"more than {self.count.more_than} domains " + "/".join(self.count.labels))
        return " and ".join(parts) or "otherwise"


class OverallRule(Strict):
    when: OverallCondition
    then: str
    note: str | None = None


class Overall(Strict):
    description: str
    needs_every_domain: bool = Field(
        default=False,
        description="No overall judgement while any domain is unjudged, even when a rule "
        "could already decide (e.g. Metapsy: no overall while a domain is unrated).",
    )
    rules: list[OverallRule]


class DomainOverride(Strict):
    rules: list[Rule]


class Profile(Strict):
    description: str
    domains: dict[str, DomainOverride] = Field(default_factory=dict)
    overall: Overall | None = None


class RubricOption(Strict):
    description: str
    choices: list[str]
    default: str


class Rubric(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    version: str = Field(description="Version of the guidance this file encodes.")
    file_version: int = Field(default=1, description="Bumped when this file's rules change.")
    citation: str
    description: str
    design: str = Field(description="The study designs the rubric is meant for.")
    unit: Literal["result", "study"] = "result"
    judged_directly: bool = Field(
        default=False, description="Domain judgements are given, not derived from answers."
    )
    scale: list[JudgementLevel]
    options: dict[str, RubricOption] = Field(default_factory=dict)
    context: list[ContextItem] = Field(default_factory=list)
    default_profile: str = "cochrane"
    profiles: dict[str, Profile] = Field(
        default_factory=dict, description="Named variants that replace some rule tables."
    )
    domains: list[Domain]
    overall: Overall

    # --- lookups -------------------------------------------------------------------------
    def level(self, label: str) -> JudgementLevel:
        for lvl in self.scale:
            if lvl.label == label:
                return lvl
        raise KeyError(label)

    @property
    def labels(self) -> list[str]:
        return [lvl.label for lvl in self.scale]

    @property
    def profile_names(self) -> list[str]:
        return [self.default_profile, *[p for p in self.profiles if p != self.default_profile]]

    def default_options(self) -> dict[str, str]:
        return {name: opt.default for name, opt in self.options.items()}

    def domains_for(self, options: dict[str, str] | None = None) -> list[Domain]:
        """The domain variants in force under ``options`` (defaults filled in)."""
        chosen = {**self.default_options(), **(options or {})}
        return [d for d in self.domains if all(chosen.get(k) == v for k, v in d.only_for.items())]

    def all_question_ids(self) -> set[str]:
        return {q.id for d in self.domains for q in d.questions}

    # --- validation ----------------------------------------------------------------------
    @model_validator(mode="after")
    def _consistent(self) -> Rubric:
        labels = self.labels
        if len(set(labels)) != len(labels):
            raise ValueError("scale: judgement labels must be unique")
        for name, opt in self.options.items():
            if opt.default not in opt.choices:
                raise ValueError(f"options.{name}: default '{opt.default}' is not a choice")
        context_ids = {c.id: c for c in self.context}
        for combo in self._option_combinations():
            seen: set[str] = set()
            for dom in self.domains_for(combo):
                if dom.id in seen:
                    raise ValueError(f"domain {dom.id} is defined twice for options {combo}")
                seen.add(dom.id)
        for dom in self.domains:
            for key, value in dom.only_for.items():
                if key not in self.options or value not in self.options[key].choices:
                    raise ValueError(f"domain {dom.id}: only_for {key}={value} is not an option")
            self._check_domain(dom, dom.rule_tables(), context_ids)
        for pname, profile in self.profiles.items():
            for did, override in profile.domains.items():
                matches = [d for d in self.domains if d.id == did]
                if not matches:
                    raise ValueError(f"profiles.{pname}: unknown domain {did}")
                for dom in matches:
                    self._check_domain(dom, {"": override.rules}, context_ids, where=pname)
            if profile.overall:
                self._check_overall(profile.overall, f"profiles.{pname}.overall")
        self._check_overall(self.overall, "overall")
        return self

    def _option_combinations(self) -> list[dict[str, str]]:
        combos: list[dict[str, str]] = [{}]
        for name, opt in self.options.items():
            combos = [{**c, name: choice} for c in combos for choice in opt.choices]
        return combos

    def _check_domain(
        self,
        dom: Domain,
        tables: dict[str, list[Rule]],
        context: dict[str, ContextItem],
        where: str = "",
    ) -> None:
        place = f"{where + ': ' if where else ''}domain {dom.id}"
        questions = {q.id: q for q in dom.questions}
        if len(questions) != len(dom.questions):
            raise ValueError(f"{place}: question ids must be unique")
        known = {
            **{q.id: q.options for q in dom.questions},
            **{c: i.options for c, i in context.items()},
        }
        for q in dom.questions:
            for opt in q.options:
                if opt == NOT_APPLICABLE:
                    raise ValueError(f"{place}, question {q.id}: use na_allowed, not an NA option")
            if q.applies_if:
                self._check_condition(q.applies_if, known, f"{place}, question {q.id} applies_if")
        for part, rules in tables.items():
            for i, rule in enumerate(rules, 1):
                label = f"{place}{' part ' + part if part else ''}, rule {i}"
                if rule.then not in self.labels:
                    raise ValueError(f"{label}: '{rule.then}' is not on the scale {self.labels}")
                self._check_condition(rule.when, known, label)

    @staticmethod
    def _check_condition(cond: Condition, known: dict[str, list[str]], label: str) -> None:
        for qid, codes in cond.answers.items():
            if qid not in known:
                raise ValueError(f"{label}: unknown question '{qid}'")
            allowed = set(known[qid]) | {NOT_APPLICABLE}
            bad = [c for c in codes if c not in allowed]
            if bad:
                raise ValueError(f"{label}: answer {bad[0]!r} is not an option of question {qid}")
        for child in (cond.any or []) + (cond.all or []):
            Rubric._check_condition(child, known, label)

    def _check_overall(self, overall: Overall, label: str) -> None:
        for i, rule in enumerate(overall.rules, 1):
            used = (rule.when.any_domain or []) + (rule.when.all_domains or [])
            used += rule.when.count.labels if rule.when.count else []
            for lab in [*used, rule.then]:
                if lab not in self.labels:
                    raise ValueError(f"{label}, rule {i}: '{lab}' is not on the scale")
