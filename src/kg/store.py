"""The embedded store: where builds are written and how the server opens them.

A build writes a complete new pyoxigraph store into ``var/stores/<build-id>`` and then switches
the ``var/store`` symlink to it with one atomic rename, so a crash during ``kg build`` leaves the
previous store untouched and a server never sees a half-written one.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .namespaces import graph_iri


@dataclass(frozen=True)
class GraphNames:
    """The store's named graphs; the asserted data lives in the default graph."""

    ontology: ox.NamedNode
    inferred: ox.NamedNode
    shapes: ox.NamedNode

    @classmethod
    def for_base(cls, base: str) -> GraphNames:
        return cls(
            ontology=ox.NamedNode(graph_iri(base, "ontology")),
            inferred=ox.NamedNode(graph_iri(base, "inferred")),
            shapes=ox.NamedNode(graph_iri(base, "shapes")),
        )


def new_build_dir(var_dir: Path) -> Path:
    """A fresh, empty directory for the next build's store."""
    stores = var_dir / "stores"
    stores.mkdir(parents=True, exist_ok=True)
    path = stores / f"build-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
    if path.exists():
        shutil.rmtree(path)
    return path


def _open_elsewhere(store_dir: Path) -> bool:
    """Whether another process (a running server) holds the store's RocksDB LOCK file."""
    lock = store_dir / "LOCK"
    if not lock.exists():
        return False
    with lock.open("a") as fh:
        try:
            fcntl.lockf(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.lockf(fh, fcntl.LOCK_UN)
    return False


def publish(build_dir: Path, link: Path) -> None:
    """Point ``link`` at ``build_dir`` atomically, then remove stores nobody points at or has open.

    A server started before this build keeps its store (and the writes it acknowledged) until it
    stops; the next build removes it then.
    """
    tmp_link = link.with_name(link.name + ".tmp")
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    tmp_link.symlink_to(build_dir.resolve(), target_is_directory=True)
    if link.exists() and not link.is_symlink():
        shutil.rmtree(link)  # a store from before symlinked builds
    os.replace(tmp_link, link)
    for old in build_dir.parent.iterdir():
        if old.resolve() != build_dir.resolve() and old.name.startswith("build-") and not _open_elsewhere(old):
            shutil.rmtree(old, ignore_errors=True)


def open_store(path: Path) -> ox.Store:
    """Open the published store read-write (the server is its only writer)."""
    if not path.exists():
        raise FileNotFoundError(f"no store at {path}: run `kg build` first")
    return ox.Store(str(path.resolve()))


def load_nquads(store: ox.Store, nquads: bytes) -> None:
    """Bulk-load N-Quads into an empty store and flush it to disk."""
    store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
    store.flush()
