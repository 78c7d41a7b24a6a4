"""`appraise import metapsy` on the other Metapsy layouts: small files written here in the
documented column layouts of the GAD database (Metapsy data standard, RoB 2 domain columns with
metapsyTools' words) and the depression database (RoB 1 items sg, ac, ba, itt and a 0-4 score).
The real GAD and depression files are not in ../shared; the PTSD database is tested on the real
file in tests/corpora."""

from __future__ import annotations

from pathlib import Path

import pytest

from appraise.cli.main import main
from appraise.corpus import Corpus
from appraise.errors import InputError
from appraise.imports.metapsy import (
    COMPUTED_REVIEWER,
    DATABASE_REVIEWER,
    import_metapsy,
    read_database,
)
from appraise.models import Author, StudyRecord
from appraise.review.check import check_corpus

GAD_HEADER = (
    "study,condition_arm1,condition_arm2,multi_arm1,multi_arm2,instrument,time,rating,"
    "rand_arm1,rand_arm2,attr_arm1,attr_arm2,rand_ratio,baseline_m_arm1,baseline_sd_arm1,"
    "baseline_n_arm1,baseline_m_arm2,baseline_sd_arm2,baseline_n_arm2,.g,.g_se,"
    "rob_d1,rob_d2,rob_d3,rob_d4,rob_d5,rob,full_ref,doi"
)
GAD_ROWS = [
    # Two comparisons of one trial (self-report and clinician-rated), metapsyTools' words.
    '"Quill, 2015",cbt,wl,,,GAD-7,post,self-report,60,58,2,1,1 to 1,12.1,3.2,60,12.4,3.0,58,'
    "0.61,0.19,low risk,some concerns,low risk,low risk,low risk,some concerns,"
    '"Quill A, Marsh B. Worry less: a randomized trial of CBT for generalized anxiety. '
    'J Anx Res. 2015;12(3):101-9. doi: 10.9999/jar.2015.12.",',
    '"Quill, 2015",cbt,wl,,,HAM-A,post,clinician,60,58,2,1,1 to 1,20.2,4.1,60,19.8,4.4,58,'
    "0.48,0.19,low risk,some concerns,low risk,high risk,low risk,high risk,,",
    # No reference string: a DOI column and the label only.
    '"Rook, 2019",act,cau,,,PSWQ,post,self-report,30,30,9,12,1 to 1,60,8,30,58,9,30,'
    "0.30,0.26,Some Concerns,Some Concerns,High,Low,Some Concerns,High,,10.9999/ROOK.2019",
    # Three domains with some concerns and none High: High under the Metapsy tool only.
    '"Sedge, 2021",cbt,wl,,,GAD-7,post,self-report,45,45,4,5,2 to 1,11,3,45,11,3,45,'
    "0.40,0.21,S,S,S,L,L,S,,",
]
DEPRESSION = (
    "study;condition_arm1;condition_arm2;instrument;time;rating;sg;ac;ba;itt;rob;.g;.g_se\n"
    "Alder, 2008;cbt;wl;BDI-II;post;self-report;1;0;sr;1;3;0,52;0,20\n"
    "Alder, 2008;cbt;wl;HAM-D;post;clinician;1;0;1;1;3;0,41;0,21\n"
    "Birch, 2011;ipt;cau;PHQ-9;post;self-report;0;0;sr;0;1;0,20;0,18\n"
)


def _gad(tmp_path: Path, rows: list[str] | None = None) -> Path:
    path = tmp_path / "gad.csv"
    path.write_text("\n".join([GAD_HEADER, *(rows or GAD_ROWS)]) + "\n", encoding="utf-8")
    return path


def _depression(tmp_path: Path) -> Path:
    path = tmp_path / "depression.csv"
    path.write_text(DEPRESSION, encoding="utf-8")
    return path


def test_gad_layout_reads_metapsytools_words_and_the_reference_fields(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path / "c")
    result = import_metapsy(corpus, read_database(_gad(tmp_path)))
    assert (result.layout, result.rubric) == ("rob2-domains", "rob2")
    assert (result.studies, result.comparisons, result.appraisals_written) == (3, 4, 4)
    quill = corpus.read_record("10.9999/jar.2015.12")
    assert quill.title == "Worry less: a randomized trial of CBT for generalized anxiety"
    assert (quill.year, quill.journal, quill.authors[0].family) == (2015, "J Anx Res", "Quill")
    # No reference: the DOI column, and first author and year from the label (not a title).
    rook = corpus.read_record("10.9999/rook.2019")
    assert rook.title is None and rook.year == 2019 and rook.authors[0].family == "Rook"
    stored = [s.appraisal for s in corpus.iter_appraisals("rob2")]
    assert sorted((a.study, a.result.label) for a in stored) == [
        ("10.9999/jar.2015.12", "cbt vs wl (GAD-7, post)"),
        ("10.9999/jar.2015.12", "cbt vs wl (HAM-A, post)"),
        ("10.9999/rook.2019", "act vs cau (PSWQ, post)"),
        ("ref:sedge-2021", "cbt vs wl (GAD-7, post)"),
    ]
    rook_appraisal = next(a for a in stored if a.study == "10.9999/rook.2019")
    assert rook_appraisal.domains["D1"].judgement == "Some concerns"  # 'Some Concerns'
    hama = next(a for a in stored if a.result.outcome == "HAM-A")
    assert hama.domains["D4"].judgement == "High" and hama.overall.judgement == "High"
    assert hama.context == {"rater": "assessor"} and hama.reviewer == DATABASE_REVIEWER
    assert result.disagreements == []  # the database's overall is the worst domain
    assert check_corpus(corpus) == []


def test_gad_under_the_metapsy_tool_keeps_the_databases_overall_and_computes_items(
    tmp_path: Path,
) -> None:
    corpus = Corpus(tmp_path / "c")
    result = import_metapsy(corpus, read_database(_gad(tmp_path)), rubric="metapsy-rob")
    # Sedge 2021: three domains with some concerns -> High by the tool's rule; the database
    # says Some concerns (worst domain). Kept as the database states it, with the reason.
    assert [(d.study, d.by_rule, d.database) for d in result.disagreements] == [
        ("Sedge, 2021", "High", "Some concerns")
    ]
    sedge = next(
        s.appraisal
        for s in corpus.iter_appraisals("metapsy-rob", study="ref:sedge-2021")
        if s.appraisal.reviewer == DATABASE_REVIEWER
    )
    assert sedge.overall.proposed == "High" and sedge.overall.judgement == "Some concerns"
    assert "worst-domain rule" in (sedge.overall.override_reason or "")
    computed = {
        s.appraisal.result.outcome: s.appraisal
        for s in corpus.iter_appraisals("metapsy-rob")
        if s.appraisal.reviewer == COMPUTED_REVIEWER and s.appraisal.study != "ref:sedge-2021"
    }
    gad7 = computed["GAD-7"]
    answers = {q: a.answer for q, a in gad7.answers.items()}
    assert answers == {
        "d1_3": "Yes",
        "d1_4": "Yes",
        "d3_10": "Yes",  # 3.3% and 1.7% lost
        "d3_12": "Yes",
        "d3_13": "Yes",
        "d4_16": "Yes",
        "d4_17": "No",
    }
    assert gad7.domains["D3"].judgement == "Low" and gad7.domains["D4"].judgement == "Low"
    assert gad7.domains["D1"].judgement is None and gad7.status == "in-progress"
    # Rook 2019: 30% and 40% lost -> items 10 and 13 No; D3 needs a reviewer's item 11.
    rook = computed["PSWQ"].answers
    assert (rook["d3_10"].answer, rook["d3_13"].answer) == ("No", "No")
    assert result.computed_domains == {"D3": 2, "D4": 3}
    assert check_corpus(corpus) == []


def test_agree_compares_the_database_with_the_computed_items(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "c"
    path = _gad(tmp_path)
    args = ["import", "metapsy", str(path), "--rubric", "metapsy-rob", "--corpus", str(corpus)]
    assert main(args) == 0
    capsys.readouterr()
    assert main(["agree", "--corpus", str(corpus), "--rubric", "metapsy-rob", "--json"]) == 0
    out = capsys.readouterr().out
    assert COMPUTED_REVIEWER in out and DATABASE_REVIEWER in out


def test_depression_layout_imports_rob1_items_over_the_four_domains_it_rates(
    tmp_path: Path,
) -> None:
    corpus = Corpus(tmp_path / "c")
    result = import_metapsy(corpus, read_database(_depression(tmp_path)))
    assert (result.layout, result.rubric, result.comparisons) == ("rob1-items", "rob1", 3)
    stored = [s.appraisal for s in corpus.iter_appraisals("rob1")]
    alder = next(a for a in stored if a.result.outcome == "BDI-II")
    assert {d: j.judgement for d, j in alder.domains.items()} == {
        "D1": "Low",
        "D2": "High",
        "D4": "Low",  # 'sr': self-report
        "D5": "Low",
    }
    # Overall over the rated domains, never left unjudged for want of D3, D6 and D7.
    assert alder.overall.judgement == "High"
    assert "score is 3 of 4" in (alder.overall.support or "")
    assert check_corpus(corpus) == []


def test_a_missing_rob1_item_is_a_bad_cell(tmp_path: Path) -> None:
    path = _depression(tmp_path)
    path.write_text(DEPRESSION.replace(";0;0;sr;0;", ";0;NA;sr;0;"), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        import_metapsy(Corpus(tmp_path / "c"), read_database(path))
    # Birch 2011 has ac = NA: the whole import stops, nothing is written.
    assert "line 4, column ac: ''" in caught.value.message
    assert not (tmp_path / "c").exists()


def test_every_bad_cell_is_reported_at_once_and_nothing_is_written(tmp_path: Path) -> None:
    rows = [
        GAD_ROWS[1].replace("low risk,some concerns", "unclear,some concerns", 1),
        GAD_ROWS[3].replace("S,S,S,L,L,S", "S,S,S,L,maybe,S"),
    ]
    with pytest.raises(InputError) as caught:
        import_metapsy(Corpus(tmp_path / "c"), read_database(_gad(tmp_path, rows)))
    message = caught.value.message
    assert "2 cells not read" in message
    assert "line 2, column rob_d1: 'unclear'" in message
    assert "line 3, column rob_d5: 'maybe'" in message
    assert not (tmp_path / "c").exists()


def test_the_layout_decides_which_rubrics_can_take_it(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="holds rob1 items; rubric rob2 cannot take them"):
        import_metapsy(Corpus(tmp_path / "c"), read_database(_depression(tmp_path)), rubric="rob2")
    bare = tmp_path / "bare.csv"
    bare.write_text('study,instrument\n"X, 2000",PHQ-9\n', encoding="utf-8")
    with pytest.raises(InputError, match="no risk-of-bias columns"):
        read_database(bare)


def test_attrition_larger_than_randomised_is_refused(tmp_path: Path) -> None:
    rows = [GAD_ROWS[2].replace(",30,30,9,12,", ",30,30,9,31,")]
    with pytest.raises(InputError, match="attrition in arm 2 .31. is not fewer than the 30"):
        import_metapsy(
            Corpus(tmp_path / "c"), read_database(_gad(tmp_path, rows)), rubric="metapsy-rob"
        )


def test_a_fetched_record_is_kept_and_a_rerun_changes_nothing(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path / "c")
    fetched = StudyRecord(
        id="10.9999/rook.2019",
        doi="10.9999/rook.2019",
        title="Acceptance for worry",
        authors=[Author(family="Rook", given="C")],
        year=2019,
        sources={"title": "crossref", "doi": "crossref", "authors": "crossref", "year": "crossref"},
    )
    corpus.write_record(fetched)
    db = read_database(_gad(tmp_path))
    first = import_metapsy(corpus, db)
    assert first.records_kept == ["10.9999/rook.2019"]
    assert corpus.read_record("10.9999/rook.2019").title == "Acceptance for worry"
    before = {p: p.read_bytes() for p in (tmp_path / "c").rglob("*.yaml")}
    again = import_metapsy(corpus, db)
    assert (again.appraisals_written, again.appraisals_unchanged) == (0, 4)
    assert {p: p.read_bytes() for p in (tmp_path / "c").rglob("*.yaml")} == before


def test_cli_import_then_check_is_clean_and_export_keys_by_author_and_year(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "c"
    path = _depression(tmp_path)
    assert main(["import", "metapsy", str(path), "--corpus", str(corpus)]) == 0
    out = capsys.readouterr().out
    assert "imported 3 comparisons of 2 studies (rob1-items) as rob1 appraisals" in out
    assert main(["check", "--corpus", str(corpus)]) == 0
    capsys.readouterr()
    assert main(["export", "--corpus", str(corpus), "--format", "bibtex", "--order", "year"]) == 0
    bib = capsys.readouterr().out
    assert bib.index("{Alder2008,") < bib.index("{Birch2011,")


def test_cli_bad_input_is_one_line_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["import", "metapsy", str(tmp_path / "none.csv"), "--corpus", str(tmp_path / "c")]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert "none.csv: no such file" in err and "\n" not in err
