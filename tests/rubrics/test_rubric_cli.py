"""`appraise rubric ...` as a user runs it: output shapes, and one clear line on bad input."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from appraise.cli.main import main
from appraise.rubrics import rubric_schema


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_shows_every_rubric(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rubric", "list", "--json")
    assert code == 0
    rubrics = {r["id"]: r for r in json.loads(out)}
    assert set(rubrics) == {"rob2", "rob1", "robins-i", "psychotherapy", "metapsy-rob"}
    assert rubrics["rob2"]["profiles"] == ["cochrane", "metapsy"]
    assert rubrics["rob2"]["options"] == {"effect": ["assignment", "adhering"]}


def test_show_lists_questions_with_their_conditions(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rubric", "show", "rob2", "--effect", "adhering")
    out = " ".join(out.split())  # ignore where the terminal wrapped lines
    assert code == 0
    assert "effect of adhering" in out
    assert "2.6" in out and "(if (2.3 N*/NI or 2.4 Y*/NI or 2.5 Y*/NI))" in out


def test_schema_prints_the_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rubric", "schema")
    assert code == 0 and json.loads(out) == rubric_schema()


def test_validate_accepts_a_good_file_and_names_the_line_of_a_bad_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from appraise.rubrics import rubric_dir

    good = rubric_dir() / "rob2.yaml"
    code, out, _ = run(capsys, "rubric", "validate", str(good))
    assert code == 0 and "valid rubric" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.read_text().replace("design:", "desing:", 1))
    code, out, err = run(capsys, "rubric", "validate", str(bad))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and f"{bad}:" in err
    assert "desing: Extra inputs are not permitted" in err and "did you mean 'design'?" in err
    assert "Traceback" not in err


def _answers(tmp_path: Path, data: object) -> str:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(data))
    return str(path)


def test_evaluate_prints_judgements_spelt_as_the_scale(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    answers = {
        "1.1": "Y",
        "1.2": "PN",
        "1.3": "N",
        "2.1": "N",
        "2.2": "N",
        "2.6": "Y",
        "3.1": "Y",
        "4.1": "N",
        "4.2": "N",
        "4.3": "Y",
        "4.4": "PN",
        "5.1": "Y",
        "5.2": "N",
        "5.3": "N",
    }
    code, out, _ = run(
        capsys, "rubric", "evaluate", "rob2", "--answers", _answers(tmp_path, answers), "--json"
    )
    assert code == 0
    result = json.loads(out)
    assert result["rubric"] == "rob2"
    assert result["domains"] == {"D1": "High", "D2": "Low", "D3": "Low", "D4": "Low", "D5": "Low"}
    assert result["overall"] == "High"


def test_evaluate_a_batch_keeps_order(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rng = random.Random(7)
    sets = [
        {q: rng.choice(["Y", "PY", "PN", "N", "NI"]) for q in ("1.1", "1.2", "1.3")}
        for _ in range(300)
    ]
    code, out, _ = run(
        capsys, "rubric", "evaluate", "rob2", "--answers", _answers(tmp_path, sets), "--json"
    )
    assert code == 0
    results = json.loads(out)
    assert len(results) == 300
    for answer_set, result in zip(sets, results, strict=True):
        if answer_set["1.2"] in ("N", "PN"):
            assert result["domains"]["D1"] == "High"


def test_evaluate_notes_ignored_answers_on_stderr(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(
        capsys,
        "rubric",
        "evaluate",
        "rob2",
        "--answers",
        _answers(tmp_path, {"3.1": "Y", "3.2": "N"}),
        "--json",
    )
    assert code == 0 and json.loads(out)["domains"]["D3"] == "Low"
    assert "note: answer N to 3.2 ignored" in err


@pytest.mark.parametrize(
    ("args", "data", "message"),
    [
        (["rob2"], {"1.1": "maybe"}, "answer 'maybe' to question 1.1 is not allowed"),
        (["rob2"], {"7.7": "Y"}, "unknown question id '7.7'"),
        (["rob2"], [{"1.1": "Y"}, "oops"], "set 2: expected a mapping of question ids"),
        (["rob2", "--profile", "strict"], {}, "no profile 'strict'"),
        (["rob2", "--effect", "both"], {}, "'both' is not a choice for effect"),
        (["rob9"], {}, "unknown rubric 'rob9'"),
    ],
)
def test_evaluate_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str], data: object, message: str
) -> None:
    code, out, err = run(
        capsys, "rubric", "evaluate", *args, "--answers", _answers(tmp_path, data), "--json"
    )
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_evaluate_broken_json_names_the_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "answers.json"
    path.write_text('{\n  "1.1": "Y",\n  "1.2": \n}\n')
    code, _, err = run(capsys, "rubric", "evaluate", "rob2", "--answers", str(path))
    assert code == 2 and f"{path}:4: not valid JSON" in err


def test_debug_shows_the_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--debug", "rubric", "show", "rob9")
    assert code == 2 and "Traceback" in err
