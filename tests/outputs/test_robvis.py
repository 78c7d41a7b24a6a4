"""robvis CSV both ways: a file in robvis' own format imports, plots and exports unchanged;
anything robvis would not read is refused with the row and column, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from appraise.cli.main import main
from appraise.corpus import Corpus
from appraise.outputs.matrix import build_matrix

# Written in the shape of robvis' example data (data_raw/data_rob2.csv, data_robins.csv):
# 'No information' is a robvis word for RoB 2 although it is not on the RoB 2 scale.
ROB2_CSV = """\
Study,D1,D2,D3,D4,D5,Overall
Study 1,Low,Low,Low,Low,Low,Low
Study 2,Some concerns,Low,Low,Low,Low,Some concerns
Study 3,No information,Low,Some concerns,Low,Low,Some concerns
Study 4,Low,Low,High,Low,Some concerns,High
Smith et al. 2019,High,High,Low,Low,Some concerns,High
"""
ROBINS_CSV = """\
Study,D1,D2,D3,D4,D5,D6,D7,Overall,Weight
Study 1,Critical,Low,Critical,Critical,Low,Low,Serious,Critical,33.33333333
Study 2,Moderate,Low,Low,Low,Low,Moderate,Low,Moderate,25
Study 3,Moderate,Low,Moderate,No information,Serious,Low,Serious,Serious,0.142857143
"""
ROB1_CSV = """\
Study,Random sequence generation,Allocation concealment,Blinding of participants and \
personnel,Blinding of outcome assessment,Incomplete outcome data,Selective reporting,Other bias,\
Overall
Study 1,Low,Low,Low,Low,Low,Low,Low,Low
Study 2,Unclear,Low,Low,Low,Low,Low,Unclear,Unclear
Study 7,Low,Unclear,Unclear,Unclear,High,Low,No information,High
"""


def _round_trip(tmp_path: Path, text: str, rubric: str, capsys: pytest.CaptureFixture[str]) -> str:
    source = tmp_path / "from-elsewhere.csv"
    source.write_text(text, encoding="utf-8")
    corpus = tmp_path / "c"
    assert main(["import", "robvis", str(source), "--rubric", rubric, "--corpus", str(corpus)]) == 0
    out = tmp_path / "back.csv"
    assert main(["table", "--corpus", str(corpus), "--format", "robvis", "-o", str(out)]) == 0
    capsys.readouterr()
    return out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "rubric"), [(ROB2_CSV, "rob2"), (ROBINS_CSV, "robins-i"), (ROB1_CSV, "rob1")]
)
def test_robvis_csv_round_trips_byte_for_byte(
    tmp_path: Path, text: str, rubric: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _round_trip(tmp_path, text, rubric, capsys) == text


def test_import_stores_appraisals_and_minimal_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _round_trip(tmp_path, ROB2_CSV, "rob2", capsys)
    corpus = Corpus(tmp_path / "c")
    record = corpus.read_record("ref:study-3")
    assert (record.title, record.sources) == ("Study 3", {"title": "robvis"})
    stored = list(corpus.iter_appraisals(study="ref:study-3"))
    assert len(stored) == 1
    appraisal = stored[0].appraisal
    assert appraisal.reviewer == "robvis-import" and appraisal.answers == {}
    assert appraisal.domains["D1"].judgement == "No information"
    assert appraisal.domains["D1"].proposed is None
    assert appraisal.overall.judgement == "Some concerns"


def test_reimport_updates_instead_of_duplicating(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _round_trip(tmp_path, ROB2_CSV, "rob2", capsys)
    assert _round_trip(tmp_path, ROB2_CSV, "rob2", capsys) == ROB2_CSV
    assert len(list(Corpus(tmp_path / "c").iter_appraisals())) == 5


def test_missing_overall_is_computed_and_disagreements_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    no_overall = tmp_path / "no-overall.csv"
    no_overall.write_text("Study,D1,D2,D3,D4,D5\nA,Low,Low,Low,Low,Low\nB,Low,High,Low,Low,Low\n")
    corpus = tmp_path / "c"
    assert (
        main(["import", "robvis", str(no_overall), "--rubric", "rob2", "--corpus", str(corpus)])
        == 0
    )
    assert "Overall computed by the rob2 rule for 2 studies" in capsys.readouterr().err
    matrix = build_matrix(Corpus(corpus))
    assert [(r.name, r.overall) for r in matrix.rows] == [("A", "Low"), ("B", "High")]

    disagreeing = tmp_path / "disagree.csv"
    disagreeing.write_text("Study,D1,D2,D3,D4,D5,Overall\nC,Low,High,Low,Low,Low,Low\n")
    assert (
        main(["import", "robvis", str(disagreeing), "--rubric", "rob2", "--corpus", str(corpus)])
        == 0
    )
    err = capsys.readouterr().err
    assert "line 2 (C): Overall 'Low' disagrees with the rule's 'High'; kept as given" in err
    stored = next(Corpus(corpus).iter_appraisals(study="ref:c")).appraisal
    assert (stored.overall.judgement, stored.overall.proposed) == ("Low", "High")


def test_metapsy_profile_applies_to_the_computed_overall(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "r.csv"
    source.write_text("Study,D1,D2,D3,D4,D5\nA,Some concerns,Some concerns,Some concerns,Low,Low\n")
    for profile, expected in [("cochrane", "Some concerns"), ("metapsy", "High")]:
        corpus = tmp_path / profile
        assert (
            main(
                [
                    "import",
                    "robvis",
                    str(source),
                    "--rubric",
                    "rob2",
                    "--profile",
                    profile,
                    "--corpus",
                    str(corpus),
                ]
            )
            == 0
        )
        assert build_matrix(Corpus(corpus)).rows[0].overall == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Study,D1,D2,D3,D4,D5,Overall\nA,Low,Low,Some Concerns,Low,Low,Low\n",
            "line 2, column D3: 'Some Concerns' is not a robvis judgement for this rubric "
            "(did you mean 'Some concerns'?",
        ),
        (
            "Study,D1,D2,D3,D4,D5,Overall\nA,Low,Low,Low,Low,Low,low\n",
            "line 2, column Overall: 'low' is not a robvis judgement",
        ),
        (
            "Study,D1,D2,D3,D4,Overall\nA,Low,Low,Low,Low,Low\n",
            "line 1: 4 domain columns, but rob2 has 5",
        ),
        (
            "Study,D1,D2,D3,D4,D6,Overall\nA,Low,Low,Low,Low,Low,Low\n",
            "line 1, column 6: expected 'D5', found 'D6'",
        ),
        ("", "is empty"),
        ("Study,D1,D2,D3,D4,D5,Overall\n", "has a header but no studies"),
        (
            "Study,D1,D2,D3,D4,D5,Overall\nA,Low,Low,Low,Low,Low\n",
            "line 2: 6 columns, the header has 7",
        ),
        (
            "Study,D1,D2,D3,D4,D5,Overall,Weight\nA,Low,Low,Low,Low,Low,Low,heavy\n",
            "line 2, column Weight: 'heavy' is not a number",
        ),
        (
            "Study,D1,D2,D3,D4,D5\nA,Low,Low,Low,Low,Low\nA,Low,Low,Low,Low,Low\n",
            "line 3: study 'A' is also on line 2",
        ),
        (
            "Trial,D1,D2,D3,D4,D5\nA,Low,Low,Low,Low,Low\n",
            "line 1: the first column must be 'Study'",
        ),
    ],
)
def test_bad_robvis_files_exit_2_with_one_line_and_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(text)
    corpus = tmp_path / "c"
    args = ["import", "robvis", str(source), "--rubric", "rob2", "--corpus", str(corpus)]
    assert main([*args, "--strict"]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1 and err.startswith("appraise: error: ")
    assert not corpus.exists()


def test_a_missing_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "import",
                "robvis",
                str(tmp_path / "nope.csv"),
                "--rubric",
                "rob2",
                "--corpus",
                str(tmp_path / "c"),
            ]
        )
        == 2
    )
    assert "nope.csv: no such file" in capsys.readouterr().err


def test_excel_style_csv_with_bom_crlf_and_quotes_imports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "excel.csv"
    source.write_bytes(
        b'\xef\xbb\xbf"Study","D1","D2","D3","D4","D5","Overall"\r\n'
        b'"Lee, 2020","Low","Low","Low","Low","Low","Low"\r\n'
    )
    corpus = tmp_path / "c"
    assert main(["import", "robvis", str(source), "--rubric", "rob2", "--corpus", str(corpus)]) == 0
    assert build_matrix(Corpus(corpus)).rows[0].name == "Lee, 2020"


def test_imported_robvis_plots(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _round_trip(tmp_path, ROBINS_CSV, "robins-i", capsys)
    figure = tmp_path / "tl.svg"
    assert (
        main(
            ["plot", "--corpus", str(tmp_path / "c"), "--kind", "traffic-light", "-o", str(figure)]
        )
        == 0
    )
    svg = figure.read_text()
    assert "Study 3" in svg or "<svg" in svg
    weighted = tmp_path / "w.png"
    assert (
        main(
            [
                "plot",
                "--corpus",
                str(tmp_path / "c"),
                "--kind",
                "summary",
                "--weighted",
                "-o",
                str(weighted),
            ]
        )
        == 0
    )
    assert weighted.read_bytes().startswith(b"\x89PNG")


# --- reading as robvis reads: first letter, any case; every bad cell at once; RoB 1 subsets ---
def test_judgements_are_read_by_first_letter_in_any_case_as_robvis_does() -> None:
    from appraise.outputs.robvis import read_judgement

    words = ["Low", "Some concerns", "High", "No information", "Not applicable"]
    cases = {
        "some concerns": "Some concerns",
        "Some Concerns": "Some concerns",
        "low risk": "Low",
        "L": "Low",
        "high": "High",
        "HIGH RISK": "High",
        "s": "Some concerns",
        "n": "No information",
        "NA": "Not applicable",
        "not applicable": "Not applicable",
    }
    assert {given: read_judgement(given, words) for given in cases} == cases
    assert read_judgement("unclear", words) is None
    assert read_judgement("  ", words) is None


def test_lenient_import_takes_metapsytools_words_and_strict_refuses_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "gad.csv"
    source.write_text(
        "Study,D1,D2,D3,D4,D5,Overall\n"
        "Aagaard 2017,low risk,some concerns,Low,L,low,some concerns\n"
        "Berg 2020,high risk,S,l,LOW,Low,High\n"
    )
    corpus = tmp_path / "c"
    args = ["import", "robvis", str(source), "--rubric", "rob2", "--corpus", str(corpus)]
    assert main([*args, "--strict"]) == 2
    err = capsys.readouterr().err
    assert "line 2, column D1: 'low risk' is not a robvis judgement" in err
    assert not corpus.exists()
    assert main(args) == 0
    capsys.readouterr()
    rows = {row.name: row for row in build_matrix(Corpus(corpus)).rows}
    assert rows["Aagaard 2017"].domains == {
        "D1": "Low",
        "D2": "Some concerns",
        "D3": "Low",
        "D4": "Low",
        "D5": "Low",
    }
    assert rows["Berg 2020"].overall == "High"


def test_every_bad_cell_is_reported_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(
        "Study,D1,D2,D3,D4,D5,Overall,Weight\n"
        "A,Low,Unclear,Low,Low,Low,Low,1\n"
        "B,Low,Low,Low,,Low,Low,heavy\n"
        "C,Low,Low,Low,Low,Low\n"
        "A,Low,Low,Low,Low,Low,Low,2\n"
        "D,Low,Low,Low,Low,maybe,Low,3\n"
    )
    corpus = tmp_path / "c"
    assert main(["import", "robvis", str(source), "--rubric", "rob2", "--corpus", str(corpus)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "6 problems" in err
    for part in (
        "line 2, column D2: 'Unclear' is not a robvis judgement",
        "line 3, column D4: empty",
        "line 3, column Weight: 'heavy' is not a number",
        "line 4: 6 columns, the header has 8",
        "line 5: study 'A' is also on line 2",
        "line 6, column D5: 'maybe'",
    ):
        assert part in err, part
    assert not corpus.exists()


ROB1_SUBSET_CSV = """\
Study,Random.sequence.generation.,Allocation concealment,Blinding of outcome assessment,\
Incomplete outcome data,Overall
Alavind 2016,Low,Unclear,low,Low,
Brandt 2019,Low,high,Low,,
Carver 2021,Low,Low,Low,Low,
"""


def test_rob1_with_a_subset_of_domains_imports_with_an_overall_and_checks_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "depression.csv"
    source.write_text(ROB1_SUBSET_CSV)
    corpus = tmp_path / "c"
    args = ["import", "robvis", str(source), "--rubric", "rob1", "--corpus", str(corpus)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "left unjudged" not in out
    stored = {s.appraisal.study: s.appraisal for s in Corpus(corpus).iter_appraisals("rob1")}
    assert {study: a.overall.judgement for study, a in stored.items()} == {
        "ref:alavind-2016": "Unclear",
        "ref:brandt-2019": "High",  # its empty D5 is a domain it did not assess
        "ref:carver-2021": "Low",  # Low over the four domains the table rates
    }
    assert set(stored["ref:brandt-2019"].domains) == {"D1", "D2", "D4"}
    assert main(["check", "--corpus", str(corpus)]) == 0
    assert "ok:" in capsys.readouterr().out


def test_rob1_header_names_must_be_domains(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("Study,Random sequence generation,Funding,Overall\nA,Low,Low,Low\n")
    args = ["import", "robvis", str(source), "--rubric", "rob1", "--corpus", str(tmp_path / "c")]
    assert main(args) == 2
    assert "line 1, column 3: 'Funding' is not a rob1 domain" in capsys.readouterr().err
