"""The JATS parser on every recorded JATS flavour in ../shared, and on hostile XML."""

from __future__ import annotations

import pytest

from appraise.errors import InputError
from appraise.sources.jats import JatsError, classify_title, parse_jats
from tests.conftest import shared_path

FULLTEXT = ("fixtures", "europepmc", "fulltextxml")
NXML = ("fixtures", "europepmc", "jats_pmc_oa_nxml")


def _article(*parts: str):
    return parse_jats(shared_path(*parts).read_bytes())


def _kinds(article) -> list[str]:
    return [s.kind for s in article.sections]


def test_bmc_notes_coi_statement_nested_in_declarations() -> None:
    article = _article(*FULLTEXT, "PMC12306033_bmc_notes-COI-statement.xml")
    assert article.doi == "10.1186/s40164-025-00691-y"
    assert article.pmid == "40721833"
    assert article.pmcid == "PMC12306033"
    assert article.journal == "Experimental Hematology & Oncology"
    assert article.coi_statement == "The authors declare no competing interests."
    assert article.funding_statement.startswith("The work was supported by the National Natural")
    assert len(article.references) == 181
    # ROR and GRID ids inside <institution-wrap> are not part of the affiliation's text.
    assert article.authors[0].affiliations[0].startswith("Department of Oncology, Wuxi")


def test_bmj_fn_coi_statement_in_author_notes_keeps_real_disclosures() -> None:
    article = _article(*FULLTEXT, "PMC12458764_bmj-jitc_fn-COI-statement_real-disclosures.xml")
    assert "full-time employee of Regeneron" in article.coi_statement
    # fn-type="financial-disclosure" is the funding statement.
    assert "NIAID (R01 AI155499 to SHO)" in article.funding_statement
    first = article.authors[0]
    assert (first.family, first.given, first.orcid) == (
        "Olejniczak",
        "Scott H.",
        "0000-0001-6857-5554",
    )
    assert first.affiliations == (
        "Department of Immunology, Roswell Park Comprehensive Cancer Center, "
        "Buffalo, New York, USA",
    )
    reference = article.references[0]
    assert reference.doi == "10.1126/science.169.3950.1042"
    assert reference.pmid == "4194660"
    assert reference.year == 1970
    assert reference.title == "A theory of self-nonself discrimination"
    assert reference.authors == "Bretscher P, Cohn M"


def test_frontiers_sec_coi_statement_and_funding_from_award_groups() -> None:
    article = _article(*FULLTEXT, "PMC12535959_frontiers_sec-COI-statement.xml")
    assert article.article_type == "editorial"
    assert article.coi_statement.startswith("The authors declare that the research was conducted")
    # No funding text in the body, so the funding-group metadata stands in for it.
    assert "National Cancer Institute (R00CA263016)" in article.funding_statement
    assert article.authors[0].affiliations[0].startswith("Department of Biomedical Engineering")


def test_wiley_sec_type_methods_with_subsections_inheriting_their_kind() -> None:
    article = _article(*FULLTEXT, "PMC13179431_bjso_coi-sec-type.xml")
    titles = {s.title: s.kind for s in article.sections}
    assert titles["Participants"] == "methods"  # nested under <sec sec-type="methods">
    assert titles["DISCUSSION"] == "discussion"
    assert "senior administrative role" in article.coi_statement
    assert article.year == 2026


def test_untyped_conflicts_of_interest_section_in_a_crossover_trial() -> None:
    article = _article(*FULLTEXT, "PMC13254492_rct_bcpt_coi-untyped-sec.xml")
    assert article.coi_statement == "The authors declare no conflicts of interest."
    assert article.funding_statement.startswith("Teijo I. Saari was supported")
    assert article.trial_registrations == ("NCT01304069",)
    methods = [s.title for s in article.sections if s.kind == "methods"]
    assert methods[:2] == ["Study Subjects", "Study Design"]  # "Materials and Methods" children
    # The reference list sits inside <body> in this variant; it is read as references, not text.
    assert len(article.references) == 33
    assert not any(s.title == "References" for s in article.sections)
    assert _kinds(article)[0] == "abstract"


def test_letter_disclosure_title_is_a_coi_section() -> None:
    article = _article(*FULLTEXT, "PMC13244564_letter_small.xml")
    coi_titles = [s.title for s in article.sections if s.kind == "coi"]
    assert coi_titles == ["Disclosure", "Conflicts of Interest"]
    assert article.abstract is None


def test_old_nlm_archiving_dtd3() -> None:
    article = _article(*FULLTEXT, "PMC3258128_nar_2011_archiving-dtd3.xml")
    assert article.doi == "10.1093/nar/gkr715"
    assert article.journal == "Nucleic Acids Research"
    assert len(article.references) == 47
    assert "methods" in _kinds(article)  # sec-type="materials|methods"
    # A run-in heading inside the FUNDING section is a COI statement of its own.
    assert article.coi_statement == "Conflict of interest statement. None declared."
    assert article.funding_statement.startswith("Chinese State Key Projects")


def test_old_bmc_nxml_untyped_competing_interests_section() -> None:
    article = _article(*NXML, "1471-2180-11-174_bmc_coi-untitled-sec.nxml")
    assert article.coi_statement == "The authors declare that they have no competing interests."
    assert article.pmcid == "PMC3166277"
    # A structured abstract reads as PubMed shows it.
    assert article.abstract.startswith("Background: Despite identical genotypes")


def test_plos_fn_conflict_and_funding_statement() -> None:
    article = _article(*NXML, "pone.0046493_plos_fn-conflict.nxml")
    assert article.coi_statement == (
        "Competing Interests: The authors have declared that no competing interests exist."
    )
    assert article.funding_statement.startswith("V. Delorme was funded by a PhD fellowship")
    assert article.references[0].raw.startswith("Chakroborty A (2011) Drug-resistant tuberculosis")


def test_efetch_pmc_articleset_wrapper() -> None:
    article = _article("fixtures", "pubmed", "pmc", "efetch_db-pmc_correction_biopython.xml")
    assert article.article_type == "correction"
    assert article.pmcid == "PMC8435807"
    assert article.sections[0].text.startswith("This article was originally published")


def test_every_fixture_gives_sections_in_document_order_with_text() -> None:
    folders = [shared_path(*FULLTEXT), shared_path(*NXML)]
    for path in sorted(p for folder in folders for p in folder.iterdir()):
        article = parse_jats(path.read_bytes())
        assert article.title, path.name
        assert article.sections, path.name
        assert all(s.text.strip() for s in article.sections), path.name


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Methods", "methods"),
        ("2. Methods", "methods"),
        ("Materials and methods", "methods"),
        ("PATIENTS AND METHODS", "methods"),
        ("Competing interests", "coi"),
        ("Conflict of Interest Statement", "coi"),
        ("Declaration of interests", "coi"),
        ("Disclosures", "coi"),
        ("Funding", "funding"),
        ("Trial registration", "registration"),
        ("4 Discussion", "discussion"),
        ("Collagen structure", None),
    ],
)
def test_section_titles(title: str, kind: str | None) -> None:
    assert classify_title(title) == kind


def test_nested_sections_flattened_in_order() -> None:
    xml = b"""<article><front><article-meta><title-group><article-title>T</article-title>
    </title-group></article-meta></front><body>
    <sec><title>2. Methods</title><p>Intro to methods.</p>
      <sec><title>Randomisation</title><p>A computer list.<table-wrap><label>Table 1</label>
      <caption><p>Baseline.</p></caption><table><tr><td>42</td></tr></table></table-wrap></p></sec>
      <sec><title>Conflicts of interest</title><p>None.</p></sec>
    </sec></body></article>"""
    article = parse_jats(xml)
    assert [(s.title, s.kind, s.text) for s in article.sections] == [
        ("2. Methods", "methods", "Intro to methods."),
        ("Randomisation", "methods", "A computer list.\n\nTable 1. Baseline."),
        ("Conflicts of interest", "coi", "None."),
    ]


def test_entity_expansion_bomb_is_refused() -> None:
    bomb = b"""<?xml version="1.0"?><!DOCTYPE article [<!ENTITY a "aaaaaaaaaa">
    <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><article><body><p>&b;</p></body></article>"""
    with pytest.raises(JatsError, match="refused to parse the XML"):
        parse_jats(bomb)


def test_external_entity_is_refused() -> None:
    xxe = b"""<?xml version="1.0"?><!DOCTYPE article [<!ENTITY x SYSTEM "file:///etc/passwd">]>
    <article><body><p>&x;</p></body></article>"""
    with pytest.raises(JatsError, match="refused"):
        parse_jats(xxe)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"<article><body>", "not well-formed"),
        (b"<PubmedArticleSet/>", "not a JATS article"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not well-formed"),
    ],
)
def test_bad_xml_is_an_input_error(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_jats(data)


def test_statements_in_a_footnote_group_inside_the_acknowledgements_are_kept() -> None:
    """PLOS-style back matter: funding and competing interests as typed footnotes nested in
    the acknowledgements section, which section text alone would skip."""
    xml = b"""<article><front><article-meta><title-group><article-title>T</article-title>
    </title-group></article-meta></front><body><sec><title>Methods</title><p>M.</p></sec></body>
    <back><ack><sec id="ack"><title/><p>We thank the families.</p><fn-group>
      <fn fn-type="con"><p><bold>Author contributions.</bold> SD designed it.</p></fn>
      <fn fn-type="financial-disclosure"><p><bold>Funding:</bold> The Wellcome Trust.</p></fn>
      <fn fn-type="COI-statement"><p><bold>Competing Interests:</bold> The authors have
      declared that no competing interests exist.</p></fn></fn-group></sec></ack></back>
    </article>"""
    kinds = {s.kind: s.text for s in parse_jats(xml).sections}
    assert "declared that no competing interests exist" in kinds["coi"]
    assert "Wellcome Trust" in kinds["funding"]
    assert "thank the families" in kinds["acknowledgements"]
