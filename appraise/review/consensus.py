"""The consensus of two independent appraisals of one result.

Answers both reviewers gave alike are taken over (source 'consensus', with both reviewers'
quotes, merged, and comments, each attributed to its reviewer); a domain whose answers all
agree and whose final judgements agree is decided too. What is left open, and so asked, is
exactly the disagreements: differing answers (shown with each reviewer's answer, quotes and
comment, and settled with the evidence of the side agreed with), context answers that differ
(e.g. who rated the outcome), questions that newly apply, and domains whose judgements or
overrides differ.
"""

from __future__ import annotations

from collections.abc import Sequence

from appraise.appraisals import CONSENSUS_REVIEWER, final_domains, final_overall
from appraise.corpus import AppraisalFile, Corpus
from appraise.errors import InputError, NotFoundError
from appraise.models import OVERALL, Answer, Appraisal, Judgement
from appraise.review.session import (
    AssessSession,
    combined_comment,
    combined_quotes,
    parse_result,
)
from appraise.rubrics import Engine, load_rubric


def _pick_two(
    candidates: list[Appraisal], reviewers: Sequence[str] | None, study: str, rubric: str
) -> tuple[Appraisal, Appraisal]:
    if reviewers:
        if len(reviewers) != 2:
            raise InputError(
                "name exactly two reviewers", fix="e.g. --reviewers ann --reviewers bob"
            )
        chosen = [a for a in candidates if a.reviewer in reviewers]
        missing = sorted(set(reviewers) - {a.reviewer for a in chosen})
        if missing:
            present = ", ".join(sorted({a.reviewer for a in candidates})) or "nobody"
            raise NotFoundError(
                f"no {rubric} appraisal of {study} by {', '.join(missing)}",
                fix=f"reviewers who appraised it: {present}",
            )
        candidates = chosen
    if len(candidates) != 2:
        names = ", ".join(sorted(a.reviewer for a in candidates)) or "nobody"
        raise InputError(
            f"a consensus needs two appraisals of {study} with {rubric}; found {len(candidates)} "
            f"({names})",
            fix="name the two with --reviewers"
            if len(candidates) > 2
            else "ask a second reviewer to run `appraise assess` first",
        )
    return candidates[0], candidates[1]


def consensus_session(
    corpus: Corpus,
    study: str,
    rubric: str,
    *,
    reviewers: Sequence[str] | None = None,
    result: str | None = None,
) -> AssessSession:
    """A session over the consensus appraisal of ``study`` (resumed if one was begun)."""
    rub = load_rubric(rubric)
    wanted = parse_result(result).label if result else None
    candidates = [
        s.appraisal
        for s in corpus.iter_appraisals(rubric=rub.id, study=study)
        if s.appraisal.reviewer != CONSENSUS_REVIEWER
        and s.appraisal.rubric == rub.id
        and (wanted is None or s.appraisal.result.label == wanted)
    ]
    labels = sorted({a.result.label for a in candidates})
    if len(labels) > 1:
        raise InputError(
            f"{study} has appraisals of several results: {'; '.join(labels)}",
            fix='choose one with --result "outcome, time point"',
        )
    first, second = _pick_two(candidates, reviewers, study, rub.id)
    if (first.profile, first.options) != (second.profile, second.options):
        raise InputError(
            f"{first.reviewer} used {first.profile} {first.options} and {second.reviewer} "
            f"{second.profile} {second.options}",
            fix="appraisals can only be reconciled when made with the same profile and options",
        )
    engine = Engine(rub, profile=first.profile, options=first.options)
    path = corpus.appraisal_path(study, rub.id, first.result.label, CONSENSUS_REVIEWER)
    file = AppraisalFile.open(corpus, path)
    differing = _differing_answers(first, second)
    draft = file.base or _draft(first, second, engine, set(differing))
    # What each reviewer said, shown at each open step (judgement steps are keyed by domain;
    # rubrics judged directly have none, and their question ids are the domain ids).
    alternatives: dict[str, dict[str, Answer | Judgement]] = dict(differing)
    # Context items (e.g. who rated the outcome) the two answered differently: each side shown.
    for key in dict.fromkeys([*first.context, *second.context]):
        if key not in draft.context:
            alternatives[key] = {
                r.reviewer: Answer(answer=r.context[key], source="reviewer", confirmed=True)
                for r in (first, second)
                if key in r.context
            }
    if not rub.judged_directly:
        for did in dict.fromkeys([*first.domains, *second.domains]):
            alternatives[did] = {
                r.reviewer: r.domains[did] for r in (first, second) if did in r.domains
            }
    alternatives[OVERALL] = {first.reviewer: first.overall, second.reviewer: second.overall}
    return AssessSession(file, draft, engine, answer_source="consensus", alternatives=alternatives)


def _differing_answers(
    first: Appraisal, second: Appraisal
) -> dict[str, dict[str, Answer | Judgement]]:
    """Each question the two answered differently (or only one answered), with both answers."""
    out: dict[str, dict[str, Answer | Judgement]] = {}
    # An unconfirmed proposal is nobody's answer: it counts as no answer.
    confirmed = [{q: a for q, a in r.answers.items() if a.confirmed} for r in (first, second)]
    for qid in dict.fromkeys([*confirmed[0], *confirmed[1]]):
        a, b = confirmed[0].get(qid), confirmed[1].get(qid)
        if a is None or b is None or a.answer != b.answer:
            out[qid] = {r.reviewer: ans for r, ans in ((first, a), (second, b)) if ans is not None}
    return out


def _draft(
    first: Appraisal,
    second: Appraisal,
    engine: Engine,
    differing: set[str],
) -> Appraisal:
    answers: dict[str, Answer] = {}
    for qid, a in first.answers.items():
        b = second.answers.get(qid)
        if b is not None and a.answer == b.answer and a.confirmed and b.confirmed:
            answers[qid] = Answer(
                answer=a.answer,
                source="consensus",
                confirmed=True,
                quotes=combined_quotes(a, b),
                comment=combined_comment({first.reviewer: a.comment, second.reviewer: b.comment}),
            )
    context = {k: v for k, v in first.context.items() if second.context.get(k) == v}
    evaluation = engine.evaluate({**context, **{q: a.answer for q, a in answers.items()}})
    domains: dict[str, Judgement] = {}
    finals_a, finals_b = final_domains(first), final_domains(second)
    for did, res in evaluation.domains.items():
        questions = {q.id for d, q in engine.questions_in_order() if d == did}
        agreed = finals_a.get(did) is not None and finals_a.get(did) == finals_b.get(did)
        if res.judgement is None or questions & differing or not agreed:
            continue
        label = finals_a[did]
        reasons = [r.domains[did].override_reason for r in (first, second)]
        reason = "; ".join(dict.fromkeys(r for r in reasons if r)) or None
        if label != res.judgement and reason is None:
            continue
        domains[did] = Judgement(
            proposed=res.judgement,
            rule=res.rule,
            judgement=label,
            override_reason=reason if label != res.judgement else None,
        )
    overall = Judgement()
    decided = {d: j.judgement for d, j in domains.items()}
    proposed, rule = engine.overall_from(decided)
    both = final_overall(first)
    if len(decided) == len(evaluation.domains) and both == final_overall(second) == proposed:
        overall = Judgement(proposed=proposed, rule=rule, judgement=proposed)
    return Appraisal(
        study=first.study,
        rubric=first.rubric,
        rubric_version=first.rubric_version,
        rubric_file_version=first.rubric_file_version,
        profile=first.profile,
        options=dict(first.options),
        result=first.result,
        reviewer=CONSENSUS_REVIEWER,
        context=context,
        answers=answers,
        domains=domains,
        overall=overall,
        notes=f"Consensus of {first.reviewer} and {second.reviewer}.",
    )
