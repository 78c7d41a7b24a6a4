"""Trial registrations and whether they predate the trial."""

from __future__ import annotations

from datetime import date

import pytest

from appraise.evidence.registration import parse_date, registration, registration_facts
from tests.evidence.helpers import context


@pytest.mark.parametrize(
    ("raw", "when"),
    [
        ("March 2015", date(2015, 3, 1)),
        ("3 Jan 2014", date(2014, 1, 3)),
        ("2016-04-01", date(2016, 4, 1)),
        ("11.7.2011", date(2011, 7, 11)),
        ("soon", None),
    ],
)
def test_dates(raw: str, when: date | None) -> None:
    assert parse_date(raw) == when


def test_registered_before_recruitment_began() -> None:
    ctx = context(
        "The trial was registered at ClinicalTrials.gov (NCT01234567) on 2 February 2015.",
        "Participants were recruited between March 2015 and May 2016.",
    )
    facts = registration_facts(ctx)
    assert [r["id"] for r in facts.ids] == ["NCT01234567"]
    assert facts.predates_trial is True
    assert registration(ctx).answer == "PY"


def test_registered_after_recruitment_began() -> None:
    ctx = context(
        "Participants were recruited from January 2014 to June 2015.",
        "The trial was registered (ISRCTN12345678) on 3 September 2014.",
    )
    assert registration_facts(ctx).predates_trial is False
    assert registration(ctx).answer == "PN"


def test_stated_retrospective_registration_and_no_registration() -> None:
    assert registration(context("The trial was retrospectively registered.")).answer == "PN"
    assert registration(context("Patients were treated.")).answer == "NI"
