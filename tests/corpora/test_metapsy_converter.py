"""scripts/build_metapsy_corpus.py and the Metapsy import on the PTSD database: the reference
parser on the database's real reference strings, the RoB 2 import per comparison, and a rerun
that reproduces the shipped corpus."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from appraise.corpus import Corpus
from appraise.imports.metapsy import read_comparisons, read_database
from appraise.imports.references import parse_reference
from appraise.rubrics import load_rubric
from tests.conftest import shared_path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "corpus" / "metapsy-ptsd"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_metapsy_corpus", ROOT / "scripts" / "build_metapsy_corpus.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module by name
    spec.loader.exec_module(module)
    return module


build = _load_script()


@pytest.fixture(scope="module")
def references() -> dict[str, str]:
    path = shared_path("data", "metapsy-ptsd", "references.json")
    return json.loads(path.read_text(encoding="utf-8"))


def test_parses_a_full_reference(references: dict[str, str]) -> None:
    ref = parse_reference(references["Acarturk, 2016"])
    assert ref.authors == (("Acarturk", "C"), ("Konuk", "E"), ("Cetinkaya", "M"))
    assert not ref.authors_complete
    assert ref.title.startswith("The efficacy of eye movement desensitization")
    assert ref.journal == "Psychol Med"
    assert (ref.year, ref.volume, ref.issue, ref.pages) == (2016, "46", "12", "2583-93")
    assert ref.doi == "10.1017/s0033291716001070"
    assert ref.pmid == "27353367" and ref.pmcid is None


def test_parses_pmcid_single_author_and_supplement(references: dict[str, str]) -> None:
    ref = parse_reference(references["Alsheikh Ali, 2020"])
    assert ref.authors == (("Alsheikh Ali", "ASS"),) and ref.authors_complete
    assert (ref.issue, ref.pages) == ("Suppl-1", "134-141")
    assert ref.pmcid == "PMC7536727" and ref.pmid == "33029190"


def test_reference_without_doi_or_pmid_keeps_what_it_states(references: dict[str, str]) -> None:
    ref = parse_reference(references["Aldahadha, 2012"])
    assert ref.doi is None and ref.pmid is None
    assert ref.journal == "Journal of Instructional Psychology"
    assert (ref.year, ref.volume, ref.issue, ref.pages) == (2012, "39", "3/4", "146-58")


def test_titles_with_vs_and_question_marks_and_dotted_journals(
    references: dict[str, str],
) -> None:
    reger = parse_reference(references["Reger, 2016"])
    assert "imaginal exposure vs. virtual reality" in reger.title
    assert reger.journal == "J Consult Clin. Psychol"
    neuner = parse_reference(references["Neuner, 2010"])
    assert neuner.title.endswith("treated? A randomized controlled pilot study")
    assert parse_reference(references["Fecteau, 1999"]).journal == "Behav. Cogn. Psychother"
    gray = parse_reference(references["Gray, 2019a"])  # 'DOI:' and no ';' before volume
    assert (gray.year, gray.volume, gray.issue, gray.pages) == (2019, "29", "5", "621-639")
    assert gray.doi == "10.1080/10503307.2017.1408973"


def test_every_reference_yields_authors_title_journal_and_the_studys_year(
    references: dict[str, str],
) -> None:
    for label, text in references.items():
        ref = parse_reference(text)
        assert ref.authors and ref.title and ref.journal, label
        assert str(ref.year) == label.split(", ")[1][:4], label
        assert ("doi:" in text.lower()) == (ref.doi is not None), label
        assert ("PMID" in text) == (ref.pmid is not None), label


def test_database_words_are_read_as_robvis_reads_them(shared: Path) -> None:
    db = read_database(shared / "data" / "metapsy-ptsd" / "data.csv")
    comparisons = read_comparisons(db, load_rubric("rob2"))
    assert len(comparisons) == 131
    first = comparisons[0]
    assert first.label == "Acarturk, 2016" and first.result == "EMDR vs Waitlist (IES, post)"
    assert first.domains == {
        "D1": "Low",
        "D2": "Some concerns",
        "D3": "Low",
        "D4": "Low",
        "D5": "Low",
    }
    assert first.database_overall == "Some concerns"
    assert first.rater == "self-report" and first.weight == round(1 / 0.307**2, 4)


def test_each_comparison_of_a_multi_arm_study_is_its_own_result() -> None:
    # Bryant 2019: two TF-CBT arms against one waitlist.
    stored = [
        s.appraisal
        for s in Corpus(SHIPPED).iter_appraisals("rob2", study="10.1017/s0033291718002234")
    ]
    labels = sorted(a.result.label for a in stored)
    assert labels == [
        "TF-CBT (arm A) vs Waitlist (CAPS, post)",
        "TF-CBT (arm B) vs Waitlist (CAPS, post)",
    ]


def test_engine_overall_agrees_with_the_databases_for_every_study() -> None:
    studies: set[str] = set()
    disagreements = []
    for stored in Corpus(SHIPPED).iter_appraisals("rob2"):
        appraisal = stored.appraisal
        studies.add(appraisal.study)
        if "(agrees)" not in (appraisal.overall.support or ""):
            disagreements.append(appraisal.study)
    # The database's overall follows the worst-domain rule (RoB 2, cochrane profile).
    assert len(studies) == 102
    assert disagreements == []


def _without_stamps(path: Path) -> object:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if "appraisals" in path.parts:
        for key in ("tool", "created", "updated"):
            data.pop(key, None)
    return data


def test_rerunning_the_converter_reproduces_the_shipped_corpus(
    shared: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "metapsy"
    assert build.main(["--shared", str(shared), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "rob2: 102 studies, 131 comparisons; 131 appraisals written" in printed
    assert "metapsy-rob: 102 studies, 131 comparisons; 262 appraisals written" in printed
    assert "the rob2 overall agrees with the database's for every comparison" in printed
    produced = sorted(p.relative_to(out) for p in out.rglob("*.yaml"))
    shipped = sorted(p.relative_to(SHIPPED) for p in SHIPPED.rglob("*.yaml"))
    assert produced == shipped
    for rel in produced:
        # Appraisals carry when they were written; everything else is byte for byte.
        if "appraisals" in rel.parts:
            assert _without_stamps(out / rel) == _without_stamps(SHIPPED / rel), rel
        else:
            assert (out / rel).read_bytes() == (SHIPPED / rel).read_bytes(), rel


def test_a_rerun_over_the_shipped_corpus_changes_no_file(
    shared: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "shipped"
    shutil.copytree(SHIPPED, copy)
    before = {p: p.read_bytes() for p in copy.rglob("*.yaml")}
    assert build.main(["--shared", str(shared), "--out", str(copy)]) == 0
    assert "0 appraisals written, 131 unchanged; 0 records written" in capsys.readouterr().out
    assert {p: p.read_bytes() for p in copy.rglob("*.yaml")} == before


def test_missing_data_folder_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert build.main(["--shared", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "data.csv not found" in err and "--shared" in err
    assert not (tmp_path / "out").exists()


def test_a_bad_judgement_in_the_data_stops_before_writing(
    shared: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = shared / "data" / "metapsy-ptsd"
    copy = tmp_path / "shared" / "data" / "metapsy-ptsd"
    copy.mkdir(parents=True)
    (copy / "references.json").write_bytes((source / "references.json").read_bytes())
    csv = (source / "data.csv").read_text(encoding="utf-8")
    (copy / "data.csv").write_text(csv.replace('"Some Concerns"', '"Unclear"', 1), "utf-8")
    code = build.main(["--shared", str(tmp_path / "shared"), "--out", str(tmp_path / "out")])
    assert code == 2
    err = capsys.readouterr().err
    assert "cell not read: line " in err and "column rob_d" in err and "'Unclear'" in err
    assert not (tmp_path / "out").exists()
