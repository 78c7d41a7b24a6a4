"""The assess flow as a library object: a walk through a rubric's questions for one study.

The session holds one appraisal, knows which step the reviewer is on (a context item, a
signalling question, a domain judgement, the overall judgement) and what to offer as the
default (the reviewer's earlier answer, else the automatic proposal). Every operation saves
the file at once, so an interrupted session loses at most the answer being typed. The CLI
is a thin renderer over this; tests drive it directly too.

The walk visits *open* steps: questions that apply (given the answers so far) and have no
confirmed answer, and judgements not yet decided. A fresh appraisal is all open; a resumed
one starts where the reviewer stopped; a consensus starts with only the disagreements open.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from appraise.corpus import AppraisalFile, Corpus
from appraise.errors import DataFileError, InputError
from appraise.files import line_of, read_text
from appraise.models import (
    OVERALL,
    Answer,
    Appraisal,
    Draft,
    Judgement,
    Quote,
    ResultAssessed,
    StudyRecord,
)
from appraise.models.rubric import NOT_APPLICABLE, Question
from appraise.review.proposals import Proposer
from appraise.rubrics import Engine, load_rubric
from appraise.rubrics.engine import CompiledCondition, Evaluation, compile_condition

if TYPE_CHECKING:  # importing appraise.evidence loads its detectors: not at startup
    from appraise.evidence.document import Document

StepKind = Literal["context", "question", "judgement", "overall"]


@dataclass(frozen=True)
class _Item:
    kind: StepKind
    domain: str | None
    id: str


@dataclass(frozen=True)
class Step:
    """What the reviewer is asked now, with everything needed to show it."""

    kind: StepKind
    domain: str | None
    id: str
    text: str
    options: tuple[str, ...]
    default: str | None
    proposal: Answer | None = None
    current: Answer | None = None
    judgement: Judgement | None = None
    guidance: str | None = None
    alternatives: Mapping[str, Answer | Judgement] = field(default_factory=dict)
    note: str | None = None  # why nothing is proposed (no detector for the question)


@dataclass(frozen=True)
class DomainSummary:
    domain: str
    name: str
    proposed: str | None
    judgement: str | None
    override_reason: str | None
    support: str
    missing: tuple[str, ...]
    answers: str = ""


def parse_result(label: str | None) -> ResultAssessed:
    """'PHQ-9, 12 months' -> outcome and time point; nothing -> the whole study."""
    if not label or not label.strip():
        return ResultAssessed()
    outcome, _, timepoint = label.partition(",")
    return ResultAssessed(
        outcome=outcome.strip() or None, timepoint=timepoint.strip() or None, label=label.strip()
    )


def match_option(text: str, options: tuple[str, ...], what: str) -> str:
    """A typed answer as one of ``options``: exact (any case), else a unique prefix of 2+."""
    typed = text.strip()
    exact = [o for o in options if o.lower() == typed.lower()]
    if exact:
        return exact[0]
    prefixed = [o for o in options if len(typed) >= 2 and o.lower().startswith(typed.lower())]
    if len(prefixed) == 1:
        return prefixed[0]
    raise InputError(
        f"'{typed}' is not an answer to {what}", fix="type one of " + " / ".join(options)
    )


def existing_result(corpus: Corpus, study: str, rubric: str, reviewer: str) -> str | None:
    """The result to resume when none was named: the whole study if the reviewer appraised
    it so, else their one appraised result; several results are a question only they can
    answer (refused, naming them), none means a new whole-study appraisal."""
    labels = sorted(
        {
            stored.appraisal.result.label
            for stored in corpus.iter_appraisals(rubric=rubric, study=study)
            if stored.appraisal.reviewer == reviewer and stored.appraisal.rubric == rubric
        }
    )
    if not labels or "study" in labels:
        return None
    if len(labels) == 1:
        return labels[0]
    raise InputError(
        f"{reviewer} has {len(labels)} {rubric} appraisals of {study}: "
        + "; ".join(f'"{label}"' for label in labels),
        fix='name the one to work on with --result "outcome, time point"',
    )


def validate_answers(appraisal: Appraisal, engine: Engine, path: Path) -> None:
    """Answer codes a hand edit may have broken, reported with the file's line."""
    for qid, answer in appraisal.answers.items():
        try:
            engine.normalise({qid: answer.answer})
        except InputError as exc:
            text = read_text(path) if path.exists() else None
            line = line_of(text, ["answers", qid, "answer"]) if text else None
            raise DataFileError(path, exc.message, line=line, fix=exc.fix) from None


class AssessSession:
    """One reviewer's walk through one appraisal. Every change is saved immediately."""

    def __init__(
        self,
        file: AppraisalFile,
        appraisal: Appraisal,
        engine: Engine,
        *,
        proposals: Mapping[str, Answer] | None = None,
        document: Document | None = None,
        answer_source: Literal["reviewer", "consensus"] = "reviewer",
        alternatives: Mapping[str, Mapping[str, Answer | Judgement]] | None = None,
        revise: bool = False,
    ) -> None:
        self.file = file
        self.revising = revise
        self.engine = engine
        self.rubric = engine.rubric
        self.document = document
        self.answer_source = answer_source
        self.alternatives = dict(alternatives or {})
        self._questions: dict[str, Question] = {q.id: q for _, q in engine.questions_in_order()}
        self._conditions: dict[str, CompiledCondition | None] = {
            q.id: compile_condition(q.applies_if) if q.applies_if else None
            for q in self._questions.values()
        }
        self._domain_of = {q.id: d for d, q in engine.questions_in_order()}
        self._domain_names = {d.id: d.name for d in self.rubric.domains_for(engine.options)}
        self._domain_short = {
            d.id: d.short or d.name for d in self.rubric.domains_for(engine.options)
        }
        self._items = self._build_items()
        self.proposals: dict[str, Answer] = {
            qid: a for qid, a in (proposals or {}).items() if qid in self._questions
        }
        # Typed for a question that has no answer in the file yet: saved as the file's drafts
        # (so stopping, Ctrl-C or a crash loses nothing) and moved onto the answer when given.
        self._pending_comments: dict[str, str] = {
            qid: d.comment for qid, d in appraisal.drafts.items() if d.comment
        }
        self._pending_quotes: dict[str, list[Quote]] = {
            qid: list(d.quotes) for qid, d in appraisal.drafts.items() if d.quotes
        }
        self.appraisal = self._derive(self._with_proposals(appraisal))
        self.appraisal = self.file.save(self.appraisal, self._derive)
        self._history: list[int] = []
        self._position: int | None = self._next_open(0)

    # --- opening -----------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        corpus: Corpus,
        study: str,
        rubric: str,
        *,
        reviewer: str,
        result: str | None = None,
        profile: str | None = None,
        options: Mapping[str, str] | None = None,
        record: StudyRecord | None = None,
        document: Document | None = None,
        proposer: Proposer | None = None,
        revise: bool = False,
    ) -> AssessSession:
        """Start a new appraisal, or resume the one this reviewer began for the same study,
        rubric and result (their answers are never replaced by proposals). ``proposer`` reads
        ``document`` (the study's text) and proposes answers for the reviewer to confirm.
        ``revise`` walks every step again (answers so far as defaults), not only open ones."""
        rub = load_rubric(rubric)
        if result is None and rub.unit == "result":
            result = existing_result(corpus, study, rub.id, reviewer)
        assessed = parse_result(result if rub.unit == "result" else None)
        path = corpus.appraisal_path(study, rub.id, assessed.label, reviewer)
        file = AppraisalFile.open(corpus, path)
        if file.base is not None:
            existing = file.base
            _check_same_setup(existing, path, profile, options)
            engine = Engine(rub, profile=existing.profile, options=existing.options)
            validate_answers(existing, engine, path)
            appraisal = existing
        else:
            engine = Engine(rub, profile=profile, options=options)
            appraisal = Appraisal(
                study=study,
                rubric=rub.id,
                rubric_version=rub.version,
                rubric_file_version=rub.file_version,
                profile=engine.profile,
                options=dict(engine.options),
                result=assessed,
                reviewer=reviewer,
            )
        proposals = (
            proposer(document, record, engine)
            if proposer is not None and document is not None and record is not None
            else {}
        )
        return cls(file, appraisal, engine, proposals=proposals, document=document, revise=revise)

    # --- what the walk looks like --------------------------------------------------------
    def _build_items(self) -> list[_Item]:
        used = {ref for dom in self.engine.domains for ref in dom.inputs}
        items = [_Item("context", None, c.id) for c in self.rubric.context if c.id in used]
        for dom in self.engine.domains:
            items.extend(_Item("question", dom.id, q.id) for q in dom.questions)
            if not self.rubric.judged_directly:
                items.append(_Item("judgement", dom.id, dom.id))
        items.append(_Item("overall", None, OVERALL))
        return items

    def _values(self, appraisal: Appraisal) -> dict[str, str]:
        return {**appraisal.context, **{q: a.answer for q, a in appraisal.answers.items()}}

    def applicability(self, appraisal: Appraisal | None = None) -> dict[str, bool | None]:
        """For each question: applies (True), does not (False), or cannot tell yet (None)."""
        current = appraisal or self.appraisal
        answers = self._values(current)
        values: dict[str, str | None] = dict(current.context)
        applies: dict[str, bool | None] = {}
        for qid in self._questions:
            check = self._conditions[qid]
            result = True if check is None else check(values)
            applies[qid] = result
            values[qid] = (
                NOT_APPLICABLE if result is False else (answers.get(qid) if result else None)
            )
        return applies

    def evaluation(self, appraisal: Appraisal | None = None) -> Evaluation:
        return self.engine.evaluate(self._values(appraisal or self.appraisal))

    def _is_open(
        self,
        item: _Item,
        appraisal: Appraisal,
        applies: dict[str, bool | None],
        evaluation: Evaluation,
        revising: bool = False,
    ) -> bool:
        """A step still to take; when revising, every step that can be taken now."""
        if item.kind == "context":
            return revising or item.id not in appraisal.context
        if item.kind == "question":
            answer = appraisal.answers.get(item.id)
            unsettled = revising or answer is None or not answer.confirmed
            return applies[item.id] is True and unsettled
        if item.kind == "judgement":
            assert item.domain is not None
            decided = appraisal.domains.get(item.domain, Judgement()).judgement
            return (revising or decided is None) and not evaluation.domains[item.domain].missing
        domains = appraisal.domains.values()
        ready = bool(domains) and all(j.judgement is not None for j in domains)
        return ready and (revising or appraisal.overall.judgement is None)

    def _open_items(self, appraisal: Appraisal, revising: bool = False) -> list[int]:
        applies = self.applicability(appraisal)
        evaluation = self.evaluation(appraisal)
        return [
            i
            for i, item in enumerate(self._items)
            if self._is_open(item, appraisal, applies, evaluation, revising)
        ]

    def _next_open(self, start: int) -> int | None:
        open_items = self._open_items(self.appraisal, self.revising)
        later = [i for i in open_items if i >= start]
        if later:
            return later[0]
        # Something earlier may have reopened (a judgement whose proposal changed); a
        # revision, which visits every step, ends at the last one.
        return open_items[0] if open_items and not self.revising else None

    # --- deriving judgements from answers ------------------------------------------------
    def _with_proposals(self, appraisal: Appraisal) -> Appraisal:
        """Fill unanswered questions with proposals; a reviewer's answer is never replaced."""
        answers = dict(appraisal.answers)
        for qid, proposal in self.proposals.items():
            held = answers.get(qid)
            if held is None or (held.source == "proposed" and not held.confirmed):
                answers[qid] = _refreshed(proposal, held)
        return appraisal.model_copy(update={"answers": answers})

    def _derive(self, appraisal: Appraisal) -> Appraisal:
        """Domain and overall proposals (and status) recomputed from the answers. A decision
        that merely accepted a proposal is dropped when the proposal changes; an override
        (which has a reason) stands. Unconfirmed proposals for questions that do not apply
        are dropped from the file (the session still offers them if the question comes back)."""
        applies = self.applicability(appraisal)
        kept = {
            q: a for q, a in appraisal.answers.items() if a.confirmed or applies.get(q) is not False
        }
        appraisal = appraisal.model_copy(update={"answers": kept})
        evaluation = self.evaluation(appraisal)
        domains: dict[str, Judgement] = {}
        for did, result in evaluation.domains.items():
            old = appraisal.domains.get(did, Judgement())
            judgement = old.judgement
            if old.proposed != result.judgement and old.override_reason is None:
                judgement = None
            if self.rubric.judged_directly:
                judgement = result.judgement if self._confirmed(appraisal, did, applies) else None
            domains[did] = Judgement(
                proposed=result.judgement,
                rule=result.rule,
                judgement=judgement,
                override_reason=old.override_reason if judgement is not None else None,
                support=self._support(appraisal, did, applies) or None,
            )
        finals = {d: j.judgement or j.proposed for d, j in domains.items()}
        proposed, rule = self.engine.overall_from(finals)
        old_overall = appraisal.overall
        overall_judgement = old_overall.judgement
        if old_overall.proposed != proposed and old_overall.override_reason is None:
            overall_judgement = None
        overall = Judgement(
            proposed=proposed,
            rule=rule,
            judgement=overall_judgement,
            override_reason=old_overall.override_reason if overall_judgement else None,
        )
        derived = appraisal.model_copy(update={"domains": domains, "overall": overall})
        done = not self._open_items(derived) and overall.judgement is not None
        return derived.model_copy(update={"status": "complete" if done else "in-progress"})

    def _confirmed(
        self, appraisal: Appraisal, domain: str, applies: dict[str, bool | None]
    ) -> bool:
        return all(
            (a := appraisal.answers.get(qid)) is not None and a.confirmed
            for qid, d in self._domain_of.items()
            if d == domain and applies[qid]
        )

    def _support(self, appraisal: Appraisal, domain: str, applies: dict[str, bool | None]) -> str:
        """'Support for judgement' as tables print it: each answer with its quote or comment."""
        parts: list[str] = []
        for qid, d in self._domain_of.items():
            answer = appraisal.answers.get(qid)
            if d != domain or not applies[qid] or answer is None:
                continue
            piece = f"{qid} {answer.answer}"
            if answer.quotes:
                piece += f': "{_shorten(answer.quotes[0].text, 160)}"'
            if answer.comment:
                piece += f" ({_shorten(answer.comment, 160)})"
            parts.append(piece)
        return "; ".join(parts)

    # --- the current step ----------------------------------------------------------------
    @property
    def path(self) -> Path:
        return self.file.path

    @property
    def done(self) -> bool:
        return self._position is None

    @property
    def current(self) -> Step | None:
        if self._position is None:
            return None
        item = self._items[self._position]
        if item.kind == "context":
            ctx = next(c for c in self.rubric.context if c.id == item.id)
            value = self.appraisal.context.get(item.id)
            return Step(
                "context",
                None,
                item.id,
                ctx.text,
                tuple(ctx.options),
                value,
                alternatives=self.alternatives.get(item.id, {}),
            )
        if item.kind == "question":
            q = self._questions[item.id]
            current = self.appraisal.answers.get(item.id)
            proposal = self.proposals.get(item.id)
            options = (*q.options, NOT_APPLICABLE) if q.na_allowed else tuple(q.options)
            # A placeholder from a question with no detector is no proposal: it is neither
            # shown as one nor offered on Enter, so the reviewer answers it themselves.
            placeholder = next(
                (a for a in (proposal, current) if a is not None and _is_placeholder(a)), None
            )
            if proposal is not None and _is_placeholder(proposal):
                proposal = None
            offered = next(
                (a for a in (current, proposal) if a is not None and (a.confirmed or a.detector)),
                None,
            )
            default = offered.answer if offered else None
            return Step(
                "question",
                item.domain,
                item.id,
                q.text,
                options,
                default,
                proposal,
                current,
                guidance=q.guidance,
                alternatives=self.alternatives.get(item.id, {}),
                note=placeholder.comment if placeholder is not None and default is None else None,
            )
        judgement = (
            self.appraisal.overall
            if item.kind == "overall"
            else self.appraisal.domains.get(item.id, Judgement())
        )
        text = (
            "Overall judgement"
            if item.kind == "overall"
            else f"Judgement for {item.id} {self._domain_names.get(item.id, '')}".strip()
        )
        return Step(
            item.kind,
            item.domain,
            item.id,
            text,
            tuple(self.rubric.labels),
            judgement.judgement or judgement.proposed,
            judgement=judgement,
            alternatives=self.alternatives.get(item.id, {}),
        )

    def domain_name(self, domain: str) -> str:
        return self._domain_names.get(domain, domain)

    # --- operations ----------------------------------------------------------------------
    def answer(self, value: str | None = None) -> None:
        """Answer the current question or context item; ``None`` accepts the default shown."""
        step = self._require({"question", "context"})
        chosen = (
            step.default
            if value is None or not value.strip()
            else match_option(value, step.options, f"{step.id}")
        )
        if chosen is None:
            raise InputError(
                f"{step.id} needs your answer: nothing was proposed to accept",
                fix="type one of " + " / ".join(step.options),
            )
        if step.kind == "context":
            context = {**self.appraisal.context, step.id: chosen}
            self.appraisal = self.appraisal.model_copy(update={"context": context})
            self._advance()
            return
        self.engine.normalise({step.id: chosen})
        self._record(step.id, chosen)
        self._advance()

    def _record(self, qid: str, chosen: str, comment: str | None = None) -> None:
        held = self.appraisal.answers.get(qid)
        proposal = self.proposals.get(qid) or (
            held if held is not None and held.source == "proposed" else None
        )
        if proposal is not None and _is_placeholder(proposal):
            proposal = None  # nothing was proposed: the answer is the reviewer's own
        original = (
            held.proposed
            if held is not None and held.proposed
            else (proposal.answer if proposal else None)
        )
        base = held or proposal
        unchanged = original is not None and original == chosen
        # A consensus settling a disagreement inherits the evidence of the side it agrees with.
        inherited = (
            settled_support(self._answer_alternatives(qid), chosen) if base is None else None
        )
        quotes = [
            *(base.quotes if base else inherited.quotes if inherited else []),
            *self._pending_quotes.pop(qid, []),
        ]
        kept = self._kept_comment(qid, held, base, unchanged)
        pending = self._pending_comments.pop(qid, None)
        notes = [n for n in (kept, inherited.comment if inherited else None, pending, comment) if n]
        source = (
            "proposed" if unchanged and self.answer_source == "reviewer" else self.answer_source
        )
        answer = Answer(
            answer=chosen,
            source=source,
            confirmed=True,
            proposed=None if unchanged else original,
            confidence=base.confidence if base and not _is_placeholder(base) else None,
            detector=base.detector if base else None,
            quotes=quotes,
            comment="\n".join(dict.fromkeys(notes)) or None,
        )
        self.appraisal = self.appraisal.model_copy(
            update={"answers": {**self.appraisal.answers, qid: answer}}
        )

    def _kept_comment(
        self, qid: str, held: Answer | None, base: Answer | None, unchanged: bool
    ) -> str | None:
        """What of the comment so far stays with the answer given now. A detector's comment
        explains its proposal: it goes when the reviewer answers otherwise; whatever the
        reviewer wrote stays."""
        if base is None or base.comment is None:
            return None
        if unchanged or (held is not None and held.confirmed):
            return base.comment
        proposal = self.proposals.get(qid)
        if held is None or proposal is None:
            return None if held is None else held.comment
        return _without_lines(held.comment, proposal.comment)

    def _answer_alternatives(self, qid: str) -> dict[str, Answer]:
        return {
            who: alt
            for who, alt in self.alternatives.get(qid, {}).items()
            if isinstance(alt, Answer)
        }

    def comment(self, text: str) -> bool:
        """Attach a comment to the current question's answer, saved at once: with the answer or
        proposal the file holds for it (True), else as a draft that moves onto the answer when
        the question is answered (False)."""
        step = self._require({"question"})
        if not text.strip():
            raise InputError("an empty comment was given", fix="type the comment after 'c '")
        held = self.appraisal.answers.get(step.id)
        if held is None:
            earlier = self._pending_comments.get(step.id)
            self._pending_comments[step.id] = "\n".join(filter(None, [earlier, text.strip()]))
            self._commit(self.appraisal)
            return False
        merged = "\n".join(filter(None, [held.comment, text.strip()]))
        self._commit(self._replace_answer(step.id, held.model_copy(update={"comment": merged})))
        return True

    def drafted(self) -> list[str]:
        """Questions with a comment or quote typed but no answer yet (kept as drafts)."""
        return sorted({*self._pending_comments, *self._pending_quotes})

    def quote(self, text: str) -> Quote:
        """Attach a verbatim quote to the current answer; located in the study's text if found."""
        step = self._require({"question"})
        quote = self._locate(text.strip())
        held = self.appraisal.answers.get(step.id)
        if held is None:
            self._pending_quotes.setdefault(step.id, []).append(quote)
            self._commit(self.appraisal)
        else:
            updated = held.model_copy(update={"quotes": [*held.quotes, quote]})
            self._commit(self._replace_answer(step.id, updated))
        return quote

    def _locate(self, text: str) -> Quote:
        from appraise.evidence.proposals import located_quote

        if not text:
            raise InputError("an empty quote was given", fix="paste the sentence after 'q '")
        doc = self.document
        start = doc.text.find(text) if doc is not None else -1
        if doc is None or start < 0:
            return Quote(text=text, source="reviewer")
        section = next((s.title for s in doc.sections if s.start <= start < s.end), None)
        return located_quote(doc, start, start + len(text), section)

    def accept(self) -> None:
        """Accept the proposed judgement of the current domain (or overall)."""
        step = self._require({"judgement", "overall"})
        if step.default is None:
            raise InputError(
                f"the rules give no judgement for {step.id} here",
                fix="type a judgement and give a reason",
            )
        assert step.judgement is not None
        # Accepting a judgement decided earlier (on going back) keeps its override reason.
        kept = step.judgement.override_reason if step.judgement.judgement == step.default else None
        self._decide(step, step.default, kept)

    def override(self, judgement: str, reason: str) -> None:
        """Replace the proposed judgement of the current domain (or overall); needs a reason."""
        step = self._require({"judgement", "overall"})
        label = match_option(judgement, step.options, f"the {step.id} judgement")
        assert step.judgement is not None
        if label == step.judgement.proposed:
            self._decide(step, label, None)
            return
        if not reason.strip():
            raise InputError(
                f"overriding the {step.id} judgement needs a reason",
                fix="say why the rules' proposal does not fit this study",
            )
        self._decide(step, label, reason.strip())

    def _decide(self, step: Step, label: str, reason: str | None) -> None:
        assert step.judgement is not None
        decided = step.judgement.model_copy(update={"judgement": label, "override_reason": reason})
        if step.kind == "overall":
            updated = self.appraisal.model_copy(update={"overall": decided})
        else:
            updated = self.appraisal.model_copy(
                update={"domains": {**self.appraisal.domains, step.id: decided}}
            )
        self.appraisal = updated
        self._advance()

    def back(self) -> bool:
        """Return to the previous step; False when there is none."""
        if not self._history:
            return False
        self._position = self._history.pop()
        return True

    def apply_answers(self, given: Mapping[str, Any], *, where: str = "answers") -> None:
        """Record answers (and judgement overrides) from a file as the reviewer's own."""
        context_ids = {c.id for c in self.rubric.context}
        for key, raw in given.items():
            if key in ("domains", OVERALL.lower()):
                continue
            value, comment = _answer_and_comment(raw, f"{where}: {key}")
            if key in context_ids:
                ctx = next(c for c in self.rubric.context if c.id == key)
                chosen = match_option(value, tuple(ctx.options), key)
                self.appraisal = self.appraisal.model_copy(
                    update={"context": {**self.appraisal.context, key: chosen}}
                )
                continue
            question = self._questions.get(str(key))
            if question is None:
                self.engine.normalise({str(key): value})  # names the unknown id with a fix
                raise InputError(
                    f"{where}: question {key} is not part of this appraisal "
                    f"({', '.join(f'{k}={v}' for k, v in self.engine.options.items())})",
                    fix="remove it, or pass the matching --effect",
                )
            options = (
                (*question.options, NOT_APPLICABLE)
                if question.na_allowed
                else tuple(question.options)
            )
            chosen = match_option(value, options, f"question {key}")
            self.engine.normalise({question.id: chosen})
            self._record(question.id, chosen, comment)
        self.appraisal = self._derive(self.appraisal)
        for domain, decision in dict(given.get("domains") or {}).items():
            self._apply_decision(str(domain), decision, where)
        self._accept_rules_where_answered()
        if given.get("overall") is not None:
            self._apply_decision(OVERALL, given["overall"], where)
        self._accept_rules_where_answered()
        self._commit(self.appraisal)
        self._position = self._next_open(0)

    def _accept_rules_where_answered(self) -> None:
        """A reviewer who gave every answer of a domain (and no override) takes the rules'
        judgement for it; likewise overall once every domain is decided."""
        applies = self.applicability()
        domains = {
            did: j.model_copy(update={"judgement": j.proposed})
            if j.judgement is None and j.proposed and self._confirmed(self.appraisal, did, applies)
            else j
            for did, j in self.appraisal.domains.items()
        }
        appraisal = self._derive(self.appraisal.model_copy(update={"domains": domains}))
        overall = appraisal.overall
        if (
            overall.judgement is None
            and overall.proposed
            and all(j.judgement for j in appraisal.domains.values())
        ):
            appraisal = appraisal.model_copy(
                update={"overall": overall.model_copy(update={"judgement": overall.proposed})}
            )
        self.appraisal = self._derive(appraisal)

    def _apply_decision(self, domain: str, decision: Any, where: str) -> None:
        if domain != OVERALL and domain not in self.appraisal.domains:
            raise InputError(
                f"{where}: unknown domain {domain}",
                fix="domains: " + ", ".join(self.appraisal.domains),
            )
        if isinstance(decision, str):
            decision = {"judgement": decision}
        if not isinstance(decision, dict) or "judgement" not in decision:
            raise InputError(
                f"{where}: {domain} needs a judgement",
                fix="e.g. domains: {D4: {judgement: High, reason: ...}}",
            )
        current = self.appraisal.overall if domain == OVERALL else self.appraisal.domains[domain]
        label = match_option(str(decision["judgement"]), tuple(self.rubric.labels), domain)
        reason = str(decision.get("reason") or "").strip() or None
        if label != current.proposed and reason is None:
            raise InputError(
                f"{where}: overriding {domain} ({current.proposed} -> {label}) needs a reason",
                fix=f"add reason: to {domain}",
            )
        decided = current.model_copy(update={"judgement": label, "override_reason": reason})
        if domain == OVERALL:
            self.appraisal = self._derive(self.appraisal.model_copy(update={"overall": decided}))
        else:
            domains = {**self.appraisal.domains, domain: decided}
            self.appraisal = self._derive(self.appraisal.model_copy(update={"domains": domains}))

    # --- bookkeeping -----------------------------------------------------------------------
    def _require(self, kinds: set[str]) -> Step:
        step = self.current
        if step is None:
            raise InputError("the appraisal has no open step left", fix="nothing to answer")
        if step.kind not in kinds:
            raise InputError(
                f"that does not apply to a {step.kind} step",
                fix="see the choices shown at the prompt",
            )
        return step

    def _replace_answer(self, qid: str, answer: Answer) -> Appraisal:
        return self.appraisal.model_copy(
            update={"answers": {**self.appraisal.answers, qid: answer}}
        )

    def _commit(self, appraisal: Appraisal) -> None:
        drafts = {
            qid: Draft(
                comment=self._pending_comments.get(qid), quotes=self._pending_quotes.get(qid, [])
            )
            for qid in sorted({*self._pending_comments, *self._pending_quotes})
        }
        appraisal = appraisal.model_copy(update={"drafts": drafts})
        self.appraisal = self.file.save(self._derive(appraisal), self._derive)

    def _advance(self) -> None:
        self._commit(self.appraisal)
        assert self._position is not None
        self._history.append(self._position)
        self._position = self._next_open(self._position + 1)

    def save(self) -> Path:
        self._commit(self.appraisal)
        return self.path

    def summary(self) -> list[DomainSummary]:
        evaluation = self.evaluation()
        applies = self.applicability()
        rows = []
        for did, j in self.appraisal.domains.items():
            answers = " · ".join(
                f"{qid} {a.answer}" + ("" if a.confirmed else "?")
                for qid, d in self._domain_of.items()
                if d == did and applies[qid] and (a := self.appraisal.answers.get(qid))
            )
            rows.append(
                DomainSummary(
                    did,
                    self._domain_short.get(did, did),
                    j.proposed,
                    j.judgement,
                    j.override_reason,
                    j.support or "",
                    evaluation.domains[did].missing,
                    answers,
                )
            )
        o = self.appraisal.overall
        rows.append(
            DomainSummary(
                OVERALL, OVERALL, o.proposed, o.judgement, o.override_reason, o.rule or "", ()
            )
        )
        return rows

    def questions_to_ask(self) -> list[str]:
        """The questions the walk asks as things stand (one a later answer makes apply is
        asked then too), unlike ``unanswered``, which also counts those not yet known to
        apply."""
        open_items = self._open_items(self.appraisal, self.revising)
        return [self._items[i].id for i in open_items if self._items[i].kind == "question"]

    def judgements_to_decide(self) -> list[str]:
        """The domains (and Overall) whose judgement is not decided yet."""
        left = [d for d, j in self.appraisal.domains.items() if j.judgement is None]
        return left + ([OVERALL] if self.appraisal.overall.judgement is None else [])

    def unanswered(self) -> list[str]:
        """Questions that apply and still lack a confirmed answer."""
        applies = self.applicability()
        return [
            q
            for q in self._questions
            if applies[q] is not False
            and not ((a := self.appraisal.answers.get(q)) and a.confirmed)
        ]


def _is_placeholder(answer: Answer) -> bool:
    """An unconfirmed answer no detector proposed (evidence marks such questions NI)."""
    return not answer.confirmed and answer.detector is None and answer.source == "proposed"


def _refreshed(proposal: Answer, held: Answer | None) -> Answer:
    """A fresh proposal in place of an unconfirmed one, keeping the quotes and comments a
    reviewer added to the old one."""
    known = {q.text for q in proposal.quotes}
    added = [q for q in (held.quotes if held else []) if q.text not in known]
    comment = "\n".join(
        filter(
            None,
            [proposal.comment, _without_lines(held.comment, proposal.comment) if held else None],
        )
    )
    return proposal.model_copy(
        update={
            "source": "proposed",
            "confirmed": False,
            "quotes": [*proposal.quotes, *added],
            "comment": comment or None,
        }
    )


def _without_lines(text: str | None, remove: str | None) -> str | None:
    """``text`` without the lines that ``remove`` consists of (a detector's note)."""
    if not text:
        return None
    drop = set((remove or "").splitlines())
    kept = [line for line in text.splitlines() if line not in drop]
    return "\n".join(kept) or None


def settled_support(named: Mapping[str, Answer], chosen: str) -> Answer | None:
    """The evidence behind a settled disagreement: the quotes and comments (attributed) of
    the reviewers who gave the answer chosen, else of every reviewer when nobody did."""
    agreeing = {who: a for who, a in named.items() if a.answer == chosen} or dict(named)
    if not agreeing:
        return None
    return Answer(
        answer=chosen,
        source="consensus",
        quotes=combined_quotes(*agreeing.values()),
        comment=combined_comment({who: a.comment for who, a in agreeing.items()}),
    )


def combined_quotes(*answers: Answer) -> list[Quote]:
    """Every quote of ``answers``, each text once, in order."""
    seen: dict[str, Quote] = {}
    for answer in answers:
        for quote in answer.quotes:
            seen.setdefault(quote.text, quote)
    return list(seen.values())


def combined_comment(named: Mapping[str, str | None]) -> str | None:
    """Reviewers' comments, each line prefixed with its reviewer ('ann: ...'); one comment
    that every reviewer carries alike (a detector's note they all accepted) once, as it is."""
    texts = [text for text in named.values() if text]
    if len(named) > 1 and len(texts) == len(named) and len(set(texts)) == 1:
        return texts[0]
    notes = [f"{who}: {text}" for who, text in named.items() if text]
    return "\n".join(notes) or None


def _answer_and_comment(raw: Any, where: str) -> tuple[str, str | None]:
    if isinstance(raw, dict):
        unknown = set(raw) - {"answer", "comment"}
        if "answer" not in raw or unknown:
            raise InputError(
                f"{where}: expected an answer (and optionally a comment)",
                fix='e.g. "1.1": {answer: PY, comment: "computer-generated list"}',
            )
        return str(raw["answer"]), (str(raw["comment"]) if raw.get("comment") else None)
    if raw is None or isinstance(raw, list):
        raise InputError(f"{where}: expected an answer", fix='e.g. "1.1": PY')
    return str(raw), None


def _check_same_setup(
    existing: Appraisal, path: Path, profile: str | None, options: Mapping[str, str] | None
) -> None:
    if profile is not None and profile != existing.profile:
        raise InputError(
            f"{path} was started with profile {existing.profile}, not {profile}",
            fix=f"resume with --profile {existing.profile}, or appraise another --result",
        )
    for name, value in (options or {}).items():
        if existing.options.get(name, value) != value:
            raise InputError(
                f"{path} was started with {name}={existing.options[name]}, not {value}",
                fix=f"resume with --{name} {existing.options[name]}, or appraise another --result",
            )


def _shorten(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


__all__ = [
    "AssessSession",
    "DomainSummary",
    "Step",
    "existing_result",
    "match_option",
    "parse_result",
    "validate_answers",
]
