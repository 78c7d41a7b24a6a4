"""Reproducible Word and Excel files: python-docx and openpyxl stamp the current time into the
zip entries and the document properties; here both are pinned so the same data gives the same
bytes."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

# Zip's earliest representable time; used for every entry so no clock leaks into the file.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CHUNK = 1 << 16  # characters of spliced XML per write
_CORE_DATES = re.compile(r"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")


def _iso(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def pin_office_file(
    data: bytes, when: datetime, splice: dict[str, Iterable[str]] | None = None
) -> bytes:
    """Rewrite an Office zip with fixed entry times and core-properties dates set to ``when``.

    ``splice`` maps a marker to WordprocessingML: the paragraph holding the marker in
    word/document.xml is replaced by it. Splicing text is linear; moving a large lxml tree into
    python-docx's document is not (about 16 s for a 10,000-study table)."""
    stamp = _iso(when)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            blob = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = _CORE_DATES.sub(
                    lambda m: f"{m.group(1)}{stamp}{m.group(3)}", blob.decode("utf-8")
                )
                blob = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            if info.filename == "word/document.xml" and splice:
                # Streamed into the zip: the spliced XML is never held whole beside the rest.
                # Written in chunks: one compressor call per small piece costs more than the XML.
                with target.open(entry, "w") as stream:
                    chunk: list[str] = []
                    size = 0
                    for piece in _splice(blob.decode("utf-8"), splice):
                        chunk.append(piece)
                        size += len(piece)
                        if size >= _CHUNK:
                            stream.write("".join(chunk).encode("utf-8"))
                            chunk, size = [], 0
                    stream.write("".join(chunk).encode("utf-8"))
                continue
            target.writestr(entry, blob)
    return out.getvalue()


def _splice(document: str, splice: dict[str, Iterable[str]]) -> Iterator[str]:
    """``document`` with the paragraph holding each marker replaced by its pieces, in order."""
    cuts = []
    for marker, pieces in splice.items():
        pattern = re.compile(r"<w:p>(?:(?!</w:p>).)*?" + re.escape(marker) + r".*?</w:p>", re.S)
        found = pattern.search(document)
        if found is None:
            raise ValueError(f"marker {marker!r} not found in word/document.xml")
        cuts.append((found.start(), found.end(), pieces))
    position = 0
    for start, end, pieces in sorted(cuts, key=lambda cut: cut[0]):
        yield document[position:start]
        yield from pieces
        position = end
    yield document[position:]
