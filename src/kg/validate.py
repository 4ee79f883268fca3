"""SHACL validation with pySHACL, and reports a contributor can act on."""

from __future__ import annotations

from dataclasses import dataclass, field

from pyshacl import validate as shacl_validate
from rdflib import RDF, Graph, URIRef
from rdflib.term import Node

from .namespaces import SH


@dataclass(frozen=True)
class Result:
    """One SHACL validation result, flattened for people and JSON."""

    focus: str
    path: str | None
    component: str
    severity: str
    messages: dict[str, str]
    value: str | None
    shape: str | None

    def to_json(self) -> dict[str, object]:
        return {
            "focusNode": self.focus, "resultPath": self.path, "sourceConstraintComponent": self.component,
            "resultSeverity": self.severity, "resultMessage": self.messages, "value": self.value,
            "sourceShape": self.shape,
        }


@dataclass
class Report:
    """The outcome of a validation: conforms or not, the results, and the raw SHACL report graph."""

    conforms: bool
    results: list[Result] = field(default_factory=list)
    graph: Graph = field(default_factory=Graph)

    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    def text(self, where: dict[str, str] | None = None) -> str:
        """A plain-text report: node, property, rule, message, and the file defining the node."""
        if self.conforms and not self.results:
            return "conforms: no SHACL results"
        lines = [f"{'conforms' if self.conforms else 'DOES NOT CONFORM'}: {len(self.results)} result(s)"]
        for r in sorted(self.results, key=lambda r: (r.severity != "Violation", r.focus, r.path or "")):
            lines.append(f"- {r.severity}: {r.focus}")
            if where and r.focus in where:
                lines.append(f"    in file:    {where[r.focus]}")
            if r.path:
                lines.append(f"    property:   {r.path}")
            lines.append(f"    rule:       {r.component}" + (f" (shape {r.shape})" if r.shape else ""))
            if r.value is not None:
                lines.append(f"    value:      {r.value}")
            for lang, msg in sorted(r.messages.items()):
                lines.append(f"    message{f'@{lang}' if lang else ''}: {msg}")
        return "\n".join(lines)


def _name(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, URIRef):
        return str(node)
    return node.n3()


def parse_report(report_graph: Graph) -> list[Result]:
    """Turn a SHACL ValidationReport graph into Result records."""
    results = []
    for res in report_graph.subjects(RDF.type, SH.ValidationResult):
        messages = {}
        for m in report_graph.objects(res, SH.resultMessage):
            messages[getattr(m, "language", None) or ""] = str(m)
        severity = report_graph.value(res, SH.resultSeverity)
        component = report_graph.value(res, SH.sourceConstraintComponent)
        results.append(Result(
            focus=_name(report_graph.value(res, SH.focusNode)) or "",
            path=_name(report_graph.value(res, SH.resultPath)),
            component=str(component).rsplit("#", 1)[-1] if component else "",
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            messages=messages,
            value=_name(report_graph.value(res, SH.value)),
            shape=_name(report_graph.value(res, SH.sourceShape)),
        ))
    return results


def validate(data: Graph, shapes: Graph, ontology: Graph | None = None) -> Report:
    """Validate ``data`` against ``shapes``; the ontology is mixed in for the class hierarchy.

    Only Violations make the data non-conforming; Warnings and Infos are reported alongside.
    """
    conforms, report_graph, _ = shacl_validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True,
        allow_warnings=True, abort_on_first=False,
    )
    return Report(conforms=bool(conforms), results=parse_report(report_graph), graph=report_graph)
