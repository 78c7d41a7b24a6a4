"""Reading and writing the project's data files: YAML/JSON with line-numbered errors, and
atomic writes so that a crash never leaves a half-written file behind."""

from __future__ import annotations

import difflib
import json
import os
import stat
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from appraise.errors import DataFileError

try:  # the C loader/dumper are several times faster; fall back where libyaml is missing
    from yaml import CSafeDumper as _Dumper
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

M = TypeVar("M", bound=BaseModel)

# No data file or API answer of ours nests anywhere near this deep (an appraisal: 6 levels, a
# Crossref work: 7). Deeper data is refused where it is read, before recursive code (pydantic,
# the YAML composer, our parsers) can hit Python's recursion limit on it.
MAX_DEPTH = 100


def nested_deeper_than(data: Any, limit: int) -> bool:
    """Whether lists/dicts in ``data`` nest more than ``limit`` levels (walked without
    recursion, so any depth can be measured)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    deepest: dict[int, int] = {}  # YAML aliases share nodes: walk each once per depth reached
    while stack:
        node, depth = stack.pop()
        if deepest.get(id(node), 0) >= depth:
            continue
        deepest[id(node)] = depth
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list | tuple):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend(
            (child, depth + 1) for child in children if isinstance(child, dict | list | tuple)
        )
    return False


class TooDeepError(ValueError):
    """Data nested more than MAX_DEPTH levels: a ValueError, as malformed JSON is."""

    def __init__(self) -> None:
        super().__init__(f"nested more than {MAX_DEPTH} levels deep")


def loads_json(text: str | bytes) -> Any:
    """json.loads that refuses data nested more than MAX_DEPTH deep (TooDeepError) instead of
    raising RecursionError there or in whatever walks the data next."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise TooDeepError from None
    if nested_deeper_than(data, MAX_DEPTH):
        raise TooDeepError
    return data


_TOO_DEEP_FIX = "no data file of appraise nests so deep; check where the file came from"


class _BlockDumper(_Dumper):
    """Multi-line strings as literal blocks, so quotes and comments stay readable in diffs."""


def _represent_str(dumper: _BlockDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _represent_str)


def dump_yaml(data: Any) -> str:
    return yaml.dump(
        data,
        Dumper=_BlockDumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )


def parse_yaml(text: str, path: Path | str) -> Any:
    try:
        data = yaml.load(text, Loader=_Loader)
    except RecursionError:
        raise DataFileError(path, TooDeepError().args[0], fix=_TOO_DEEP_FIX) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "nesting depth" in problem:  # PyYAML 6.0.4 and later bound depth themselves
            raise DataFileError(path, TooDeepError().args[0], fix=_TOO_DEEP_FIX) from None
        raise DataFileError(
            path,
            f"not valid YAML: {problem}",
            line=mark.line + 1 if mark else None,
            fix="fix the syntax at that line (indentation, a missing colon or quote)",
        ) from None
    if nested_deeper_than(data, MAX_DEPTH):
        raise DataFileError(path, TooDeepError().args[0], fix=_TOO_DEEP_FIX)
    return data


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError(path, "no such file", fix="check the path") from None
    except UnicodeDecodeError:
        raise DataFileError(path, "not UTF-8 text", fix="save the file as UTF-8") from None
    except IsADirectoryError:
        raise DataFileError(path, "is a folder, not a file", fix="give a file") from None


def read_data(path: Path) -> Any:
    """Load a .yaml/.yml or .json file."""
    return _parse(path, read_text(path))


def _parse(path: Path, text: str) -> Any:
    if path.suffix.lower() == ".json":
        try:
            return loads_json(text)
        except json.JSONDecodeError as exc:
            raise DataFileError(
                path, f"not valid JSON: {exc.msg}", line=exc.lineno, fix="fix the JSON at that line"
            ) from None
        except TooDeepError as exc:
            raise DataFileError(path, str(exc), fix=_TOO_DEEP_FIX) from None
    return parse_yaml(text, path)


def line_of(text: str, loc: Sequence[int | str]) -> int | None:
    """The 1-based line of the node at ``loc`` (a pydantic error location) in YAML text."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    line = node.start_mark.line + 1 if node else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((kv for kv in node.value if kv[0].value == str(key)), None)
            if match is None:
                break
            line = match[0].start_mark.line + 1
            node = match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _fix_for(error: ErrorDetails) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return f"remove '{error['loc'][-1]}' or correct its spelling"
    if kind == "missing":
        return f"add '{error['loc'][-1]}'"
    if kind in ("literal_error", "enum"):
        return "use one of the values the message lists"
    return "correct the value at that line"


def _clean_loc(error: ErrorDetails) -> list[int | str]:
    return [p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-"))]


def validation_error(path: Path | str, text: str | None, exc: ValidationError) -> DataFileError:
    errors = exc.errors()
    # A misspelt key shows up as an unknown key plus a missing one: report the typo first.
    errors.sort(key=lambda e: e.get("type") != "extra_forbidden")
    error = errors[0]
    loc = _clean_loc(error)
    where = ".".join(str(p) for p in loc)
    fix = _fix_for(error)
    if error.get("type") == "extra_forbidden":
        siblings = [
            str(_clean_loc(e)[-1])
            for e in errors
            if e.get("type") == "missing" and _clean_loc(e)[:-1] == loc[:-1]
        ]
        close = difflib.get_close_matches(str(loc[-1]), siblings, n=1)
        if close:
            fix = f"did you mean '{close[0]}'?"
    message = f"{where + ': ' if where else ''}{error['msg']}"
    more = len(errors) - 1
    if more:
        message += f" (and {more} more problem{'s' if more > 1 else ''})"
    line = line_of(text, loc) if text is not None else None
    return DataFileError(path, message, line=line, fix=fix)


def load_model(path: Path, model: type[M]) -> M:
    """Read and validate a data file; any problem becomes one DataFileError with file:line."""
    text = read_text(path)
    data = _parse(path, text)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(path, text if path.suffix != ".json" else None, exc) from None


Stamp = tuple[int, int]
"""A file's size and modification time (ns): what a parsed copy of it is checked against."""


def file_stamp(path: Path) -> Stamp:
    info = path.stat()
    return info.st_size, info.st_mtime_ns


def parse_files(paths: Sequence[str]) -> list[tuple[Stamp, Any] | None]:
    """Each file's stamp and data as read_data gives them, or None where that fails (the
    caller reads that file again to raise its one-line error). Runs in worker processes, so
    it takes and returns only plain, picklable values; the stamp is taken before reading, so a
    file changed meanwhile is stale by its stamp, never wrongly fresh."""
    parsed: list[tuple[Stamp, Any] | None] = []
    for name in paths:
        path = Path(name)
        try:
            stamp = file_stamp(path)
            parsed.append((stamp, read_data(path)))
        except (OSError, DataFileError):
            parsed.append(None)
    return parsed


def model_to_yaml(model: BaseModel) -> str:
    return dump_yaml(model.model_dump(mode="json", exclude_none=True, exclude_defaults=False))


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def current_umask() -> int:
    """The process's umask, read without changing it where Linux says it (/proc), else by
    setting and restoring it at once."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def new_file_mode(path: Path) -> int:
    """The mode a rewrite of ``path`` should have: the existing file's own mode, else what
    open() would give under the umask (0644 by default). mkstemp's 0600 would otherwise hide
    shared corpus files from the rest of a team."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~current_umask()


def make_temp_dir(prefix: str, parent: Path) -> Path:
    """A fresh uniquely named folder in ``parent`` with the umask's mode (0755 by default),
    not mkdtemp's 0700: it becomes an output folder that others read."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    folder.chmod(0o777 & ~current_umask())
    return folder


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder, fsync, then rename over the target:
    readers see the old file or the new one, never a part. The file keeps its mode (a new
    one follows the umask)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = new_file_mode(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
