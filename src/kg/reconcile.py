"""`/reconcile`: a W3C Reconciliation Service API endpoint over the graph's entities."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reconcile", __name__)
