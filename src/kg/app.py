"""The Flask application factory: one engine, the SPARQL blueprint, and the web UI."""

from __future__ import annotations

from flask import Flask

from . import validation_http
from .config import Settings
from .sparql import protocol
from .sparql.engine import Engine
from .store import open_store


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> Flask:
    """Build the app over the published store (or a given engine, for tests)."""
    settings = settings or Settings()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.extensions["kg.settings"] = settings
    app.extensions["kg.engine"] = engine or Engine(open_store(settings.store_path), settings.base)
    app.register_blueprint(protocol.bp)
    app.register_blueprint(validation_http.bp)

    @app.after_request
    def cors(response):  # browser tools on other origins (YASGUI, notebooks) must be able to query
        response.headers.setdefault("Access-Control-Allow-Origin", "*")
        return response

    return app
