"""`appraise methods`: the methods paragraph a review reports (PRISMA 2020 item 11)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appraise.app.workspace import open_corpus


@dataclass
class Methods:
    rubric: str | None
    """The rubric asked for (None: every rubric the corpus's appraisals use)."""
    paragraph: str

    def to_json(self) -> dict[str, Any]:
        return {"rubric": self.rubric, "paragraph": self.paragraph}


def methods(corpus: Path | None = None, rubric: str | None = None) -> Methods:
    """A ready-to-paste paragraph: tools, versions, reviewers, how disagreements were settled."""
    from appraise.review.methods import methods_paragraph

    return Methods(rubric, methods_paragraph(open_corpus(corpus), rubric))
