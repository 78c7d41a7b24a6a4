"""Agreement statistics on published tables, degenerate cases, and from a corpus."""

from __future__ import annotations

import json

import pytest

from appraise.cli.main import main
from appraise.corpus import Corpus
from appraise.errors import NotFoundError
from appraise.review import AssessSession, agreement, pair_statistics


def expand(table: dict[tuple[str, str], int]) -> tuple[list[str], list[str]]:
    first: list[str] = []
    second: list[str] = []
    for (a, b), count in table.items():
        first += [a] * count
        second += [b] * count
    return first, second


def test_cohens_textbook_table() -> None:
    # The worked example in Wikipedia's "Cohen's kappa" (50 grant proposals, yes/no):
    # 20 both yes, 5 yes/no, 10 no/yes, 15 both no: po = 0.70, pe = 0.50, kappa = 0.40.
    first, second = expand(
        {("Low", "Low"): 20, ("Low", "High"): 5, ("High", "Low"): 10, ("High", "High"): 15}
    )
    stats = pair_statistics(first, second, ["Low", "High"])
    assert stats.n == 50 and stats.percent == pytest.approx(70.0)
    assert stats.kappa == pytest.approx(0.40)
    assert stats.prevalence_adjusted == pytest.approx(2 * 0.70 - 1)  # PABAK with two levels


def test_second_textbook_table_with_skewed_prevalence() -> None:
    # Wikipedia's second example: 45/15/25/15 gives kappa 0.1304 while agreement is 60%.
    first, second = expand(
        {("Low", "Low"): 45, ("Low", "High"): 15, ("High", "Low"): 25, ("High", "High"): 15}
    )
    stats = pair_statistics(first, second, ["Low", "High"])
    assert stats.kappa == pytest.approx(0.1304, abs=1e-4)
    assert stats.prevalence_adjusted == pytest.approx(0.20)


def test_brennan_prediger_uses_every_level_of_the_scale() -> None:
    first, second = expand({("Low", "Low"): 6, ("High", "High"): 2, ("Low", "High"): 2})
    stats = pair_statistics(first, second, ["Low", "Some concerns", "High"])
    assert stats.prevalence_adjusted == pytest.approx((0.8 - 1 / 3) / (1 - 1 / 3))


def test_perfect_agreement_and_a_single_category() -> None:
    perfect = pair_statistics(["Low", "High", "Low"], ["Low", "High", "Low"], ["Low", "High"])
    assert (perfect.percent, perfect.kappa, perfect.prevalence_adjusted) == (100.0, 1.0, 1.0)
    single = pair_statistics(["Low"] * 4, ["Low"] * 4, ["Low", "Some concerns", "High"])
    assert single.percent == 100.0 and single.kappa is None
    assert "undefined" in single.note and "Low" in single.note
    empty = pair_statistics([], [], ["Low", "High"])
    assert empty.n == 0 and empty.kappa is None


JUDGEMENTS = {  # study -> (ann's, bob's) rob1 judgement for every domain
    "ref:s1": ("Low", "Low"),
    "ref:s2": ("High", "High"),
    "ref:s3": ("Low", "High"),
}


def appraise_rob1(corpus: Corpus, study: str, reviewer: str, label: str) -> None:
    session = AssessSession.open(corpus, study, "rob1", reviewer=reviewer)
    session.apply_answers({f"D{i}": label for i in range(1, 8)})


@pytest.fixture
def two_reviewers(corpus: Corpus, new_record) -> Corpus:  # type: ignore[no-untyped-def]
    for study, (ann, bob) in JUDGEMENTS.items():
        corpus.write_record(new_record(study))
        appraise_rob1(corpus, study, "ann", ann)
        appraise_rob1(corpus, study, "bob", bob)
    appraise_rob1(corpus, "ref:s1", "consensus", "Low")  # never counted as a reviewer
    return corpus


def test_agreement_from_a_corpus(two_reviewers: Corpus) -> None:
    report = agreement(two_reviewers, "rob1")
    assert [p.reviewers for p in report.pairs] == [("ann", "bob")]
    rows = report.pairs[0].rows
    assert set(rows) == {f"D{i}" for i in range(1, 8)} | {"Overall"}
    assert rows["D1"].n == 3 and rows["D1"].percent == pytest.approx(200 / 3)
    assert rows["Overall"].kappa == pytest.approx(0.4)  # table [[1,1],[0,1]] over Low/High
    disagreements = report.pairs[0].disagreements
    assert {(d.study, d.domain) for d in disagreements} == {
        ("ref:s3", f"D{i}") for i in range(1, 8)
    } | {("ref:s3", "Overall")}
    assert disagreements[0].judgements == {"ann": "Low", "bob": "High"}


def test_agree_command_prints_json_and_tables(two_reviewers: Corpus, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["agree", "--corpus", str(two_reviewers.root), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rubric"] == "rob1" and data["pairs"][0]["reviewers"] == ["ann", "bob"]
    assert data["pairs"][0]["domains"]["D1"]["n"] == 3
    assert main(["agree", "--corpus", str(two_reviewers.root), "--rubric", "rob1"]) == 0
    out = capsys.readouterr().out
    assert "Cohen's kappa" in out and "ref:s3" in out and "disagreements" in out


def test_agreement_without_appraisals_says_what_to_do(corpus: Corpus, capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFoundError, match="no appraisals with rubric rob2"):
        agreement(corpus, "rob2")
    assert main(["agree", "--corpus", str(corpus.root), "--rubric", "rob2"]) == 2
    assert "appraise assess" in capsys.readouterr().err


def test_gwets_ac1_survives_the_prevalence_problem() -> None:
    # Wongpakaran et al. 2013 (BMC Med Res Methodol 13:61), table with 118 agreements on one
    # level, 5 and 2 disagreements, none on the other: 94.4% agreement, yet kappa is about
    # -0.02 while AC1 is 0.94 (both cross-checked with irrCAC 0.4.4).
    first, second = expand({("Low", "Low"): 118, ("Low", "High"): 5, ("High", "Low"): 2})
    stats = pair_statistics(first, second, ["Low", "High"])
    assert stats.percent == pytest.approx(94.4)
    assert stats.kappa == pytest.approx(-0.0234, abs=1e-4)
    assert stats.ac1 == pytest.approx(0.9408, abs=1e-4)


def test_ac1_is_defined_where_kappa_is_not() -> None:
    single = pair_statistics(["Low"] * 4, ["Low"] * 4, ["Low", "Some concerns", "High"])
    assert single.kappa is None and single.ac1 == pytest.approx(1.0)


def test_weighted_kappa_counts_low_against_high_as_the_bigger_disagreement() -> None:
    levels = ["Low", "Some concerns", "High"]
    table = {
        ("Low", "Low"): 20,
        ("Low", "Some concerns"): 5,
        ("Low", "High"): 1,
        ("Some concerns", "Low"): 3,
        ("Some concerns", "Some concerns"): 10,
        ("Some concerns", "High"): 4,
        ("High", "Some concerns"): 2,
        ("High", "High"): 6,
    }
    stats = pair_statistics(*expand(table), levels)
    # By hand: 1 - sum(|i-j| observed) / sum(|i-j| expected), linear weights; irrCAC agrees.
    assert stats.weighted_kappa == pytest.approx(0.6107, abs=1e-4)
    assert stats.ac1 == pytest.approx(0.5727, abs=1e-4)
    near = pair_statistics(["Low", "High"] * 5, ["Some concerns", "High"] * 5, levels)
    far = pair_statistics(["Low", "High"] * 5, ["High", "High"] * 5, levels)
    assert near.percent == far.percent and near.weighted_kappa > far.weighted_kappa
    no_information = pair_statistics(
        ["Low", "No information"], ["Low", "Serious"], ["Low", "Serious", "No information"]
    )
    assert no_information.weighted_kappa is None and "not a degree of risk" in no_information.note


def test_agree_warns_below_ten_studies(two_reviewers: Corpus, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["agree", "--corpus", str(two_reviewers.root)]) == 0
    captured = capsys.readouterr()
    assert "Gwet's AC1" in captured.out and "weighted kappa" in captured.out
    assert "warning: only 3 result(s) appraised by both" in captured.err
    assert "unstable below 10" in captured.err
    report = agreement(two_reviewers, "rob1")
    assert report.to_json()["pairs"][0]["studies"] == 3
    assert "below 10" in report.to_json()["pairs"][0]["warning"]


def test_ten_studies_carry_no_warning() -> None:
    from appraise.review.agreement import PairAgreement

    assert PairAgreement(("ann", "bob"), {}, studies=10).warning is None
    assert "only 9 result(s)" in PairAgreement(("ann", "bob"), {}, studies=9).warning
