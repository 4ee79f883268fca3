"""The example-query catalogue in queries/: one .rq file per question, with a metadata header.

Header lines at the top of each file (before the query) look like::

    # title: Rhee's conditions, in order
    # title@ja: 李承晩が提示した条件（順序付き）
    # description: Every ordered list of conditions Rhee set, item by item.
    # description@ja: …
    # keywords: positions, Rhee, conditions
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Example:
    slug: str
    query: str
    titles: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    keywords: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return self.titles.get("en") or self.slug

    @property
    def form(self) -> str:
        """SELECT, ASK, CONSTRUCT or DESCRIBE (the first keyword after the prologue)."""
        for line in self.query.splitlines():
            word = line.strip().split(" ", 1)[0].upper()
            if word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
                return word
        return "SELECT"


def parse_example(path: Path) -> Example:
    titles: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    keywords: tuple[str, ...] = ()
    text = path.read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line[1:].partition(":")
        name, _, lang = key.strip().partition("@")
        value = value.strip()
        if name == "title":
            titles[lang or "en"] = value
        elif name == "description":
            descriptions[lang or "en"] = value
        elif name == "keywords":
            keywords = tuple(k.strip() for k in value.split(",") if k.strip())
    return Example(path.stem, text, titles, descriptions, keywords)


def load_examples(directory: Path) -> list[Example]:
    """Every example in the catalogue, in file-name order."""
    return [parse_example(p) for p in sorted(directory.glob("*.rq"))]
