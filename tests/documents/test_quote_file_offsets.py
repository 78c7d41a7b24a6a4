"""A proposed quote says where it lies in the reviewer's own file (issue 13: offsets were counted
in the rebuilt text, so a reviewer could not find the sentence in the file they hold)."""

from __future__ import annotations

import html
import re
from pathlib import Path

from appraise.documents import read_document
from appraise.evidence.proposals import propose
from appraise.rubrics import load_rubric
from tests.conftest import shared_path

MARKDOWN = """# Guided self-help for low mood: a randomised controlled trial

## Methods

Adults were recruited from six practices.
Participants were randomised 1:1 by a **computer-generated** list held by an independent
trials unit, and allocation was concealed by a central telephone service.
Outcome assessors were unaware of allocation.
"""


def _plain(xml: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", xml)).replace(":", " ").split())


def test_a_markdown_quote_is_found_in_the_file_across_line_breaks_and_emphasis(
    tmp_path: Path,
) -> None:
    path = tmp_path / "trial.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    proposals = propose(read_document(path), load_rubric("rob2")).proposals
    quotes = {p.question: p.quotes for p in proposals if p.quotes}
    sequence = quotes["1.1"][0]
    in_file = MARKDOWN[sequence.file_start : sequence.file_end]
    assert in_file.startswith("Participants were randomised") and in_file.endswith("service.")
    assert "\n" in in_file and "**computer-generated**" in in_file
    assessors = quotes["4.3"][0]
    assert MARKDOWN[assessors.file_start : assessors.file_end] == assessors.text


def test_jats_quotes_point_at_their_words_in_the_xml() -> None:
    folder = shared_path("data", "oa-trials")
    found = total = 0
    for path in sorted(folder.glob("*.xml"))[:12]:
        document = read_document(path)
        assert document.original is not None
        for rubric in ("rob2", "psychotherapy"):
            for proposal in propose(document, load_rubric(rubric)).proposals:
                for quote in proposal.quotes:
                    total += 1
                    if quote.file_start is None or quote.file_end is None:
                        continue
                    found += 1
                    raw = document.original.text[quote.file_start : quote.file_end]
                    # tags and entities aside, the file holds the quote's words, in order
                    assert _plain(raw).replace(" ", "") == _plain(quote.text).replace(" ", "")
    assert total > 100 and found / total >= 0.8


def test_a_quote_not_in_the_file_has_no_file_offsets(tmp_path: Path) -> None:
    path = tmp_path / "trial.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    document = read_document(path)
    assert document.original is not None
    assert document.original.span("Outcome assessors were aware of allocation.") is None
    assert document.original.span("   ") is None


def test_a_file_joined_with_its_record_keeps_its_file_offsets(tmp_path: Path) -> None:
    # propose ID --text FILE and assess read the reviewer's file joined with the record
    from appraise.evidence.record_document import document_with_record
    from appraise.models import StudyRecord

    path = tmp_path / "trial.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    record = StudyRecord(id="10.1000/trial", title="Guided self-help for low mood")
    joined = document_with_record(read_document(path), record)
    proposals = propose(joined, load_rubric("rob2")).proposals
    assessors = next(p for p in proposals if p.question == "4.3").quotes[0]
    assert assessors.file_start is not None
    assert MARKDOWN[assessors.file_start : assessors.file_end] == assessors.text
