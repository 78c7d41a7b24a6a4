"""The rubric engine: answers in, proposed domain judgements and overall out.

Pure: it knows nothing of files, sources or screens. Conditions are evaluated in three-valued
logic (True / False / unknown), so a missing answer stops a rule table exactly where the
guidance would need it, and is reported instead of guessed. A rule table is an ordered list;
the first rule that holds decides.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from appraise.errors import InputError
from appraise.models.rubric import (
    NOT_APPLICABLE,
    SIGNALLING_ANSWERS,
    Condition,
    Domain,
    Overall,
    OverallCondition,
    Question,
    Rubric,
    Rule,
)

# A tri-state: True, False, or None for "cannot tell yet".
Tri = bool | None
Values = Mapping[str, str | None]
CompiledCondition = Callable[[Values], Tri]
NOT_COVERED = "no rule covers these answers (a gap in the rubric's rule table): no judgement"


@dataclass(frozen=True)
class DomainResult:
    domain: str
    judgement: str | None
    rule: str | None
    missing: tuple[str, ...] = ()
    not_applicable: tuple[str, ...] = ()
    # Every answer is in and no rule covers them (a gap the tool itself leaves): no judgement.
    not_covered: bool = False


@dataclass(frozen=True)
class Note:
    """Something the user should know that did not stop the evaluation."""

    question: str
    message: str


@dataclass
class Evaluation:
    rubric: str
    profile: str
    options: dict[str, str]
    domains: dict[str, DomainResult]
    overall: str | None
    overall_rule: str | None
    notes: list[Note] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return all(d.judgement is not None for d in self.domains.values())

    @property
    def missing(self) -> dict[str, list[str]]:
        return {d: list(r.missing) for d, r in self.domains.items() if r.missing}

    @property
    def not_covered(self) -> list[str]:
        return [d for d, r in self.domains.items() if r.not_covered]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rubric": self.rubric,
            "profile": self.profile,
            "options": self.options,
            "domains": {d: r.judgement for d, r in self.domains.items()},
            "overall": self.overall,
            "rules": {
                **{d: r.rule for d, r in self.domains.items()},
                "overall": self.overall_rule,
            },
        }
        if not self.complete:
            out["missing"] = self.missing
        if self.not_covered:
            out["not_covered"] = self.not_covered
        return out


def _and(results: list[Tri]) -> Tri:
    if any(r is False for r in results):
        return False
    return None if any(r is None for r in results) else True


def _or(results: list[Tri]) -> Tri:
    if any(r is True for r in results):
        return True
    return None if any(r is None for r in results) else False


def compile_condition(cond: Condition) -> CompiledCondition:
    """Turn a condition into a function of the answers known so far."""
    leaves = [(qid, frozenset(codes)) for qid, codes in cond.answers.items()]
    all_children = [compile_condition(c) for c in cond.all or []]
    any_children = [compile_condition(c) for c in cond.any or []]

    def check(values: Values) -> Tri:
        results: list[Tri] = []
        for qid, codes in leaves:
            value = values.get(qid)
            results.append(None if value is None else value in codes)
            if results[-1] is False:
                return False
        results.extend(child(values) for child in all_children)
        if any_children:
            results.append(_or([child(values) for child in any_children]))
        return _and(results)

    return check


def compile_overall(cond: OverallCondition) -> Callable[[list[str | None]], Tri]:
    def check(labels: list[str | None]) -> Tri:
        known = [lab for lab in labels if lab is not None]
        unknown = len(labels) - len(known)
        results: list[Tri] = []
        if cond.any_domain is not None:
            hit = any(lab in cond.any_domain for lab in known)
            results.append(True if hit else (None if unknown else False))
        if cond.all_domains is not None:
            miss = any(lab not in cond.all_domains for lab in known)
            results.append(False if miss else (None if unknown else True))
        if cond.count is not None:
            n = sum(lab in cond.count.labels for lab in known)
            limit = cond.count.more_than
            results.append(True if n > limit else (False if n + unknown <= limit else None))
        return _and(results)

    return check


@dataclass(frozen=True)
class _CompiledRule:
    check: CompiledCondition
    then: str
    description: str
    refs: tuple[str, ...]


class _CompiledDomain:
    def __init__(self, domain: Domain, tables: dict[str, list[Rule]], severity: dict[str, int]):
        self.id = domain.id
        self.questions: list[Question] = domain.questions
        self.applies = {
            q.id: compile_condition(q.applies_if) if q.applies_if else None
            for q in domain.questions
        }
        self.applies_refs = {
            q.id: tuple(sorted(q.applies_if.question_ids())) if q.applies_if else ()
            for q in domain.questions
        }
        self.tables = {
            part: [
                _CompiledRule(
                    compile_condition(r.when),
                    r.then,
                    f"{domain.id}{' part ' + part if part else ''} rule {i}: "
                    f"{r.when.describe()} -> {r.then}",
                    tuple(sorted(r.when.question_ids())),
                )
                for i, r in enumerate(rules, 1)
            ]
            for part, rules in tables.items()
        }
        self.severity = severity
        self.worst = max(severity, key=severity.__getitem__)
        self.inputs = tuple(q.id for q in domain.questions) + tuple(
            sorted(
                {ref for rules in self.tables.values() for r in rules for ref in r.refs}
                - {q.id for q in domain.questions}
            )
        )
        self._memo: dict[tuple[str | None, ...], tuple[DomainResult, tuple[Note, ...]]] = {}

    def evaluate(self, answers: Mapping[str, str]) -> tuple[DomainResult, tuple[Note, ...]]:
        key = tuple(answers.get(i) for i in self.inputs)
        if (hit := self._memo.get(key)) is None:
            hit = self._evaluate(answers)
            if len(self._memo) < 200_000:
                self._memo[key] = hit
        return hit

    def _evaluate(self, answers: Mapping[str, str]) -> tuple[DomainResult, tuple[Note, ...]]:
        values: dict[str, str | None] = {i: answers.get(i) for i in self.inputs}
        pending: dict[str, tuple[str, ...]] = {}
        not_applicable: list[str] = []
        notes: list[Note] = []
        for q in self.questions:
            check = self.applies[q.id]
            applies = True if check is None else check(values)
            given = answers.get(q.id)
            if applies is False:
                values[q.id] = NOT_APPLICABLE
                not_applicable.append(q.id)
                if given is not None and given != NOT_APPLICABLE:
                    notes.append(
                        Note(
                            q.id,
                            f"answer {given} to {q.id} ignored: the question does not apply here",
                        )
                    )
            elif applies is None:
                values[q.id] = None
                pending[q.id] = tuple(r for r in self.applies_refs[q.id] if values.get(r) is None)
            elif given == NOT_APPLICABLE and not q.na_allowed:
                raise InputError(
                    f"question {q.id} applies here and cannot be answered NA",
                    fix="answer it with one of " + ", ".join(q.options),
                )

        results: list[tuple[str | None, str | None, tuple[str, ...]]] = []
        for rules in self.tables.values():
            results.append(self._run_table(rules, values, pending))
        decided = [r for r in results if r[0] is not None]
        if any(r[0] == self.worst for r in decided):
            label, rule, _ = next(r for r in decided if r[0] == self.worst)
            return DomainResult(self.id, label, rule, (), tuple(not_applicable)), tuple(notes)
        if any(r[0] is None and r[1] == NOT_COVERED for r in results):
            result = DomainResult(self.id, None, NOT_COVERED, (), tuple(not_applicable), True)
            return result, tuple(notes)
        needed = {m for r in results for m in r[2]}
        if needed or len(decided) < len(results):
            # Report every question still open here, not only the next one a rule needs.
            open_here = [
                q.id
                for q in self.questions
                if q.id in needed or (values.get(q.id) is None and q.id not in pending)
            ]
            missing = tuple(dict.fromkeys([*open_here, *sorted(needed - set(open_here))]))
            return DomainResult(self.id, None, None, missing, tuple(not_applicable)), tuple(notes)
        label, rule, _ = max(decided, key=lambda r: self.severity[r[0] or ""])
        if len(decided) > 1:
            rule = "; ".join(r[1] or "" for r in decided) + f" -> worst: {label}"
        return DomainResult(self.id, label, rule, (), tuple(not_applicable)), tuple(notes)

    @staticmethod
    def _run_table(
        rules: list[_CompiledRule], values: Values, pending: dict[str, tuple[str, ...]]
    ) -> tuple[str | None, str | None, tuple[str, ...]]:
        for rule in rules:
            outcome = rule.check(values)
            if outcome is True:
                return rule.then, rule.description, ()
            if outcome is None:
                missing: list[str] = []
                for ref in rule.refs:
                    if values.get(ref) is None:
                        missing.extend(pending.get(ref) or (ref,))
                return None, None, tuple(dict.fromkeys(missing))
        return None, NOT_COVERED, ()


class Engine:
    """A rubric compiled for one profile and set of options; evaluate() is cheap to call."""

    def __init__(
        self,
        rubric: Rubric,
        *,
        profile: str | None = None,
        options: Mapping[str, str] | None = None,
    ) -> None:
        self.rubric = rubric
        self.profile = profile or rubric.default_profile
        if self.profile not in rubric.profile_names:
            raise InputError(
                f"rubric {rubric.id} has no profile '{self.profile}'",
                fix="use one of: " + ", ".join(rubric.profile_names),
            )
        self.options = rubric.default_options()
        for name, value in (options or {}).items():
            if name not in rubric.options:
                raise InputError(
                    f"rubric {rubric.id} has no option '{name}'",
                    fix="options: " + (", ".join(rubric.options) or "none"),
                )
            if value not in rubric.options[name].choices:
                raise InputError(
                    f"'{value}' is not a choice for {name} in rubric {rubric.id}",
                    fix="use one of: " + ", ".join(rubric.options[name].choices),
                )
            self.options[name] = value
        prof = rubric.profiles.get(self.profile)
        severity = {lvl.label: lvl.severity for lvl in rubric.scale}
        self.domains = []
        for dom in rubric.domains_for(self.options):
            override = prof.domains.get(dom.id) if prof else None
            tables = {"": override.rules} if override else dom.rule_tables()
            self.domains.append(_CompiledDomain(dom, tables, severity))
        overall: Overall = prof.overall if prof and prof.overall else rubric.overall
        self.overall_needs_every_domain = overall.needs_every_domain
        self.overall_rules = [
            (compile_overall(r.when), r.then, f"overall rule {i}: {r.when.describe()} -> {r.then}")
            for i, r in enumerate(overall.rules, 1)
        ]
        # Accepted spellings per question id: lower-cased answer -> the canonical answer.
        self._valid: dict[str, dict[str, str]] = {}
        for dom in rubric.domains:
            for q in dom.questions:
                for option in (*q.options, NOT_APPLICABLE):
                    self._valid.setdefault(q.id, {})[option.lower()] = option
        for item in rubric.context:
            self._valid[item.id] = {option.lower(): option for option in item.options}
        self._active = {q.id for d in self.domains for q in d.questions}

    def normalise(self, answers: Mapping[str, Any]) -> dict[str, str]:
        """Check ids and answer codes; upper-case signalling answers. Raises InputError."""
        clean: dict[str, str] = {}
        for qid, raw in answers.items():
            allowed = self._valid.get(str(qid))
            if allowed is None:
                raise InputError(
                    f"unknown question id '{qid}' for rubric {self.rubric.id}",
                    fix=f"see `appraise rubric show {self.rubric.id}` for its question ids",
                )
            if raw is None:
                continue
            # Answer codes and judgement words are matched without regard to case.
            value = allowed.get(str(raw).strip().lower())
            if value is None:
                options = sorted(allowed.values(), key=lambda a: (a not in SIGNALLING_ANSWERS, a))
                raise InputError(
                    f"answer '{raw}' to question {qid} is not allowed",
                    fix="use one of " + ", ".join(options),
                )
            clean[str(qid)] = value
        return clean

    def evaluate(self, answers: Mapping[str, Any]) -> Evaluation:
        clean = self.normalise(answers)
        notes = [
            Note(
                qid,
                f"answer to {qid} ignored: the question is not part of this variant "
                f"({', '.join(f'{k}={v}' for k, v in self.options.items())})",
            )
            for qid in clean
            if qid not in self._active and qid in self._valid and not self._is_context(qid)
        ]
        results: dict[str, DomainResult] = {}
        for dom in self.domains:
            result, dom_notes = dom.evaluate(clean)
            results[dom.id] = result
            notes.extend(dom_notes)
        overall, overall_rule = self.overall_from({d: r.judgement for d, r in results.items()})
        return Evaluation(
            self.rubric.id, self.profile, dict(self.options), results, overall, overall_rule, notes
        )

    def overall_from(
        self, domains: Mapping[str, str | None], *, assessed: Collection[str] | None = None
    ) -> tuple[str | None, str | None]:
        """The overall judgement (and rule) from domain judgements alone, e.g. when they were
        imported (robvis, a database) or overridden by a reviewer. ``assessed`` limits the rule
        to the domains a source rated (a RoB 1 table with four of its seven domains)."""
        labels = [domains.get(d.id) for d in self.domains if assessed is None or d.id in assessed]
        if self.overall_needs_every_domain and None in labels:
            return None, None
        for check, then, description in self.overall_rules:
            outcome = check(labels)
            if outcome is True:
                return then, description
            if outcome is None:
                return None, None
        return None, None

    def _is_context(self, key: str) -> bool:
        return any(item.id == key for item in self.rubric.context)

    def questions_in_order(self) -> list[tuple[str, Question]]:
        """(domain id, question) for every question in force, in the order a reviewer meets them."""
        return [(d.id, q) for d in self.domains for q in d.questions]


# Engines already built, by rubric object, its content and the options: building one compiles
# every rule table (about 2 ms, a sixth of proposing for a full text), and batches propose with
# the same rubric for every record. The content is part of the key because a rubric may be
# changed after it was loaded.
_ENGINES: dict[tuple[int, str, tuple[tuple[str, str], ...]], Engine] = {}
_MOST_ENGINES = 32


def cached_engine(rubric: Rubric, options: Mapping[str, str] | None = None) -> Engine:
    """``Engine(rubric, options=options)``, built once for each rubric and options."""
    key = (id(rubric), rubric.model_dump_json(), tuple(sorted((options or {}).items())))
    engine = _ENGINES.get(key)
    if engine is None or engine.rubric is not rubric:
        if len(_ENGINES) >= _MOST_ENGINES:
            _ENGINES.clear()
        engine = _ENGINES[key] = Engine(rubric, options=options)
    return engine
