"""Rubric files: every shipped one validates, bad ones are reported with file and line, and the
engine reports what is missing instead of guessing."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from appraise.errors import DataFileError, InputError, NotFoundError
from appraise.rubrics import (
    Engine,
    load_rubric,
    load_rubric_file,
    rubric_dir,
    rubric_ids,
    rubric_schema,
)

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_rubrics_ship_and_validate() -> None:
    assert rubric_ids() == ["metapsy-rob", "psychotherapy", "rob1", "rob2", "robins-i"]
    for rid in rubric_ids():
        rubric = load_rubric(rid)
        assert rubric.id == rid
        assert [d.id for d in rubric.domains_for()] == [
            f"D{i}" for i in range(1, len(rubric.domains_for()) + 1)
        ]


@pytest.mark.parametrize("rid", ["psychotherapy", "rob1", "rob2", "robins-i"])
def test_rubric_files_satisfy_the_published_json_schema(rid: str) -> None:
    data = yaml.safe_load((rubric_dir() / f"{rid}.yaml").read_text())
    jsonschema.validate(data, rubric_schema())


def test_published_schema_file_is_up_to_date() -> None:
    published = json.loads((ROOT / "rubrics" / "schema" / "rubric.schema.json").read_text())
    assert published == rubric_schema(), (
        "regenerate with: appraise rubric schema > rubrics/schema/rubric.schema.json"
    )


def test_judgement_scales_use_robvis_spelling_and_cochrane_colours() -> None:
    rob2 = load_rubric("rob2")
    assert rob2.labels == ["Low", "Some concerns", "High"]
    assert [lvl.colour for lvl in rob2.scale] == ["#02C100", "#E2DF07", "#BF0000"]
    robins = load_rubric("robins-i")
    assert robins.labels == ["Low", "Moderate", "Serious", "Critical", "No information"]
    assert robins.level("Critical").colour == "#820000"
    assert robins.level("No information").colour == "#4EA1F7"
    assert load_rubric("rob1").labels == ["Low", "Unclear", "High"]
    for rid in rubric_ids():  # a symbol for every judgement: never colour alone
        assert all(lvl.symbol for lvl in load_rubric(rid).scale)


def test_psychotherapy_rubric_covers_the_seeds_items() -> None:
    names = [d.name.lower() for d in load_rubric("psychotherapy").domains]
    for word in (
        "blinded",
        "diagnostic interview",
        "allegiance",
        "conflicts of interest",
        "attrition",
        "fidelity",
        "follow-up",
    ):
        assert any(word in n for n in names), word
    # Independent replication is judged per claim (appraise trace), not per study (issue 17).
    assert not any("replication" in n for n in names)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    return path


def _rob2_text() -> str:
    return (rubric_dir() / "rob2.yaml").read_text()


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "id: x\nname: [unclosed\nversion: 1\n")
    with pytest.raises(DataFileError) as err:
        load_rubric_file(path)
    assert err.value.line is not None and str(path) in str(err.value)


def test_unknown_key_is_rejected_with_its_line(tmp_path: Path) -> None:
    text = _rob2_text().replace("unit: result", "unit: result\nflavour: strawberry", 1)
    path = _write(tmp_path, text)
    with pytest.raises(DataFileError) as err:
        load_rubric_file(path)
    expected_line = text.splitlines().index("flavour: strawberry") + 1
    assert err.value.line == expected_line
    assert "flavour" in str(err.value) and "remove" in str(err.value)


def test_rule_with_a_judgement_off_the_scale_is_rejected(tmp_path: Path) -> None:
    text = _rob2_text().replace(
        '{when: {"1.2": "N*"}, then: High}', '{when: {"1.2": "N*"}, then: Severe}'
    )
    with pytest.raises(DataFileError, match="'Severe' is not on the scale"):
        load_rubric_file(_write(tmp_path, text))


def test_rule_on_an_unknown_question_is_rejected(tmp_path: Path) -> None:
    text = _rob2_text().replace(
        '{when: {"1.2": "N*"}, then: High}', '{when: {"1.9": "N*"}, then: High}'
    )
    with pytest.raises(DataFileError, match="unknown question '1.9'"):
        load_rubric_file(_write(tmp_path, text))


def test_unknown_rubric_suggests_the_close_one() -> None:
    with pytest.raises(NotFoundError, match="did you mean 'rob2'"):
        load_rubric("rob3")


@pytest.fixture(scope="module")
def rob2() -> Engine:
    return Engine(load_rubric("rob2"))


def test_missing_answers_are_reported_not_guessed(rob2: Engine) -> None:
    result = rob2.evaluate({"1.1": "Y", "1.3": "N"})
    assert result.domains["D1"].judgement is None
    assert result.domains["D1"].missing == ("1.2",)
    assert result.overall is None and not result.complete
    assert result.to_json()["missing"]["D1"] == ["1.2"]


def test_a_decisive_answer_needs_no_more(rob2: Engine) -> None:
    result = rob2.evaluate({"1.2": "N"})  # concealment failed: High whatever 1.1 and 1.3 say
    assert result.domains["D1"].judgement == "High"
    assert result.overall == "High"  # High overall even though other domains are open


def test_answers_to_questions_that_do_not_apply_are_ignored_with_a_note(rob2: Engine) -> None:
    result = rob2.evaluate({"3.1": "Y", "3.2": "N", "3.3": "Y"})
    assert result.domains["D3"].judgement == "Low"
    assert {n.question for n in result.notes} == {"3.2", "3.3"}
    assert set(result.domains["D3"].not_applicable) == {"3.2", "3.3", "3.4"}


def test_na_for_a_question_that_applies_is_refused(rob2: Engine) -> None:
    with pytest.raises(InputError, match="3.2 applies here and cannot be answered NA"):
        rob2.evaluate({"3.1": "N", "3.2": "NA"})


def test_answers_are_checked(rob2: Engine) -> None:
    with pytest.raises(InputError, match="unknown question id '9.9'"):
        rob2.evaluate({"9.9": "Y"})
    with pytest.raises(InputError, match="answer 'maybe' to question 1.1 is not allowed"):
        rob2.evaluate({"1.1": "maybe"})
    assert rob2.evaluate({"1.1": " py ", "1.2": "y", "1.3": "n"}).domains["D1"].judgement == "Low"


def test_unknown_profile_or_option_is_refused() -> None:
    with pytest.raises(InputError, match="no profile 'strict'"):
        Engine(load_rubric("rob2"), profile="strict")
    with pytest.raises(InputError, match="'both' is not a choice for effect"):
        Engine(load_rubric("rob2"), options={"effect": "both"})
    with pytest.raises(InputError, match="rubric rob1 has no option 'effect'"):
        Engine(load_rubric("rob1"), options={"effect": "assignment"})


def test_proposing_reuses_an_engine_until_the_rubric_or_options_change() -> None:
    from appraise.rubrics.engine import cached_engine

    rubric = load_rubric("rob2")
    first = cached_engine(rubric)
    assert cached_engine(rubric) is first
    adhering = cached_engine(rubric, {"effect": "adhering"})
    assert adhering is not first and adhering.options["effect"] == "adhering"
    rubric.name = "RoB 2, edited"  # a rubric changed after it was loaded is compiled again
    assert cached_engine(rubric) is not first
    with pytest.raises(InputError, match="'both' is not a choice for effect"):
        cached_engine(rubric, {"effect": "both"})


def test_rule_that_fired_is_reported(rob2: Engine) -> None:
    result = rob2.evaluate({"1.1": "Y", "1.2": "PY", "1.3": "N"})
    assert result.domains["D1"].rule == "D1 rule 3: 1.2 Y* and 1.1 Y*/NI and 1.3 N*/NI -> Low"


def test_rob1_and_robins_i_are_judged_directly() -> None:
    rob1 = Engine(load_rubric("rob1"))
    answers = dict.fromkeys([f"D{i}" for i in range(1, 8)], "low")
    assert rob1.evaluate(answers).overall == "Low"
    answers["D4"] = "Unclear"
    assert rob1.evaluate(answers).overall == "Unclear"
    robins = Engine(load_rubric("robins-i"))
    judged = dict.fromkeys([f"D{i}" for i in range(1, 8)], "Low")
    judged["D3"] = "Moderate"
    assert robins.evaluate(judged).overall == "Moderate"
    judged["D5"] = "No information"
    assert robins.evaluate(judged).overall == "No information"
    judged["D1"] = "Critical"
    assert robins.evaluate(judged).overall == "Critical"


def test_psychotherapy_rubric_judges_the_seeds_concerns() -> None:
    engine = Engine(load_rubric("psychotherapy"))
    # Self-report only, participants aware of their treatment: the seeds' central objection.
    assert engine.evaluate({"1.1": "N", "1.4": "N"}).domains["D1"].judgement == "High"
    # Diagnostic interview by the treating service's own staff, not independent.
    result = engine.evaluate({"1.1": "Y", "1.2": "NI", "1.3": "N"})
    assert result.domains["D1"].judgement == "High"
    # An undeclared programme role outweighs a 'none declared' statement.
    coi = engine.evaluate({"4.1": "Y", "4.2": "N", "4.3": "Y", "4.4": "N"})
    assert coi.domains["D4"].judgement == "High"
    # Completion redefined as two sessions hides attrition.
    assert engine.evaluate({"5.1": "N", "5.4": "N"}).domains["D5"].judgement == "High"
