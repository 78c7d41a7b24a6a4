"""`appraise report`: one folder with everything, an index.html that opens from disk, the same
bytes on a rerun (but for manifest.json's 'generated'), and never half a report."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from appraise.cli.main import main
from appraise.corpus import Corpus
from appraise.files import model_to_yaml
from appraise.models import Citation, Claim, ClaimsFile, MadeIn
from appraise.outputs import report as report_module
from appraise.outputs.report import MANIFEST, build_report

CHROMIUM = Path("/usr/bin/chromium")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.targets.append(value)


@pytest.fixture
def claimed_corpus(rob2_corpus: Corpus) -> Corpus:
    claims = ClaimsFile(
        claims=[
            Claim(
                id="therapy-works",
                text="The therapy works for depression.",
                made_in=MadeIn(source="A guideline", year=2022),
                cites=[Citation(target="10.1000/alpha"), Citation(target="10.1000/gamma")],
            ),
        ]
    )
    rob2_corpus.write_text(rob2_corpus.claims_path, model_to_yaml(claims))
    return rob2_corpus


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_report_has_every_part_and_links_resolve(claimed_corpus: Corpus, tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = build_report(claimed_corpus, out)
    assert (result.rubric, result.studies) == ("rob2", 4)
    for name in (
        "tables/risk-of-bias.md",
        "tables/risk-of-bias.html",
        "tables/risk-of-bias.docx",
        "tables/support.md",
        "tables/support.html",
        "tables/support.docx",
        "tables/robvis.csv",
        "figures/traffic-light.png",
        "figures/traffic-light.svg",
        "figures/summary.png",
        "figures/summary.svg",
        "figures/summary-weighted.png",
        "claims/claim-traces.md",
        "claims/claim-traces.json",
        "claims/therapy-works.png",
        "methods.md",
        "references/studies.ris",
        "references/studies.bib",
        "references/studies.json",
        "index.html",
    ):
        assert (out / name).is_file(), name
    index = (out / "index.html").read_text(encoding="utf-8")
    parser = _Links()
    parser.feed(index)
    assert len(parser.targets) > 25
    for target in parser.targets:
        if target.startswith("#"):
            continue
        # Relative links only: the folder opens from disk, with nothing fetched from the web.
        assert not re.match(r"^[a-z]+:", target), target
        assert (out / target).is_file(), target
    assert "<script" not in index and "<link" not in index
    assert "therapy-works" in index and "Smith et al. 2019b" in index
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["studies"] == 4 and set(manifest["files"]) == set(result.files)


def test_rerun_gives_the_same_bytes_but_the_generated_time(
    claimed_corpus: Corpus, tmp_path: Path
) -> None:
    first = tmp_path / "a"
    second = tmp_path / "b"
    build_report(claimed_corpus, first)
    build_report(claimed_corpus, second)
    one, two = _files(first), _files(second)
    assert one.keys() == two.keys()
    differing = [name for name in one if one[name] != two[name]]
    assert differing in ([], [MANIFEST])
    strip = re.compile(rb'"generated": "[^"]*"')
    assert strip.sub(b"", one[MANIFEST]) == strip.sub(b"", two[MANIFEST])


def test_refuses_to_replace_a_folder_that_is_not_a_report(
    rob2_corpus: Corpus, tmp_path: Path
) -> None:
    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "chapter1.tex").write_text("my work")
    with pytest.raises(Exception, match="is not an appraise report"):
        build_report(rob2_corpus, precious)
    assert (precious / "chapter1.tex").read_text() == "my work"


def test_a_failed_run_keeps_the_previous_report(
    rob2_corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "report"
    build_report(rob2_corpus, out)
    before = _files(out)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(report_module, "_references", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        build_report(rob2_corpus, out)
    assert _files(out) == before
    # No staging folder is left behind beside the report.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "report"]


def test_cli_report_takes_the_corpus_as_argument(
    rob2_corpus: Corpus, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r"
    assert main(["report", str(rob2_corpus.root), "--out", str(out), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["studies"] == 4 and "index.html" in payload["files"]
    assert main(["report", str(tmp_path / "nowhere"), "--out", str(tmp_path / "x")]) == 2
    assert "has no appraisals" in capsys.readouterr().err


def test_cli_report_speaks_the_shared_options_and_keeps_the_old_spellings(
    rob2_corpus: Corpus, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(rob2_corpus.root)
    assert main(["report", "-c", root, "-o", str(tmp_path / "new"), "--json"]) == 0
    new = json.loads(capsys.readouterr().out)
    assert main(["report", root, "--out", str(tmp_path / "old"), "--json"]) == 0
    old = json.loads(capsys.readouterr().out)
    assert new["files"] == old["files"] and new["studies"] == 4
    assert (
        main(["report", "-c", root, "-o", str(tmp_path / "a"), "--out", str(tmp_path / "b")]) == 2
    )
    assert "give --output or --out, not both" in capsys.readouterr().err
    assert main(["report", "-c", root]) == 2
    assert "add --output DIR" in capsys.readouterr().err


@pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs /usr/bin/chromium (apt-get install "
    "chromium) to open the report in a headless browser",
)
def test_index_opens_in_headless_chromium(claimed_corpus: Corpus, tmp_path: Path) -> None:
    out = tmp_path / "report"
    build_report(claimed_corpus, out)
    shot = tmp_path / "shot.png"
    run = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1200,1600",
            f"--screenshot={shot}",
            (out / "index.html").as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    from PIL import Image

    image = Image.open(shot).convert("RGB")
    colours = image.getcolors(maxcolors=1_000_000) or []
    # Not blank: many distinct colours, and the palette's green (the Low circles) is drawn.
    assert len(colours) > 50
    assert any(
        abs(r - 0x02) < 12 and abs(g - 0xC1) < 12 and abs(b) < 12 for _, (r, g, b) in colours
    )


# --- the report folder is the report's own: nothing else in it is ever deleted -----------------


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_refuses_the_corpus_itself_and_leaves_it_whole(
    rob2_corpus: Corpus, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = rob2_corpus.root
    (root / MANIFEST).write_text('{"files": {}}')  # a manifest.json is no proof of a report
    before = _snapshot(root)
    assert main(["report", str(root), "--out", str(root)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "holds the corpus" in err
    assert main(["report", str(root), "--out", str(root.parent)]) == 2
    assert "holds the corpus" in capsys.readouterr().err
    assert _snapshot(root) == before


def test_refuses_another_corpus_and_a_folder_with_someone_elses_manifest(
    rob2_corpus: Corpus, tmp_path: Path
) -> None:
    other = tmp_path / "other-corpus"
    (other / "records").mkdir(parents=True)
    (other / MANIFEST).write_text('{"appraise": "0.1.0", "files": {}}')
    with pytest.raises(Exception, match="is a corpus"):
        build_report(rob2_corpus, other)
    site = tmp_path / "site"
    site.mkdir()
    (site / MANIFEST).write_text('{"name": "my web app"}')
    (site / "app.js").write_text("code")
    with pytest.raises(Exception, match="is not an appraise report"):
        build_report(rob2_corpus, site)
    assert (site / "app.js").read_text() == "code" and (other / "records").is_dir()


def test_a_rerun_never_deletes_a_file_the_user_put_in_the_report(
    rob2_corpus: Corpus, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report"
    build_report(rob2_corpus, out)
    (out / "tables" / "my-notes.txt").write_text("reviewer notes")
    assert main(["report", str(rob2_corpus.root), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "my-notes.txt was not written by appraise report" in err
    assert (out / "tables" / "my-notes.txt").read_text() == "reviewer notes"
    (out / "tables" / "my-notes.txt").unlink()
    (out / "methods.md").write_text("my edited methods")  # an edit is the user's work too
    with pytest.raises(Exception, match="methods.md was not written"):
        build_report(rob2_corpus, out)
    assert (out / "methods.md").read_text() == "my edited methods"


def test_an_unchanged_report_is_replaced_including_one_from_before_the_marker(
    rob2_corpus: Corpus, tmp_path: Path
) -> None:
    out = tmp_path / "report"
    build_report(rob2_corpus, out)
    build_report(rob2_corpus, out)
    (out / report_module.MARKER).unlink()  # as an older appraise wrote it: manifest only
    result = build_report(rob2_corpus, out)
    assert (out / report_module.MARKER).is_file() and (out / "index.html").is_file()
    assert result.studies == 4


def test_stale_build_folders_of_a_killed_report_are_cleaned(
    rob2_corpus: Corpus, tmp_path: Path
) -> None:
    out = tmp_path / "report"
    finished = subprocess.Popen(["true"])  # a pid whose process has ended
    finished.wait()
    stale = tmp_path / ".report.building-abc123"
    stale.mkdir()
    (stale / report_module.BUILDER).write_text(str(finished.pid))
    (stale / "index.html").write_text("half")
    running = tmp_path / ".report.building-live"
    running.mkdir()
    (running / report_module.BUILDER).write_text(str(os.getpid()))
    unrelated = tmp_path / ".report.building-mine"
    unrelated.mkdir()
    (unrelated / "keep.txt").write_text("not made by appraise")
    build_report(rob2_corpus, out)
    assert not stale.exists()
    assert running.is_dir() and (unrelated / "keep.txt").is_file()


def test_report_files_follow_the_umask(rob2_corpus: Corpus, tmp_path: Path) -> None:
    out = tmp_path / "report"
    old = os.umask(0o022)
    try:
        build_report(rob2_corpus, out)
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o755
    assert stat.S_IMODE((out / "index.html").stat().st_mode) == 0o644


class _Cells(HTMLParser):
    """The first judgement table's cells, per column: (text, is a row header)."""

    def __init__(self) -> None:
        super().__init__()
        self.columns: dict[int, list[tuple[str, bool]]] = {}
        self._column = -1
        self._cell: list[str] | None = None
        self._row_header = False
        self._done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._done:
            return
        if tag == "tr":
            self._column = -1
        elif tag in ("td", "th"):
            self._column += 1
            self._cell = []
            self._row_header = ("scope", "row") in attrs

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            text = "".join(self._cell)
            self.columns.setdefault(self._column, []).append((text, self._row_header))
            self._cell = None
        elif tag == "table":
            self._done = True


def _min_table_width(fragment: str, *, font_rem: float, pad_rem: float, wrap: bool) -> float:
    """The narrowest the judgement table can be, in CSS px (1rem = 16 px; DejaVu/Arial-like
    glyphs about 0.62 em wide): row headers may break anywhere (min 6rem); other cells break
    at spaces when ``wrap``, else each cell is one unbreakable line."""
    parser = _Cells()
    parser.feed(fragment)
    glyph, padding, border = 0.62 * font_rem * 16, 2 * pad_rem * 16, 1
    total = 0.0
    for cells in parser.columns.values():
        widest = 0.0
        for text, row_header in cells:
            if row_header and wrap:
                width = 6 * 16
            elif row_header:
                width = glyph * len(text)
            else:
                pieces = text.split() if wrap else [text]
                width = glyph * max((len(p) for p in pieces), default=0)
            widest = max(widest, width)
        total += widest + padding + border
    return total


def test_judgement_table_fits_a_1400_px_window() -> None:
    from appraise.outputs.matrix import build_matrix
    from appraise.outputs.report import INDEX_CSS
    from appraise.outputs.tables import html_fragment

    shipped = Path(__file__).resolve().parents[2] / "corpus" / "metapsy-ptsd"
    fragment = html_fragment(build_matrix(Corpus(shipped)))
    css = INDEX_CSS.replace(" ", "")
    # At 1,400 px the page's content is body's max-width (72rem = 1,152 px) and the narrow-
    # screen rule applies (max-width:90rem = 1,440 px); judgement cells may wrap.
    assert "max-width:72rem" in css and "@media(max-width:90rem)" in css
    assert "nowrap" not in css and "table.rob{border-collapse:collapse" in css
    assert _min_table_width(fragment, font_rem=0.8, pad_rem=0.3, wrap=True) <= 1152
    # What overflowed before: 0.9rem text, 0.5rem padding, 'Some concerns (-)' on one line.
    assert _min_table_width(fragment, font_rem=0.9, pad_rem=0.5, wrap=False) > 1152
