"""Links to external authorities: checks, coverage, export, FRUS citation resolution, suggestions."""

from __future__ import annotations

from .cli import links_cli

__all__ = ["links_cli"]
