"""Hostile input and hostile servers, tried as an attacker or an unlucky user would (issue 19).

Each case prepares files (JATS, PDF, YAML, JSON, CSV, identifiers, claims, corpus folders) or
a local server's behaviour (127.0.0.1 only), runs one `appraise` command in a child process
under a memory limit (RLIMIT_AS), and records:

* the exit code: 70 is a bug (an input a user can give must never cause one), as is a
  traceback, a death by signal (the memory limit) or no end within the time limit;
* data lost: every file of the user's (the corpus, their own files) is hashed before and after;
  one missing or changed that the command was not asked to write counts.

The figure is "cases tried / exit 70 (or crash) / data lost". Besides the hand-written cases, a
seeded batch mutates the shipped corpus's files (odd types, missing keys, deep nests) and runs
`check`, `table` and `show` on each. tests/hostile/test_suite.py runs the hand-written cases in
CI under the same memory limit.

    python3 benchmarks/hostile_cases.py            # every case and 150 mutations
    python3 benchmarks/hostile_cases.py --quick    # no slow-server cases, no mutations
    python3 benchmarks/hostile_cases.py --quick --in-process   # the same in one process (CI)
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # appraise, and the hostile files the tests build

from tests.hostile.bombs import (  # noqa: E402
    ascii85_bomb_pdf,
    encoded_flate_bomb_pdf,
    flate_bomb_pdf,
    lzw_bomb_pdf,
    run_length_bomb_pdf,
)

SHIPPED = ROOT / "corpus" / "iapt"
MEMORY_LIMIT = 3 * 2**30  # address space of one command: far above any honest run's needs
TIME_LIMIT = 120.0
SLOW_LIMIT = 660.0  # a server asking for long waits: twice the 300 s bound per source call
STUDY = "10.1111/bjc.12259"
STUDY_FILE = "10.1111_bjc.12259.yaml"


@dataclass
class Case:
    name: str
    family: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    protect: list[Path] = field(default_factory=list)  # the user's data: must survive
    stdin: str | None = None
    time_limit: float = TIME_LIMIT


@dataclass
class Outcome:
    name: str
    family: str
    code: int
    bug: bool
    lost: list[str]
    last_line: str
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return self.__dict__


# --- hostile files ------------------------------------------------------------------------
DEEP_JSON = "[" * 1000 + "]" * 1000
DEEP_YAML = "key: " + "[" * 1000 + "]" * 1000 + "\n"
YAML_BOMB = "\n".join(
    ['a0: &a0 ["lol"]']
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    + ["id: x"]
)
XML_BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(
        b'<!ENTITY a%d "%s">' % (i, (b"&a%d;" % (i - 1) if i > 1 else b"&a;") * 10)
        for i in range(1, 10)
    )
    + b"]><article>&a9;</article>"
)
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b"<article><body><p>&x;</p></body></article>"
)
DEEP_XML = b"<article>" + b"<sec>" * 5000 + b"</sec>" * 5000 + b"</article>"


# --- a hostile server ---------------------------------------------------------------------
def _gzip_bomb(mb: int) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9) as out:
        zeros = b"\0" * 2**20
        for _ in range(mb):
            out.write(zeros)
    return buffer.getvalue()


class _Hostile(BaseHTTPRequestHandler):
    """The first path segment says how to misbehave: /<behaviour>/works/<doi>..."""

    gzip_bomb = b""

    def do_GET(self) -> None:
        behaviour = self.path.strip("/").split("/", 1)[0]
        body, headers, status = b"{}", {"Content-Type": "application/json"}, 200
        if behaviour == "gzipbomb":
            body, headers["Content-Encoding"] = type(self).gzip_bomb, "gzip"
        elif behaviour == "huge":
            body = b'{"message": {"title": ["' + b"x" * (100 * 2**20) + b'"]}}'
        elif behaviour == "html":
            body, headers["Content-Type"] = b"<!doctype html><h1>Login</h1>", "text/html"
        elif behaviour == "truncated":
            body = b'{"status": "ok", "message": {"DOI": "10.1'
        elif behaviour == "deep":
            body = DEEP_JSON.encode()
        elif behaviour == "types":
            body = json.dumps(
                {"status": "ok", "message": {"DOI": 5, "title": {"a": 1}, "author": "x"}}
            ).encode()
        elif behaviour == "retryafter":
            status, headers["Retry-After"] = 429, "999999"
        elif behaviour == "ratereset":
            status, headers["X-RateLimit-Reset"] = 429, "99999999999"
        elif behaviour == "notfound":
            status = 404
        elif behaviour == "xmlbomb":
            body, headers["Content-Type"] = XML_BOMB, "application/xml"
        elif behaviour == "reset":
            self.connection.close()
            return
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with suppress(OSError):  # the client stopped reading: what the bounds are for
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def hostile_server() -> Iterator[str]:
    if not _Hostile.gzip_bomb:
        _Hostile.gzip_bomb = _gzip_bomb(1024)  # 1 MB on the wire, 1 GB inflated
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


# --- the cases ------------------------------------------------------------------------------
def _corpus(work: Path, name: str) -> Path:
    root = work / name
    shutil.copytree(SHIPPED, root)
    return root


# Servers that ask for long waits: each case waits out the caps (minutes), so they run in the
# full set only; tests/sources/test_http_bounds.py pins the caps with short settings.
SLOW_HTTP = ("retryafter", "ratereset")


def hand_cases(work: Path, server: str, quick: bool = False) -> list[Case]:
    cases: list[Case] = []

    def corpus_case(name: str, family: str, edit: Callable[[Path], list[str]]) -> None:
        root = _corpus(work, name)
        argv = edit(root)
        cases.append(Case(name, family, argv, protect=[root]))

    def file_case(name: str, family: str, filename: str, data: bytes, argv: list[str]) -> None:
        root = _corpus(work, name)
        path = work / f"{name}-{filename}"
        path.write_bytes(data)
        full = [part.replace("{file}", str(path)).replace("{corpus}", str(root)) for part in argv]
        cases.append(Case(name, family, full, protect=[root, path]))

    def replace(relative: str, text: str, argv: list[str]) -> Callable[[Path], list[str]]:
        def edit(root: Path) -> list[str]:
            target = root / relative if relative != "APPRAISAL" else _first_appraisal(root)
            target.write_text(text)
            return [part.replace("{corpus}", str(root)) for part in argv]

        return edit

    # YAML: deep, alias bomb, odd types, not YAML at all, in each kind of corpus file
    for kind, relative in (
        ("claims", "claims.yaml"),
        ("appraisal", "APPRAISAL"),
        ("record", f"records/{STUDY_FILE}"),
        ("corpus-info", "corpus.yaml"),
    ):
        for what, text in (
            ("deep", DEEP_YAML),
            ("alias-bomb", YAML_BOMB),
            ("odd-types", "id: [1, 2]\nclaims: 7\nstudy: {a: b}\nanswers: [x]\n"),
            ("not-yaml", "key: [unclosed\n\tbad: tab\n"),
            ("binary", "\x00\x01\x02 binary"),
        ):
            for command in (["check", "-c", "{corpus}"], ["table", "-c", "{corpus}"]):
                corpus_case(
                    f"yaml-{kind}-{what}-{command[0]}",
                    "YAML",
                    replace(relative, text, command),
                )
    corpus_case(
        "yaml-record-show-deep",
        "YAML",
        replace(f"records/{STUDY_FILE}", DEEP_YAML, ["show", STUDY, "-c", "{corpus}"]),
    )
    corpus_case(
        "yaml-claims-trace-deep",
        "YAML",
        replace("claims.yaml", DEEP_YAML, ["trace", "licbt-depression", "-c", "{corpus}"]),
    )
    file_case(
        "yaml-rubric-deep",
        "YAML",
        "rubric.yaml",
        DEEP_YAML.encode(),
        ["rubric", "validate", "{file}"],
    )
    file_case(
        "yaml-rubric-bomb",
        "YAML",
        "rubric.yaml",
        YAML_BOMB.encode(),
        ["rubric", "validate", "{file}"],
    )
    # JSON answers files
    for what, text in (
        ("deep", DEEP_JSON),
        ("list", "[1, 2, 3]"),
        ("odd", '{"1.1": [1, 2], "1.2": {"answer": null}, "domains": 5}'),
        ("nan", '{"1.1": NaN}'),
        ("truncated", '{"1.1": "Y", '),
        ("huge-number", '{"1.1": 1e999999}'),
    ):
        file_case(
            f"json-answers-{what}-evaluate",
            "JSON",
            "answers.json",
            text.encode(),
            ["rubric", "evaluate", "rob2", "--answers", "{file}"],
        )
        file_case(
            f"json-answers-{what}-assess",
            "JSON",
            "answers.json",
            text.encode(),
            ["assess", STUDY, "--rubric", "rob2", "--answers", "{file}", "-c", "{corpus}"],
        )
    # JATS and PDF documents given to propose
    for what, data in (
        ("deep", DEEP_XML),
        ("entity-bomb", XML_BOMB),
        ("xxe", XXE),
        ("truncated", b"<article><front><article-meta><title-group>"),
        ("empty", b""),
        ("not-xml", b"\x89PNG\r\n\x1a\n"),
    ):
        file_case(
            f"jats-{what}",
            "JATS",
            "paper.xml",
            data,
            ["propose", "--text", "{file}", "--rubric", "rob2"],
        )
    for what, data in (
        ("flate-bomb", flate_bomb_pdf(2048)),
        ("lzw-bomb", lzw_bomb_pdf(2048)),
        ("runlength-bomb", run_length_bomb_pdf(512)),
        ("flate-runlength-bomb", run_length_bomb_pdf(2048, deflate_first=True)),
        ("flate-ascii85-bomb", ascii85_bomb_pdf(2048)),
        ("ascii85-flate-bomb", encoded_flate_bomb_pdf(1024, "ASCII85Decode")),
        ("asciihex-flate-bomb", encoded_flate_bomb_pdf(1024, "ASCIIHexDecode")),
        ("truncated", flate_bomb_pdf(1)[:300]),
        ("garbage", b"%PDF-1.4\n" + bytes(range(256)) * 100),
        ("empty", b""),
    ):
        file_case(
            f"pdf-{what}",
            "PDF",
            "paper.pdf",
            data,
            ["propose", "--text", "{file}", "--rubric", "rob2"],
        )
    # CSV: robvis and Metapsy imports, reference lists
    for what, text in (
        ("formulas", 'Study,D1,D2,D3,D4,D5,Overall\n"=HYPERLINK(""x"")",Low,Low,Low,Low,Low,Low\n'),
        ("odd-cells", "Study,D1,D2,D3,D4,D5,Overall\nA,Lowish,1e309,,,,Maybe\n,,,\n"),
        ("bom-crlf", "\ufeffStudy,D1,D2,D3,D4,D5,Overall\r\nA,Low,Low,Low,Low,Low,Low\r\n"),
        ("binary", "\x00\x00\x00"),
        ("header-only", "Study,D1,D2,D3,D4,D5,Overall\n"),
    ):
        file_case(
            f"csv-robvis-{what}",
            "CSV",
            "rob.csv",
            text.encode(),
            ["import", "robvis", "{file}", "--rubric", "rob2", "-c", "{corpus}"],
        )
    for what, text in (
        ("odd", "study;rob_d1;rob_d2\nA;x;1e999\n;;\n"),
        ("no-columns", "a,b,c\n1,2,3\n"),
    ):
        file_case(
            f"csv-metapsy-{what}",
            "CSV",
            "db.csv",
            text.encode(),
            ["import", "metapsy", "{file}", "--rubric", "metapsy-rob", "-c", "{corpus}"],
        )
    for what, suffix, text in (
        ("csl-deep", "json", DEEP_JSON),
        ("csl-odd", "json", '[{"DOI": 5, "issued": "x"}, 7, null]'),
        ("ris-odd", "ris", "TY  - JOUR\nDO  - \x00\nER  -\n"),
        ("bib-odd", "bib", "@article{x, doi = {10.1111/../x}, title = {{{{\n"),
        ("bom-lines", "txt", "\ufeff10.1111/bjc.12259\n"),
    ):
        file_case(
            f"reflist-{what}",
            "CSV",
            f"refs.{suffix}",
            text.encode(),
            ["fetch", "--from", "{file}", "--offline", "-c", "{corpus}"],
        )
    # identifiers: checked before any request
    listing = work / "ids-with-nul.txt"
    listing.write_bytes(b"10.1111/bjc\x00.12259\n")  # a NUL cannot be an argument: a file
    root = _corpus(work, "id-nul")
    cases.append(
        Case(
            "id-nul-from-file",
            "identifiers",
            ["fetch", "--from", str(listing), "-c", str(root)],
            env=_servers(server, "notfound"),
            protect=[root, listing],
        )
    )
    for what, raw in (
        ("control", "10.1111/bjc\x1b[2J.12259"),
        ("crlf", "10.1111/bjc.12259\r\nX-Injected: 1"),
        ("dot-segments", "10.1111/../../works"),
        ("encoded-dots", "10.1111/%2E%2E/works"),
        ("double-encoded", "10.1111/%252E%252E/works"),
        ("empty", "   "),
        ("long", "10.1111/" + "x" * 5000),
    ):
        root = _corpus(work, f"id-{what}")
        cases.append(
            Case(
                f"id-{what}",
                "identifiers",
                ["fetch", raw, "-c", str(root)],
                env=_servers(server, "notfound"),
                protect=[root],
            )
        )
    # HTTP: a hostile server behind every source
    for behaviour in (
        "gzipbomb",
        "huge",
        "html",
        "truncated",
        "deep",
        "types",
        "notfound",
        "xmlbomb",
        "reset",
        *(() if quick else SLOW_HTTP),
    ):
        root = _corpus(work, f"http-{behaviour}")
        env = {**_servers(server, behaviour), "APPRAISE_HTTP_ATTEMPTS": "2"}
        cases.append(
            Case(
                f"http-{behaviour}",
                "HTTP",
                ["fetch", "10.1000/new.1", "10.1000/new.2", "--refresh", "-c", str(root)],
                env=env,
                protect=[root],
                # the documented bound: 300 s per source call, waits capped at 120 s each
                time_limit=SLOW_LIMIT if behaviour in SLOW_HTTP else TIME_LIMIT,
            )
        )
    for name, value in (("inf", "inf"), ("nan", "nan"), ("negative", "-1"), ("word", "soon")):
        root = _corpus(work, f"http-env-{name}")
        cases.append(
            Case(
                f"http-env-timeout-{name}",
                "HTTP",
                ["fetch", "10.1000/new.1", "-c", str(root)],
                env={**_servers(server, "notfound"), "APPRAISE_HTTP_TIMEOUT": value},
                protect=[root],
            )
        )
    # corpus folders: report into the corpus, a report folder with the user's files, links out
    root = _corpus(work, "report-into-corpus")
    cases.append(
        Case(
            "report-into-corpus",
            "folders",
            ["report", str(root), "--out", str(root)],
            protect=[root],
        )
    )
    root = _corpus(work, "report-into-parent")
    cases.append(
        Case(
            "report-into-parent",
            "folders",
            ["report", str(root), "--out", str(root.parent)],
            protect=[root],
        )
    )
    root = _corpus(work, "report-user-folder")
    mine = work / "my-folder"
    mine.mkdir()
    (mine / "manifest.json").write_text('{"files": {}}')
    (mine / "notes.txt").write_text("mine")
    cases.append(
        Case(
            "report-user-folder",
            "folders",
            ["report", str(root), "--out", str(mine)],
            protect=[root, mine],
        )
    )
    root = _corpus(work, "symlinked-records")
    outside = work / "outside-records"
    shutil.move(str(root / "records"), outside)
    (root / "records").symlink_to(outside)
    answers = work / "answers-for-link.json"
    answers.write_text('{"1.1": "Y"}')
    cases.append(
        Case(
            "symlinked-records-write",
            "folders",
            ["assess", STUDY, "--rubric", "rob2", "--answers", str(answers), "-c", str(root)],
            protect=[outside],
        )
    )
    # claims citing each other
    root = _corpus(work, "claims-cycle")
    (root / "claims.yaml").write_text(
        "claims:\n- id: a\n  text: A\n  made_in: {source: s}\n  cites:\n  - {target: claim:b, "
        "kind: supports}\n  - {target: 10.1111/bjc.12259, kind: supports}\n- id: b\n  text: B\n"
        "  made_in: {source: s}\n  cites:\n  - {target: claim:a, kind: supports}\n"
    )
    for argv in (["trace", "a"], ["trace", "b"], ["claims"], ["check"]):
        cases.append(
            Case(
                f"claims-cycle-{argv[0]}-{argv[-1]}",
                "claims",
                [*argv, "-c", str(root)],
                protect=[root],
            )
        )
    # invalid judgements published
    root = _corpus(work, "invalid-table")
    path = _first_appraisal(root)
    path.write_text(path.read_text().replace("judgement: High", "judgement: Lowish", 1))
    for argv in (["table", "-c", str(root)], ["report", str(root), "--out", str(work / "r-inv")]):
        cases.append(Case(f"invalid-corpus-{argv[0]}", "YAML", argv, protect=[root]))
    return cases


def _first_appraisal(root: Path) -> Path:
    return sorted((root / "appraisals").rglob("*.yaml"))[0]


def _servers(server: str, behaviour: str) -> dict[str, str]:
    return {
        f"APPRAISE_{name}_URL": f"{server}/{behaviour}"
        for name in ("CROSSREF", "OPENALEX", "EUROPEPMC", "PUBMED")
    }


# --- seeded mutations of the shipped corpus's files ---------------------------------------
_ODD: list[Any] = [
    None,
    True,
    0,
    -1,
    1e308,
    "",
    "x" * 300,
    [],
    {},
    [1, [2]],
    {"a": None},
    "=cmd|x",
    "\x1b[2J",
    "Lowish",
    "Maybe",
]


def _mutate(data: Any, rng: random.Random) -> Any:
    slots: list[tuple[Any, Any]] = []
    stack = [data]
    while stack:
        node = stack.pop()
        for key, value in list(node.items() if isinstance(node, dict) else enumerate(node)):
            slots.append((node, key))
            if isinstance(value, dict | list):
                stack.append(value)
    if not slots:
        return rng.choice(_ODD)
    for _ in range(rng.randint(1, 3)):
        container, key = rng.choice(slots)
        if isinstance(container, dict) and rng.random() < 0.3:
            container.pop(key, None)
        else:
            with suppress(IndexError, KeyError):
                container[key] = rng.choice(_ODD)
    return data


def mutation_cases(work: Path, count: int, seed: int = 19) -> list[Case]:
    rng = random.Random(seed)
    cases = []
    for number in range(count):
        root = _corpus(work, f"mutated-{number}")
        kind = rng.choice(["appraisal", "record", "claims"])
        path = {
            "appraisal": _first_appraisal(root),
            "record": root / "records" / STUDY_FILE,
            "claims": root / "claims.yaml",
        }[kind]
        path.write_text(yaml.safe_dump(_mutate(yaml.safe_load(path.read_text()), rng)))
        command = rng.choice(
            [["check"], ["table"], ["show", STUDY], ["claims"], ["trace", "licbt-depression"]]
        )
        cases.append(
            Case(
                f"mutated-{number}-{kind}-{command[0]}",
                "mutations",
                [*command, "-c", str(root)],
                protect=[root],
            )
        )
    return cases


# --- running them ------------------------------------------------------------------------------
def _digests(paths: list[Path]) -> dict[str, str]:
    found: dict[str, str] = {}
    for top in paths:
        files = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file())
        for path in files:
            if ".appraise" in path.parts:
                continue  # derived state (caches, indexes): safe to delete by design
            found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _in_process(case: Case, env: dict[str, str]) -> tuple[int, str]:
    """The case through appraise.cli.main.main in this process (one start-up for all)."""
    from appraise.cli.main import main as appraise_main

    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    err, out = io.StringIO(), io.StringIO()
    try:
        with redirect_stderr(err), redirect_stdout(out):
            code = appraise_main(list(case.argv))
    except BaseException as exc:  # SystemExit, MemoryError: what main should never let out
        code, err = 70, io.StringIO(f"Traceback: {type(exc).__name__}: {exc}")
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return code, err.getvalue()


def run_case(case: Case, work: Path, in_process: bool = False) -> Outcome:
    before = _digests(case.protect)
    started = time.perf_counter()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "APPRAISE_CACHE_DIR": str(work / "http-cache"),
        "MALLOC_ARENA_MAX": "2",  # threads' malloc arenas would count against RLIMIT_AS
        "COLUMNS": "120",
        **case.env,
    }
    env.pop("APPRAISE_CORPUS", None)
    if in_process:
        code, err = _in_process(case, env)
    else:
        code, err = _subprocess(case, env, work)
    after = _digests(case.protect)
    lost = sorted(path for path, digest in before.items() if after.get(path) != digest)
    lines = err.strip().splitlines()
    bug = code == 70 or code < 0 or "Traceback" in err or (code == 2 and len(lines) != 1)
    seconds = round(time.perf_counter() - started, 2)
    last = lines[-1][:200] if lines else ""
    return Outcome(case.name, case.family, code, bug, lost, last, seconds)


def _subprocess(case: Case, env: dict[str, str], work: Path) -> tuple[int, str]:
    try:
        done = subprocess.run(
            [sys.executable, "-m", "appraise", *case.argv],
            env=env,
            input=case.stdin or "",
            capture_output=True,
            text=True,
            errors="replace",
            timeout=case.time_limit,
            preexec_fn=_limit_memory,
            cwd=work,
        )
        return done.returncode, done.stderr
    except subprocess.TimeoutExpired:
        return -1, f"no end within {case.time_limit:g} s"


def run_all(quick: bool = False, mutations: int = 150, in_process: bool = False) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="appraise-hostile-") as folder, hostile_server() as url:
        work = Path(folder)
        cases = hand_cases(work, url, quick)
        if not quick:
            cases += mutation_cases(work, mutations)
        outcomes = [run_case(case, work, in_process) for case in cases]
    bugs = [o for o in outcomes if o.bug]
    lost = [o for o in outcomes if o.lost]
    return {
        "cases": len(outcomes),
        "exit_70_or_crash": len(bugs),
        "data_lost": len(lost),
        "memory_limit_mb": MEMORY_LIMIT // 2**20,
        "by_family": {
            family: sum(1 for o in outcomes if o.family == family)
            for family in sorted({o.family for o in outcomes})
        },
        "failures": [o.to_json() for o in bugs + lost],
        "outcomes": [o.to_json() for o in outcomes],
    }


def run(quick: bool = False) -> dict[str, Any]:
    """For benchmarks/run.py."""
    from common import metric

    result = run_all(quick=quick)
    return {
        "metrics": [
            metric("hostile cases tried", result["cases"], "cases"),
            metric("exit 70 or crash", result["exit_70_or_crash"], "cases"),
            metric("data lost", result["data_lost"], "cases"),
        ],
        "failures": result["failures"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="no slow servers, no mutations")
    parser.add_argument("--mutations", type=int, default=150)
    parser.add_argument("--json", type=Path, help="write every outcome to this file")
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="run every case in this process, itself under the memory limit (fast: CI)",
    )
    args = parser.parse_args()
    if args.in_process:
        sys.path.insert(0, str(ROOT))
        _limit_memory()
    result = run_all(quick=args.quick, mutations=args.mutations, in_process=args.in_process)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    for failure in result["failures"]:
        print(
            f"  {failure['name']}: exit {failure['code']}, lost {failure['lost']}: "
            f"{failure['last_line']}"
        )
    families = ", ".join(f"{k} {v}" for k, v in result["by_family"].items())
    print(
        f"cases tried / exit 70 / data lost: {result['cases']} / {result['exit_70_or_crash']} / "
        f"{result['data_lost']} ({families}; each under a {result['memory_limit_mb']} MB "
        "address-space limit)"
    )
    return 0 if not result["failures"] else 1


if __name__ == "__main__":
    sys.exit(main())
