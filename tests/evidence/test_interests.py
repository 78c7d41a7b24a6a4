"""Conflicts of interest, funding and allegiance, each with its evidence."""

from __future__ import annotations

from appraise.evidence import document_from_record, interests
from appraise.evidence.signals import Context
from appraise.models.record import Author, Funder, Reference, Section, StudyRecord


def _trial(coi: str, methods: str, funders: list[Funder] | None = None) -> Context:
    record = StudyRecord(
        id="10.1000/example",
        title="The Calm Minds Programme for PTSD: a randomised trial",
        abstract="We randomly assigned 80 adults to the Calm Minds Programme or a wait-list.",
        authors=[
            Author(family="Okafor", given="Jane", affiliations=["Calm Minds Programme Ltd, Leeds"]),
            Author(family="Berg", given="Lars", affiliations=["University of Oslo"]),
        ],
        coi_statement=coi,
        funders=funders or [],
        sections=[Section(title="Methods", kind="methods", text=methods)],
        references=[
            Reference(
                text="Okafor J, Patel R. Calm Minds: a treatment manual for trauma. "
                "London: Routledge; 2015."
            ),
            Reference(text="Berg L, Ito K. Sleep in students. J Sleep Res. 2019;28:1-9."),
        ],
    )
    return Context(document_from_record(record), record)


def test_undeclared_allegiance_is_found_with_its_evidence() -> None:
    ctx = _trial(
        "The authors declare no conflicts of interest.",
        "Therapists were trained and supervised by JO. The primary outcome was the CAPS-5.",
    )
    kinds = {i.kind for i in interests.allegiance(ctx)}
    assert kinds == {"developer", "training", "employment", "programme"}
    developer = interests.allegiance_developer(ctx)
    assert developer.answer == "Y"
    assert "Okafor" in (developer.comment or "")
    assert interests.allegiance_training(ctx).answer == "Y"
    assert interests.allegiance_programme(ctx).answer == "PY"
    assert interests.coi_declared(ctx).answer == "N"
    undeclared = interests.coi_undeclared(ctx)
    assert undeclared.answer == "PY"
    assert "declares none" in (undeclared.comment or "")


def test_declared_interests_say_who_and_what() -> None:
    ctx = _trial(
        "JO receives royalties from a book on the programme and is a director of Calm Minds "
        "Programme Ltd. LB has no competing interests.",
        "Therapists were supervised by a clinical psychologist.",
    )
    declared = interests.declared_interests(ctx)
    assert declared and declared[0].who == "JO"
    assert {"royalties", "programme role"} <= set(declared[0].kinds)
    assert interests.coi_declared(ctx).answer == "Y"
    assert interests.coi_undeclared(ctx).answer != "PY"


def test_statement_present_or_missing() -> None:
    with_statement = _trial("None declared.", "Participants were randomised.")
    assert interests.coi_present(with_statement).answer == "Y"
    long_methods = "Participants were randomised and treated as planned. " * 80
    without = _trial("", long_methods)
    assert interests.coi_present(without).answer == "PN"  # full text, and no statement in it
    abstract_only = _trial("", "Participants were randomised.")
    assert interests.coi_present(abstract_only).answer == "NI"  # the paper may have one


def test_a_self_citation_that_is_not_a_manual_is_no_allegiance() -> None:
    ctx = _trial("None declared.", "We designed a survey of sleep habits.")
    developer = [i for i in interests.allegiance(ctx) if i.kind == "developer"]
    assert all("Berg" not in i.detail for i in developer)


def test_funding_by_an_interested_party() -> None:
    stake = _trial("None.", "Randomised.", [Funder(name="Calm Minds Programme Ltd")])
    assert interests.funding(stake).answer == "PY"
    public = _trial("None.", "Randomised.", [Funder(name="Medical Research Council")])
    assert interests.funding(public).answer == "PN"
