"""Settings from environment variables (and CLI flags), resolved once at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .namespaces import DEFAULT_BASE


def project_root() -> Path:
    """The checkout holding ontology/, data/ and shapes/ (overridable with KG_HOME)."""
    if home := os.environ.get("KG_HOME"):
        return Path(home).resolve()
    return Path(__file__).resolve().parents[2]


def _env_list(name: str) -> tuple[str, ...]:
    return tuple(x for x in os.environ.get(name, "").split() if x)


@dataclass(frozen=True)
class Settings:
    """Everything the build and the server need to know; see the README's configuration table."""

    root: Path = field(default_factory=project_root)
    base: str = field(default_factory=lambda: os.environ.get("KG_BASE", DEFAULT_BASE))
    var_dir: Path = field(default_factory=lambda: Path(os.environ.get("KG_VAR", project_root() / "var")))
    write_token: str | None = field(default_factory=lambda: os.environ.get("KG_WRITE_TOKEN") or None)
    query_timeout: float = field(default_factory=lambda: float(os.environ.get("KG_QUERY_TIMEOUT", "30")))
    # Query worker processes (one per core, at least 2 so one runaway never blocks every client); 0 runs
    # queries in the request threads, without a hard timeout.
    query_workers: int = field(default_factory=lambda: int(os.environ.get("KG_QUERY_WORKERS")
                                                            or max(2, os.cpu_count() or 2)))
    # Heap a query worker process may use (MiB); beyond it the query is stopped (503), not the machine.
    query_memory_mib: int = field(default_factory=lambda: int(os.environ.get("KG_QUERY_MEMORY", "1024")))
    result_limit: int = field(default_factory=lambda: int(os.environ.get("KG_RESULT_LIMIT", "100000")))
    max_body_bytes: int = field(default_factory=lambda: int(os.environ.get("KG_MAX_BODY", str(10 * 1024 * 1024))))
    allowed_remote: tuple[str, ...] = field(default_factory=lambda: _env_list("KG_ALLOW_REMOTE"))
    # Remote-store mode (kg serve --remote …): the SPARQL 1.1 query, update and Graph Store URLs.
    remote_query: str | None = field(default_factory=lambda: os.environ.get("KG_REMOTE_QUERY") or None)
    remote_update: str | None = field(default_factory=lambda: os.environ.get("KG_REMOTE_UPDATE") or None)
    remote_store: str | None = field(default_factory=lambda: os.environ.get("KG_REMOTE_STORE") or None)

    @property
    def store_path(self) -> Path:
        return self.var_dir / "store"

    @property
    def dist_dir(self) -> Path:
        return self.var_dir / "dist"

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"
