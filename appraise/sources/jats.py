"""JATS full text (PMC, Europe PMC, publishers) as plain data: ids, authors, sections, statements.

One parser for every JATS flavour the project meets: Europe PMC ``fullTextXML`` (with a DOCTYPE),
the PMC OA/cloud ``<?xml ...?><article>`` variant, the older NLM Archiving DTD 3.0, PMC OA
``.nxml`` files and the ``efetch db=pmc`` ``<pmc-articleset>`` wrapper. Parsing goes through
defusedxml: a document that declares entities (the way to an entity-expansion bomb) or reaches
for external resources is refused, never expanded.

Sections come out in document order as (title, kind, text); nested subsections are flattened,
each keeping its own title and its parent's kind ("Randomisation" under "Methods" is methods).
Conflict-of-interest and funding statements are found in every encoding publishers use (typed
``fn``/``notes``/``sec`` elements and untyped ones recognised by their title).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from appraise.errors import InputError
from appraise.files import MAX_DEPTH
from appraise.sources.guard import parse_entry
from appraise.sources.xmltext import xml_deeper_than


class JatsError(InputError):
    """A body that is not a JATS article we can read (or that we refuse to parse)."""


@dataclass(frozen=True)
class JatsAuthor:
    family: str
    given: str | None = None
    orcid: str | None = None
    affiliations: tuple[str, ...] = ()


@dataclass(frozen=True)
class JatsReference:
    raw: str
    doi: str | None = None
    pmid: str | None = None
    title: str | None = None
    year: int | None = None
    authors: str | None = None


@dataclass(frozen=True)
class JatsSection:
    title: str
    kind: str  # abstract, introduction, methods, results, discussion, conclusion, coi, funding,
    # acknowledgements, registration, references, other
    text: str


@dataclass(frozen=True)
class JatsArticle:
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    title: str | None = None
    authors: tuple[JatsAuthor, ...] = ()
    journal: str | None = None
    year: int | None = None
    article_type: str | None = None
    abstract: str | None = None
    sections: tuple[JatsSection, ...] = ()
    references: tuple[JatsReference, ...] = ()
    trial_registrations: tuple[str, ...] = ()
    problems: tuple[str, ...] = field(default=())

    @property
    def coi_statement(self) -> str | None:
        return _joined(s.text for s in self.sections if s.kind == "coi")

    @property
    def funding_statement(self) -> str | None:
        return _joined(s.text for s in self.sections if s.kind == "funding")

    def section_parts(self) -> list[tuple[str, str, str]]:
        """(title, kind, text) triples, ready for ``Document.from_sections``."""
        return [(s.title, s.kind, s.text) for s in self.sections]


# --- classification of sections ---------------------------------------------------------------

_SEC_TYPE_KINDS = {
    "intro": "introduction",
    "introduction": "introduction",
    "background": "introduction",
    "methods": "methods",
    "materials": "methods",
    "subjects": "methods",
    "cases": "methods",
    "results": "results",
    "discussion": "discussion",
    "conclusions": "conclusion",
    "conclusion": "conclusion",
    "coi-statement": "coi",
    "conflict": "coi",
    "conflict-of-interest": "coi",
    "competing-interests": "coi",
    "funding-information": "funding",
    "funding": "funding",
    "financial-disclosure": "funding",
    "ack": "acknowledgements",
    "acknowledgements": "acknowledgements",
    "acknowledgment": "acknowledgements",
}

# Title patterns, tried in order; matched against the title with any leading number removed.
_TITLE_KINDS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"^(competing|conflicts?|declarations? of (competing )?interests?|"
            r"duality of interest|disclosures?\b|financial disclosures? and conflicts?|"
            r"potential conflicts?)",
            re.I,
        ),
        "coi",
    ),
    (
        re.compile(r"^(funding|financial support|sources? of funding|role of the funding)", re.I),
        "funding",
    ),
    (re.compile(r"^(trial )?registration\b|^clinical trial registration", re.I), "registration"),
    (re.compile(r"^acknowledge?ments?\b", re.I), "acknowledgements"),
    (
        re.compile(r"^(list of )?(abbreviations|acronyms)( used)?$|^glossary$", re.I),
        "abbreviations",
    ),
    (re.compile(r"^(abstract|summary)$", re.I), "abstract"),
    (re.compile(r"^(references|bibliography|literature cited|works cited)$", re.I), "references"),
    (re.compile(r"^(introduction|background)\b", re.I), "introduction"),
    (
        re.compile(
            r"^((materials?|patients?|participants?|subjects?|study design)( and | & )?)*"
            r"(methods?|methodology|materials?)\b|^experimental (procedures|section)|^study design",
            re.I,
        ),
        "methods",
    ),
    (re.compile(r"^results?\b", re.I), "results"),
    (re.compile(r"^discussion\b", re.I), "discussion"),
    (re.compile(r"^(conclusions?|concluding remarks)\b", re.I), "conclusion"),
]
_LEADING_NUMBER = re.compile(r"^\s*(?:\d+(?:\.\d+)*|[IVX]+)[.)]?\s+")

# Kinds specific enough to override what a subsection inherits from its parent.
_STATEMENT_KINDS = {
    "coi",
    "funding",
    "registration",
    "acknowledgements",
    "references",
    "abbreviations",
}

# Sections that are not prose a reader or a detector wants.
_SKIPPED_SEC_TYPES = {
    "ref-list",
    "history",
    "kwd-group",
    "associated-data",
    "supplementary-material",
    "display-objects",
}
_SKIPPED_CHILDREN = {"title", "label", "sec-meta", "ref-list", "fn-group", "supplementary-material"}


def classify_title(title: str) -> str | None:
    """The section kind a heading announces ('2. Methods' -> methods), or None."""
    bare = _LEADING_NUMBER.sub("", title.strip()).strip(" :.")
    for pattern, kind in _TITLE_KINDS:
        if pattern.search(bare):
            return kind
    return None


def _kind_of_type(value: str | None) -> str | None:
    if not value:
        return None
    # 'materials|methods', 'methods|subjects', 'results|discussion': the first known part wins.
    for part in value.lower().split("|"):
        kind = _SEC_TYPE_KINDS.get(part.strip())
        if kind:
            return kind
    return None


# --- XML helpers ------------------------------------------------------------------------------


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element: Element, *names: str) -> Iterator[Element]:
    for child in element:
        if _local(child.tag) in names:
            yield child


def _first(element: Element | None, *path: str) -> Element | None:
    """The first element down a path of local names, or None."""
    current = element
    for name in path:
        if current is None:
            return None
        current = next(_children(current, name), None)
    return current


def _first_of(element: Element | None, *paths: tuple[str, ...]) -> Element | None:
    """The first path that exists (Elements without children are falsy, so never use `or`)."""
    for path in paths:
        found = _first(element, *path)
        if found is not None:
            return found
    return None


def _descendants(element: Element, name: str) -> Iterator[Element]:
    for node in element.iter():
        if _local(node.tag) == name:
            yield node


_SPACE = re.compile(r"\s+")


def _text(element: Element | None, skip: frozenset[str] = frozenset()) -> str:
    """All text under an element with whitespace collapsed, leaving out ``skip`` subtrees."""
    if element is None:
        return ""
    pieces: list[str] = []

    def walk(node: Element) -> None:
        if node.text:
            pieces.append(node.text)
        for child in node:
            name = _local(child.tag)
            if name not in skip:
                if name in _BLOCK_INLINE:
                    pieces.append(" ")
                walk(child)
            if child.tail:
                pieces.append(child.tail)

    walk(element)
    return _SPACE.sub(" ", "".join(pieces)).strip()


# Elements that separate words even when the XML has no whitespace between them.
_BLOCK_INLINE = {"p", "title", "label", "td", "th", "tr", "list-item", "break", "caption"}
# Floating objects inside a paragraph are read as their own paragraphs, not spliced into it.
_FLOATS = frozenset({"table-wrap", "fig", "disp-formula", "table-wrap-group", "fig-group"})


def _joined(parts: Iterator[str] | list[str], sep: str = "\n\n") -> str | None:
    kept = [p for p in parts if p]
    return sep.join(kept) if kept else None


# --- parsing ----------------------------------------------------------------------------------


@parse_entry("JATS", JatsError)
def parse_jats(data: bytes) -> JatsArticle:
    """Read one JATS article (the first, inside a ``<pmc-articleset>``) from XML bytes."""
    root = _parse_xml(data)
    article = root if _local(root.tag) == "article" else next(_descendants(root, "article"), None)
    if article is None:
        raise JatsError(
            f"not a JATS article: the XML root is <{_local(root.tag)}>, with no <article> inside",
            fix="give a JATS/NLM full text such as PMC's .nxml or Europe PMC's fullTextXML",
        )
    front = _first(article, "front")
    meta = _first(front, "article-meta")
    journal_meta = _first(front, "journal-meta")
    ids = _article_ids(meta)
    abstract = _abstract_text(meta)
    sections = _sections(article, meta, abstract)
    return JatsArticle(
        doi=ids.get("doi"),
        pmid=ids.get("pmid"),
        pmcid=ids.get("pmcid"),
        title=_text(_first(meta, "title-group", "article-title")) or None,
        authors=tuple(_authors(meta)),
        journal=_journal(journal_meta),
        year=_year(meta),
        article_type=article.get("article-type"),
        abstract=abstract,
        sections=tuple(sections),
        references=tuple(_reference(ref) for ref in _descendants(article, "ref")),
        trial_registrations=tuple(_registrations(article, sections)),
        problems=() if any(s.kind != "abstract" for s in sections) else ("no body text",),
    )


def _parse_xml(data: bytes) -> Element:
    if not data.strip():
        raise JatsError("the XML document is empty", fix="check the file or the download")
    try:
        root = SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise JatsError(
            f"refused to parse the XML: it declares entities or external references ({exc})",
            fix="JATS full texts never need these; check where the file came from",
        ) from exc
    except ParseError as exc:
        raise JatsError(
            f"not well-formed XML: {exc}", fix="check the file is complete JATS XML"
        ) from exc
    if xml_deeper_than(root, MAX_DEPTH):
        raise JatsError(
            f"elements nested more than {MAX_DEPTH} levels deep; no JATS article nests so deep",
            fix="check where the file came from",
        )
    return root


def _article_ids(meta: Element | None) -> dict[str, str]:
    ids: dict[str, str] = {}
    if meta is None:
        return ids
    for node in _children(meta, "article-id"):
        kind = (node.get("pub-id-type") or "").lower()
        value = _text(node)
        if not value:
            continue
        if kind == "doi":
            ids.setdefault("doi", value.lower())
        elif kind == "pmid":
            ids.setdefault("pmid", value)
        elif kind in ("pmc", "pmcid", "pmcaid"):
            # 'pmc' is the number in older files and 'PMC123' in newer ones.
            digits = value.upper().removeprefix("PMC")
            if digits.isdigit():
                ids.setdefault("pmcid", f"PMC{digits}")
    return ids


def _journal(journal_meta: Element | None) -> str | None:
    if journal_meta is None:
        return None
    title = _first_of(journal_meta, ("journal-title-group", "journal-title"), ("journal-title",))
    return _text(title) or None


_DATE_PREFERENCE = ("epub", "ppub", "pub", "collection", "epub-ppub", "pmc-release")


def _year(meta: Element | None) -> int | None:
    if meta is None:
        return None
    dated: list[tuple[int, int]] = []
    for node in _children(meta, "pub-date"):
        kind = node.get("pub-type") or node.get("date-type") or "pub"
        year = _text(_first(node, "year"))
        if year.isdigit():
            rank = _DATE_PREFERENCE.index(kind) if kind in _DATE_PREFERENCE else 99
            dated.append((rank, int(year)))
    return min(dated)[1] if dated else None


def _authors(meta: Element | None) -> Iterator[JatsAuthor]:
    if meta is None:
        return
    affiliations = {aff.get("id"): _affiliation(aff) for aff in _descendants(meta, "aff")}
    only_affiliation = list(affiliations.values()) if len(affiliations) == 1 else []
    for group in _children(meta, "contrib-group"):
        for contrib in _children(group, "contrib"):
            if (contrib.get("contrib-type") or "author") != "author":
                continue
            name = _first_of(contrib, ("name",), ("name-alternatives", "name"))
            if name is None:
                collab = _text(_first(contrib, "collab"))
                if collab:
                    yield JatsAuthor(family=collab)
                continue
            own = [_affiliation(aff) for aff in _children(contrib, "aff")]
            linked = [
                affiliations[rid]
                for xref in _children(contrib, "xref")
                if xref.get("ref-type") == "aff"
                for rid in (xref.get("rid") or "").split()
                if rid in affiliations
            ]
            orcid = next(
                (
                    _text(node).rsplit("/", 1)[-1]
                    for node in _children(contrib, "contrib-id")
                    if (node.get("contrib-id-type") or "").lower() == "orcid"
                ),
                None,
            )
            yield JatsAuthor(
                family=_text(_first(name, "surname")),
                given=_text(_first(name, "given-names")) or None,
                orcid=orcid or None,
                affiliations=tuple(dict.fromkeys(own + linked or only_affiliation)),
            )


def _affiliation(aff: Element) -> str:
    return _text(aff, skip=frozenset({"label", "sup", "institution-id"})).strip(" ,;")


def _abstract_text(meta: Element | None) -> str | None:
    if meta is None:
        return None
    abstracts = list(_children(meta, "abstract"))
    main = [a for a in abstracts if not a.get("abstract-type")] or abstracts[:1]
    return _joined([_abstract_body(a) for a in main])


def _abstract_body(abstract: Element) -> str:
    """A structured abstract reads 'Methods: ...', one paragraph per part, as PubMed shows it."""
    paragraphs: list[str] = []
    for child in abstract:
        name = _local(child.tag)
        if name == "sec":
            if child.get("sec-type") in _SKIPPED_SEC_TYPES:
                continue
            heading = _text(_first(child, "title"))
            body = " ".join(
                _text(p) for p in child if _local(p.tag) not in ("title", "label", "sec")
            ).strip()
            for nested in _children(child, "sec"):
                body = f"{body} {_abstract_body(nested)}".strip()
            if body:
                paragraphs.append(f"{heading}: {body}" if heading else body)
        elif name not in ("title", "label", "kwd-group"):
            paragraphs.append(_text(child))
    return "\n\n".join(p for p in paragraphs if p)


def _sections(article: Element, meta: Element | None, abstract: str | None) -> list[JatsSection]:
    sections: list[JatsSection] = []
    if abstract:
        sections.append(JatsSection("Abstract", "abstract", abstract))
    body = _first(article, "body")
    if body is not None:
        sections.extend(_body_sections(body, "Main text", "other"))
    for back in _children(article, "back"):
        sections.extend(_back_sections(back))
    if meta is not None:
        sections.extend(_front_statements(meta))
    # The funding-group is metadata; keep it only when the text states no funding itself.
    if not any(s.kind == "funding" for s in sections) and meta is not None:
        funding = _funding_group_text(meta)
        if funding:
            sections.append(JatsSection("Funding", "funding", funding))
    return _without_duplicates(sections)


def _body_sections(container: Element, title: str, kind: str) -> Iterator[JatsSection]:
    """The container's own paragraphs as sections, each subsection after them, in order."""
    paragraphs: list[str] = []
    for child in container:
        name = _local(child.tag)
        if name in _SKIPPED_CHILDREN:
            continue
        if name == "sec" or (name == "notes" and _first(child, "title") is not None):
            # Paragraphs before a subsection come before it in the text too.
            if paragraphs:
                yield JatsSection(title, kind, "\n\n".join(paragraphs))
                paragraphs = []
            yield from _subsection(child, kind)
        else:
            for paragraph in _block_paragraphs(child):
                run_in = _run_in_statement(paragraph)
                if run_in is None or run_in[1] == kind:
                    paragraphs.append(paragraph)
                    continue
                # 'Conflict of interest statement. None declared.' inside a Funding section.
                if paragraphs:
                    yield JatsSection(title, kind, "\n\n".join(paragraphs))
                    paragraphs = []
                yield JatsSection(run_in[0], run_in[1], paragraph)
    if paragraphs:
        yield JatsSection(title, kind, "\n\n".join(paragraphs))


_RUN_IN_HEADING = re.compile(r"^([A-Z][^.:]{3,60})[.:]\s")


def _run_in_statement(paragraph: str) -> tuple[str, str] | None:
    """(heading, kind) when a paragraph opens with a statement's own heading, else None."""
    match = _RUN_IN_HEADING.match(paragraph)
    if match is None:
        return None
    kind = classify_title(match.group(1))
    return (match.group(1), kind) if kind in ("coi", "funding", "registration") else None


def _subsection(sec: Element, parent_kind: str) -> Iterator[JatsSection]:
    if (sec.get("sec-type") or "").lower() in _SKIPPED_SEC_TYPES:
        return
    title = _text(_first(sec, "title"))
    kind = _section_kind(sec, title, parent_kind)
    yield from _body_sections(sec, title or _untitled(kind), kind)


def _section_kind(element: Element, title: str, parent_kind: str) -> str:
    own = (
        _kind_of_type(element.get("sec-type"))
        or _kind_of_type(element.get("notes-type"))
        or _kind_of_type(element.get("fn-type"))
        or classify_title(title)
    )
    if parent_kind not in ("other", "") and (own is None or own not in _STATEMENT_KINDS):
        return parent_kind
    return own or "other"


def _untitled(kind: str) -> str:
    return {
        "coi": "Competing interests",
        "funding": "Funding",
        "acknowledgements": "Acknowledgements",
        "other": "Main text",
    }.get(kind, kind.capitalize())


def _block_paragraphs(element: Element) -> list[str]:
    """Paragraph texts of one body-level block: p, list, table or figure caption, quote..."""
    name = _local(element.tag)
    if name == "p":
        out = [_text(element, skip=_FLOATS)]
        for node in element.iter():
            if _local(node.tag) in ("table-wrap", "fig"):
                out.append(_caption(node))
        return [p for p in out if p]
    if name in ("table-wrap", "fig", "table-wrap-group", "fig-group"):
        return [
            c
            for c in (_caption(n) for n in element.iter() if _local(n.tag) in ("table-wrap", "fig"))
            if c
        ]
    if name == "list":
        return [_text(item) for item in _descendants(element, "list-item") if _text(item)]
    if name in ("disp-quote", "boxed-text", "statement", "notes", "def-list"):
        return [p for child in element for p in _block_paragraphs(child)] or [_text(element)]
    if name in ("disp-formula", "graphic", "media", "alternatives", "supplementary-material"):
        return []
    text = _text(element)
    return [text] if text else []


def _caption(node: Element) -> str:
    """'Table 1. Baseline characteristics ...' : label and caption, never the cells."""
    label = _text(_first(node, "label"))
    caption = _text(_first(node, "caption"))
    if not caption:
        return ""
    return (
        f"{label}. {caption}" if label and not label.endswith(".") else f"{label} {caption}".strip()
    )


def _back_sections(back: Element) -> Iterator[JatsSection]:
    for child in back:
        name = _local(child.tag)
        if name in ("sec", "notes"):
            if (child.get("sec-type") or "").lower() in _SKIPPED_SEC_TYPES:
                continue
            title = _text(_first(child, "title"))
            kind = _section_kind(child, title, "other")
            yield from _body_sections(child, title or _untitled(kind), kind)
            yield from _nested_footnotes(child)
        elif name == "ack":
            title = _text(_first(child, "title")) or "Acknowledgements"
            yield from _body_sections(child, title, "acknowledgements")
            yield from _nested_footnotes(child)
        elif name == "fn-group":
            yield from _footnotes(child)


def _nested_footnotes(container: Element) -> Iterator[JatsSection]:
    """Footnote groups inside a back-matter section or the acknowledgements: some publishers
    put the competing-interests and funding statements there, and section text skips them."""
    for node in container.iter():
        if node is not container and _local(node.tag) == "fn-group":
            yield from _footnotes(node)


def _footnotes(group: Element) -> Iterator[JatsSection]:
    """Typed footnotes (COI, financial disclosure) and untyped ones that say what they are."""
    for fn in _children(group, "fn"):
        text = _text(fn, skip=frozenset({"label"}))
        if not text:
            continue
        title = _text(_first(fn, "title"))
        kind = _kind_of_type(fn.get("fn-type")) or classify_title(title or text[:60])
        if kind in ("coi", "funding"):
            body = _text(fn, skip=frozenset({"label", "title"}))
            yield JatsSection(title or _untitled(kind), kind, body)


def _front_statements(meta: Element) -> Iterator[JatsSection]:
    """COI and funding footnotes in author-notes, and notes/fn elsewhere in the front matter."""
    for notes in _children(meta, "author-notes"):
        yield from _footnotes(notes)
        for fn_group in _children(notes, "fn-group"):
            yield from _footnotes(fn_group)


def _funding_group_text(meta: Element) -> str | None:
    statements: list[str] = []
    for group in _children(meta, "funding-group"):
        statement = _text(_first(group, "funding-statement"))
        if statement:
            statements.append(statement)
            continue
        for award in _children(group, "award-group"):
            source = _text(_first(award, "funding-source"), skip=frozenset({"institution-id"}))
            awards = ", ".join(_text(a) for a in _children(award, "award-id") if _text(a))
            if source:
                statements.append(f"{source} ({awards})" if awards else source)
    if not statements:
        return None
    return statements[0] if len(statements) == 1 else "Funded by: " + "; ".join(statements) + "."


def _without_duplicates(sections: list[JatsSection]) -> list[JatsSection]:
    """The same statement can sit in two encodings (a notes block and a footnote): keep one."""
    seen: set[tuple[str, str]] = set()
    out: list[JatsSection] = []
    for section in sections:
        key = (section.kind, section.text)
        if key not in seen:
            seen.add(key)
            out.append(section)
    return out


def _reference(ref: Element) -> JatsReference:
    citation = _first_of(
        ref, ("element-citation",), ("mixed-citation",), ("citation",), ("nlm-citation",)
    )
    if citation is None:
        citation = ref
    ids = {
        (node.get("pub-id-type") or "").lower(): _text(node)
        for node in _descendants(citation, "pub-id")
    }
    doi = ids.get("doi")
    if not doi:
        for link in _descendants(citation, "ext-link"):
            target = link.get("{http://www.w3.org/1999/xlink}href") or _text(link)
            match = _DOI_IN_TEXT.search(target)
            if match:
                doi = match.group(0)
                break
    title = _first_of(citation, ("article-title",), ("chapter-title",))
    year_text = _text(_first(citation, "year"))
    year_match = re.search(r"\d{4}", year_text)
    names = [
        " ".join(filter(None, (_text(_first(n, "surname")), _text(_first(n, "given-names")))))
        for n in _descendants(citation, "name")
    ]
    names += [_text(c) for c in _descendants(citation, "collab")]
    return JatsReference(
        raw=_citation_text(citation),
        doi=doi.lower().rstrip(".") if doi else None,
        pmid=ids.get("pmid") or None,
        title=(_text(title) or _text(_first(citation, "source")) or None),
        year=int(year_match.group(0)) if year_match else None,
        authors=", ".join(n for n in names if n) or None,
    )


def _citation_text(citation: Element) -> str:
    """Citation text with a space between tagged parts (the XML often has none)."""
    pieces: list[str] = []

    def walk(node: Element) -> None:
        pieces.append(node.text or "")
        for child in node:
            if _local(child.tag) != "label":
                walk(child)
            pieces.append(child.tail or "")

    walk(citation)
    joined = _SPACE.sub(" ", " ".join(pieces)).strip()
    joined = _SPACE_AFTER_OPENING.sub(r"\1", joined)
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", joined)


_SPACE_AFTER_OPENING = re.compile(r"([(\[])\s+")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.;:)\]])")
_DOI_IN_TEXT = re.compile(r"10\.\d{4,9}/[^\s\"<>]+")

# Trial registry numbers (WHO ICTRP primary registries most often met in psychotherapy trials).
TRIAL_ID = re.compile(
    r"\b(NCT\d{8}|ISRCTN\d{8}|ACTRN\d{14}|DRKS\d{8}|ChiCTR[-\w]{6,20}\d|CTRI/\d{4}/\d{2,3}/\d{6}|"
    r"EUCTR\d{4}-\d{6}-\d{2}|NTR\d{3,5}|IRCT\d{8,}N\d+|"
    r"jRCT\d{10}|UMIN\d{9}|PACTR\d{15}|KCT\d{7}|TCTR\d{11}|CRD\d{11})\b"
)


def _registrations(article: Element, sections: list[JatsSection]) -> Iterator[str]:
    """Registry ids tagged in the XML, then any written in the abstract or a registration note."""
    found: dict[str, None] = {}
    for link in _descendants(article, "ext-link"):
        if (link.get("ext-link-type") or "").lower() in ("clintrialgov", "clinical-trial", "ctr"):
            found.setdefault(_text(link), None)
    for obj in _descendants(article, "related-object"):
        if (obj.get("source-id-type") or "").lower() in ("registry", "crossref-doi") or obj.get(
            "document-id-type"
        ) == "clinical-trial-number":
            value = obj.get("document-id") or _text(obj)
            if value:
                found.setdefault(value, None)
    for section in sections:
        if section.kind in ("abstract", "registration", "methods"):
            for match in TRIAL_ID.finditer(section.text):
                found.setdefault(match.group(0), None)
    yield from (value for value in found if value)
