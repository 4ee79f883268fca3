"""`POST /validate`: check contributed triples against the shapes without writing anything."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("validation", __name__)
