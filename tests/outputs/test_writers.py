"""The one registry of output writers: each format renders what it says it does, and every
command tells formats and extensions apart the same way."""

from __future__ import annotations

from pathlib import Path

import pytest

from appraise.corpus import Corpus
from appraise.errors import InputError
from appraise.outputs.matrix import build_matrix
from appraise.outputs.writers import FIGURES, GRAPHS, REFERENCES, TABLES, Writer, render_table


@pytest.mark.parametrize("writer", list(TABLES), ids=lambda w: w.format)
def test_every_table_format_renders_text_or_bytes_as_declared(
    rob2_corpus: Corpus, writer: Writer
) -> None:
    content = render_table(build_matrix(rob2_corpus), writer.format)
    assert isinstance(content, bytes if writer.binary else str) and content
    for extension in writer.extensions:
        assert TABLES.for_path(Path(f"t{extension.upper()}")) is writer


def test_references_render_text_and_json_means_csl_for_references(rob2_corpus: Corpus) -> None:
    matrix = build_matrix(rob2_corpus)
    for writer in REFERENCES:
        assert not writer.binary and isinstance(writer.render(matrix), str)
    assert REFERENCES.choose(None, Path("refs.json")).format == "csljson"
    assert TABLES.choose(None, Path("t.json")).format == "json"


def test_unknown_formats_and_extensions_get_one_kind_of_message() -> None:
    for writers in (TABLES, REFERENCES, FIGURES, GRAPHS):
        with pytest.raises(InputError, match=f"unknown {writers.kind} format 'gif'"):
            writers.choose("gif", None)
        with pytest.raises(InputError, match=f"cannot tell the {writers.kind} format of 'x.txt'"):
            writers.choose(None, Path("x.txt"))
    assert TABLES.choose(None, None, default="markdown").format == "markdown"
    with pytest.raises(InputError, match="say which bibliographic format"):
        REFERENCES.choose(None, None)


def test_robvis_has_no_detail_shape(rob2_corpus: Corpus) -> None:
    with pytest.raises(InputError, match="robvis CSV has no detail shape"):
        render_table(build_matrix(rob2_corpus), "robvis", detail=True)
