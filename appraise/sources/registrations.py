"""Trial registration numbers found in free text (abstracts, methods, Crossref fields).

Each registry has a distinctive id shape, so a pattern per registry finds them in prose such
as "registered at ClinicalTrials.gov (NCT01234567)" without a registry name nearby. The
Netherlands register's bare ``NL1234`` form is too short to trust alone, so it is only taken
when a register is named just before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from appraise.models import TrialRegistration


@dataclass(frozen=True)
class _Registry:
    name: str
    pattern: re.Pattern[str]
    url: str | None = None  # format string with {id}
    needs_context: bool = False


def _p(regex: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z0-9]){regex}(?![0-9])", re.IGNORECASE)


_REGISTRIES = (
    _Registry("ClinicalTrials.gov", _p(r"NCT[\s-]?\d{8}"), "https://clinicaltrials.gov/study/{id}"),
    _Registry("ISRCTN", _p(r"ISRCTN[\s:-]?\d{8}"), "https://www.isrctn.com/{id}"),
    _Registry("ANZCTR", _p(r"ACTRN\s?\d{14}"), "https://www.anzctr.org.au/ACTRN.aspx?ACTRN={id}"),
    _Registry("DRKS", _p(r"DRKS\s?\d{8}"), "https://drks.de/search/en/trial/{id}"),
    _Registry("ChiCTR", _p(r"ChiCTR-?(?:[A-Z]{2,4}-)?\d{8,10}"), None),
    _Registry(
        "EudraCT",
        _p(r"(?:19|20)\d{2}-\d{6}-\d{2}"),
        "https://www.clinicaltrialsregister.eu/ctr-search/search?query={id}",
    ),
    _Registry(
        "EU CTIS",
        _p(r"20\d{2}-5\d{5}-\d{2}-\d{2}"),
        "https://euclinicaltrials.eu/search-for-clinical-trials/?lang=en&EUCT={id}",
    ),
    _Registry("CTRI", _p(r"CTRI/\d{4}/\d{2,3}/\d{6}"), None),
    _Registry("IRCT", _p(r"IRCT\d{6,14}N\d{1,3}"), None),
    _Registry("Netherlands Trial Register", _p(r"NTR\s?\d{3,5}"), None),
    _Registry("Netherlands Trial Register", _p(r"NL-OMON\d{4,6}"), None),
    _Registry("Netherlands Trial Register", _p(r"NL\d{4,5}"), None, needs_context=True),
    _Registry("UMIN-CTR", _p(r"UMIN\d{9}"), None),
    _Registry("jRCT", _p(r"jRCT[sb]?\d{9,10}"), "https://jrct.niph.go.jp/latest-detail/{id}"),
    _Registry("CRIS", _p(r"KCT\d{7}"), None),
    _Registry("PACTR", _p(r"PACTR\d{15,16}"), None),
    _Registry("ReBEC", _p(r"RBR-\w{6,8}"), None),
    _Registry("SLCTR", _p(r"SLCTR/\d{4}/\d{3}"), None),
    _Registry("TCTR", _p(r"TCTR\d{11}"), None),
    _Registry(
        "PROSPERO",
        _p(r"CRD\s?4\d{10}"),
        "https://www.crd.york.ac.uk/prospero/display_record.php?RecordID={id}",
    ),
)
# Any registry's id: a text none of whose parts this finds holds no registration.
ANY_REGISTRY = re.compile("|".join(f"(?:{r.pattern.pattern})" for r in _REGISTRIES), re.IGNORECASE)
_CONTEXT = re.compile(r"(trial\s*regist|register|trialregister\.nl|netherlands)", re.IGNORECASE)
_CONTEXT_WINDOW = 60

# Crossref's clinical-trial-number names the registry by a DOI under 10.18810.
CROSSREF_REGISTRIES = {
    "10.18810/clinical-trials-gov": "ClinicalTrials.gov",
    "10.18810/isrctn": "ISRCTN",
    "10.18810/anzctr": "ANZCTR",
    "10.18810/drks": "DRKS",
    "10.18810/chictr": "ChiCTR",
    "10.18810/euctr": "EudraCT",
    "10.18810/ctri": "CTRI",
    "10.18810/irct": "IRCT",
    "10.18810/ntr": "Netherlands Trial Register",
    "10.18810/dutch-trial-register": "Netherlands Trial Register",
    "10.18810/umin": "UMIN-CTR",
    "10.18810/jrct": "jRCT",
    "10.18810/cris": "CRIS",
    "10.18810/pactr": "PACTR",
    "10.18810/rebec": "ReBEC",
    "10.18810/slctr": "SLCTR",
    "10.18810/tctr": "TCTR",
}


def _canonical(registry: _Registry, found: str) -> str:
    compact = re.sub(r"[\s:]", "", found)
    if registry.name in ("ClinicalTrials.gov", "ISRCTN"):
        compact = compact.replace("-", "")
    if registry.name in ("jRCT", "ChiCTR"):
        prefix = "jRCT" if registry.name == "jRCT" else "ChiCTR"
        return prefix + compact[len(prefix) :].upper()
    if registry.name == "ReBEC":
        return "RBR-" + compact[4:]
    return compact.upper()


def find_registrations(text: str) -> list[TrialRegistration]:
    """Every trial registration id in ``text``, canonical spelling, first mention order."""
    found: list[tuple[int, TrialRegistration]] = []
    seen: set[tuple[str, str]] = set()
    for registry in _REGISTRIES:
        for match in registry.pattern.finditer(text):
            if registry.needs_context:
                before = text[max(0, match.start() - _CONTEXT_WINDOW) : match.start()]
                if not _CONTEXT.search(before):
                    continue
            ident = _canonical(registry, match.group(0))
            key = (registry.name, ident)
            if key in seen:
                continue
            seen.add(key)
            url = registry.url.format(id=ident) if registry.url else None
            found.append(
                (match.start(), TrialRegistration(registry=registry.name, id=ident, url=url))
            )
    return [reg for _, reg in sorted(found, key=lambda item: item[0])]


def registration_from_number(number: str, registry_doi: str | None) -> TrialRegistration | None:
    """A registration from Crossref's ``clinical-trial-number`` and its registry DOI."""
    recognised = find_registrations(number)
    if recognised:
        return recognised[0]
    name = CROSSREF_REGISTRIES.get((registry_doi or "").lower())
    cleaned = number.strip()
    if not cleaned:
        return None
    return TrialRegistration(registry=name or registry_doi or "unknown", id=cleaned.upper())


def unique_registrations(groups: list[list[TrialRegistration]]) -> list[TrialRegistration]:
    """Registrations from several places, each (registry, id) once, first seen first."""
    seen: set[tuple[str, str]] = set()
    result: list[TrialRegistration] = []
    for group in groups:
        for reg in group:
            key = (reg.registry, reg.id.upper())
            if key not in seen:
                seen.add(key)
                result.append(reg)
    return result
