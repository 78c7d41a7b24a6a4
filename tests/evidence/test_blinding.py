"""Who was blinded: negation, hedging and trial labels, read per role."""

from __future__ import annotations

import pytest

from appraise.evidence import blinding
from tests.evidence.helpers import context

CASES = [
    # sentence, assessor, participant, personnel (answers to 'were they blinded?')
    ("Outcome assessors were blind to treatment allocation.", "Y", "NI", "NI"),
    ("Assessors were not blind to group assignment.", "N", "NI", "NI"),
    (
        "Due to the nature of the intervention, neither participants nor therapists could be "
        "blinded.",
        "NI",
        "N",
        "N",
    ),
    ("Participants were not blinded, but assessors were masked to allocation.", "Y", "N", "NI"),
    ("Blinding of assessors was not possible.", "N", "NI", "NI"),
    (
        "Interviews were conducted by independent assessors who were unaware of treatment "
        "condition.",
        "Y",
        "NI",
        "NI",
    ),
    (
        "Assessors, who were not involved in the treatment, were blind to allocation.",
        "Y",
        "NI",
        "NI",
    ),
    ("Participants were aware of their allocation.", "NI", "N", "NI"),
    ("Therapists could not be masked to treatment.", "NI", "NI", "N"),
    ("Every effort was made to keep raters blind to allocation.", "PY", "NI", "NI"),
    # Labels: read by convention, so only 'probably'.
    ("This was a single-blind trial.", "NI", "PY", "PN"),
    ("This was an open-label trial.", "PN", "PN", "PN"),
    ("Blinding was not feasible in this trial.", "PN", "PN", "PN"),
    ("This double-blind trial randomised 200 patients.", "PY", "PY", "PY"),
    ("In this rater-blinded trial, patients received the drug.", "Y", "NI", "NI"),
    # Negation scope (NegEx): a role left out, a negation in another clause, a pseudo-negation.
    ("Assessors, but not participants, were blinded to allocation.", "Y", "N", "NI"),
    ("Participants and assessors, but not therapists, were blinded to group.", "Y", "Y", "N"),
    ("Neither participants nor therapists were blind to allocation.", "NI", "N", "N"),
    (
        "The randomisation program was written by a programmer not involved in the trial, and both "
        "participants and test assistants were blind to allocation.",
        "NI",
        "Y",
        "NI",
    ),
    ("Participants were blinded to allocation, and blinding was not broken.", "NI", "Y", "NI"),
    ("Blinding of participants and therapists was not possible.", "NI", "N", "N"),
]


@pytest.mark.parametrize(("sentence", "assessor", "participant", "personnel"), CASES)
def test_blinding_per_role(sentence: str, assessor: str, participant: str, personnel: str) -> None:
    ctx = context(sentence)
    got = (
        blinding.assessor_blinding(ctx).answer,
        blinding.participant_blinding(ctx).answer,
        blinding.personnel_blinding(ctx).answer,
    )
    assert got == (assessor, participant, personnel)


def test_rob2_questions_ask_the_opposite_and_get_the_inverse() -> None:
    ctx = context("Participants were not blinded, but assessors were masked to allocation.")
    assert blinding.participant_awareness(ctx).answer == "Y"
    assert blinding.assessor_awareness(ctx).answer == "N"


def test_psychological_treatment_without_a_statement_is_probably_not_blinded() -> None:
    ctx = context(
        "Participants were randomly assigned to cognitive behavioural therapy or a wait-list."
    )
    signal = blinding.participant_blinding(ctx)
    assert signal.answer == "PN"
    assert "cannot" in (signal.comment or "")


def test_placebo_suggests_participants_were_kept_unaware() -> None:
    ctx = context("Patients received vitamin D or placebo for 48 weeks.")
    assert blinding.participant_blinding(ctx).answer == "PY"


def test_self_reported_outcomes_make_the_participant_the_assessor() -> None:
    ctx = context(
        "Participants were randomised to CBT or a wait-list.",
        "The PHQ-9 was completed at post-treatment.",
    )
    aware = blinding.assessor_awareness(ctx)
    assert aware.answer == "PY"
    assert "participant is the assessor" in (aware.comment or "")


def test_conflicting_statements_lower_the_confidence_and_say_so() -> None:
    ctx = context(
        "Assessors were blind to allocation.", "However, assessors were not blind at follow-up."
    )
    signal = blinding.assessor_blinding(ctx)
    assert signal.confidence < 0.6
    assert "opposite" in (signal.comment or "")


def test_an_introduction_about_other_trials_is_not_evidence() -> None:
    from appraise.evidence import Document
    from appraise.evidence.signals import Context

    doc = Document.from_sections(
        [("Introduction", "introduction", "In earlier trials assessors were not blinded.")], "t"
    )
    assert blinding.assessor_blinding(Context(doc)).answer == "NI"


@pytest.mark.parametrize(
    ("sentence", "answer"),
    [
        ("Assessments were made by independent assessors not involved in treatment.", "Y"),
        ("Outcomes were rated by the treating therapists.", "N"),
        ("Assessors were masked.", "NI"),
        ("The assessors were not independent of the treatment team.", "N"),
        ("No independent assessors were used.", "N"),
    ],
)
def test_assessor_independence(sentence: str, answer: str) -> None:
    assert blinding.assessor_independence(context(sentence)).answer == answer


def test_idioms_are_not_blinding() -> None:
    ctx = context("Commissioners turned a blind eye to the participants' complaints.")
    assert blinding.participant_blinding(ctx).answer == "NI"


def test_blinding_given_up_part_way_is_not_blinding_of_the_outcome() -> None:
    ctx = context(
        "Raters were masked to group during the first wave, but from 2015 onwards masking "
        "was no longer maintained."
    )
    signal = blinding.assessor_blinding(ctx)
    assert signal.answer == "PN"
    assert blinding.assessor_awareness(ctx).answer == "PY"


def test_blind_only_until_the_session_ended_means_aware_afterwards() -> None:
    ctx = context("Clients stayed unaware of their allocated condition until the first session.")
    assert blinding.participant_awareness(ctx).answer == "PY"


def test_a_blinded_second_group_of_assessors_leaves_the_first_unblinded() -> None:
    ctx = context(
        "Ward staff recorded the outcome measures at discharge, and a psychologist, who was "
        "masked to allocation, recorded them at the one-year visit."
    )
    assert blinding.assessor_blinding(ctx).answer == "NI"


def test_single_blind_in_a_trial_nothing_disguises_means_the_assessors() -> None:
    ctx = context(
        "This single-blind trial compared group problem-solving therapy with a waiting list."
    )
    assert blinding.assessor_blinding(ctx).answer == "PY"
    assert blinding.participant_awareness(ctx).answer == "PY"
    assert blinding.personnel_awareness(ctx).answer == "PY"


def test_staff_named_by_the_assessing_they_do_are_assessors() -> None:
    ctx = context(
        "Therapists who delivered the groups knew the allocation.",
        "The team members who carried out the follow-up interviews were kept masked to arm.",
    )
    assert blinding.assessor_blinding(ctx).answer == "Y"
    assert blinding.personnel_awareness(ctx).answer == "Y"


def test_a_blinded_assessment_of_outcomes_speaks_of_the_assessors() -> None:
    ctx = context("Blinded assessment of outcomes took place in the patients' own homes.")
    assert blinding.assessor_blinding(ctx).answer == "Y"
    assert blinding.participant_blinding(ctx).answer == "NI"


def test_only_a_self_guided_programme_is_delivery_without_a_person() -> None:
    app = context("Participants used an unguided smartphone app for eight weeks.")
    assert blinding.personnel_awareness(app).answer == "PN"
    massage = context(
        "Instructors taught each child yoga; children also practised self-guided breathing."
    )
    assert blinding.personnel_awareness(massage).answer == "PY"  # yoga: instructors knew


def test_automated_delivery_in_another_trial_of_the_discussion_is_not_this_trials() -> None:
    from appraise.evidence import Document
    from appraise.evidence.signals import Context

    doc = Document.from_sections(
        [
            ("Methods", "methods", "Coaches gave weekly telephone problem-solving therapy."),
            ("Discussion", "discussion", "A larger trial sent fully automated e-mails instead."),
        ],
        "t",
    )
    assert blinding.personnel_awareness(Context(doc)).answer == "PY"


def test_a_placebo_arm_says_nothing_of_what_the_trainers_knew() -> None:
    ctx = context(
        "Students completed twelve online sessions of either attention training or "
        "placebo training, as in problem-solving therapy."
    )
    assert blinding.personnel_blinding(ctx).answer == "NI"


def test_a_label_named_only_for_comparison_is_not_this_trials() -> None:
    ctx = context(
        "Our findings are less certain than those of a double-blind trial.",
        "Patients were randomised to a walking programme or usual care.",
    )
    assert blinding.personnel_blinding(ctx).answer == "PN"


def test_a_check_of_blinding_names_nobody_blinded() -> None:
    ctx = context("To test the integrity of blinding, each patient guessed the allocation.")
    assert blinding.participant_blinding(ctx).answer == "NI"


def test_unaware_up_to_a_moment_means_aware_afterwards() -> None:
    ctx = context("Until that point, the volunteers were unaware of the arm they were in.")
    assert blinding.participant_awareness(ctx).answer == "PY"


def test_the_nature_of_the_interventions_is_quoted_from_what_each_arm_received() -> None:
    from appraise.evidence import Document
    from appraise.evidence.signals import Context

    doc = Document.from_sections(
        [
            ("Title", "title", "Problem-solving therapy for carers: a randomised trial"),
            (
                "Methods",
                "methods",
                "Carers allocated to the intervention group received six sessions of "
                "problem-solving therapy. Sessions were delivered by two trained nurses.",
            ),
        ],
        "t",
    )
    ctx = Context(doc)
    participants = blinding.participant_blinding(ctx)
    therapists = blinding.personnel_blinding(ctx)
    assert [doc.text[h.sentence.start : h.sentence.end] for h in participants.evidence] == [
        "Carers allocated to the intervention group received six sessions of problem-solving "
        "therapy."
    ]
    assert [doc.text[h.sentence.start : h.sentence.end] for h in therapists.evidence] == [
        "Sessions were delivered by two trained nurses."
    ]


@pytest.mark.parametrize(
    "later",
    [
        "After 12 weeks, patients entered a 40-week open-label extension.",
        "Thereafter, all patients received open-label sertraline for 6 months.",
        "Unblinding took place after the final follow-up assessment.",
        "Participants who did not respond were switched to open-label treatment.",
        "After the end of the randomised treatment period, treatment was unblinded.",
    ],
)
def test_an_open_phase_after_the_blinded_one_does_not_flip_the_answers(later: str) -> None:
    ctx = context("This was a randomised, double-blind, placebo-controlled trial.", later)
    assert blinding.participant_blinding(ctx).answer in ("Y", "PY")
    assert blinding.personnel_blinding(ctx).answer in ("Y", "PY")


def test_not_blinded_after_randomisation_is_about_the_trial_itself() -> None:
    ctx = context("After randomisation, participants were not blinded to their allocation.")
    assert blinding.participant_blinding(ctx).answer == "N"


def _direction(answer: str) -> str:
    return "y" if answer in ("Y", "PY") else "n" if answer in ("N", "PN") else "-"


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # Knowing and being told, negated: blinded.
        ("Participants were not told which group they had been allocated to.", "-y-"),
        ("Patients were not made aware of their treatment allocation.", "-y-"),
        ("Assessors were not informed of the treatment allocation.", "y--"),
        # Elliptical clauses repeat the last predicate, negated or not.
        ("Therapists were aware of allocation, but assessors were not.", "y-n"),
        ("Assessors were blinded and participants were not.", "yn-"),
        ("Participants were not blinded, but assessors were.", "yn-"),
        ("Participants and therapists were blinded, and the assessors were as well.", "yyy"),
        # Scope: a negation several words before, a possessive that names whose group.
        ("No one involved in the trial was blinded to group allocation.", "nnn"),
        ("The interviewers were independent and did not know the participants' group.", "y--"),
        # Concealment of the sequence from those enrolling is not blinding.
        ("Allocation was concealed from the researchers enrolling participants.", "---"),
        # Blind to something else than the allocation; analysts are not outcome assessors.
        ("Participants were blind to the study hypotheses.", "---"),
        ("The statistician who analysed the data was blinded to group allocation.", "---"),
        ("Outcome assessors and the statistician were blinded to allocation.", "y--"),
        ("Blinding of participants and the therapists was not possible.", "-nn"),
    ],
)
def test_blinding_direction_per_role(sentence: str, expected: str) -> None:
    """Assessor, participant, personnel: blinded (y), not (n), nothing said (-)."""
    ctx = context(sentence)
    got = "".join(
        _direction(f(ctx).answer)
        for f in (
            blinding.assessor_blinding,
            blinding.participant_blinding,
            blinding.personnel_blinding,
        )
    )
    assert got == expected


@pytest.mark.parametrize(
    ("sentence", "assessor", "participant"),
    [
        # What was known is an object clause, not a supposition, and not who knew.
        ("The raters were masked as to whether a child had received the programme.", "Y", "NI"),
        ("Interviewers did not know whether patients were in the active arm.", "Y", "NI"),
        ("Patients were not told which arm they would join.", "NI", "Y"),
        ("Patients knew which programme they would be offered.", "NI", "N"),
        # A supposition still decides nothing.
        ("Ideally, patients would have been blinded.", "NI", "NI"),
    ],
)
def test_whether_and_would_in_what_was_known(
    sentence: str, assessor: str, participant: str
) -> None:
    ctx = context(sentence)
    assert blinding.assessor_blinding(ctx).answer == assessor
    assert blinding.participant_blinding(ctx).answer == participant


@pytest.mark.parametrize(
    "sentence",
    [
        "Outcome assessment at six months was done by clinic staff masked to study arm.",
        "All follow-up interviews were carried out by research nurses unaware of allocation.",
        "Outcome data were gathered by two trained staff members who were blind to group.",
    ],
)
def test_staff_named_in_the_passive_as_doing_the_assessing_are_assessors(sentence: str) -> None:
    # Not the personnel delivering treatment: their blinding says nothing of RoB 2 2.2.
    ctx = context(sentence)
    assert blinding.assessor_blinding(ctx).answer == "Y"
    assert blinding.personnel_blinding(ctx).answer == "NI"


@pytest.mark.parametrize(
    ("sentence", "assessor", "participant"),
    [
        # The head noun of a relative clause is who was blind, not the role inside it.
        ("The nurse who interviewed the patients was blind to the study arm.", "Y", "NI"),
        ("Raters that scored the children's videos were kept unaware of group.", "Y", "NI"),
        # Not knowing the next allocation is concealment of the sequence, not blinding.
        (
            "The researcher who recruited patients was unaware of the upcoming assignment.",
            "NI",
            "NI",
        ),
    ],
)
def test_relative_clauses_and_the_next_allocation(
    sentence: str, assessor: str, participant: str
) -> None:
    ctx = context(sentence)
    assert blinding.assessor_blinding(ctx).answer == assessor
    assert blinding.participant_blinding(ctx).answer == participant


@pytest.mark.parametrize(
    ("sentence", "assessor", "participant", "personnel"),
    [
        # The cue's own object clause names whose group, not who knew.
        ("The raters were not told which arm the patients were in.", "Y", "NI", "NI"),
        ("Neither the rater nor the analyst knew which arm the patients joined.", "Y", "NI", "NI"),
        # A role in another clause after a comma is not the cue's object.
        (
            "We could not keep the raters blind, since patients told them their arm.",
            "N",
            "NI",
            "NI",
        ),
        # A verb between two roles: they are not one list.
        ("Masked raters interviewed all patients at each visit.", "Y", "NI", "NI"),
        # Raters named by their rating, inside a relative clause.
        ("Teachers who rated the pupils' behaviour were unaware of group.", "Y", "NI", "NI"),
        ("Therapists were, inevitably, aware of the treatment they delivered.", "NI", "NI", "N"),
        # Unblinding as an event presupposes a blind.
        ("Unblinding of the raters occurred in 8% of interviews.", "PY", "NI", "NI"),
        ("Emergency unblinding was not needed.", "NI", "NI", "NI"),
        ("Self-report avoided any risk of unblinding of the research staff.", "NI", "NI", "NI"),
    ],
)
def test_whose_group_and_which_clause(
    sentence: str, assessor: str, participant: str, personnel: str
) -> None:
    ctx = context(sentence)
    got = (
        blinding.assessor_blinding(ctx).answer,
        blinding.participant_blinding(ctx).answer,
        blinding.personnel_blinding(ctx).answer,
    )
    assert got == (assessor, participant, personnel)


def test_a_single_blind_label_means_the_role_its_sentence_says_was_blinded() -> None:
    sentence = "We ran a single-blind randomised trial in which the outcome raters were masked."
    ctx = context(sentence)
    assert blinding.assessor_blinding(ctx).answer == "Y"
    # Nothing is then read for the participants or those treating them.
    assert blinding.participant_blinding(ctx).answer == "NI"
    assert blinding.personnel_blinding(ctx).answer == "NI"


@pytest.mark.parametrize(
    "sentence",
    [
        # An elliptical clause after a semicolon and 'however'.
        "Patients could not be masked owing to the intervention; however, the raters were.",
        # A possessive inside what was not told.
        "The raters were not informed of the patients' treatment group.",
        # Not revealed to them is blinded.
        "Group assignment was not disclosed to the interviewers.",
    ],
)
def test_more_ways_of_keeping_the_assessors_unaware(sentence: str) -> None:
    assert blinding.assessor_blinding(context(sentence)).answer == "Y"


def test_an_allocation_revealed_to_participants_is_not_blinding() -> None:
    ctx = context("Group assignment was revealed to the patients by letter.")
    assert blinding.participant_blinding(ctx).answer == "N"


@pytest.mark.parametrize(
    "sentence",
    [
        "Children were randomised in a blinded fashion by the school office.",
        "Masked allocation was done by the data centre.",
    ],
)
def test_blinded_randomisation_is_concealment_not_blinding(sentence: str) -> None:
    ctx = context(sentence)
    assert blinding.participant_blinding(ctx).answer == "NI"
    assert blinding.assessor_blinding(ctx).answer == "NI"


@pytest.mark.parametrize(
    "sentence",
    [
        "Adults who were blind or deaf were excluded from the trial.",
        "Visually impaired or blind pupils were not eligible.",
    ],
)
def test_blindness_as_loss_of_sight_is_not_blinding(sentence: str) -> None:
    assert blinding.participant_blinding(context(sentence)).answer == "NI"


@pytest.mark.parametrize(
    "sentence",
    [
        # Consent: what the treatment is, not which arm one is in.
        "All patients were informed about the purpose of the programme and gave written consent.",
        "Participants were told of the nature and risks of the treatment before they signed.",
    ],
)
def test_informed_consent_is_not_knowing_the_allocation(sentence: str) -> None:
    assert blinding.participant_blinding(context(sentence)).answer == "NI"


def test_being_told_the_allocation_is_still_knowing_it() -> None:
    ctx = context("Patients were informed about their group allocation by letter.")
    assert blinding.participant_blinding(ctx).answer == "N"


@pytest.mark.parametrize(
    "sentence",
    [
        "Earlier open-label studies of the drug were encouraging.",
        "An open trial preceded this randomised comparison.",
        "Our findings are weaker than those of previous double-blind trials.",
    ],
)
def test_labels_of_earlier_studies_are_not_this_trials(sentence: str) -> None:
    ctx = context(sentence)
    assert blinding.participant_blinding(ctx).answer == "NI"
    assert blinding.assessor_blinding(ctx).answer == "NI"


@pytest.mark.parametrize(
    "sentence",
    [
        "Only the pharmacist preparing the infusions was aware of the allocation.",
        "Only the unblinded trial statistician knew the treatment codes.",
    ],
)
def test_the_one_who_knew_named_as_the_exception_is_not_those_treating(sentence: str) -> None:
    ctx = context(sentence)
    assert blinding.personnel_blinding(ctx).answer == "NI"
    assert blinding.participant_blinding(ctx).answer == "NI"


def test_those_treating_named_as_the_only_ones_aware_were_aware() -> None:
    ctx = context("Only the therapists were aware of the allocation.")
    assert blinding.personnel_blinding(ctx).answer == "N"
