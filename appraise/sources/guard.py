"""The boundary where an API's bytes become data.

Parsers are written for the answers the APIs document; a server can send anything. Each parse
entry point is wrapped here, so that whatever a body holds (a list where an object belongs, a
number for a title, nesting a thousand levels deep) the caller gets one appraise error naming
the source, never a TypeError that stops a whole batch; and the fields it returns are checked
against the record's types, so a wrong type fails that source's answer, not the merge. Each
source call (request plus parse) caches its responses only when it succeeds, so a 200 body the
parser rejects is asked for again next time instead of being served from the cache for ever.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from pydantic import TypeAdapter, ValidationError

from appraise.errors import AppraiseError, SourceError
from appraise.models import StudyRecord
from appraise.sources.http import HttpClient, NotCached, NotFound

P = ParamSpec("P")
T = TypeVar("T")

_FIX = "check where the data came from; for an API answer, try again later"


def _one_line(exc: BaseException) -> str:
    detail = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {detail[:100]}" if detail else type(exc).__name__


def parse_entry(
    source: str, error: type[AppraiseError] = SourceError
) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Make ``func`` (a parse entry point) raise only appraise errors (``error`` for a body it
    cannot read) and return only fields of the record's types. Not-found answers pass."""

    def decorate(func: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            try:
                result = func(*args, **kwargs)
            except (AppraiseError, NotFound, NotCached):  # NotFound, NotCached: answers
                raise
            except RecursionError:
                raise error(f"{source}: nested too deep to read", fix=_FIX) from None
            except Exception as exc:
                raise error(
                    f"{source}: not shaped as expected ({_one_line(exc)})",
                    fix=_FIX,
                ) from None
            if isinstance(result, dict):
                check_fields(source, result, error)
            return result

        return wrapper

    return decorate


@functools.cache
def _adapter(name: str) -> TypeAdapter[Any]:
    return TypeAdapter(StudyRecord.model_fields[name].annotation)


def check_fields(
    source: str, fields: dict[str, Any], error: type[AppraiseError] = SourceError
) -> None:
    """Raise ``error`` unless every field a parser returned has the type StudyRecord needs."""
    for name, value in fields.items():
        if name not in StudyRecord.model_fields:
            continue  # compact() already refuses names that are not record fields
        try:
            _adapter(name).validate_python(value)
        except ValidationError as exc:
            problem = exc.errors()[0]
            where = ".".join(str(p) for p in problem["loc"])
            raise error(
                f"{source}: the answer's {name}{'.' + where if where else ''} has the wrong "
                f"type ({problem['msg']})",
                fix=_FIX,
            ) from None


def source_call(
    func: Callable[Concatenate[HttpClient, P], T],
) -> Callable[Concatenate[HttpClient, P], T]:
    """Make a source's fetch function (client first) cache its responses only when the whole
    call succeeds: a body the parser rejects is never kept."""

    @functools.wraps(func)
    def wrapper(client: HttpClient, *args: P.args, **kwargs: P.kwargs) -> T:
        with client.caching_on_success():
            return func(client, *args, **kwargs)

    return wrapper
