r"""Where each detector pattern can match, found in one pass over a document.

The detectors' cue patterns are case-insensitive alternations that give ``re`` no literal to
skip on, so each one used to scan the whole text. Here every pattern is analysed once, from its
own parse tree (``re._parser``): a set of lowercase literals one of which every match must
contain, and how far from the match's start that literal can lie. One Aho-Corasick pass over the
document's folded text finds every such literal of every pattern; the exact pattern then runs
only where a literal was found. The matches are the ones ``pattern.finditer`` gives, in the
same order (the exact regex decides every match); a pattern with no literal to require (or one
the analysis does not understand) runs over the whole text as before.

Lengths are upper bounds in characters plus a number of "runs": an unbounded repeat of
characters that are never whitespace (``\w+``, ``\d+``, ``[\w-]*``) cannot outrun the longest
whitespace-free stretch of the document, so each such repeat counts that length (plus the one
character it reads to stop). This keeps the windows round a literal, and how far a match can
read, finite for patterns with ``(?:\w+ ){0,3}`` gaps, and the exact pattern runs as one
bounded ``search`` per window.

Where RE2 (google-re2) is installed and a pattern's literals are frequent in the document
(its windows would cost more than a scan), the candidate starts come from RE2 instead: each
pattern is rewritten into a looser one (word boundaries and lookarounds dropped, each
character class widened to take one byte that stands for every non-ASCII character, an
ending that can be empty cut off) and RE2 scans the text, one byte per character, left to
right as ``finditer`` does. Every match of the exact pattern begins with a match of the
looser one, so it starts within one of the spans of that scan (the scan resumes where a span
ends, at the leftmost start of the looser pattern, which is at or before any such start),
and the exact pattern runs only there. (Hyperscan was tried for this and set aside: 5.4.12
drops matches, e.g. caseless '[0-9]{2,5} (?:(?:persons?|refugees?|soldiers?) )?recruited'
finds nothing in 'ths among the 500 recruited participa'.)

Nothing here is a list of cues: a pattern added to a detector is analysed when first used.
"""

from __future__ import annotations

import re
import re._casefix  # the characters IGNORECASE equates beyond their lowercase
import re._constants as sre  # the parse tree's opcodes
import re._parser as sre_parse
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import product, repeat
from typing import Any, Generic, TypeVar

import ahocorasick
import numpy as np

from appraise.evidence.document import non_ascii

try:
    import re2
except ImportError:  # the literal prefilter alone still gives the same matches
    re2 = None

# A set of alternatives grows by cross product along a pattern ('(?:at|in) (?:week|month)'
# gives four literals); past this many the run is cut, keeping what it has.
_MAX_ALTERNATIVES = 64
_MAX_CLASS = 16  # a character class of at most this many letters counts as alternatives
# Literals shorter than this (' (', 'in') hit so often that scanning for them costs more
# than the pattern's own pass; digits are the exception (a match starts at one after \b), and
# so is a literal holding a character prose seldom has ('n=', '®').
_SHORTEST = 3
_COMMON_PUNCTUATION = frozenset(".,;:()[]'\"-/")
# The document's longest whitespace-free stretch, as assumed when choosing between literals.
_TYPICAL_RUN = 40
# Past this many characters a window's search would cost more than it saves.
_LONGEST_REACH = 4000
# Below this many candidate starts an unbounded pattern is tried at each; above, searched.
_PER_POSITION = 48
# Below this many, any pattern is (one search call costs about as much as a few matches).
_FEW_POSITIONS = 8
# A character searched by the exact pattern costs about as much as this many scanned by RE2.
_RE_PER_RE2 = 8
# Characters that re's IGNORECASE equates with an ASCII letter without str.lower() doing so
# (found by matching every code point against each letter; tests/evidence/test_cues.py checks).
_IGNORECASE_FOLD = {0x130: "i", 0x131: "i", 0x17F: "s", 0x212A: "k"}
# Whether each code point is whitespace to str.split(), up to U+3000, the last that is; every
# code point past the table is looked up as its last entry, U+3001, which is not.
_SPACE = np.array([chr(code).isspace() for code in range(0x3002)])


T = TypeVar("T")


@dataclass(frozen=True)
class _Span:
    """An upper bound on a length: ``chars``, plus ``runs`` times (the document's longest
    whitespace-free stretch + 1)."""

    chars: int
    runs: int = 0

    def __add__(self, other: _Span) -> _Span:
        return _Span(self.chars + other.chars, self.runs + other.runs)

    def most(self, other: _Span) -> _Span:
        return _Span(max(self.chars, other.chars), max(self.runs, other.runs))

    def times(self, count: int) -> _Span:
        return _Span(self.chars * count, self.runs * count)

    def at(self, longest_run: int) -> int:
        return self.chars + self.runs * (longest_run + 1)


_NOTHING = _Span(0)
_ONE = _Span(1)


@dataclass(frozen=True)
class _Need:
    """Every match contains one of ``literals`` starting ``low``..``high`` chars in."""

    literals: frozenset[str]
    low: int
    high: _Span | None  # None: anywhere after ``low``

    def better_than(self, other: _Need | None) -> bool:
        return other is None or self._rank() < other._rank()

    def _rank(self) -> tuple[bool, int, int]:
        shortest = min(len(s) for s in self.literals)
        spread = 10**9 if self.high is None else self.high.at(_TYPICAL_RUN) - self.low
        return (self.high is None, -min(shortest, 5), spread)


@dataclass
class _Info:
    """What one element (or sequence) of a pattern can match."""

    exact: frozenset[str] | None  # every string it can match, lowercase, when few
    low: int
    high: _Span | None
    need: _Need | None = None
    lookahead: _Span | None = _NOTHING  # characters past the match an assertion may read
    solid: bool = True  # every character it can match is other than whitespace


class _Unknown(Exception):
    """A construct the analysis does not cover: the pattern then runs as before."""


def _shift(need: _Need | None, low: int, high: _Span | None) -> _Need | None:
    if need is None:
        return None
    return _Need(need.literals, need.low + low, _add(need.high, high))


def _add(a: _Span | None, b: _Span | None) -> _Span | None:
    return None if a is None or b is None else a + b


def _max(a: _Span | None, b: _Span | None) -> _Span | None:
    return None if a is None or b is None else a.most(b)


def _lowered(code: int) -> str | None:
    """The character as it lies in the folded text wherever ``re`` (with or without
    IGNORECASE) matches it; None for one the fold may turn into something else."""
    char = chr(code)
    lower = char.lower()
    if code < 128:
        return lower
    if (
        len(lower) != 1
        or char.isdecimal()
        or code in _IGNORECASE_FOLD
        or ord(lower) in re._casefix._EXTRA_CASES
        or ord(char) in re._casefix._EXTRA_CASES
    ):
        return None
    return lower


def _char(code: int) -> frozenset[str] | None:
    lower = _lowered(code)
    return None if lower is None else frozenset({lower})


def _solid_class(items: list[tuple[Any, Any]]) -> bool:
    """No character of the class is whitespace."""
    for op, av in items:
        if op is sre.LITERAL:
            if chr(av).isspace():
                return False
        elif op is sre.RANGE:
            if av[1] - av[0] > 256 or any(chr(c).isspace() for c in range(av[0], av[1] + 1)):
                return False
        elif op is not sre.CATEGORY or av not in _SOLID_CATEGORIES:
            return False
    return True


_SOLID_CATEGORIES = (
    sre.CATEGORY_DIGIT,
    sre.CATEGORY_UNI_DIGIT,
    sre.CATEGORY_WORD,
    sre.CATEGORY_UNI_WORD,
)


def _class(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    chars: set[str] = set()
    for op, av in items:
        if op is sre.LITERAL and (lower := _lowered(av)) is not None:
            chars.add(lower)
        elif op is sre.RANGE and av[1] < 128 and av[1] - av[0] < _MAX_CLASS:
            chars.update(chr(c).lower() for c in range(av[0], av[1] + 1))
        elif op is sre.CATEGORY and av in (sre.CATEGORY_DIGIT, sre.CATEGORY_UNI_DIGIT):
            chars.update("0123456789")  # other scripts' digits are folded to these
        else:
            return None
    return frozenset(chars) if len(chars) <= _MAX_CLASS else None


def _element(op: Any, av: Any) -> _Info:
    if op is sre.LITERAL:
        return _Info(_char(av), 1, _ONE, solid=not chr(av).isspace())
    if op in (sre.NOT_LITERAL, sre.ANY):
        return _Info(None, 1, _ONE, solid=False)
    if op is sre.IN:
        return _Info(_class(av), 1, _ONE, solid=_solid_class(av))
    if op is sre.AT:
        return _Info(frozenset({""}), 0, _NOTHING, lookahead=_ONE)
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        direction, sub = av
        inner = _sequence(sub)
        ahead = inner.high if direction == 1 else _NOTHING
        return _Info(frozenset({""}), 0, _NOTHING, lookahead=_max(ahead, inner.lookahead))
    if op is sre.SUBPATTERN:
        return _sequence(av[-1])
    if op is sre.ATOMIC_GROUP:
        return _sequence(av)
    if op is sre.BRANCH:
        return _branch(av[1])
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        return _repeat(*av)
    raise _Unknown(str(op))


def _branch(branches: list[Any]) -> _Info:
    infos = [_sequence(b) for b in branches]
    low = min(i.low for i in infos)
    high: _Span | None = _NOTHING
    lookahead: _Span | None = _NOTHING
    for i in infos:
        high = _max(high, i.high)
        lookahead = _max(lookahead, i.lookahead)
    exact: frozenset[str] | None = None
    if all(i.exact is not None for i in infos):
        union = frozenset().union(*(i.exact for i in infos if i.exact is not None))
        exact = union if len(union) <= _MAX_ALTERNATIVES else None
    need = None
    needs = [i.need for i in infos]
    if all(needs):
        literals = frozenset().union(*(n.literals for n in needs if n))
        far: _Span | None = _NOTHING
        for n in needs:
            far = _max(far, n.high if n else None)
        need = _Need(literals, min(n.low for n in needs if n), far)
    return _Info(exact, low, high, need, lookahead, all(i.solid for i in infos))


def _repeat(least: int, most: int, sub: Any) -> _Info:
    inner = _sequence(sub)
    high: _Span | None
    if most != sre.MAXREPEAT:
        high = None if inner.high is None else inner.high.times(most)
    else:
        # Without whitespace, the repeat lies within one whitespace-free stretch.
        high = _Span(0, 1) if inner.solid else None
    exact = None
    if (
        inner.exact is not None
        and most != sre.MAXREPEAT
        and sum(len(inner.exact) ** n for n in range(least, most + 1)) <= _MAX_ALTERNATIVES
    ):
        options = {
            "".join(p)
            for times in range(least, most + 1)
            for p in product(sorted(inner.exact), repeat=times)
        }
        exact = frozenset(options)
    need = inner.need if least >= 1 else None
    return _Info(exact, inner.low * least, high, need, inner.lookahead, inner.solid)


def _sequence(items: Any) -> _Info:
    """Walk a sequence, joining runs of exactly-known parts into sets of literals."""
    low, high = 0, _NOTHING  # type: int, _Span | None
    best: _Need | None = None
    run: frozenset[str] | None = None
    run_at: tuple[int, _Span | None] = (0, _NOTHING)
    whole: frozenset[str] | None = frozenset({""})
    lookahead: _Span | None = _NOTHING
    solid = True

    def close() -> None:
        nonlocal best
        if run is not None and all(run):
            need = _Need(run, *run_at)
            if need.better_than(best):
                best = need

    for op, av in items:
        info = _element(op, av)
        lookahead = _max(lookahead, info.lookahead) if info.lookahead is not None else None
        solid = solid and info.solid
        if info.exact is not None:
            if whole is not None:
                joined = {a + b for a in whole for b in info.exact}
                whole = frozenset(joined) if len(joined) <= _MAX_ALTERNATIVES else None
            if run is None:
                run, run_at = info.exact, (low, high)
            else:
                joined = {a + b for a in run for b in info.exact}
                if len(joined) <= _MAX_ALTERNATIVES:
                    run = frozenset(joined)
                else:
                    close()
                    run, run_at = info.exact, (low, high)
        else:
            whole = None
            close()
            run = None
            shifted = _shift(info.need, low, high)
            if shifted is not None and shifted.better_than(best):
                best = shifted
        low, high = low + info.low, _add(high, info.high)
    close()
    return _Info(whole, low, high, best, lookahead, solid)


@dataclass(frozen=True)
class Plan:
    """How to find a pattern's matches from its required literals."""

    need: _Need
    # Characters from a match's start within which the match and what its assertions read
    # lie; None when the pattern can run on without bound.
    reach: _Span | None


class _PerPattern(Generic[T]):
    """Values computed once per pattern, looked up by the pattern's identity: hashing a
    compiled pattern hashes its whole program, microseconds for each lookup."""

    def __init__(self, compute: Callable[[re.Pattern[str]], T]) -> None:
        self._compute = compute
        self._values: dict[int, tuple[re.Pattern[str], T]] = {}  # the pattern kept alive

    def __call__(self, pattern: re.Pattern[str]) -> T:
        entry = self._values.get(id(pattern))
        if entry is None:
            entry = self._values[id(pattern)] = (pattern, self._compute(pattern))
        return entry[1]


def _plan(pattern: re.Pattern[str]) -> Plan | None:
    need, reach = _analyse(pattern)
    useful = need is not None and all(_worth_requiring(s) for s in need.literals)
    return Plan(need, reach) if need is not None and useful else None


def plan(pattern: re.Pattern[str]) -> Plan | None:
    """The pattern's prefilter, or None when it has no literal worth requiring."""
    return _PLANS(pattern)


def _worth_requiring(literal: str) -> bool:
    core = literal.strip()
    return (
        len(core) >= _SHORTEST
        or literal.isdigit()
        or any(not (c.isalnum() or c.isspace() or c in _COMMON_PUNCTUATION) for c in core)
    )


def _analysis(pattern: re.Pattern[str]) -> tuple[_Need | None, _Span | None]:
    """The literals every match needs (None: none found), and the pattern's reach."""
    try:
        info = _sequence(sre_parse.parse(pattern.pattern, pattern.flags))
    except (_Unknown, RecursionError):
        return None, None
    need = info.need
    if need is None and info.exact is not None and all(info.exact):
        need = _Need(info.exact, 0, _NOTHING)
    reach = _add(info.high, info.lookahead)
    return need, None if reach is None else reach + _ONE


_analyse = _PerPattern(_analysis)
_PLANS = _PerPattern(_plan)


@dataclass
class _Literals:
    """Every literal any analysed pattern needs, in one automaton, rebuilt as patterns arrive."""

    index: dict[str, int] = field(default_factory=dict)
    automaton: Any = None
    # The numbers of each set of literals asked for: a number never changes once given.
    numbers: dict[frozenset[str], list[int]] = field(default_factory=dict)

    def ids(self, literals: frozenset[str]) -> list[int]:
        known = self.numbers.get(literals)
        if known is not None:
            return known
        missing = [s for s in sorted(literals) if s not in self.index]
        if missing:
            for s in missing:
                self.index[s] = len(self.index)
            self.automaton = None
        known = self.numbers[literals] = [self.index[s] for s in literals]
        return known

    def built(self, first: int = 0) -> Any:
        """The automaton of every literal numbered ``first`` or more (the full one is kept:
        every document after a process's first scans with it)."""
        if first:
            return _automaton((s, n) for s, n in self.index.items() if n >= first)
        if self.automaton is None:
            self.automaton = _automaton(self.index.items())
        return self.automaton


def _automaton(literals: Iterable[tuple[str, int]]) -> Any:
    automaton = ahocorasick.Automaton()
    for literal, number in literals:
        automaton.add_word(literal, (number, len(literal)))
    automaton.make_automaton()
    return automaton


_LITERALS = _Literals()


def folded(text: str) -> str:
    """Lowercase, one character for one, so that where a literal of a case-insensitive match
    lies in ``text`` it lies here too."""
    if text.isascii():
        return text.lower()
    # \d matches every script's decimal digits; only U+0130 lowercases to two characters,
    # and it is folded to 'i' first. Each character present is replaced in one C pass
    # (str.translate looks up every character, ten times slower on a full text).
    for char in non_ascii(text):
        if ord(char) in _IGNORECASE_FOLD:
            text = text.replace(char, _IGNORECASE_FOLD[ord(char)])
        elif char.isdecimal():
            text = text.replace(char, str(unicodedata.decimal(char)))
    return text.lower()


# The byte that stands for every non-ASCII character in the text RE2 scans.
_OTHER = 0xFF
_CATEGORY_SOURCE = {
    sre.CATEGORY_DIGIT: r"\d",
    sre.CATEGORY_NOT_DIGIT: r"\D",
    sre.CATEGORY_SPACE: r"\s",
    sre.CATEGORY_NOT_SPACE: r"\S",
    sre.CATEGORY_WORD: r"\w",
    sre.CATEGORY_NOT_WORD: r"\W",
}
_CHARACTER_OPS = (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN)
_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)
_HS_FLAGS = re.IGNORECASE | re.DOTALL | re.ASCII


def _one_character(op: Any, av: Any) -> tuple[str, bool]:
    """A regex for one character element, and whether it may match a non-ASCII character."""
    if op is sre.LITERAL:
        return re.escape(chr(av)), av >= 128
    if op is sre.NOT_LITERAL:
        return "[^" + re.escape(chr(av)) + "]", True
    if op is sre.ANY:
        return ".", True
    parts: list[str] = []
    other = False
    for item, value in av:
        if item is sre.NEGATE:
            parts.insert(0, "^")
            other = True
        elif item is sre.LITERAL:
            parts.append(re.escape(chr(value)))
            other = other or value >= 128
        elif item is sre.RANGE:
            parts.append(re.escape(chr(value[0])) + "-" + re.escape(chr(value[1])))
            other = other or value[1] >= 128
        elif item is sre.CATEGORY and value in _CATEGORY_SOURCE:
            parts.append(_CATEGORY_SOURCE[value])
            other = True
        else:
            raise _Unknown(str(item))
    return "[" + "".join(parts) + "]", other


@cache
def _byte_class(source: str, flags: int, other: bool) -> str:
    """The element as a byte class: the ASCII characters ``re`` matches with it
    (tried one by one) and, when it may match one, the byte standing for non-ASCII."""
    element = re.compile(source, flags)
    found = [b for b in range(128) if element.fullmatch(chr(b))]
    # IGNORECASE equates i, k and s with non-ASCII letters (the dotted I, the Kelvin sign...).
    if other or (flags & re.IGNORECASE and any(chr(b) in "iIkKsS" for b in found)):
        found.append(_OTHER)
    if not found:
        raise _Unknown("a class that matches nothing")
    return "[" + "".join(f"\\x{b:02x}" for b in found) + "]"


def _least(op: Any, av: Any) -> int:
    """The fewest characters an element matches."""
    if op in _CHARACTER_OPS:
        return 1
    if op in _ZERO_WIDTH:
        return 0
    if op is sre.SUBPATTERN:
        return sum(_least(*item) for item in av[-1])
    if op is sre.ATOMIC_GROUP:
        return sum(_least(*item) for item in av)
    if op is sre.BRANCH:
        return min(sum(_least(*item) for item in branch) for branch in av[1])
    if op in _REPEATS:
        return int(av[0]) * sum(_least(*item) for item in av[2])
    raise _Unknown(str(op))


def _loose_sequence(items: Iterable[tuple[Any, Any]], flags: int, at_end: bool) -> str:
    elements = list(items)
    if at_end:  # what may match nothing at a pattern's end never moves where it starts
        while elements and _least(*elements[-1]) == 0:
            elements.pop()
    last = len(elements) - 1
    return "".join(
        _loose(op, av, flags, at_end and i == last) for i, (op, av) in enumerate(elements)
    )


def _loose(op: Any, av: Any, flags: int, at_end: bool) -> str:
    """One element of the looser pattern, in RE2's syntax."""
    if op in _CHARACTER_OPS:
        source, other = _one_character(op, av)
        return _byte_class(source, flags, other)
    if op in _ZERO_WIDTH:
        return ""
    if op is sre.SUBPATTERN:
        _, add, remove, sub = av
        return "(?:" + _loose_sequence(sub, (flags | add) & ~remove, at_end) + ")"
    if op is sre.ATOMIC_GROUP:
        return "(?:" + _loose_sequence(av, flags, at_end) + ")"
    if op is sre.BRANCH:
        return "(?:" + "|".join(_loose_sequence(b, flags, at_end) for b in av[1]) + ")"
    if op in _REPEATS:
        least, most, sub = av
        body = _loose_sequence(sub, flags, False)
        if at_end:  # the fewest repeats, the last one cut like a pattern's end
            ending = "(?:" + _loose_sequence(sub, flags, True) + ")" if least else ""
            return (f"(?:{body}){{{least - 1}}}" if least > 1 else "") + ending
        return f"(?:{body}){{{least},{'' if most == sre.MAXREPEAT else most}}}"
    raise _Unknown(str(op))


def loose_pattern(pattern: re.Pattern[str]) -> bytes | None:
    """The looser pattern RE2 runs for ``pattern`` (None: one it cannot express)."""
    try:
        parsed = sre_parse.parse(pattern.pattern, pattern.flags)
        flags = parsed.state.flags & _HS_FLAGS
        return _loose_sequence(parsed.data, flags, True).encode("ascii")
    except (_Unknown, RecursionError):
        return None


def _one_byte_per_character(text: str) -> bytes:
    for char in non_ascii(text):
        text = text.replace(char, chr(_OTHER))
    return text.encode("latin-1")


def _compile_loose(pattern: re.Pattern[str]) -> Any:
    """RE2's automaton for the looser pattern, or None (no RE2, a construct the rewrite does
    not cover, past RE2's limits, or a looser pattern that matches nothing at all)."""
    expression = None if re2 is None else loose_pattern(pattern)
    if expression is None:
        return None
    options = re2.Options()
    options.encoding = re2.Options.Encoding.LATIN1  # one byte, one character
    options.never_capture = True
    try:
        compiled = re2.compile(expression, options)
    except re2.error:
        return None
    # Matching the empty string, it would stand still instead of stepping over the text.
    return None if compiled.match(b"") is not None else compiled


_LOOSE = _PerPattern(_compile_loose)


class CueScan:
    """One document's RE2 spans and literal hits, and each pattern's matches computed
    from them once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._folded: str | None = None
        self._hits: dict[int, list[int]] | None = None
        self._size = -1
        self._longest: int | None = None
        self._bytes: bytes | None = None
        self._matches = _PerPattern(self._find)
        self._loose = _PerPattern(self._loose_reports)
        self._literal_spans = _PerPattern(self._literal_spans_of)

    def matches(self, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        """``list(pattern.finditer(text))``, found from RE2's spans or the literal hits."""
        return self._matches(pattern)

    def may_match(self, pattern: re.Pattern[str], start: int, end: int) -> bool:
        """False only when no match of ``pattern`` can lie in ``text[start:end]``, even
        searched on its own: the looser pattern ends nowhere there, or none of the literals
        the pattern needs is there."""
        spans = self._loose(pattern)
        if spans is not None:
            # A match of the slice is one of the looser pattern (which reads no context),
            # so it starts within a span of the looser pattern's scan.
            at = bisect_left(spans, (start, start))
            if at and spans[at - 1][1] >= start:
                return True
            return at < len(spans) and spans[at][0] < end
        need, _ = _analyse(pattern)
        if need is None:
            return True
        spans = self._literal_spans(pattern)
        for first, last in spans[bisect_left(spans, (start, start)) :]:
            if first >= end:
                return False
            if last <= end:
                return True
        return False

    def _find(self, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        how = plan(pattern)
        if how is not None:
            # Round rare literals the exact pattern costs less than RE2's scan of the text:
            # at most the windows' width and the reach for each hit.
            longest = self._longest_run()
            high = _PER_POSITION if how.need.high is None else how.need.high.at(longest)
            reach = _PER_POSITION if how.reach is None else how.reach.at(longest)
            work = self._hit_count(how) * (high - how.need.low + 1 + reach)
            if work * _RE_PER_RE2 < len(self.text) or _LOOSE(pattern) is None:
                return list(self._confirm(pattern, self._literal_windows(how), how.reach))
        spans = self._loose(pattern)
        if spans is not None:
            return list(self._confirm(pattern, spans, _analyse(pattern)[1]))
        return list(pattern.finditer(self.text))

    def _literal_spans_of(self, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
        need, _ = _analyse(pattern)
        assert need is not None
        lengths = {_LITERALS.ids(frozenset({s}))[0]: len(s) for s in need.literals}
        return sorted((p, p + lengths[number]) for number in lengths for p in self._hits_of(number))

    def _loose_reports(self, pattern: re.Pattern[str]) -> list[tuple[int, int]] | None:
        """Where the looser pattern matches, scanned left to right as ``finditer`` does
        (None without its RE2 automaton): every match of the pattern starts within one of
        these spans (start, end - 1)."""
        loose = _LOOSE(pattern)
        if loose is None:
            return None
        if self._bytes is None:
            self._bytes = _one_byte_per_character(self.text)
        return [(m.start(), m.end() - 1) for m in loose.finditer(self._bytes)]

    def _hits_of(self, number: int) -> list[int]:
        if self._hits is None or self._size != len(_LITERALS.index):
            self._scan()
        assert self._hits is not None
        return self._hits.get(number, [])

    def _hit_count(self, how: Plan) -> int:
        ids = _LITERALS.ids(how.need.literals)
        if self._hits is None or self._size != len(_LITERALS.index):
            self._scan()
        assert self._hits is not None
        return sum(map(len, map(self._hits.get, ids, repeat(()))))

    def _starts(self, how: Plan) -> list[int]:
        ids = _LITERALS.ids(how.need.literals)
        if self._hits is None or self._size != len(_LITERALS.index):
            self._scan()
        assert self._hits is not None
        positions: list[int] = []
        for number in ids:
            positions += self._hits.get(number, ())
        positions.sort()
        return positions

    def _scan(self) -> None:
        """Find the literals registered since the last scan: the first document a process
        reads registers its detectors' literals pattern by pattern, and scanning them all
        again each time made that document's time grow with the number of patterns."""
        if self._folded is None:
            self._folded = folded(self.text)
        if self._hits is None:
            self._hits, self._size = {}, 0
        hits, size = self._hits, len(_LITERALS.index)
        for end, (number, length) in _LITERALS.built(self._size).iter(self._folded):
            hits.setdefault(number, []).append(end - length + 1)
        self._size = size

    def _longest_run(self) -> int:
        """The longest stretch of the text without whitespace (``str.split``'s own rule),
        measured between the whitespace positions with numpy rather than splitting."""
        if self._longest is None:
            codes = np.frombuffer(self.text.encode("utf-32-le", "surrogatepass"), np.uint32)
            spaces = np.flatnonzero(_SPACE[np.minimum(codes, len(_SPACE) - 1)])
            gaps = np.diff(spaces, prepend=-1, append=len(codes)) - 1
            self._longest = int(gaps.max())
        return self._longest

    def _literal_windows(self, how: Plan) -> list[tuple[int, int]]:
        """Where a match can start, from the hits of the literals it needs."""
        need = how.need
        high = None if need.high is None else need.high.at(self._longest_run())
        return list(_windows(self._starts(how), need.low, high))

    def _confirm(
        self, pattern: re.Pattern[str], windows: Iterable[tuple[int, int]], span: _Span | None
    ) -> Iterator[re.Match[str]]:
        """finditer's matches: the leftmost match from where the last one ended, each time,
        looked for only in the windows where a match can start."""
        text, size = self.text, len(self.text)
        reach = None if span is None else span.at(self._longest_run())
        if reach is not None and reach > _LONGEST_REACH:
            reach = None
        pos = 0
        for lo, hi in windows:
            if hi < pos:
                continue
            start = max(lo, pos)
            while start <= hi:
                width = hi - start
                if width < _PER_POSITION and (reach is None or width < _FEW_POSITIONS):
                    match = next(
                        (m for q in range(start, hi + 1) if (m := pattern.match(text, q))), None
                    )
                    if match is None:
                        break
                elif reach is not None:
                    # Every match starting by ``hi`` ends, with what it reads, by this end.
                    match = pattern.search(text, start, min(size, hi + reach))
                    if match is None or match.start() > hi:
                        break
                else:
                    # The true next match, wherever it is; none means none at all.
                    match = pattern.search(text, start)
                    if match is None:
                        return
                yield match
                pos = start = match.end()


def _windows(starts: list[int], low: int, high: int | None) -> Iterator[tuple[int, int]]:
    """Merged ranges of positions where a match holding a literal hit could start."""
    current: list[int] | None = None
    for position in starts:
        lo = 0 if high is None else max(0, position - high)
        hi = position - low
        if hi < 0:
            continue
        if current is not None and lo <= current[1] + 1:
            current[1] = max(current[1], hi)
            continue
        if current is not None:
            yield current[0], current[1]
        current = [lo, hi]
    if current is not None:
        yield current[0], current[1]
