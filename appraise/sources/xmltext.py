"""Hardened XML parsing and text flattening shared by the XML parsers.

API responses are parsed with defusedxml: a document that declares entities (the
"billion laughs" expansion bomb) or refers to external ones is refused with a clear error,
while the public DOCTYPE lines PubMed and JATS files carry are accepted (nothing is fetched).
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from appraise.errors import SourceError
from appraise.files import MAX_DEPTH

_SPACE = re.compile(r"[ \t\r\n\u00a0]+")


def xml_deeper_than(root: Element, limit: int) -> bool:
    """Whether elements nest more than ``limit`` levels under ``root`` (walked without
    recursion; the recursive text and section walks that follow then stay within Python's
    recursion limit)."""
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in element)
    return False


def parse_xml(data: bytes, what: str) -> Element:
    """Parse ``data`` (named ``what`` in errors) without entity expansion or external access,
    refusing elements nested more than MAX_DEPTH deep."""
    try:
        root = fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise SourceError(
            f"{what}: refused unsafe XML ({type(exc).__name__}: entity declarations or "
            "external references are not accepted)",
            fix="this is not a genuine API response; check the source URL",
        ) from None
    except ParseError as exc:
        raise SourceError(
            f"{what}: not well-formed XML ({exc})",
            fix="try again with --refresh; the response may have been cut off",
        ) from None
    if xml_deeper_than(root, MAX_DEPTH):
        raise SourceError(
            f"{what}: elements nested more than {MAX_DEPTH} levels deep",
            fix="this is not a genuine API response; check the source URL",
        )
    return root


def flatten(element: Element | None) -> str:
    """All text inside ``element`` with inline markup (<b>, <i>, <sup>...) dropped and white
    space collapsed, e.g. ``vitamin D<sub>3</sub>`` -> ``vitamin D3``."""
    if element is None:
        return ""
    return _SPACE.sub(" ", "".join(element.itertext())).strip()


def child_text(element: Element | None, path: str) -> str | None:
    """Flattened text of the first match of ``path`` under ``element``, or None if empty."""
    if element is None:
        return None
    return flatten(element.find(path)) or None


def collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()
