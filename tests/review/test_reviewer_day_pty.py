"""A reviewer's day at a real terminal: `appraise` run in a pseudo-terminal (pexpect) and typed
at as a reviewer types, offline, on a study added from a JATS article in ../shared.

Two reviewers appraise one result (accept, change, comment, quote, back, stop, resume,
Ctrl-C, override with a reason), then agree, consensus, check and methods; every step asserts
what landed in the YAML files.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from appraise.corpus import Corpus
from appraise.files import load_model
from appraise.models import Appraisal
from tests.conftest import ROOT, shared_path

pexpect = pytest.importorskip(
    "pexpect", reason="the pty test needs pexpect (pip install -e '.[test]')"
)

ARTICLE = ("data", "oa-trials", "PMC1201146.xml")  # Baer et al. 2005, a double-blind RCT
STUDY = "10.1186/1471-2474-6-44"
RESULT = "WOMAC pain, 6 weeks"
QUOTE = "The study kits were prepared, labelled and numbered"
COMMENT = "kits numbered by an outside consultant"
REASON = "the solution's skin dryness could unblind participants"
# A step asks 'LABEL [CHOICES] (Enter = DEFAULT): ' (no default: nothing to accept).
PROMPT = re.compile(r"(\S+) \[([^\]\r\n]+)\](?: \(Enter = ([^)\r\n]+)\))?: ")
WHY = re.compile(r"why (.+?) rather than (.+?)\? \(required\): ")
TIMEOUT = 60


@dataclass
class Step:
    label: str  # a question id, or 'judgement'
    default: str | None
    shown: str  # what was printed since the previous prompt, spaces and line breaks as one
    domain: str | None  # for a judgement: D1..D5 or Overall


class Terminal:
    """One `appraise` command in a pseudo-terminal, read prompt by prompt."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "appraise", *args],
            env=env,
            cwd=str(cwd),
            encoding="utf-8",
            timeout=TIMEOUT,
            dimensions=(50, 250),
        )
        self.transcript = ""

    def next_step(self) -> Step | None:
        """The next prompt, or None when the command ended."""
        index = self.child.expect([PROMPT, pexpect.EOF])
        shown = self.child.before or ""
        self.transcript += shown
        if index == 1:
            return None
        match = self.child.match
        self.transcript += match.group(0)
        domain = None
        if match.group(1) == "judgement":
            found = re.findall(r"Judgement for (D\d)|(Overall) judgement", shown)
            domain = next(filter(None, found[-1])) if found else None
        # Rich wraps at the terminal's width: compare words, not line breaks.
        return Step(match.group(1), match.group(3), " ".join(shown.split()), domain)

    def type(self, text: str) -> None:
        self.child.sendline(text)

    def expect(self, pattern: str | re.Pattern[str]) -> str:
        self.child.expect(pattern)
        seen = (self.child.before or "") + self.child.match.group(0)
        self.transcript += seen
        return seen

    def ctrl_c(self) -> None:
        self.child.sendintr()

    def finish(self) -> int:
        self.child.expect(pexpect.EOF)
        self.transcript += self.child.before or ""
        self.child.close()
        return int(self.child.exitstatus if self.child.exitstatus is not None else -1)


Reply = Callable[[Step], str]


def answer_by_hand(step: Step) -> str:
    """Enter where something is offered; else the reviewer's own answer."""
    if step.default is not None:
        return ""
    return "Some concerns" if step.label == "judgement" else "N"


@pytest.fixture
def day(tmp_path: Path) -> Iterator[tuple[Corpus, dict[str, str]]]:
    """A new corpus with the article added, and an environment with no network at all."""
    root = tmp_path / "review"
    root.mkdir()
    (root / "corpus.yaml").write_text("name: review\ndefault_rubric: rob2\n", encoding="utf-8")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("APPRAISE_") or key == "APPRAISE_SHARED"
    }
    env.update(
        PYTHONPATH=str(ROOT),
        APPRAISE_CORPUS=str(root),
        APPRAISE_CACHE_DIR=str(tmp_path / "cache"),
        TERM="dumb",
        NO_COLOR="1",
        COLUMNS="250",
    )
    for source in ("CROSSREF", "OPENALEX", "EUROPEPMC", "PUBMED"):
        env[f"APPRAISE_{source}_URL"] = "http://127.0.0.1:9"  # any request would fail at once
    article = tmp_path / "baer2005.xml"
    shutil.copyfile(shared_path(*ARTICLE), article)
    added = subprocess.run(
        [sys.executable, "-m", "appraise", "add", str(article), "--no-input"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert added.returncode == 0, added.stderr
    assert f"added {STUDY}: Baer et al. 2005" in added.stdout
    yield Corpus(root), env


def assess(env: dict[str, str], cwd: Path, reviewer: str) -> Terminal:
    args = ["assess", STUDY, "--rubric", "rob2", "--result", RESULT, "--reviewer", reviewer]
    return Terminal(args, env, cwd)


def appraisal(corpus: Corpus, reviewer: str) -> Appraisal:
    return load_model(corpus.appraisal_path(STUDY, "rob2", RESULT, reviewer), Appraisal)


def walk(terminal: Terminal, reply: Reply) -> list[Step]:
    """Answer every prompt with ``reply``; a judgement changed is given REASON when asked."""
    steps = []
    while (step := terminal.next_step()) is not None:
        steps.append(step)
        text = reply(step)
        terminal.type(text)
        if step.label == "judgement" and text and text != step.default:
            terminal.expect(WHY)
            terminal.type(REASON)
    return steps


def run(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "appraise", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def test_a_reviewers_day_at_the_terminal(
    day: tuple[Corpus, dict[str, str]], tmp_path: Path
) -> None:
    corpus, env = day
    cwd = tmp_path  # the corpus is found through $APPRAISE_CORPUS

    # --- ann, first sitting: accept, comment, back, quote, change, stop -------------------
    ann = assess(env, cwd, "ann")
    first = ann.next_step()
    assert first is not None and (first.label, first.default) == ("1.1", "Y")
    assert "proposed: Y" in first.shown and "computer-generated randomisation" in first.shown
    ann.type("")  # accept 1.1
    step = ann.next_step()
    assert step is not None and step.label == "1.2"
    ann.type(f"c {COMMENT}")
    assert "comment kept" in ann.expect("comment kept")
    step = ann.next_step()
    assert step is not None and step.label == "1.2"
    ann.type("b")  # back to 1.1: the comment on 1.2 must not be lost
    step = ann.next_step()
    assert step is not None and step.label == "1.1" and "your answer so far: Y" in step.shown
    ann.type("")
    step = ann.next_step()
    assert step is not None and step.label == "1.2" and COMMENT in step.shown
    ann.type(f"q {QUOTE}")
    assert "found in" in ann.expect(r"quote kept \(found in [^)]+\)")
    step = ann.next_step()
    assert step is not None and step.label == "1.2"
    ann.type("PY")  # change the proposed Y
    step = ann.next_step()
    assert step is not None and step.label == "1.3"
    ann.type("")
    step = ann.next_step()
    assert step is not None
    assert (step.label, step.domain, step.default) == ("judgement", "D1", "Low")
    ann.type("")
    step = ann.next_step()
    assert step is not None and step.label == "2.1"
    ann.type("s")  # stop for lunch
    assert ann.finish() == 0
    assert "(in-progress; " in ann.transcript

    saved = appraisal(corpus, "ann")
    assert saved.answers["1.1"].answer == "Y" and saved.answers["1.1"].confirmed
    q12 = saved.answers["1.2"]
    assert (q12.answer, q12.proposed, q12.confirmed) == ("PY", "Y", True)
    assert COMMENT in (q12.comment or "")
    assert any(q.text == QUOTE and q.start is not None for q in q12.quotes)
    assert saved.domains["D1"].judgement == "Low"
    assert not saved.answers["2.1"].confirmed

    # --- ann, second sitting: resume at 2.1, answer two, Ctrl-C --------------------------
    ann = assess(env, cwd, "ann")
    step = ann.next_step()
    assert step is not None and step.label == "2.1"  # resumed where she stopped
    ann.type("")
    step = ann.next_step()
    assert step is not None and step.label == "2.2"
    ann.type("")
    step = ann.next_step()
    assert step is not None
    interrupted_at = step.label
    ann.ctrl_c()
    assert ann.finish() == 130
    assert "interrupted; everything saved before now is kept" in ann.transcript
    saved = appraisal(corpus, "ann")
    assert saved.answers["2.1"].confirmed and saved.answers["2.2"].confirmed
    assert COMMENT in (saved.answers["1.2"].comment or "")  # nothing earlier was lost

    # --- ann, third sitting: resume after the interrupt, override D2 with a reason -------
    ann = assess(env, cwd, "ann")

    def ann_replies(step: Step) -> str:
        if step.label == "judgement" and step.domain == "D2":
            return "High"
        return answer_by_hand(step)

    steps = walk(ann, ann_replies)
    assert steps[0].label == interrupted_at
    for step in steps:  # what is shown as proposed is what Enter accepts, and nothing else
        proposed = re.search(r"proposed: (\S+)", step.shown)
        if step.label != "judgement":
            assert (proposed[1] if proposed else None) == step.default, step.shown
    assert any(s.default is None and "answer by hand" in s.shown for s in steps)
    assert ann.finish() == 0
    assert "(complete)" in ann.transcript
    saved = appraisal(corpus, "ann")
    assert saved.status == "complete"
    d2 = saved.domains["D2"]
    assert (d2.proposed, d2.judgement, d2.override_reason) == ("Low", "High", REASON)
    assert saved.answers["1.2"].answer == "PY"
    assert QUOTE in [q.text for q in saved.answers["1.2"].quotes]

    # --- bob, the second reviewer, independently: accepts what is proposed ---------------
    bob = assess(env, cwd, "bob")
    walk(bob, answer_by_hand)
    assert bob.finish() == 0
    assert appraisal(corpus, "bob").status == "complete"

    # --- agree: the statistics, the warning for one result, the disagreements ----------
    agreed = run(env, cwd, "agree")
    assert agreed.returncode == 0, agreed.stderr
    assert "rob2: ann and bob" in agreed.stdout
    assert "only 1 result(s) appraised by both" in agreed.stderr
    assert re.search(r"D2\s.*High\s.*Low", agreed.stdout)  # listed as a disagreement

    # --- consensus: only the disagreements are asked ----------------------------------
    consensus = Terminal(
        ["consensus", STUDY, "--rubric", "rob2", "--reviewers", "ann,bob", "--result", RESULT],
        env,
        cwd,
    )
    asked = walk(consensus, lambda step: "PY" if step.label == "1.2" else answer_by_hand(step))
    assert consensus.finish() == 0
    labels = [s.label for s in asked]
    assert "1.2" in labels and "1.1" not in labels and "1.3" not in labels
    counted = re.search(r"(\d+) question\(s\) and (\d+) judgement\(s\) to settle", asked[0].shown)
    assert counted is not None  # the count announced is what is then asked
    judged = labels.count("judgement")
    assert (int(counted[1]), int(counted[2])) == (len(labels) - judged, judged)
    assert any(s.domain == "D2" for s in asked)
    settled = next(s for s in asked if s.label == "1.2")
    assert "ann: PY" in settled.shown and "bob: Y" in settled.shown and QUOTE in settled.shown
    final = load_model(corpus.appraisal_path(STUDY, "rob2", RESULT, "consensus"), Appraisal)
    assert final.status == "complete" and final.reviewer == "consensus"
    assert final.answers["1.2"].answer == "PY"
    assert QUOTE in [q.text for q in final.answers["1.2"].quotes]
    assert COMMENT in (final.answers["1.2"].comment or "")  # ann's comment, carried over
    assert final.answers["1.1"].quotes  # agreed answers keep their evidence

    # --- check and methods ---------------------------------------------------------------
    checked = run(env, cwd, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "ok: 1 record, 3 appraisals checked" in checked.stdout
    methods = run(env, cwd, "methods")
    assert methods.returncode == 0, methods.stderr
    assert "RoB 2" in methods.stdout and "Baer et al. 2005" in methods.stdout
    assert "two reviewers" in methods.stdout and "consensus" in methods.stdout


def test_add_asks_at_a_terminal_for_what_the_file_does_not_say(
    day: tuple[Corpus, dict[str, str]], tmp_path: Path
) -> None:
    corpus, env = day
    text = tmp_path / "roe.md"
    text.write_text("# Brief therapy for panic\n\nParticipants were randomised.\n", "utf-8")
    terminal = Terminal(["add", str(text)], env, tmp_path)
    terminal.expect(r"authors \(e\.g\. Smith, Jane; Doe, J\): ")
    terminal.type("Roe, Jane")
    terminal.expect(r"year \(Enter to leave it empty\): ")
    terminal.type("2021")
    assert terminal.finish() == 0
    assert "added ref:roe-2021-" in terminal.transcript
    added = next(r for r in corpus.iter_records() if r.id.startswith("ref:roe-2021-"))
    assert (added.title, added.label) == ("Brief therapy for panic", "Roe 2021")
    assert added.sources == {"title": "document", "authors": "manual", "year": "manual"}
