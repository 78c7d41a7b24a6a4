"""RIS, BibTeX and CSL-JSON of the appraised studies, each with the overall judgement in a note,
read back by the tools reference managers use."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import rispy

from appraise.cli.main import main
from appraise.corpus import Corpus
from appraise.outputs.bibliography import bibtex_text, citation_keys, csl_items, ris_text
from appraise.outputs.matrix import build_matrix


def test_ris_parses_back_with_the_judgement_in_a_note(rob2_corpus: Corpus) -> None:
    entries = rispy.loads(ris_text(build_matrix(rob2_corpus)))
    assert len(entries) == 4
    gamma = entries[2]
    assert gamma["type_of_reference"] == "JOUR"
    assert gamma["authors"] == ["Smith, Dan", "Wu, Li", "Kay, Al"]
    assert (gamma["year"], gamma["doi"], gamma["start_page"], gamma["end_page"]) == (
        "2019",
        "10.1000/gamma",
        "102",
        "110",
    )
    assert gamma["notes"] == [
        "Risk of bias (RoB 2, cochrane profile): High (D1 Low; D2 High; D3 Low; "
        "D4 Some concerns; D5 Low)"
    ]
    assert entries[3]["accession_number"] == "PMID:123456"


def test_bibtex_keys_are_unique_and_specials_escaped(rob2_corpus: Corpus) -> None:
    matrix = build_matrix(rob2_corpus)
    assert list(citation_keys(matrix.rows).values()) == [
        "Smith2019a",
        "Okafor2015",
        "Smith2019b",
        "Garcia2021",
    ]
    text = bibtex_text(matrix)
    assert text.count("@article{") == 4
    assert "title = {{Trial 3 of a psychological therapy: \\{braces\\} \\& 100\\% care}}" in text
    assert "author = {Garc\u00eda, Jos\u00e9 and M\u00fcller, J\u00f6rg}" in text
    assert "pages = {102--110}" in text
    assert "note = {Risk of bias (RoB 2, cochrane profile): High" in text
    # Braces balance in every entry, so BibTeX reads each to its end.
    for entry in text.split("\n@"):
        assert entry.replace("\\{", "").replace("\\}", "").count("{") == entry.replace(
            "\\{", ""
        ).replace("\\}", "").count("}")
        assert re.search(r"\n}\n?$", entry)


def test_csl_json_items(rob2_corpus: Corpus) -> None:
    items = csl_items(build_matrix(rob2_corpus))
    assert items[0]["id"] == "10.1000/alpha"
    assert items[0]["issued"] == {"date-parts": [[2019]]}
    assert items[0]["author"][0] == {"family": "Smith", "given": "Ann"}
    assert items[0]["note"].startswith("Risk of bias (RoB 2, cochrane profile): Low")
    assert items[3]["PMID"] == "123456" and "DOI" not in items[3]


def test_cli_export_by_extension_and_format(
    rob2_corpus: Corpus, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(rob2_corpus.root)
    for name in ("refs.ris", "refs.bib", "refs.json"):
        assert main(["export", "--corpus", root, "--output", str(tmp_path / name)]) == 0
    assert len(json.loads((tmp_path / "refs.json").read_text())) == 4
    assert main(["export", "--corpus", root, "--format", "ris"]) == 0
    assert capsys.readouterr().out.count("ER  -") == 4
    assert main(["export", "--corpus", root, "--format", "endnote"]) == 2
    assert "unknown bibliographic format 'endnote'" in capsys.readouterr().err


IAPT = Path(__file__).resolve().parents[2] / "corpus" / "iapt"


def test_a_record_typed_in_without_a_title_is_flagged_in_every_format() -> None:
    """Williams 2018 is known from the seeds only by author, year and DOI: no export lets its
    label pass for a title, and each says the record is incomplete."""
    matrix = build_matrix(Corpus(IAPT), rubric="psychotherapy")
    ris = {e["id"]: e for e in rispy.loads(ris_text(matrix))}
    williams = ris["10.1192/bjp.2017.18"]
    assert williams["title"] == "Williams 2018 [title not known]"
    assert williams["notes"][-1] == (
        "Incomplete record: no title, journal in its sources (10.1192/bjp.2017.18)"
    )
    wakefield = ris["10.1111/bjc.12259"]
    assert not any(n.startswith("Incomplete") for n in wakefield["notes"])
    csl = {i["id"]: i for i in csl_items(matrix)}
    assert "Incomplete record: no title, journal" in csl["10.1192/bjp.2017.18"]["note"]
    assert "Williams 2018 [title not known]" in bibtex_text(matrix)


def test_ris_entries_start_with_their_type_tag_not_a_number(rob2_corpus: Corpus) -> None:
    """Each entry opens with TY as RIS says; rispy's default "1." "2." lines are gone, and
    the entries read back one for one."""
    text = ris_text(build_matrix(rob2_corpus))
    entries = [e for e in text.split("ER  - ") if e.strip()]
    assert all(e.lstrip("\n").startswith("TY  - ") for e in entries)
    assert not re.search(r"(?m)^\d+\.\s*$", text)
    assert [e["id"] for e in rispy.loads(text)] == [
        e["id"] for e in csl_items(build_matrix(rob2_corpus))
    ]


def test_a_rubric_without_profiles_names_none_in_the_note() -> None:
    from tests.conftest import ROOT

    matrix = build_matrix(Corpus(ROOT / "corpus" / "iapt"), "psychotherapy")
    notes = [n for e in rispy.loads(ris_text(matrix)) for n in e.get("notes", [])]
    assert any(n.startswith("Risk of bias (Psychotherapy evidence rubric): ") for n in notes)
    assert not any("profile" in n for n in notes)
