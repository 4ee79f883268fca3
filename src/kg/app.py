"""The Flask application factory: one engine, the SPARQL blueprints, and the web UI."""

from __future__ import annotations

import atexit
import dataclasses

from flask import Flask, Response

from . import reconcile, validation_http, web
from .config import Settings
from .sparql import gsp, http, protocol, wellknown
from .sparql.engine import Engine, UpstreamError
from .sparql.http import error
from .sparql.pool import InlineRunner, QueryPool, Runner, Snapshots
from .sparql.update import Writer
from .store import open_store


def create_app(settings: Settings | None = None, engine: Engine | None = None, workers: int | None = None) -> Flask:
    """Build the app over the published store (or a given engine, for tests).

    Queries run in ``workers`` killable processes over checkpoints of the store (the default when
    the app opens the store itself); with ``workers=0`` (the default for a given engine) they
    run in the request thread, without a hard timeout.
    """
    settings = settings or Settings()
    if settings.remote_query and not engine:
        return _remote_app(settings)
    if workers is None:
        workers = 0 if engine else settings.query_workers
    # Updates run first on a checkpoint copy in var/scratch when we own the on-disk store.
    scratch = None if engine else settings.var_dir / "scratch"
    engine = engine or Engine(open_store(settings.store_path), settings.base)
    runner: Runner
    if workers > 0:
        snapshots = Snapshots(engine.store, settings.var_dir / "checkpoints")
        # Workers get no network at all unless SERVICE to some prefix is allowed.
        runner = pool = QueryPool(workers, settings.base, snapshots, settings.query_timeout, settings.result_limit,
                                  isolate=not settings.allowed_remote, memory_mib=settings.query_memory_mib)
        writer = Writer(engine, on_commit=snapshots.publish, scratch_root=scratch)
        atexit.register(snapshots.close)
        atexit.register(pool.close)
    else:
        runner = InlineRunner(engine, settings.result_limit)
        writer = Writer(engine, on_commit=lambda: None, scratch_root=scratch)
    return _install(settings, engine, runner, writer)


def _remote_app(settings: Settings) -> Flask:
    """Remote-store mode: queries forwarded over the SPARQL Protocol, the HTTP client timeout as the limit.

    Writes stay off unless both a write token and an update URL are configured.
    """
    from .sparql.remote import RemoteStore, RemoteWriter

    if not settings.remote_update:
        settings = dataclasses.replace(settings, write_token=None)
    remote = RemoteStore(settings.remote_query or "", settings.base, settings.remote_update, settings.remote_store,
                         timeout=settings.query_timeout)
    engine = Engine(remote, settings.base)  # type: ignore[arg-type]
    writer = RemoteWriter(engine, on_commit=lambda: None)
    return _install(settings, engine, InlineRunner(engine, settings.result_limit), writer)


def _install(settings: Settings, engine: Engine, runner: Runner, writer: Writer) -> Flask:
    """The Flask app over either backend: both give the blueprints the same engine, runner and writer."""
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.config["MAX_FORM_MEMORY_SIZE"] = settings.max_body_bytes
    app.extensions.update({"kg.settings": settings, "kg.engine": engine, "kg.runner": runner, "kg.writer": writer})
    http.install(app)

    @app.errorhandler(UpstreamError)
    def upstream(exc: UpstreamError) -> Response:  # pages and reconcile querying a failing remote store
        return error(exc.status, str(exc))

    app.register_blueprint(protocol.bp)
    app.register_blueprint(gsp.bp)
    app.register_blueprint(wellknown.bp)
    app.register_blueprint(validation_http.bp)
    app.register_blueprint(web.bp)
    app.register_blueprint(reconcile.bp)
    return app
