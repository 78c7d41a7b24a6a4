"""propose(): one proposal per question in force, every quote verbatim, NI never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from appraise.documents import read_document
from appraise.evidence import Document, document_from_record, propose
from appraise.evidence.proposals import NO_DETECTOR, NOT_A_TRIAL
from appraise.models.record import Author, Reference, Section, StudyRecord, TrialRegistration
from appraise.rubrics import Engine, load_rubric
from tests.conftest import shared_path

RCT = ("europepmc", "fulltextxml", "PMC13254492_rct_bcpt_coi-untyped-sec.xml")


def _assert_verbatim(document: Document, result_json: dict) -> None:
    for p in result_json["proposals"]:
        for q in p["quotes"]:
            assert document.text[q["start"] : q["end"]] == q["text"]


@pytest.mark.parametrize("rubric", ["rob2", "rob1", "psychotherapy", "robins-i"])
def test_a_real_trial_gets_one_quoted_proposal_per_question(rubric: str) -> None:
    document = read_document(shared_path("fixtures", *RCT))
    rub = load_rubric(rubric)
    result = propose(document, rub)
    expected = [q.id for _, q in Engine(rub).questions_in_order()]
    assert [p.question for p in result.proposals] == expected
    data = result.to_json()
    assert set(data) >= {"proposals", "findings", "document"}
    assert data["document"]["characters"] == len(document.text)
    _assert_verbatim(document, data)


def test_rob2_answers_on_the_real_trial() -> None:
    document = read_document(shared_path("fixtures", *RCT))
    result = propose(document, load_rubric("rob2"))
    answers = {p.question: p.answer for p in result.proposals}
    assert answers["1.1"] == "Y"  # Latin square by an independent statistician
    assert answers["2.1"] == "PN"  # single-blind: participants probably did not know
    assert answers["3.1"] == "Y"  # all subjects completed
    assert answers["3.2"] == "NA"  # does not apply once 3.1 is yes
    assert answers["2.3"] == "NI"
    assert result.get("2.3").comment == NO_DETECTOR  # type: ignore[union-attr]
    quote = result.get("3.1").quotes[0]  # type: ignore[union-attr]
    assert quote.text == "All subjects completed the study." and quote.section == "Results"


def test_rob1_is_judged_directly_with_judgement_words() -> None:
    document = read_document(shared_path("fixtures", *RCT))
    result = propose(document, load_rubric("rob1"))
    answers = {p.question: p.answer for p in result.proposals}
    assert answers["D1"] == "Low"
    assert answers["D4"] == "Unclear"
    assert answers["D7"] is None


def test_a_review_protocol_gets_no_trial_answers() -> None:
    path = ("europepmc", "fulltextxml", "PMC13249512_protocol_review_coi-sec-type.xml")
    result = propose(read_document(shared_path("fixtures", *path)), load_rubric("rob2"))
    first = result.proposals[0]
    assert (first.answer, first.comment) == ("NI", NOT_A_TRIAL)


@pytest.mark.parametrize(
    "parts",
    [
        [],
        [("Abstract", "abstract", "")],
        [("Abstract", "abstract", "Die Patienten wurden zufällig zugeteilt. Keine Verblindung.")],
        [("Body", "other", "\x00\x01 ### ((( ]]] 12 % % %")],
    ],
    ids=["nothing", "empty-abstract", "german", "junk"],
)
def test_bad_input_gives_ni_with_no_information_found(parts: list) -> None:
    document = Document.from_sections(parts, "test")
    for rubric in ("rob2", "psychotherapy"):
        result = propose(document, load_rubric(rubric))
        detected = [p for p in result.proposals if p.detector and p.answer != "NA"]
        assert detected and all(p.answer == "NI" for p in detected)
        assert any("no information found" in (p.comment or "") for p in detected)


def test_a_multi_megabyte_document_completes() -> None:
    # One run-on 'sentence' of 2 MB (a table or extraction junk) stress-tests the regexes and
    # the sentence splitter's cap; speed itself is measured in benchmarks, not here.
    sentence = (
        "Participants were randomly assigned (n = 12) to the CAPS-5 (((( condition "
        "and assessors, who were not involved, were blind to allocation; "
    )
    document = Document.from_sections([("Methods", "methods", sentence * 15_000)], "big")
    assert len(document.text) > 2_000_000
    result = propose(document, load_rubric("rob1"))
    assert result.get("D4").answer == "Low"  # type: ignore[union-attr]


def test_record_document_keeps_every_part_with_its_kind() -> None:
    record = StudyRecord(
        id="10.1000/x",
        title="A trial",
        abstract="Patients were randomised.",
        coi_statement="None declared.",
        authors=[Author(family="Ng", given="Ann", affiliations=["Uni A"])],
        trial_registrations=[TrialRegistration(registry="ISRCTN", id="ISRCTN12345678")],
        references=[Reference(authors="Ng A", year=2001, title="A manual")],
        sections=[Section(title="Methods", kind="methods", text="We used the PHQ-9.")],
    )
    doc = document_from_record(record)
    assert [s.kind for s in doc.sections] == [
        "title",
        "abstract",
        "methods",
        "coi",
        "authors",
        "registration",
        "references",
    ]
    lines = [doc.text[s.start : s.end] for s in doc.sentences if s.kind != "methods"]
    assert "Ann Ng (Uni A)" in lines and "Ng A (2001) A manual" in lines
    result = propose(doc, load_rubric("rob2"), record=record)
    assert result.findings["registration"]["registrations"][0]["id"] == "ISRCTN12345678"
    assert result.findings["instruments"][0]["name"] == "PHQ-9"


def test_findings_report_instruments_coi_allegiance_and_attrition(tmp_path: Path) -> None:
    document = Document.from_sections(
        [
            (
                "Methods",
                "methods",
                "Diagnosis at baseline used the SCID-5. The PCL-5 was completed at post-treatment "
                "and at 6-month follow-up. 60 participants were randomised and 6 dropped out. "
                "Therapists were supervised by the first author.",
            ),
            ("Competing interests", "coi", "AB receives royalties from a treatment manual."),
        ],
        "t",
    )
    findings = propose(document, load_rubric("psychotherapy")).findings
    kinds = {i["name"]: (i["kind"], i["time_points"]) for i in findings["instruments"]}
    assert kinds["SCID"] == ("diagnostic-interview", ["baseline"])
    assert kinds["PCL"][0] == "self-report"
    assert findings["coi"]["statement"] == "present"
    assert findings["coi"]["interests"][0]["kinds"][0] == "royalties"
    assert {a["indicator"] for a in findings["allegiance"]} == {"developer", "training"}
    assert findings["attrition"]["dropout_percent"] == 10.0


def test_a_reviewer_document_joined_with_its_record_keeps_its_offsets() -> None:
    from appraise.evidence import document_with_record

    document = Document.from_sections(
        [
            ("Methods", "methods", "Therapists were supervised by AB."),
            ("Conflicts", "coi", "None declared."),
        ],
        "paper.txt",
    )
    record = StudyRecord(
        id="10.1000/x",
        coi_statement="ignored: the document has its own",
        authors=[Author(family="Bell", given="Ann")],
        references=[Reference(text="Bell A. A treatment manual. 2010.")],
    )
    joined = document_with_record(document, record)
    assert joined.text.startswith(document.text)
    assert [s.kind for s in joined.sections] == ["methods", "coi", "authors", "references"]
    result = propose(joined, load_rubric("psychotherapy"), record=record)
    assert result.get("3.1").answer == "Y"  # type: ignore[union-attr]  # Bell's manual
    assert result.get("3.2").answer == "Y"  # type: ignore[union-attr]  # AB supervised


def test_a_commentary_on_other_trials_gets_no_trial_answers() -> None:
    from appraise.evidence.proposals import NO_OWN_STUDY

    document = read_document(shared_path("seeds", "004_539764ab400d2d6b.txt"))
    result = propose(document, load_rubric("rob2"))
    trial = [p for p in result.proposals if p.detector and p.detector != "registration"]
    assert trial and all(p.answer in ("NI", "NA") for p in trial)
    assert result.get("2.1").comment == NO_OWN_STUDY  # type: ignore[union-attr]


def _parts_document() -> Document:
    return Document.from_sections(
        [
            ("Title", "title", "Group walking for low mood: a randomised trial"),
            (
                "Abstract",
                "abstract",
                "Participants were randomised to group walking or usual care.\n\n"
                "Results: Mood improved in both arms.",
            ),
            ("Methods", "methods", "Walkers in the intervention group met twice a week."),
        ],
        source="test",
    )


def test_quotes_put_the_methods_first_and_leave_out_the_title_and_inline_headings() -> None:
    from appraise.evidence.proposals import quotes_for

    document = _parts_document()
    title, allocation, results, methods = document.sentences
    quotes = quotes_for(document, (title, allocation, results, methods))
    assert [q.section for q in quotes] == ["Methods", "Abstract", "Abstract"]
    assert quotes[2].text == "Mood improved in both arms."
    for q in quotes:
        assert document.text[q.start : q.end] == q.text
    assert [q.text for q in quotes_for(document, (title,))] == [document.quote(title)]


def test_a_blank_line_ends_a_sentence_even_after_an_initial() -> None:
    from appraise.evidence.document import split_sentences

    text = "Outcomes were the PHQ-9 and the GAD-7 by Smith J.\n\nResults: Both fell."
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "Outcomes were the PHQ-9 and the GAD-7 by Smith J.",
        "Results: Both fell.",
    ]
