"""Resolve a FRUS citation string to the history.state.gov document, from the volume index the graph holds.

The index is every document with ka:publishedIn (a FRUS volume part whose rdfs:seeAlso names its
history.state.gov volume, e.g. frus1952-54v15p1), ka:frusDocumentNumber and ka:firstPage
(ka:lastPage when known). Pages run on across the parts of a volume, so a citation is resolved by
volume and pages; a cited part that differs from the document's part is reported, not trusted.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .model import PREAMBLE, Query

HSG_DOCS = "https://history.state.gov/historicaldocuments/"
ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
VOLUME_ID = re.compile(r"frus(\d{4})-(\d{2})v(\d+)(?:p(\d+))?")


class CitationError(ValueError):
    """The string is not a FRUS citation this resolver can read (no years, volume or pages)."""


@dataclass(frozen=True)
class Citation:
    """What a FRUS citation gives: the volume's years, volume and part numbers, and the pages."""

    first_year: int
    last_year: int
    volume: int
    part: int | None
    first_page: int
    last_page: int

    def __str__(self) -> str:
        part = f", pt. {self.part}" if self.part else ""
        pages = f"p. {self.first_page}" if self.first_page == self.last_page else \
            f"pp. {self.first_page}-{self.last_page}"
        return f"FRUS {self.first_year}-{self.last_year}, vol. {self.volume}{part}, {pages}"


@dataclass(frozen=True)
class IndexedDocument:
    """A document of the graph's volume index."""

    iri: str
    label: str
    hsg_id: str  # frus1952-54v15p1/d455
    first_year: int
    last_year: int
    volume: int
    part: int | None
    first_page: int
    last_page: int

    @property
    def hsg_iri(self) -> str:
        return HSG_DOCS + self.hsg_id

    def pages(self) -> str:
        return f"p. {self.first_page}" if self.first_page == self.last_page else \
            f"pp. {self.first_page}-{self.last_page}"


@dataclass
class Resolution:
    """The answer: the document (None when not found), warnings, and uncertain candidates when not found."""

    citation: Citation
    document: IndexedDocument | None
    warnings: list[str] = field(default_factory=list)
    candidates: list[tuple[str, IndexedDocument]] = field(default_factory=list)  # (how it relates, document)


def _roman(text: str) -> int:
    values = [ROMAN[c] for c in text]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def _year(start: int, end: str) -> int:
    """The end year of a span, written in full (1954) or shortened (54)."""
    return int(end) if len(end) == 4 else start // 100 * 100 + int(end)


def _page_end(first: int, end: str) -> int:
    """The last page, written in full (1098) or shortened (98 after 1097)."""
    if len(end) >= len(str(first)):
        return int(end)
    return int(str(first)[: len(str(first)) - len(end)] + end)


def parse_citation(text: str) -> Citation:
    """Read 'FRUS 1952-54 XV pp. 1097-98' or the paper's 'FRUS, 1952-1954, vol. 15, pt. 2, pp. 1097-1098'."""
    norm = unicodedata.normalize("NFKC", text).replace("–", "-").replace("—", "-")
    marker = re.search(r"FRUS|Foreign Relations of the United States", norm, re.IGNORECASE)
    if not marker:
        raise CitationError("not a FRUS citation: it names neither 'FRUS' nor 'Foreign Relations of the United States'")
    tail = norm[marker.end():]
    years = re.search(r"\b(1[89]\d\d)\s*-\s*(\d{4}|\d{2})\b", tail)
    if not years:
        raise CitationError("no volume years (e.g. 1952-54) after 'FRUS'")
    rest = tail[years.end():]
    volume = re.search(r"\b(?:vol(?:ume)?\.?\s*)([0-9]+|[IVXLC]+)\b", rest, re.IGNORECASE) or \
        re.search(r"^[\s,]*([IVXLC]+|[0-9]+)\b", rest)
    if not volume:
        raise CitationError("no volume number (e.g. 'vol. 15' or 'XV')")
    part = re.search(r"\b(?:pt|part)\.?\s*(\d+)\b", rest, re.IGNORECASE)
    pages = re.search(r"\bpp?\.\s*(\d+)(?:\s*-\s*(\d+))?", rest)
    if not pages:
        raise CitationError("no pages (e.g. 'pp. 1097-98' or 'p. 907')")
    first_year = int(years.group(1))
    number = volume.group(1)
    first = int(pages.group(1))
    return Citation(first_year, _year(first_year, years.group(2)),
                    int(number) if number.isdigit() else _roman(number.upper()),
                    int(part.group(1)) if part else None, first,
                    _page_end(first, pages.group(2)) if pages.group(2) else first)


def volume_index(query: Query) -> list[IndexedDocument]:
    """The documents of every history.state.gov FRUS volume part the graph holds, by first page."""
    rows = query(PREAMBLE + f"""
        SELECT ?doc ?label ?volume ?n ?first ?last WHERE {{
            ?doc ka:publishedIn ?vol ; ka:frusDocumentNumber ?n ; ka:firstPage ?first .
            ?vol rdfs:seeAlso ?volume . FILTER (STRSTARTS(STR(?volume), "{HSG_DOCS}frus"))
            OPTIONAL {{ ?doc ka:lastPage ?last }}
            OPTIONAL {{ ?doc rdfs:label ?label FILTER (LANGMATCHES(LANG(?label), "en")) }}
        }}""")
    index = []
    for r in rows:
        volume_id = r["volume"].value[len(HSG_DOCS):]
        m = VOLUME_ID.fullmatch(volume_id)
        if not m:
            continue
        first_year = int(m.group(1))
        first = int(r["first"].value)
        index.append(IndexedDocument(
            r["doc"].value, r["label"].value if r["label"] else "", f"{volume_id}/d{r['n'].value}", first_year,
            _year(first_year, m.group(2)), int(m.group(3)), int(m.group(4)) if m.group(4) else None,
            first, int(r["last"].value) if r["last"] else first))
    return sorted(index, key=lambda d: (d.first_page, d.last_page, d.hsg_id))


def resolve(citation: Citation, index: list[IndexedDocument]) -> Resolution:
    """The document that starts on the cited first page, else the one that spans it; else none.

    Documents share boundary pages (one ends where the next begins), so a document starting on the
    cited page wins over one ending there.
    """
    volume = [d for d in index if (d.first_year, d.last_year, d.volume) ==
              (citation.first_year, citation.last_year, citation.volume)]
    starting = [d for d in volume if d.first_page == citation.first_page]
    spanning = [d for d in volume if d.first_page <= citation.first_page <= d.last_page]
    candidates = starting or spanning
    if len(candidates) != 1:
        relation = "starts on the cited page" if starting else "spans the cited page"
        before = [("nearest before", d) for d in volume if d.last_page < citation.first_page][-1:]
        after = [("nearest after", d) for d in volume if d.first_page > citation.first_page][:1]
        return Resolution(citation, None, candidates=[(relation, d) for d in candidates] or before + after)
    found = candidates[0]
    resolution = Resolution(citation, found)
    if citation.part is not None and found.part is not None and citation.part != found.part:
        resolution.warnings.append(
            f"the citation says pt. {citation.part}, but {found.hsg_id} is in part {found.part}; "
            "the pages run on across the parts, so the document was found by its pages")
    if citation.last_page > found.last_page:
        resolution.warnings.append(f"the cited pages end at p. {citation.last_page}, after the document's last page "
                                   f"({found.pages()} in the graph)")
    return resolution
