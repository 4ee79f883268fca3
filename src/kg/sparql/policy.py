"""What a query or update may reach: no outbound requests unless an IRI is allow-listed.

pyoxigraph follows ``SERVICE`` and ``LOAD`` over HTTP and has no hook to stop it, so every
request is checked before it reaches the engine. The check is a SPARQL tokenizer rather than a
full parser: it knows where IRIs, strings and comments are (a keyword inside them does not
count), resolves prefixed names and relative IRIs, and applies the ``\\uXXXX`` escapes that SPARQL
processes before parsing (so ``\\u0053ERVICE`` is caught too). It is pure Python, fast and
thread-safe, unlike rdflib's parser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_IRI = r"""(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)|"""
_REST = r"""(?P<str>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
      |(?P<comment>\#[^\n\r]*)
      |(?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
      |(?P<pname>(?:[^\W\d_][\w.-]*)?:(?:[\w:%-]|\\.|\.(?=[\w:%-]))*)
      |(?P<word>[^\W\d]\w*)
      |(?P<space>\s+)
      |(?P<other>.)"""
# Two readings of '<': as the start of an IRI (longest match, as the SPARQL grammar's lexer does)
# and, when the would-be IRI holds a quote, as the less-than operator (as a PEG parser may read
# `?a<'x>'`). A quote is the only IRI character that changes how the rest is tokenized, so a
# keyword is flagged if either reading finds it: text crafted to hide it from one is still caught.
_TOKEN = re.compile(_IRI + _REST, re.VERBOSE | re.DOTALL)
_IRI_NO_QUOTE = r"""(?P<iri><[^<>"'{}|^`\\\x00-\x20]*>)|"""
_TOKEN_LT = re.compile(_IRI_NO_QUOTE + _REST, re.VERBOSE | re.DOTALL)
_LOCAL_ESCAPE = re.compile(r"\\(.)")


def _join(base: str, ref: str) -> str:
    """Resolve a relative IRI; an unparsable one stays as written (and is refused where it matters)."""
    try:
        return urljoin(base, ref)
    except ValueError:
        return ref


class PolicyError(ValueError):
    """The request would make the server contact another host (or is not checkable)."""


class TooLong(PolicyError):
    """The request is too long to check (HTTP 413)."""


@dataclass(frozen=True)
class Reach:
    """The IRIs a query or update names in clauses that can read or fetch other graphs."""

    service: tuple[str, ...] = ()
    dataset: tuple[str, ...] = ()  # FROM, FROM NAMED, USING, USING NAMED
    load: tuple[str, ...] = ()

    @property
    def has_dataset_clause(self) -> bool:
        return bool(self.dataset)


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    start: int = 0


# The tokenizer is Python-speed (~1.5 µs a token): a 10 MB body of `1 1 1 …` took 26 s of a request
# thread before the query timeout could even start. Requests with more tokens than this (a 100,000-
# triple INSERT DATA has ~800,000) are refused instead of analysed; the check then costs ≤ ~2 s.
MAX_TOKENS = 1_500_000


def _tokens(text: str, pattern: re.Pattern[str]) -> list[_Tok]:
    out = []
    for n, m in enumerate(pattern.finditer(text)):
        if n >= MAX_TOKENS:
            raise TooLong(f"the request has more than {MAX_TOKENS} tokens, more than this endpoint analyses; "
                          "split it into smaller requests")
        if m.lastgroup not in ("space", "comment"):
            out.append(_Tok(m.lastgroup or "other", m.group(), m.start()))
    return out


def analyse(text: str, base: str) -> Reach:
    """Collect the SERVICE, FROM/USING and LOAD targets of ``text`` as absolute IRIs.

    A target that cannot be resolved (a variable after SERVICE, an undeclared prefix) is
    reported as the raw token, so that it is refused rather than silently let through. Raises
    PolicyError for brackets nested deeper than MAX_NESTING.
    """
    text = _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    toks = _tokens(text, _TOKEN)
    _check_nesting(toks)
    first = _scan(toks, base)
    # The second reading differs from the first only where an IRI token holds a quote.
    second = _tokens(text, _TOKEN_LT) if any(t.kind == "iri" and "'" in t.text for t in toks) else toks
    words = [t.text.upper() for t in second if t.kind == "word"]
    hidden = "(a target this endpoint cannot resolve)"
    service = first.service + ((hidden,) if words.count("SERVICE") > len(first.service) else ())
    load = first.load + ((hidden,) if words.count("LOAD") > len(first.load) else ())
    return Reach(service, first.dataset, load)


# pyoxigraph's recursive-descent parser overflows the stack (SIGSEGV, killing the process) at a
# few thousand nested brackets (measured: fine at 2,000, crash at 4,000 in a thread); real
# queries stay far below this.
MAX_NESTING = 256


def _check_nesting(toks: list[_Tok]) -> None:
    depth = deepest = 0
    for tok in toks:
        if tok.text in ("{", "(", "["):
            depth += 1
            deepest = max(deepest, depth)
        elif tok.text in ("}", ")", "]"):
            depth -= 1
    if deepest > MAX_NESTING:
        raise PolicyError(f"brackets nested {deepest} deep: this endpoint accepts at most {MAX_NESTING} levels")


def with_using(update: str, using: tuple[str, ...], using_named: tuple[str, ...]) -> str:
    """Apply the protocol's using-graph-uri / using-named-graph-uri to an update's WHERE clauses.

    pyoxigraph's update API takes no dataset, so the parameters become USING / USING NAMED
    clauses inserted before the WHERE of every DELETE/INSERT operation. The protocol forbids the
    parameters on an update that has its own USING, USING NAMED or WITH (§2.2.3): PolicyError.
    """
    if not using and not using_named:
        return update
    text = _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), update)
    toks = _tokens(text, _TOKEN)
    if any(t.kind == "word" and t.text.upper() in ("USING", "WITH") for t in toks):
        raise PolicyError("using-graph-uri / using-named-graph-uri cannot be combined with an update that has its own "
                          "USING, USING NAMED or WITH clause (SPARQL 1.1 Protocol §2.2.3)")
    clause = " ".join([*(f"USING <{g}>" for g in using), *(f"USING NAMED <{g}>" for g in using_named)]) + " "
    depth, cuts = 0, []
    for prev, tok in zip([_Tok("start", ""), *toks], toks, strict=False):
        depth += {"{": 1, "}": -1}.get(tok.text, 0)
        if tok.kind == "word" and tok.text.upper() == "WHERE" and depth == 0 and prev.text == "}":
            cuts.append(tok.start)
    for cut in reversed(cuts):
        text = text[:cut] + clause + text[cut:]
    return text


def data_only(update: str) -> tuple[str, str] | None:
    """If ``update`` is only INSERT DATA (or only DELETE DATA) operations, say which, and give its
    text rewritten as INSERT DATA; else None.

    Running that text on an empty store yields exactly the quads the update names, which lets the
    write path compute its delta without copying the store.
    """
    text = _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), update)
    depth, top, cuts = 0, set(), []
    for tok in _tokens(text, _TOKEN):
        depth += {"{": 1, "}": -1}.get(tok.text, 0)
        if depth == 0 and tok.kind == "word":
            top.add(tok.text.upper())
            if tok.text.upper() == "DELETE":
                cuts.append(tok.start)
    for kind in ("INSERT", "DELETE"):
        if top == {kind, "DATA"} | (top & {"PREFIX", "BASE"}):
            for cut in reversed(cuts):
                text = text[:cut] + "INSERT" + text[cut + len("DELETE"):]
            return kind, text
    return None


def _scan(toks: list[_Tok], base: str) -> Reach:
    prefixes: dict[str, str] = {}
    service: list[str] = []
    dataset: list[str] = []
    load: list[str] = []

    def resolve(tok: _Tok) -> str:
        if tok.kind == "iri":
            return _join(base, tok.text[1:-1])
        if tok.kind == "pname":
            prefix, _, local = tok.text.partition(":")
            if prefix in prefixes:
                return prefixes[prefix] + _LOCAL_ESCAPE.sub(r"\1", local)
        return tok.text

    i = 0
    while i < len(toks):
        tok = toks[i]
        word = tok.text.upper() if tok.kind == "word" else ""
        nxt = toks[i + 1] if i + 1 < len(toks) else _Tok("end", "")
        if word == "BASE" and nxt.kind == "iri":
            base = _join(base, nxt.text[1:-1])
        elif word == "PREFIX" and nxt.kind == "pname" and i + 2 < len(toks) and toks[i + 2].kind == "iri":
            prefixes[nxt.text[:-1]] = _join(base, toks[i + 2].text[1:-1])
        elif word in ("SERVICE", "LOAD", "FROM", "USING"):
            j = i + 1
            while j < len(toks) and toks[j].kind == "word" and toks[j].text.upper() in ("SILENT", "NAMED"):
                j += 1
            target = resolve(toks[j]) if j < len(toks) else ""
            {"SERVICE": service, "LOAD": load}.get(word, dataset).append(target)
        i += 1
    return Reach(tuple(service), tuple(dataset), tuple(load))


def refuse_outbound(reach: Reach, local_graphs: Iterable[str], allowed: tuple[str, ...],
                    extra_graphs: Iterable[str] = ()) -> None:
    """Raise PolicyError naming the first IRI the request may not reach.

    SERVICE and LOAD always go to the network; FROM/USING (and the protocol's graph parameters,
    ``extra_graphs``) may name only graphs of this store, or allow-listed prefixes.
    """
    local = set(local_graphs)

    def allowed_remote(iri: str) -> bool:
        return any(iri.startswith(prefix) for prefix in allowed)

    for iri in reach.service:
        if not allowed_remote(iri):
            raise PolicyError(f"SERVICE <{iri}> refused: this endpoint makes no outbound requests unless the IRI's "
                              "prefix is listed in KG_ALLOW_REMOTE (empty by default)")
    for iri in reach.load:
        if not allowed_remote(iri):
            raise PolicyError(f"LOAD <{iri}> refused: this endpoint makes no outbound requests unless the IRI's "
                              "prefix is listed in KG_ALLOW_REMOTE (empty by default)")
    for iri in (*reach.dataset, *extra_graphs):
        if iri not in local and not allowed_remote(iri):
            raise PolicyError(f"graph <{iri}> refused: FROM/USING and graph parameters may only name this store's "
                              "graphs (see the service description at GET /sparql) or IRIs whose prefix is listed in "
                              "KG_ALLOW_REMOTE (empty by default)")
