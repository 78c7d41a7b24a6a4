"""robvis CSV in and out: ``Study,D1..Dn,Overall[,Weight]``, one row per study, in order.

robvis (McGuinness & Higgins 2020) reads domain columns by position. For RoB 2 and ROBINS-I the
headers are D1..Dn; its ROB1 ('Generic') template names each column after its domain, so for
rob1 we write the domain names and read any subset of them, in any order. Judgements are read as
robvis reads them, by their first letter in any case ('some concerns', 'low risk', 'L'); with
``strict`` they must be spelt exactly as robvis spells them. Every bad cell is reported at once,
by line and column.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from appraise.corpus import Corpus
from appraise.errors import InputError
from appraise.ids import slug
from appraise.models import OVERALL, Appraisal, Judgement, StudyRecord
from appraise.models.rubric import Rubric
from appraise.outputs.cells import from_spreadsheet_text, spreadsheet_row
from appraise.outputs.matrix import Matrix, Scale, base_name, disambiguate
from appraise.rubrics import Engine

IMPORT_REVIEWER = "robvis-import"
_NAMED_HEADERS = {"rob1"}  # robvis' ROB1/Generic template: columns named after the domains


# --- writing ---------------------------------------------------------------------------
def robvis_headers(
    rubric: Rubric, domain_ids: Sequence[str], short_names: Sequence[str]
) -> list[str]:
    if rubric.id in _NAMED_HEADERS:
        return ["Study", *short_names, OVERALL]
    return ["Study", *domain_ids, OVERALL]


def format_weight(weight: float | None) -> str:
    """Shortest text that reads back as the same number ('25' stays '25', not '25.0')."""
    if weight is None:
        return ""
    return str(int(weight)) if weight.is_integer() else repr(weight)


def robvis_csv(matrix: Matrix) -> str:
    """The matrix as robvis reads it; Weight only when some study has one."""
    headers = robvis_headers(
        matrix.rubric, [d.id for d in matrix.domains], [d.short for d in matrix.domains]
    )
    weighted = matrix.has_weights
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*headers, "Weight"] if weighted else headers)
    for row in matrix.rows:
        cells = [row.domains.get(d.id) or "" for d in matrix.domains]
        line = spreadsheet_row([row.name, *cells, row.overall or ""])
        writer.writerow([*line, format_weight(row.weight)] if weighted else line)
    return out.getvalue()


# --- reading ---------------------------------------------------------------------------
@dataclass(frozen=True)
class RobvisRow:
    line: int  # 1-based line in the file, for messages
    study: str
    domains: dict[str, str]
    overall: str | None
    weight: float | None


@dataclass
class RobvisTable:
    rows: list[RobvisRow]
    has_overall: bool
    has_weight: bool
    domains: list[str] = field(default_factory=list)  # the domains the file rates


def read_judgement(value: str, words: Sequence[str]) -> str | None:
    """A judgement cell read as robvis reads it, by its first letter in any case ('some
    concerns', 'low risk', 'L', 'high'); a whole word or a word it begins with wins first, and
    'NA' is Not applicable. None when no word fits."""
    text = value.strip().lower()
    if not text:
        return None
    for word in words:
        if word.lower() == text:
            return word
    if text in ("na", "n/a") and "Not applicable" in words:
        return "Not applicable"
    prefixed = [w for w in words if text.startswith(w.lower()) or w.lower().startswith(text)]
    if len(prefixed) == 1:
        return prefixed[0]
    initial = [w for w in words if w[0].lower() == text[0]]
    return initial[0] if initial else None  # robvis: 'n' is No information


def _strict_word(value: str, allowed: Sequence[str]) -> str | None:
    """The problem with a cell under --strict (words spelt exactly as robvis spells them)."""
    if value in allowed:
        return None
    close = difflib.get_close_matches(value, allowed, n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"'{value}' is not a robvis judgement for this rubric{hint}"


def _header_key(name: str) -> str:
    """'Random.sequence.generation.' (robvis' R names) and 'Random sequence generation' meet."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _named_columns(rubric: Rubric, names: Sequence[str], source: str, expected: str) -> list[str]:
    """RoB 1 / generic template: each column is a domain named by its short name, full name or
    id; any subset of the domains, in any order."""
    by_key: dict[str, str] = {}
    for dom in rubric.domains_for():
        for label in (dom.id, dom.short or "", dom.name):
            if label:
                by_key.setdefault(_header_key(label), dom.id)
    found: list[str] = []
    for index, name in enumerate(names, start=2):
        domain = by_key.get(_header_key(name))
        if domain is None:
            raise InputError(
                f"{source}, line 1, column {index}: '{name}' is not a {rubric.id} domain",
                fix=f"name the columns as robvis' template does: {expected}[,Weight]",
            )
        if domain in found:
            raise InputError(
                f"{source}, line 1, column {index}: domain '{name}' appears twice",
                fix="give each domain one column",
            )
        found.append(domain)
    if not found:
        raise InputError(
            f"{source}, line 1: no domain columns", fix=f"use robvis' header: {expected}[,Weight]"
        )
    return found


def parse_robvis(
    text: str, rubric: Rubric, source: str = "robvis CSV", *, strict: bool = False
) -> RobvisTable:
    """Read robvis CSV text (BOM, CRLF and quoting tolerated). Judgements are read as robvis
    reads them (first letter, any case) unless ``strict``; every bad cell is reported in one
    error naming its line and column."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise InputError(f"{source} is empty", fix="give a robvis CSV: Study,D1..Dn,Overall")
    header = [cell.strip() for cell in rows[0]]
    domain_ids = [d.id for d in rubric.domains_for()]
    n_domains = len(domain_ids)
    expected = ",".join(
        robvis_headers(rubric, domain_ids, [d.short or d.name for d in rubric.domains_for()])
    )
    if not header or header[0].lower() != "study":
        first = header[0] if header else ""
        raise InputError(
            f"{source}, line 1: the first column must be 'Study' (found '{first}')",
            fix=f"use robvis' header for {rubric.id}: {expected}[,Weight]",
        )
    rest = header[1:]
    has_weight = bool(rest) and rest[-1].lower() in ("weight", "weights")
    if has_weight:
        rest = rest[:-1]
    has_overall = bool(rest) and rest[-1].lower() == "overall"
    if has_overall:
        rest = rest[:-1]
    named = rubric.id in _NAMED_HEADERS
    if named:
        columns = _named_columns(rubric, rest, source, expected)
    else:
        if len(rest) != n_domains:
            raise InputError(
                f"{source}, line 1: {len(rest)} domain columns, but {rubric.id} has {n_domains}",
                fix=f"use robvis' header for {rubric.id}: {expected}[,Weight]",
            )
        for index, (name, domain) in enumerate(zip(rest, domain_ids, strict=True), start=2):
            if name.upper() != domain:
                raise InputError(
                    f"{source}, line 1, column {index}: expected '{domain}', found '{name}'",
                    fix=f"use robvis' header for {rubric.id}: {expected}[,Weight]",
                )
        columns = domain_ids
    if len(rows) == 1:
        raise InputError(f"{source} has a header but no studies", fix="add one row per study")
    words = Scale(rubric).robvis_words
    width = len(header)
    parsed: list[RobvisRow] = []
    problems: list[str] = []
    first_line: dict[str, int] = {}

    def judgement(cell: str, where: str, optional: bool) -> str | None:
        given = cell.strip()
        if not given:
            if not optional:
                problems.append(f"{where}: empty")
            return None
        if strict:
            problem = _strict_word(given, words)
            if problem:
                problems.append(f"{where}: {problem}")
                return None
            return given
        word = read_judgement(given, words)
        if word is None:
            problems.append(f"{where}: '{given}' is not a robvis judgement for this rubric")
        return word

    for line_no, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != width:
            problems.append(f"line {line_no}: {len(cells)} columns, the header has {width}")
            continue
        study = from_spreadsheet_text(cells[0].strip())
        if not study:
            problems.append(f"line {line_no}, column Study: empty")
            continue
        if study in first_line:
            problems.append(f"line {line_no}: study '{study}' is also on line {first_line[study]}")
            continue
        first_line[study] = line_no
        domains: dict[str, str] = {}
        for i, domain in enumerate(columns):
            # A generic (named) template may leave a domain it did not assess empty.
            word = judgement(cells[i + 1], f"line {line_no}, column {header[i + 1]}", named)
            if word is not None:
                domains[domain] = word
        overall = None
        if has_overall:
            column = len(columns) + 1
            where = f"line {line_no}, column {header[column]}"
            overall = judgement(cells[column], where, optional=True)
        weight = None
        if has_weight:
            try:
                weight = _weight(cells[-1], f"line {line_no}, column {header[-1]}")
            except InputError as exc:
                problems.append(exc.message)
        parsed.append(RobvisRow(line_no, study, domains, overall, weight))
    if problems:
        raise InputError(
            f"{source}: {len(problems)} problem{'s' if len(problems) > 1 else ''}: "
            + "; ".join(problems),
            fix=f"judgements as robvis spells them: {', '.join(words)}"
            + ("" if strict else " (the first letter, any case, is enough)")
            + "; one row per study, as many cells as the header",
        )
    return RobvisTable(parsed, has_overall, has_weight, domains=list(columns))


def _weight(text: str, where: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise InputError(
            f"{where}: '{text}' is not a number",
            fix="give weights as numbers such as 12.5, or leave the cell empty",
        ) from None
    if value < 0 or value != value:
        raise InputError(
            f"{where}: weight {text} is negative or not a number",
            fix="weights are non-negative numbers",
        )
    return value


# --- importing into a corpus -------------------------------------------------------------
@dataclass(frozen=True)
class Disagreement:
    line: int
    study: str
    given: str
    by_rule: str


@dataclass
class ImportResult:
    imported: list[str]  # study ids, in file order
    created_records: list[str]
    computed_overall: list[str]  # studies whose Overall the rubric's rule supplied
    undecided_overall: list[str]  # no Overall given and the rule could not decide
    disagreements: list[Disagreement]


def _existing_names(corpus: Corpus) -> dict[str, str]:
    """Name as tables print it -> study id, so a re-imported robvis CSV finds its studies."""
    names: dict[str, str] = {}
    for record in corpus.iter_records():
        names[record.id] = base_name(record, record.id)
    return {name: study for study, name in disambiguate(names).items()}


def import_robvis(
    corpus: Corpus,
    table: RobvisTable,
    rubric: Rubric,
    *,
    profile: str | None = None,
    reviewer: str = IMPORT_REVIEWER,
    source: str = "robvis",
) -> ImportResult:
    """Store each row as an appraisal (domain judgements given, nothing proposed). Everything
    is checked before the first write, so bad input never leaves a partial import."""
    engine = Engine(rubric, profile=profile)
    known = _existing_names(corpus)
    known_ids = set(known.values())
    claimed: dict[str, str] = {}
    now = datetime.now(UTC).replace(microsecond=0)
    plans: list[tuple[StudyRecord | None, Appraisal]] = []
    result = ImportResult([], [], [], [], [])
    for index, row in enumerate(table.rows):
        study = known.get(row.study) or _ref_id(row.study)
        if study in claimed:
            raise InputError(
                f"{source}, line {row.line}: '{row.study}' and '{claimed[study]}' would both be "
                f"stored as {study}",
                fix="give the studies names that differ in more than punctuation or case",
            )
        claimed[study] = row.study
        record = None
        if study not in known_ids and corpus.find_record(study) is None:
            record = StudyRecord(id=study, title=row.study, sources={"title": "robvis"})
        # Over the domains the file rates: a RoB 1 table without 'Other bias' still has one.
        by_rule, rule = engine.overall_from(row.domains, assessed=table.domains or None)
        overall = Judgement(proposed=by_rule, rule=rule, judgement=row.overall or by_rule)
        if row.overall is None:
            (result.computed_overall if by_rule else result.undecided_overall).append(study)
        elif by_rule is not None and by_rule != row.overall:
            result.disagreements.append(Disagreement(row.line, row.study, row.overall, by_rule))
            overall = overall.model_copy(
                update={"override_reason": f"as given in the robvis CSV ({source})"}
            )
        appraisal = Appraisal(
            study=study,
            rubric=rubric.id,
            rubric_version=rubric.version,
            rubric_file_version=rubric.file_version,
            profile=engine.profile,
            reviewer=reviewer,
            status="complete",
            domains={d: Judgement(judgement=word) for d, word in row.domains.items()},
            overall=overall,
            weight=row.weight,
            # Row order is kept as creation order, which 'input' order in tables follows.
            created=now + timedelta(microseconds=index),
            notes=f"Imported from {source}, line {row.line}.",
        )
        plans.append((record, appraisal))
    for record, appraisal in plans:
        if record is not None:
            corpus.write_record(record)
            result.created_records.append(record.id)
        corpus.write_appraisal(appraisal)
        result.imported.append(appraisal.study)
    return result


def _ref_id(study: str) -> str:
    return f"ref:{slug(study, limit=80)}"
