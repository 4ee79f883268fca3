"""The web UI: query editor, entity pages, timeline, network and position views."""

from __future__ import annotations

from .views import bp

__all__ = ["bp"]
