"""scripts/build_metapsy_corpus.py: the reference parser on the database's real reference
strings, the RoB 2 import, and byte-for-byte reproduction of the shipped corpus."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from appraise.corpus import Corpus
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
    ref = build.parse_reference(references["Acarturk, 2016"])
    assert ref.authors == (("Acarturk", "C"), ("Konuk", "E"), ("Cetinkaya", "M"))
    assert not ref.authors_complete
    assert ref.title.startswith("The efficacy of eye movement desensitization")
    assert ref.journal == "Psychol Med"
    assert (ref.year, ref.volume, ref.issue, ref.pages) == (2016, "46", "12", "2583-93")
    assert ref.doi == "10.1017/s0033291716001070"
    assert ref.pmid == "27353367" and ref.pmcid is None


def test_parses_pmcid_single_author_and_supplement(references: dict[str, str]) -> None:
    ref = build.parse_reference(references["Alsheikh Ali, 2020"])
    assert ref.authors == (("Alsheikh Ali", "ASS"),) and ref.authors_complete
    assert (ref.issue, ref.pages) == ("Suppl-1", "134-141")
    assert ref.pmcid == "PMC7536727" and ref.pmid == "33029190"


def test_reference_without_doi_or_pmid_keeps_what_it_states(references: dict[str, str]) -> None:
    ref = build.parse_reference(references["Aldahadha, 2012"])
    assert ref.doi is None and ref.pmid is None
    assert ref.journal == "Journal of Instructional Psychology"
    assert (ref.year, ref.volume, ref.issue, ref.pages) == (2012, "39", "3/4", "146-58")


def test_titles_with_vs_and_question_marks_and_dotted_journals(
    references: dict[str, str],
) -> None:
    reger = build.parse_reference(references["Reger, 2016"])
    assert "imaginal exposure vs. virtual reality" in reger.title
    assert reger.journal == "J Consult Clin. Psychol"
    neuner = build.parse_reference(references["Neuner, 2010"])
    assert neuner.title.endswith("treated? A randomized controlled pilot study")
    assert build.parse_reference(references["Fecteau, 1999"]).journal == "Behav. Cogn. Psychother"
    gray = build.parse_reference(references["Gray, 2019a"])  # 'DOI:' and no ';' before volume
    assert (gray.year, gray.volume, gray.issue, gray.pages) == (2019, "29", "5", "621-639")
    assert gray.doi == "10.1080/10503307.2017.1408973"


def test_every_reference_yields_authors_title_journal_and_the_studys_year(
    references: dict[str, str],
) -> None:
    for label, text in references.items():
        ref = build.parse_reference(text)
        assert ref.authors and ref.title and ref.journal, label
        assert str(ref.year) == label.split(", ")[1][:4], label
        assert ("doi:" in text.lower()) == (ref.doi is not None), label
        assert ("PMID" in text) == (ref.pmid is not None), label


def test_judgement_words_are_normalised_and_bad_ones_rejected() -> None:
    assert build.judgement_word("Some Concerns", "row 1") == "Some concerns"
    assert build.judgement_word("high", "row 1") == "High"
    with pytest.raises(build.InputError, match="row 7: 'Unclear' is not a RoB 2 judgement"):
        build.judgement_word("Unclear", "row 7")


def test_a_study_whose_comparisons_differ_gets_one_appraisal_per_result() -> None:
    rows = pd.DataFrame(
        {
            "multi_arm1": ["Prolonged Exposure (PE) A", "EMDR B"],
            "condition_arm1.detail": ["PE", "EMDR"],
            "condition_arm2.detail": ["Waitlist", "Waitlist"],
            "instrument": ["CAPS", "PCL"],
            "rating": ["clinician", "self-report"],
            "time": ["post", "post"],
            ".g_se": [0.5, 0.25],
            **{c: ["Low", "Low"] for c in ["rob_d1", "rob_d2", "rob_d3", "rob_d5"]},
            "rob_d4": ["High", "Low"],
            "rob": ["High", "Low"],
        }
    )
    entries = build.rob_per_study("10.1/x", "X, 2000", rows)
    assert [e.domains["D4"] for e in entries] == ["High", "Low"]
    assert entries[0].label == "Prolonged Exposure (PE) vs Waitlist (CAPS, post)"
    assert [e.rater for e in entries] == ["assessor", "self-report"]
    assert [e.weight for e in entries] == [4.0, 16.0]
    same = build.rob_per_study("10.1/x", "X, 2000", rows.assign(rob_d4="Low", rob="Low"))
    assert len(same) == 1 and same[0].weight == 20.0 and same[0].rater is None


def test_engine_overall_agrees_with_the_databases_for_every_study() -> None:
    disagreements = []
    for stored in Corpus(SHIPPED).iter_appraisals("rob2"):
        support = stored.appraisal.overall.support or ""
        if "(agrees)" not in support:
            disagreements.append(stored.appraisal.study)
    # The README lists the exceptions; there are none with the cochrane profile.
    assert disagreements == []


def test_rerunning_the_converter_reproduces_the_shipped_corpus(
    shared: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "metapsy"
    assert build.main(["--shared", str(shared), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "wrote 102 records, 102 appraisals and 13 claims" in printed
    assert "agrees with the database's for every study" in printed
    produced = sorted(p.relative_to(out) for p in out.rglob("*.yaml"))
    shipped = sorted(p.relative_to(SHIPPED) for p in SHIPPED.rglob("*.yaml"))
    assert produced == shipped
    for rel in produced:
        assert (out / rel).read_bytes() == (SHIPPED / rel).read_bytes(), rel


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
    assert "is not a RoB 2 judgement" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
