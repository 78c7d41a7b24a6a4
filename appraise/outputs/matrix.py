"""The studies x domains matrix every output is drawn from.

Which appraisal represents a study follows :func:`appraise.appraisals.select_appraisals`
(consensus > complete > latest); studies are named 'Author Year' (with a/b suffixes when two
studies share a name) and put in a stable order the user chooses.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from appraise.appraisals import default_rubric, final_domains, final_overall, select_appraisals
from appraise.corpus import Corpus
from appraise.errors import InputError, NotFoundError
from appraise.files import read_text
from appraise.ids import parse_identifier
from appraise.models import Appraisal, StudyRecord
from appraise.models.rubric import Domain, Rubric
from appraise.outputs.palette import BEYOND_SCALE
from appraise.rubrics import Engine, load_rubric

Order = Literal["input", "year", "author", "judgement"]
ORDERS: tuple[str, ...] = ("input", "year", "author", "judgement")

NOT_JUDGED = "Not yet judged"


@dataclass(frozen=True)
class Level:
    """How one judgement word is shown: its symbol (never colour alone) and its colours."""

    label: str
    severity: int
    symbol: str
    colour: str
    colourblind: str
    on_scale: bool = True

    def fill(self, palette: str) -> str:
        return self.colourblind if palette == "colourblind" else self.colour

    @property
    def display(self) -> str:
        """The word with its symbol, e.g. 'Some concerns (-)', for tables."""
        return f"{self.label} ({self.symbol})" if self.symbol else self.label


class Scale:
    """The rubric's judgement levels, plus the words robvis accepts beyond some scales
    (No information, Not applicable) and a level for domains not judged yet."""

    def __init__(self, rubric: Rubric) -> None:
        levels = [
            Level(lvl.label, lvl.severity, lvl.symbol, lvl.colour, lvl.colourblind)
            for lvl in sorted(rubric.scale, key=lambda lvl: lvl.severity)
        ]
        worst = max(lvl.severity for lvl in levels)
        # robvis' own colours for these words (its colour-blind white gets an outline).
        extras = [
            Level(label, worst + rank, symbol, colour, colourblind, on_scale=False)
            for rank, (label, (symbol, colour, colourblind)) in enumerate(BEYOND_SCALE.items(), 1)
        ]
        self.scale = levels
        self.by_label = {lvl.label: lvl for lvl in levels}
        for extra in extras:
            self.by_label.setdefault(extra.label, extra)
        self.not_judged = Level(NOT_JUDGED, worst + 3, "", "#ffffff", "#ffffff", on_scale=False)

    @property
    def robvis_words(self) -> list[str]:
        """Every word a robvis CSV may use for this rubric, best first."""
        return sorted(self.by_label, key=lambda label: self.by_label[label].severity)

    def level(self, label: str | None) -> Level:
        if label is None:
            return self.not_judged
        found = self.by_label.get(label)
        if found is None:  # a word stored by hand that no scale knows: shown, never hidden
            return Level(label, self.not_judged.severity, "?", "#999999", "#999999", False)
        return found

    def in_order(self, labels: Iterable[str | None]) -> list[Level]:
        """The distinct levels among ``labels``, in severity order (for legends)."""
        unique = {self.level(label).label: self.level(label) for label in labels}
        return sorted(unique.values(), key=lambda lvl: (lvl.severity, lvl.label))


@dataclass(frozen=True)
class DomainColumn:
    id: str
    name: str
    short: str

    @property
    def caption(self) -> str:
        return f"{self.id}: {self.short}"


@dataclass(frozen=True)
class StudyRow:
    study: str
    name: str
    record: StudyRecord | None
    appraisal: Appraisal
    domains: dict[str, str | None]
    overall: str | None
    overall_by_rule: bool = False  # no overall was stored; the rubric's rule gave it

    @property
    def weight(self) -> float | None:
        return self.appraisal.weight

    @property
    def year(self) -> int | None:
        return self.record.year if self.record else None


@dataclass(frozen=True)
class Matrix:
    rubric: Rubric
    profile: str
    domains: list[DomainColumn]
    rows: list[StudyRow]
    scale: Scale

    @property
    def has_weights(self) -> bool:
        return any(row.weight is not None for row in self.rows)

    @property
    def named_profile(self) -> str | None:
        """The profile, for a rubric that has profiles to choose from (only those name one)."""
        return self.profile if self.rubric.profiles else None

    def domain_name(self, domain_id: str) -> str:
        return next((d.name for d in self.domains if d.id == domain_id), domain_id)


# --- choosing the rubric and the appraisals ------------------------------------------------
def rubric_counts(corpus: Corpus) -> Counter[str]:
    """How many appraisal files each rubric has (read from the file names: no parsing)."""
    return Counter(corpus.appraisal_rubrics())


def base_name(record: StudyRecord | None, study_id: str) -> str:
    """'Author Year' for a study; a record without authors (e.g. imported from robvis) is
    named by its title, so 'Study 1' stays 'Study 1'."""
    if record is None:
        return study_id
    if record.authors:
        return record.label
    name = record.title or record.id
    if record.year and not name.endswith(str(record.year)):
        name = f"{name} {record.year}"
    return name


def disambiguate(names: dict[str, str]) -> dict[str, str]:
    """study id -> unique name: studies sharing a name get a, b, c... in study-id order."""
    groups: dict[str, list[str]] = {}
    for study, name in names.items():
        groups.setdefault(name, []).append(study)
    unique: dict[str, str] = {}
    for name, studies in groups.items():
        if len(studies) == 1:
            unique[studies[0]] = name
            continue
        for index, study in enumerate(sorted(studies)):
            unique[study] = f"{name}{_suffix(index)}"
    return unique


def _suffix(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("a") + rem) + letters
    return letters


def _read_record(corpus: Corpus, study: str) -> StudyRecord | None:
    path = corpus.record_path(study)
    if path.exists():
        return corpus.load(path, StudyRecord)
    return corpus.find_record(study)


def _aware(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.max.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def order_rows(rows: Sequence[StudyRow], order: str, scale: Scale) -> list[StudyRow]:
    """Stable orders: input (when the appraisal was first written, e.g. robvis row order),
    year, author (by name), judgement (overall, best first). Ties fall back to the name."""
    if order not in ORDERS:
        raise InputError(f"unknown order '{order}'", fix="use one of: " + ", ".join(ORDERS))

    def by_name(row: StudyRow) -> tuple[str, str]:
        return (row.name.casefold(), row.study)

    if order == "input":
        return sorted(rows, key=lambda r: (_aware(r.appraisal.created), *by_name(r)))
    if order == "year":
        return sorted(rows, key=lambda r: (r.year is None, r.year or 0, *by_name(r)))
    if order == "author":
        return sorted(rows, key=by_name)
    return sorted(rows, key=lambda r: (scale.level(r.overall).severity, *by_name(r)))


def _domain_columns(rubric: Rubric, appraisals: Sequence[Appraisal]) -> list[DomainColumn]:
    """The domains in force for the options most of the appraisals used (RoB 2's effect)."""
    options = Counter(tuple(sorted(a.options.items())) for a in appraisals)
    chosen = dict(options.most_common(1)[0][0]) if options else {}
    try:
        domains: list[Domain] = rubric.domains_for(chosen)
    except KeyError:
        domains = rubric.domains_for()
    return [DomainColumn(d.id, d.name, d.short or d.name) for d in domains]


def build_matrix(
    corpus: Corpus,
    rubric: str | None = None,
    *,
    studies: Sequence[str] | None = None,
    order: str | None = None,
    profile: str | None = None,
) -> Matrix:
    """Read the corpus once and build the matrix. ``studies`` (ids or names) selects and, when
    no ``order`` is given, orders the rows; otherwise ``order`` defaults to 'input'."""
    if not corpus.appraisal_paths():
        raise NotFoundError(
            f"{corpus.root} has no appraisals",
            fix="appraise some studies first, or import a robvis CSV with "
            "`appraise import robvis FILE --rubric RUBRIC`",
        )
    rub = load_rubric(rubric or default_rubric(corpus))
    corpus.preload(  # what `check` already read is not read again
        [(path, Appraisal) for path in corpus.appraisal_paths() if corpus.rubric_of(path) == rub.id]
        + [(path, StudyRecord) for path in corpus.record_paths()]
    )
    chosen = select_appraisals(corpus, rub.id, per="study")
    if not chosen:
        present = ", ".join(sorted(rubric_counts(corpus))) or "none"
        raise NotFoundError(
            f"no {rub.id} appraisals in {corpus.root} (rubrics with appraisals: {present})",
            fix="choose another rubric with --rubric, or appraise or import studies first",
        )
    appraisals = [stored.appraisal for stored in chosen]
    used_profile = profile or Counter(a.profile for a in appraisals).most_common(1)[0][0]
    engine = Engine(rub, profile=used_profile)
    columns = _domain_columns(rub, appraisals)
    records = {a.study: _read_record(corpus, a.study) for a in appraisals}
    names = disambiguate({a.study: base_name(records[a.study], a.study) for a in appraisals})
    scale = Scale(rub)
    rows: list[StudyRow] = []
    for appraisal in appraisals:
        domains = final_domains(appraisal)
        cells = {col.id: domains.get(col.id) for col in columns}
        overall = final_overall(appraisal)
        by_rule = False
        if overall is None and all(v is not None for v in cells.values()):
            overall, _ = engine.overall_from(cells)
            by_rule = overall is not None
        rows.append(
            StudyRow(
                appraisal.study,
                names[appraisal.study],
                records[appraisal.study],
                appraisal,
                cells,
                overall,
                by_rule,
            )
        )
    if studies:
        rows = _pick(rows, studies)
        if order is not None:
            rows = order_rows(rows, order, scale)
    else:
        rows = order_rows(rows, order or "input", scale)
    return Matrix(rub, used_profile, columns, rows, scale)


def study_selection(values: Sequence[str]) -> list[str]:
    """The studies a user named: each value is one label, taken whole (so 'Aagaard, 2017'
    stays one study), or the path of a file of labels, one per line ('#' starts a comment)."""
    wanted: list[str] = []
    for value in values:
        path = Path(value)
        if path.is_file():
            lines = (line.strip() for line in read_text(path).splitlines())
            wanted += [line for line in lines if line and not line.startswith("#")]
        elif value.strip():
            wanted.append(value.strip())
    return wanted


def _pick(rows: Sequence[StudyRow], wanted: Sequence[str]) -> list[StudyRow]:
    by_key: dict[str, StudyRow] = {}
    for candidate in rows:
        by_key.setdefault(candidate.study.lower(), candidate)
        by_key.setdefault(candidate.name.casefold(), candidate)

    def find(key: str) -> StudyRow | None:
        row = by_key.get(key.strip().lower()) or by_key.get(key.strip().casefold())
        if row is None:
            try:
                row = by_key.get(str(parse_identifier(key)).lower())
            except InputError:
                row = None
        return row

    picked: dict[str, StudyRow] = {}
    for key in wanted:
        found = find(key)
        # A label is taken whole first; 'a,b' naming two studies still selects both.
        matches = [found] if found else [find(part) for part in key.split(",") if part.strip()]
        if not matches or None in matches:
            raise NotFoundError(
                f"no appraised study '{key}' for this rubric",
                fix="give a study id or its 'Author Year' name as `appraise table` prints it, "
                "or a file of them, one per line",
            )
        for row in matches:
            if row is not None:
                picked.setdefault(row.study, row)
    return list(picked.values())
