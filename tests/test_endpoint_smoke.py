"""The served endpoint answers the quick-start query over real HTTP (gunicorn on loopback)."""

from __future__ import annotations

import json
import urllib.request


def test_ask_over_http(server: str) -> None:
    with urllib.request.urlopen(f"{server}/sparql?query=ASK%7B%7D") as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("application/sparql-results+json")
        assert json.loads(resp.read()) == {"head": {}, "boolean": True}
