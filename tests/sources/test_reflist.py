"""`fetch --from` reads reference lists as reviewers export them."""

from __future__ import annotations

import json

import pytest

from appraise.errors import InputError
from appraise.sources.reflist import read_reference_list

RIS = """TY  - JOUR
TI  - Cognitive therapy for psychosis
PY  - 2019
DO  - 10.1136/esmoopen-2020-000776
ER  -

TY  - JOUR
TI  - A PubMed record without a DOI
DB  - PubMed
AN  - 28731372
ER  -

TY  - BOOK
TI  - A book with neither
PY  - 2001
ER  -
""".replace("ER  -\n", "ER  - \n")  # as exported: the end tag keeps its trailing space

BIBTEX = """@article{smith2019,
  title = {{Behavioural activation}},
  doi = {10.1111/BJC.12259},
  year = {2019}
}
@article{jones2020,
  title = {Only a PMID},
  eprinttype = {pubmed},
  eprint = {35123456}
}
@misc{nothing,
  title = {A poster},
  year = {2018}
}
"""

MEDLINE = """PMID- 28731372
TI  - Exploring the effect of vitamin D3 supplementation on the anti-EBV antibody
      response in relapsing-remitting multiple sclerosis.
LID - 10.1177/1352458517722646 [doi]
DP  - 2018 Aug

PMID- 35123456
TI  - A BMC article.
AID - 10.1186/s12891-022-05070-w [doi]
AID - S1234 [pii]
DP  - 2022 Feb 4

PMID- 11748933
TI  - No DOI here.
DP  - 2001 Dec
"""


def test_ris_gives_dois_then_pmids_and_lists_items_without_either(tmp_path) -> None:
    path = tmp_path / "refs.ris"
    path.write_text(RIS)
    found = read_reference_list(path)
    assert found.format == "ris"
    assert found.identifiers == ["10.1136/esmoopen-2020-000776", "pmid:28731372"]
    assert found.without_id == ["item 3: A book with neither (2001)"]


def test_bibtex(tmp_path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(BIBTEX)
    found = read_reference_list(path)
    assert found.format == "bibtex"
    assert found.identifiers == ["10.1111/BJC.12259", "pmid:35123456"]
    assert found.without_id == ["item 3: A poster (2018)"]


def test_csl_json(tmp_path) -> None:
    items = [
        {"type": "article-journal", "title": "A", "DOI": "10.1002/jor.1100150407"},
        {"type": "article-journal", "title": "B", "PMID": "23435529"},
        {"type": "book", "title": "C", "issued": {"date-parts": [[1999]]}},
    ]
    path = tmp_path / "refs.json"
    path.write_text(json.dumps(items))
    found = read_reference_list(path)
    assert found.format == "csl-json"
    assert found.identifiers == ["10.1002/jor.1100150407", "pmid:23435529"]
    assert found.without_id == ["item 3: C (1999)"]


def test_pubmed_medline_nbib_takes_the_doi_and_falls_back_to_the_pmid(tmp_path) -> None:
    path = tmp_path / "pubmed-export.nbib"
    path.write_text(MEDLINE)
    found = read_reference_list(path)
    assert found.format == "medline"
    assert found.identifiers == [
        "10.1177/1352458517722646",
        "10.1186/s12891-022-05070-w",
        "pmid:11748933",
    ]
    assert found.without_id == []


def test_one_identifier_per_line_with_a_bom_and_comments(tmp_path) -> None:
    path = tmp_path / "ids.txt"
    path.write_bytes(
        "\ufeff10.1136/esmoopen-2020-000776\n# a comment\nPMID:28731372  # rct\n".encode()
    )
    found = read_reference_list(path)
    assert found.format == "lines"
    assert found.identifiers == ["10.1136/esmoopen-2020-000776", "PMID:28731372"]


def test_a_broken_csl_json_file_names_the_line(tmp_path) -> None:
    path = tmp_path / "refs.json"
    path.write_text('[\n{"DOI": "10.1/x",}\n]')
    with pytest.raises(InputError, match=r"refs.json:2: not valid JSON"):
        read_reference_list(path)


CSL_JSON = json.dumps(
    [
        {"type": "article-journal", "title": "A", "DOI": "10.1002/jor.1100150407"},
        {"type": "article-journal", "title": "B", "PMID": "23435529"},
        {"type": "book", "title": "C", "issued": {"date-parts": [[1999]]}},
    ]
)
LINES = "10.1136/esmoopen-2020-000776\nPMID:28731372\n"
# format, exported text, suffix as exported, identifiers, items listed without one
EXPORTS = [
    (
        "ris",
        RIS,
        ".ris",
        ["10.1136/esmoopen-2020-000776", "pmid:28731372"],
        ["item 3: A book with neither (2001)"],
    ),
    (
        "bibtex",
        BIBTEX,
        ".bib",
        ["10.1111/BJC.12259", "pmid:35123456"],
        ["item 3: A poster (2018)"],
    ),
    (
        "csl-json",
        CSL_JSON,
        ".json",
        ["10.1002/jor.1100150407", "pmid:23435529"],
        ["item 3: C (1999)"],
    ),
    (
        "medline",
        MEDLINE,
        ".nbib",
        ["10.1177/1352458517722646", "10.1186/s12891-022-05070-w", "pmid:11748933"],
        [],
    ),
    ("lines", LINES, ".txt", ["10.1136/esmoopen-2020-000776", "PMID:28731372"], []),
]


@pytest.mark.parametrize("suffix_kept", [True, False], ids=["own suffix", "renamed .txt"])
@pytest.mark.parametrize(("kind", "text", "suffix", "identifiers", "without"), EXPORTS)
def test_every_format_reads_the_same_with_a_utf8_bom_and_under_any_name(
    tmp_path, kind, text, suffix, identifiers, without, suffix_kept
) -> None:
    """Windows reference managers write a BOM; a file renamed or mailed as .txt is told by
    its content. Either way the same identifiers, and the items without one listed."""
    path = tmp_path / ("export" + (suffix if suffix_kept else ".txt"))
    path.write_bytes(("\ufeff" + text).encode("utf-8"))
    found = read_reference_list(path)
    assert (found.format, found.identifiers, found.without_id) == (kind, identifiers, without)


def test_a_list_of_items_none_with_an_identifier_lists_every_one(tmp_path) -> None:
    path = tmp_path / "posters.bib"
    path.write_text(
        "@misc{a, title = {Poster one}}\n@misc{b, title = {Poster two}, year = {2020}}\n"
    )
    found = read_reference_list(path)
    assert found.identifiers == []
    assert found.without_id == ["item 1: Poster one", "item 2: Poster two (2020)"]
