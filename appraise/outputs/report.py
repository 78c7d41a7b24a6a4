"""`appraise report`: everything an author needs from a corpus, in one folder.

Tables (Markdown, HTML, Word, Excel, CSV, LaTeX, JSON, robvis), both figures (PNG and SVG),
the claim traces once claims exist, the methods paragraph and the references, with an
index.html that opens from disk (relative links, inline CSS, no external assets).

Reruns are reproducible: every file is a function of the inputs, and the only clock reading is
manifest.json's 'generated'. The folder is built beside DIR and swapped in at the end, so a
failed run leaves the previous report (or nothing), never half of one.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from appraise import __version__
from appraise.corpus import Corpus
from appraise.errors import InputError
from appraise.files import make_temp_dir
from appraise.ids import file_stem
from appraise.outputs.figures import draw_summary, draw_traffic_light
from appraise.outputs.forest import draw_forest, has_estimates
from appraise.outputs.matrix import Matrix, build_matrix, rubric_counts
from appraise.outputs.tables import (
    TABLE_CSS,
    data_date,
    html_fragment,
    key_lines,
)
from appraise.outputs.writers import REFERENCES, TABLES, render_references, render_table

MANIFEST = "manifest.json"
# The report's own marker: every file it wrote, with its sha256. A folder is replaced only when
# it holds exactly these files, unchanged, so nothing a user put there is ever deleted.
MARKER = ".appraise-report"
MADE_BY = "appraise report"
# Inside a staging folder while it is built: the builder's pid, so a later run can tell a
# folder left by a killed report from one another report is still building.
BUILDER = ".appraise-building"
# Above this many studies the index links the tables instead of showing them inline.
INLINE_TABLE_STUDIES = 300
# Above this many studies the report leaves the traffic-light plot (tens of A4 pages) to
# `appraise plot`, which draws any number.
REPORT_TRAFFIC_LIGHT_STUDIES = 1000


@dataclass
class ReportResult:
    out: Path
    rubric: str
    profile: str | None  # None for a rubric without profiles (only RoB 2 has them)
    studies: int
    files: list[str] = field(default_factory=list)  # relative paths, sorted
    notes: list[str] = field(default_factory=list)  # what was left out, and why


@dataclass
class _Section:
    title: str
    body: str  # HTML


def _write(root: Path, relative: str, data: str | bytes, files: list[str]) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8", newline="\n")
    else:
        path.write_bytes(data)
    files.append(relative)
    return path


def _link(relative: str, label: str | None = None) -> str:
    return f'<a href="{html.escape(relative)}">{html.escape(label or relative)}</a>'


def _digests(root: Path) -> dict[str, str] | None:
    """sha256 of every file under ``root`` by relative path, or None when anything there is not
    a plain file or folder (a symlink, a socket): a folder like that was not made by us."""
    digests: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            return None
        if path.is_file():
            digests[path.relative_to(root).as_posix()] = _sha256(path)
    return digests


def _recorded_files(folder: Path) -> dict[str, str] | None:
    """What an earlier report says it wrote: the marker's list, or (reports from before the
    marker) manifest.json's list plus the manifest itself. None when neither is readable."""
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        if marker.get("made_by") == MADE_BY and isinstance(marker.get("files"), dict):
            return {str(k): str(v) for k, v in marker["files"].items()}
    except (OSError, ValueError, AttributeError):
        pass
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files = manifest["files"]
        if "appraise" in manifest and isinstance(files, dict):
            recorded = {str(k): str(v) for k, v in files.items()}
            recorded[MANIFEST] = _sha256(folder / MANIFEST)
            return recorded
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def _is_manifest(path: Path) -> bool:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and "appraise" in manifest and "files" in manifest


def _foreign_files(folder: Path) -> list[str] | None:
    """Files in ``folder`` that an earlier report did not write, or changed since; None when
    the folder is not a report at all. Only a folder with none of either may be replaced."""
    recorded = _recorded_files(folder)
    if recorded is None:
        return None
    present = _digests(folder)
    if present is None:
        return None
    present.pop(MARKER, None)
    if MANIFEST not in recorded and MANIFEST in present and _is_manifest(folder / MANIFEST):
        present.pop(MANIFEST)
    return sorted(name for name, digest in present.items() if recorded.get(name) != digest)


def _is_corpus(folder: Path) -> bool:
    return any((folder / name).exists() for name in ("records", "appraisals", "corpus.yaml"))


def _check_target(out: Path, corpus: Corpus) -> None:
    """Refuse to replace a folder unless it is wholly an earlier report: it may hold the
    user's work. An empty folder or a new path is fine."""
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} exists and is a file", fix="give a folder for the report")
    fix = "choose a new folder for --out, e.g. report"
    resolved, root = out.resolve(), corpus.root.resolve()
    if resolved == root or resolved in root.parents:
        raise InputError(f"{out} holds the corpus; the report needs a folder of its own", fix=fix)
    if out.is_symlink():
        raise InputError(f"{out} is a symbolic link; it would be replaced", fix=fix)
    if not out.exists() or not any(out.iterdir()):
        return
    if _is_corpus(out) and not (out / MARKER).exists():
        raise InputError(
            f"{out} is a corpus, not an appraise report; it would be replaced", fix=fix
        )
    foreign = _foreign_files(out)
    if foreign is None:
        raise InputError(
            f"{out} is not empty and is not an appraise report; it would be replaced",
            fix="choose a new folder for --out, or empty this one",
        )
    if foreign:
        more = f" and {len(foreign) - 1} more" if len(foreign) > 1 else ""
        raise InputError(
            f"{out / foreign[0]}{more} was not written by appraise report (or was changed "
            "since); rerunning would delete it",
            fix="move it out of the report folder, or choose a new folder for --out",
        )


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def _clean_stale(out: Path) -> None:
    """Remove build folders that a killed report left beside ``out``: a staging folder whose
    builder is no longer running, or a previous report that was being swapped out. Only
    folders carrying our own marker are touched."""
    for leftover in out.parent.glob(f".{out.name}.building-*"):
        try:
            pid = int((leftover / BUILDER).read_text(encoding="ascii"))
        except (OSError, ValueError):
            continue
        if not _pid_alive(pid):
            shutil.rmtree(leftover, ignore_errors=True)
    for leftover in out.parent.glob(f".{out.name}.old-*"):
        if leftover.is_dir() and not leftover.is_symlink() and _foreign_files(leftover) == []:
            shutil.rmtree(leftover, ignore_errors=True)


def _swap_in(staging: Path, out: Path) -> None:
    """Replace ``out`` by ``staging`` with renames in the same folder (never half a report)."""
    previous: Path | None = None
    if out.exists():
        previous = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        previous.rmdir()
        os.replace(out, previous)
    try:
        os.replace(staging, out)
    except BaseException:
        if previous is not None:
            os.replace(previous, out)
        raise
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)


def _tables(matrix: Matrix, root: Path, files: list[str], when: datetime) -> _Section:
    stem = "tables/risk-of-bias"
    for writer in TABLES:  # every format named by an extension; robvis's CSV by name
        name = f"{stem}{writer.extensions[0]}" if writer.extensions else "tables/robvis.csv"
        _write(root, name, render_table(matrix, writer.format, when=when), files)
    for fmt in ("markdown", "html", "docx"):
        ext = TABLES.get(fmt).extensions[0]
        _write(
            root, f"tables/support{ext}", render_table(matrix, fmt, detail=True, when=when), files
        )
    links = " · ".join(
        [
            _link(f"{stem}.docx", "Word"),
            _link(f"{stem}.xlsx", "Excel"),
            _link(f"{stem}.md", "Markdown"),
            _link(f"{stem}.tex", "LaTeX"),
            _link(f"{stem}.csv", "CSV"),
            _link(f"{stem}.json", "JSON"),
            _link("tables/robvis.csv", "robvis CSV"),
            _link(f"{stem}.html", "HTML"),
        ]
    )
    support = " · ".join(
        [
            _link("tables/support.docx", "Word"),
            _link("tables/support.md", "Markdown"),
            _link("tables/support.html", "HTML"),
        ]
    )
    body = [
        f"<p>Judgements by domain: {links}</p>",
        f"<p>Domain | Judgement | Support for judgement, per study: {support}</p>",
    ]
    if len(matrix.rows) <= INLINE_TABLE_STUDIES:
        body.append(f'<div class="scroll">{html_fragment(matrix)}</div>')
    else:
        body.append(f"<p>{len(matrix.rows)} studies: the table is in the files above.</p>")
        body += [f'<p class="key">{html.escape(line)}</p>' for line in key_lines(matrix)]
    return _Section("Tables", "\n".join(body))


def _figures(matrix: Matrix, root: Path, files: list[str], notes: list[str]) -> _Section:
    (root / "figures").mkdir(parents=True, exist_ok=True)
    body: list[str] = []
    # Each drawing returns what it drew; only a traffic light's is a list of pages.
    drawings: list[tuple[str, str, Callable[[Path], object]]] = [
        (
            "summary",
            "Summary: share of studies at each judgement, per domain",
            lambda p: draw_summary(matrix, p),
        ),
    ]
    if matrix.rows and all(row.weight is not None for row in matrix.rows):
        drawings.append(
            (
                "summary-weighted",
                "Summary weighted by the studies' weights",
                lambda p: draw_summary(matrix, p, weighted=True),
            )
        )
    if len(matrix.rows) <= REPORT_TRAFFIC_LIGHT_STUDIES:
        drawings.append(
            (
                "traffic-light",
                "Traffic-light plot: judgements per study and domain",
                lambda p: draw_traffic_light(matrix, p),
            )
        )
    else:
        notes.append(
            f"traffic-light plot left out: {len(matrix.rows)} studies is more than "
            f"{REPORT_TRAFFIC_LIGHT_STUDIES} (draw its pages with `appraise plot --kind "
            "traffic-light -o traffic-light.pdf`, or choose studies with --studies)"
        )
    if has_estimates(matrix):
        drawings.append(
            (
                "forest",
                "Forest plot: each result's estimate and 95% CI beside its judgements",
                lambda p: draw_forest(matrix, p),
            )
        )
    figures = root / "figures"
    for name, caption, draw in drawings:
        # A traffic-light plot may run to several pages: one PNG/SVG each, one PDF of all.
        pages: dict[str, list[Path]] = {}
        for ext in ("png", "svg", "pdf") if name == "traffic-light" else ("png", "svg"):
            target = figures / f"{name}.{ext}"
            written = draw(target)
            pages[ext] = written if isinstance(written, list) else [target]
            files.extend(str(p.relative_to(root)) for p in pages[ext])
        links = ", ".join(
            _link(str(p.relative_to(root)), ext.upper() + (f" {i}" if len(found) > 1 else ""))
            for ext, found in pages.items()
            for i, p in enumerate(found, 1)
        )
        images = "".join(
            f'<img src="{html.escape(str(p.relative_to(root)))}" alt="{html.escape(caption)}">'
            for p in pages["png"]
        )
        pdf_note = " (pages sized for A4)" if len(pages["png"]) > 1 else ""
        body.append(
            f"<figure>{images}<figcaption>{html.escape(caption)}{pdf_note} ({links})"
            "</figcaption></figure>"
        )
    return _Section("Figures", "\n".join(body))


def _references(matrix: Matrix, root: Path, files: list[str]) -> _Section:
    names = [(w.format, f"studies{w.extensions[0]}", w.label) for w in REFERENCES]
    for fmt, name, _ in names:
        _write(root, f"references/{name}", render_references(matrix, fmt), files)
    links = " · ".join(_link(f"references/{name}", label) for _, name, label in names)
    return _Section(
        "References",
        f"<p>The {len(matrix.rows)} appraised studies, with the overall judgement "
        f"in each reference's note: {links}</p>",
    )


def _methods(corpus: Corpus, rubric: str, root: Path, files: list[str]) -> _Section:
    from appraise.review import methods_paragraph

    text = methods_paragraph(corpus, rubric).strip()
    _write(root, "methods.md", text + "\n", files)
    return _Section(
        "Methods paragraph",
        f"<p>{html.escape(text)}</p><p>Ready to paste (PRISMA 2020 item 11): "
        f"{_link('methods.md')}</p>",
    )


CLAIM_HEADER = [
    "Claim",
    "Made in",
    "Supporting studies",
    "At high risk",
    "High-risk share of weight",
    "Low-risk support left",
    "Independent replication",
]


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def claim_rows(traces: list[Any]) -> list[list[str]]:
    """One row per claim (worst first, as the graph sorts them) for the claim-trace table."""
    rows = []
    for trace in traces:
        summary = trace.summary()
        high = summary["by_category"]["high"]
        rows.append(
            [
                f"{trace.claim.id}: {trace.claim.text}",
                trace.to_json()["claim"]["made_in"],
                str(summary["supporting_studies"]),
                f"{high} ({_share(summary['high_risk_share_of_studies'])})",
                f"{_share(summary['high_risk_share_of_weight'])} ({summary['weight_basis']})",
                "yes" if summary["survives_without_high_risk"] else "no",
                summary["independent_replication"]["status"],
            ]
        )
    return rows


def _claims(
    corpus: Corpus, rubric: str, profile: str, root: Path, files: list[str]
) -> _Section | None:
    if corpus.read_claims() is None:
        return None
    from appraise.graph import trace_all
    from appraise.graph.draw import draw_trace

    traces = sorted(trace_all(corpus, rubric), key=lambda t: t.sort_key())
    _write(
        root,
        "claims/claim-traces.json",
        json.dumps([t.to_json() for t in traces], indent=2, ensure_ascii=False) + "\n",
        files,
    )
    rows = claim_rows(traces)
    markdown = ["| " + " | ".join(CLAIM_HEADER) + " |", "|" + " --- |" * len(CLAIM_HEADER)]
    markdown += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
    _write(root, "claims/claim-traces.md", "\n".join(markdown) + "\n", files)
    head = "".join(f"<th>{html.escape(h)}</th>" for h in CLAIM_HEADER)
    body = [
        f'<div class="scroll"><table class="rob"><thead><tr>{head}<th>Figure</th></tr>'
        "</thead><tbody>"
    ]
    figures = []
    for trace, row in zip(traces, rows, strict=True):
        stem = f"claims/{file_stem(trace.claim.id)}"
        for ext in ("png", "svg"):
            draw_trace(trace, root / f"{stem}.{ext}", "cochrane", profile)
            files.append(f"{stem}.{ext}")
        cells = "".join(f"<td>{html.escape(cell)}</td>" for cell in row)
        body.append(
            f"<tr>{cells}<td>{_link(f'{stem}.png', 'PNG')} {_link(f'{stem}.svg', 'SVG')}</td></tr>"
        )
        figures.append(
            f'<figure><img src="{stem}.png" alt="{html.escape(trace.claim.id)}">'
            f"<figcaption>{html.escape(row[0])}</figcaption></figure>"
        )
    body.append("</tbody></table></div>")
    body.append(
        f"<p>{_link('claims/claim-traces.md', 'Table (Markdown)')} · "
        f"{_link('claims/claim-traces.json', 'All traces (JSON)')}</p>"
    )
    return _Section("Claims and the studies they rest on", "\n".join(body + figures))


def _overview(corpus: Corpus, matrix: Matrix) -> str:
    info = corpus.info
    levels = [matrix.scale.level(row.overall) for row in matrix.rows]
    counts = Counter(level.label for level in levels)
    spread = ", ".join(
        f"{counts[lvl.label]} {html.escape(lvl.display)}"
        for lvl in matrix.scale.in_order(
            [lvl.label for lvl in levels if lvl is not matrix.scale.not_judged]
        )
    )
    if counts[matrix.scale.not_judged.label]:
        spread += f", {counts[matrix.scale.not_judged.label]} not yet judged"
    profile = f", {html.escape(matrix.named_profile)} profile" if matrix.named_profile else ""
    lines = [
        f"<p>{len(matrix.rows)} studies appraised with {html.escape(matrix.rubric.name)} "
        f"(version {html.escape(matrix.rubric.version)}{profile}). Overall: {spread}.</p>",
    ]
    if info.description:
        lines.append(f"<p>{html.escape(info.description)}</p>")
    others = {rid: n for rid, n in rubric_counts(corpus).items() if rid != matrix.rubric.id}
    if others:
        listed = ", ".join(
            f"{rid} ({n} appraisal{'s' if n > 1 else ''})" for rid, n in sorted(others.items())
        )
        lines.append(
            f"<p>Also appraised with: {html.escape(listed)}; run <code>appraise report "
            f"--rubric RUBRIC</code> for those.</p>"
        )
    credits = [text for text in (info.attribution, info.licence) if text]
    if credits:
        lines.append(f'<p class="key">{html.escape(" ".join(credits))}</p>')
    return "\n".join(lines)


INDEX_CSS = (
    TABLE_CSS
    + """
header{border-bottom:2px solid #333;margin-bottom:1rem}
nav ul{columns:2;padding-left:1.2rem}
figure{margin:1rem 0}figure img{max-width:100%;height:auto;border:1px solid #ddd}
figcaption{font-size:.9rem;color:#333}
section{margin:2rem 0}
div.scroll{overflow-x:auto}
ul.notes{font-size:.85rem;color:#555}
@media print{nav{display:none}section{break-before:auto}}
"""
)


def _index(
    title: str, overview: str, sections: list[_Section], files: list[str], notes: list[str]
) -> str:
    toc = "".join(
        f'<li><a href="#s{i}">{html.escape(s.title)}</a></li>' for i, s in enumerate(sections, 1)
    )
    body = [
        f"<header><h1>{html.escape(title)}</h1>{overview}</header>",
        f'<nav><ul>{toc}<li><a href="#files">All files</a></li></ul></nav>',
    ]
    for index, section in enumerate(sections, 1):
        body.append(
            f'<section id="s{index}"><h2>{html.escape(section.title)}</h2>\n'
            f"{section.body}\n</section>"
        )
    listing = "".join(f"<li>{_link(name)}</li>" for name in sorted(files))
    body.append(
        f'<section id="files"><h2>All files</h2><ul>{listing}'
        f"<li>{_link(MANIFEST)} (what was made, and when)</li></ul>"
    )
    if notes:
        body.append(
            '<ul class="notes">' + "".join(f"<li>{html.escape(n)}</li>" for n in notes) + "</ul>"
        )
    body.append("</section>")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{INDEX_CSS.strip()}\n</style>\n</head>\n"
        "<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_report(
    corpus: Corpus, out: Path, *, rubric: str | None = None, profile: str | None = None
) -> ReportResult:
    """Write the report for ``corpus`` into ``out`` (replacing an earlier report there)."""
    out = Path(out)
    _check_target(out, corpus)
    matrix = build_matrix(corpus, rubric, profile=profile)
    out.parent.mkdir(parents=True, exist_ok=True)
    _clean_stale(out)
    staging = make_temp_dir(f".{out.name}.building-", out.parent)
    (staging / BUILDER).write_text(str(os.getpid()), encoding="ascii")
    files: list[str] = []
    notes: list[str] = []
    try:
        when = data_date(matrix)
        sections = [_figures(matrix, staging, files, notes), _tables(matrix, staging, files, when)]
        claims = _claims(corpus, matrix.rubric.id, matrix.profile, staging, files)
        if claims is not None:
            sections.append(claims)
        sections.append(_methods(corpus, matrix.rubric.id, staging, files))
        sections.append(_references(matrix, staging, files))
        title = f"{corpus.info.name}: risk-of-bias report"
        _write(
            staging,
            "index.html",
            _index(title, _overview(corpus, matrix), sections, files, notes),
            files,
        )
        manifest = {
            "generated": datetime.now(UTC).replace(microsecond=0).isoformat(),
            "appraise": __version__,
            "corpus": corpus.info.name,
            "rubric": matrix.rubric.id,
            "rubric_version": matrix.rubric.version,
            "profile": matrix.named_profile,
            "studies": len(matrix.rows),
            "files": {name: _sha256(staging / name) for name in sorted(files)},
            "notes": notes,
        }
        _write(staging, MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", [])
        (staging / BUILDER).unlink()
        # manifest.json carries the clock; leaving it out keeps the marker the same bytes on
        # a rerun. The manifest is still recognised as ours (see _foreign_files).
        written = {k: v for k, v in (_digests(staging) or {}).items() if k != MANIFEST}
        marker = {"made_by": MADE_BY, "files": written}
        _write(staging, MARKER, json.dumps(marker, indent=2) + "\n", [])
        _swap_in(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ReportResult(
        out, matrix.rubric.id, matrix.named_profile, len(matrix.rows), sorted(files), notes
    )
