"""Fixtures for the citation graph tests."""

from __future__ import annotations

import pytest

from appraise.corpus import Corpus
from tests.graph.corpora import write_guideline_corpus


@pytest.fixture
def guideline_corpus(corpus: Corpus) -> Corpus:
    return write_guideline_corpus(corpus)
