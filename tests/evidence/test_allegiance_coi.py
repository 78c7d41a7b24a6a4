"""Allegiance (psychotherapy 3.1) and conflicts of interest (4.1/4.2): constructed sentences
for each miss issue 13 names (paraphrased), and real dev texts of ../shared/data/oa-trials."""

from __future__ import annotations

from pathlib import Path

import pytest

from appraise.documents import read_document
from appraise.evidence import document_from_record, interests
from appraise.evidence.signals import Context
from appraise.models.record import Author, Reference, Section, StudyRecord

OA_TRIALS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "oa-trials"


def _trial(coi: str, methods: str = "Participants were randomised.", intro: str = "") -> Context:
    record = StudyRecord(
        id="10.1000/example",
        title="Guided self-help for depression: a randomised trial",
        abstract="We randomly assigned 80 adults to guided self-help or a waiting list.",
        authors=[
            Author(family="Lindqvist", given="Anna", affiliations=["Karolinska Institutet"]),
            Author(family="Berg", given="Lars", affiliations=["University of Oslo"]),
        ],
        coi_statement=coi,
        sections=[
            Section(
                title="Introduction", kind="introduction", text=intro or "Depression is common."
            ),
            Section(title="Methods", kind="methods", text=methods),
        ],
        references=[Reference(text="Beck AT, Steer RA. Manual for the BDI-II. 1996.")],
    )
    return Context(document_from_record(record), record)


@pytest.mark.parametrize(
    "statement",
    [
        "The authors have no competing interests.",
        "Conflict of interest: nil",
        "None declared",
        "No potential conflicts of interest relevant to this article were reported.",
        "No potential conflicts with any product or concept discussed here were reported.",
        "The authors have no financial or other competing interests to declare.",
        # The whole statement one word.
        "None.",
        "Nil",
    ],
)
def test_statements_declaring_none(statement: str) -> None:
    ctx = _trial(statement)
    assert interests.coi_present(ctx).answer == "Y"
    assert interests.coi_declared(ctx).answer == "N"


@pytest.mark.parametrize(
    "statement",
    [
        "AL is the developer of the programme. LB has no competing interests.",
        "AL receives royalties from sales of this book.",
        "AL holds equity in Mindly AB, the company that built the intervention.",
        "The first author is the author of the self-help workbook used in this trial.",
    ],
)
def test_declared_roles_are_interests_and_allegiance(statement: str) -> None:
    ctx = _trial(statement)
    assert interests.coi_declared(ctx).answer == "Y"
    assert interests.allegiance_developer(ctx).answer in ("Y", "PY")


def test_we_developed_the_intervention_is_allegiance_wherever_it_is_said() -> None:
    sentence = "We have developed a 10-week guided self-help intervention for depression."
    assert interests.allegiance_developer(_trial("None declared.", sentence)).answer == "Y"
    in_intro = _trial("None declared.", intro=sentence)
    assert interests.allegiance_developer(in_intro).answer == "Y"


@pytest.mark.parametrize(
    "methods",
    [
        "The depression questionnaire was developed by Beck and colleagues.",
        "Ten participants developed depression during the trial.",
        "The questionnaire was developed by the authors for this study.",
    ],
)
def test_not_every_developed_is_allegiance(methods: str) -> None:
    assert interests.allegiance_developer(_trial("None declared.", methods)).answer not in (
        "Y",
        "PY",
    )


def test_a_third_party_product_is_probably_not_the_authors_and_silence_is_no_information() -> None:
    filler = " Participants took the capsules daily and kept a diary of any side effects." * 60
    drug = _trial(
        "None declared.",
        "Capsules of the oil and placebo were supplied by Magnetika Ltd. and taken daily." + filler,
    )
    assert interests.allegiance_developer(drug).answer == "PN"
    silent = _trial("None declared.", "Participants received guided self-help." + filler)
    assert interests.allegiance_developer(silent).answer == "NI"


def test_a_cited_trials_funding_is_not_this_trials() -> None:
    ctx = _trial(
        "None declared.",
        "The earlier trial was funded by Pfizer [12]. Participants received guided self-help.",
    )
    assert interests.funding(ctx).answer != "PY"


needs_texts = pytest.mark.skipif(not OA_TRIALS.is_dir(), reason="needs ../shared/data/oa-trials")


@needs_texts
@pytest.mark.parametrize(
    ("name", "developer", "declared"),
    [
        ("PMC3564767.xml", "Y", "Y"),  # 'the first author is the author of the game'
        ("PMC3698199.xml", "Y", "N"),  # the treatment cited to a paper an author co-wrote
        ("PMC5446666.xml", "Y", "N"),  # designed by the organisation two authors work for
        ("PMC1201146.xml", "PY", "Y"),  # two authors employed by the product's maker
        ("PMC4884360.xml", "PN", None),  # licensed drugs bought from a pharmacy
        ("PMC2238709.xml", "PN", "N"),  # a vaccine 'produced in Brazil'
        ("PMC5722980.xml", "Y", "Y"),  # the CEO of the company that developed the apps
    ],
)
def test_real_dev_texts(name: str, developer: str, declared: str | None) -> None:
    ctx = Context(read_document(OA_TRIALS / name))
    assert interests.allegiance_developer(ctx).answer == developer
    if declared:
        assert interests.coi_declared(ctx).answer == declared


def test_a_chief_executive_of_the_company_that_built_it_is_allegiance() -> None:
    ctx = _trial(
        "AL is the Chief Executive Officer of Mindly Ltd, the company that developed the app."
    )
    assert interests.coi_declared(ctx).answer == "Y"
    assert interests.allegiance_developer(ctx).answer == "Y"


def test_the_researchers_developed_a_script_is_allegiance() -> None:
    ctx = _trial(
        "None declared.",
        "As part of this study the researchers developed a new guided imagery script.",
    )
    assert interests.allegiance_developer(ctx).answer == "Y"


# Enough methods text to read as a full text (silence on a developer is then informative).
_FILLER = " Participants kept a diary of their walks and mood each day." * 60


def _cited(methods: str, intro: str = "Depression is common.") -> Context:
    record = StudyRecord(
        id="10.1000/cited",
        title="A walking group for low mood: a randomised trial",
        authors=[Author(family="Okafor", given="Ngozi"), Author(family="Brandt", given="Ulf")],
        sections=[
            Section(title="Introduction", kind="introduction", text=intro),
            Section(title="Methods", kind="methods", text=methods + _FILLER),
        ],
        references=[
            Reference(text="Okafor N. Walking together: a group programme. PhD thesis; 2019."),
            Reference(text="Ferreira L, Novak P. Results of a walking pilot. J Mood. 2020."),
        ],
    )
    return Context(document_from_record(record), record)


def test_a_treatment_set_out_in_an_authors_work_cited_by_superscript_is_allegiance() -> None:
    ctx = _cited("The group programme is described in full in a doctoral thesis1.")
    assert interests.allegiance_developer(ctx).answer == "Y"


def test_a_treatment_set_out_in_an_authors_book_in_the_introduction_is_allegiance() -> None:
    ctx = _cited(
        "Participants walked weekly.",
        intro="The principles and practices of the walking group are elaborated in [1].",
    )
    assert interests.allegiance_developer(ctx).answer == "Y"


def test_results_reported_elsewhere_are_not_the_treatments_source() -> None:
    ctx = _cited("Results of the other arms are reported in a separate paper [1].")
    assert interests.allegiance_developer(ctx).answer == "NI"


def test_a_treatment_credited_to_cited_people_outside_the_authors_is_probably_not_theirs() -> None:
    ctx = _cited("The walking protocol developed by Ferreira and Novak [2] was followed.")
    signal = interests.allegiance_developer(ctx)
    assert signal.answer == "PN" and "not among the authors" in (signal.comment or "")
    own = _cited("The walking protocol developed by Okafor and Novak [2] was followed.")
    assert interests.allegiance_developer(own).answer == "Y"


def test_a_treatment_credited_to_an_author_by_name_is_allegiance() -> None:
    ctx = _cited("The group walks followed a programme that was designed by Brandt and colleagues.")
    signal = interests.allegiance_developer(ctx)
    assert signal.answer == "Y" and "credited to an author" in (signal.comment or "")
    other = _cited(
        "The group walks followed a programme that was designed by Novak and colleagues."
    )
    assert interests.allegiance_developer(other).answer != "Y"


def _methods(sentence: str) -> Context:
    from appraise.evidence import Document

    return Context(Document.from_sections([("Methods", "methods", sentence)], source="t"), None)


@pytest.mark.parametrize(
    ("sentence", "direction"),
    [
        ("We have developed a 10-week guided self-help intervention.", "yes"),
        ("We developed an internet-based CBT programme for insomnia.", "yes"),
        ("The treatment manual was written by the first author.", "yes"),
        ("The programme was developed by our research group in 2010.", "yes"),
        ("The sessions and exercises were designed by the research team.", "yes"),
        ("The parenting course was developed at our unit in 2015.", "yes"),
        # What the authors made is not a treatment.
        ("We designed the trial to test whether the app reduced anxiety.", "none"),
        ("We developed a questionnaire to measure satisfaction with the intervention.", "none"),
        ("We developed the study protocol with patient representatives.", "none"),
        ("We developed a treatment fidelity checklist for the therapy sessions.", "none"),
        ("The authors designed the training of the group therapists.", "none"),
        ("We developed the randomisation schedule and the treatment allocation lists.", "none"),
        ("We previously developed a related programme for older adults.", "none"),
        # A denial after the treatment: 'the authors had no role in its development'.
        ("The app was built by a start-up; the authors had no part in its design.", "no"),
        # Said not to have made it (NegEx): no.
        ("The authors did not develop the intervention.", "no"),
        ("None of the authors was involved in developing the programme.", "no"),
        ("The intervention was not developed by the authors but by a national agency.", "no"),
    ],
)
def test_who_made_the_treatment_is_read_from_the_verb_its_object_and_negation(
    sentence: str, direction: str
) -> None:
    answer = interests.allegiance_developer(_methods(sentence)).answer
    got = {"Y": "yes", "PY": "yes", "N": "no", "PN": "no"}.get(answer, "none")
    assert got == direction


def test_the_trials_own_protocol_paper_is_not_the_treatments_source() -> None:
    # A protocol paper is by the trial's authors whoever made the treatment.
    ctx = _cited("Details of the walking groups are given in the published study protocol [1].")
    assert interests.allegiance_developer(ctx).answer != "Y"
    record = _cited("x").record
    assert record is not None
    protocol = record.model_copy(
        update={
            "references": [
                Reference(
                    text="Okafor N, Brandt U. Walking groups for low mood: study protocol for a "
                    "randomised controlled trial. Trials. 2019."
                )
            ],
            "sections": [
                Section(
                    title="Methods",
                    kind="methods",
                    text="The group programme is described in full elsewhere [1]." + _FILLER,
                )
            ],
        }
    )
    ctx = Context(document_from_record(protocol), protocol)
    assert interests.allegiance_developer(ctx).answer != "Y"
