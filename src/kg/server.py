"""Production serving with gunicorn: one worker process owns the store, threads serve requests.

pyoxigraph's on-disk store admits one read-write process, so the gunicorn worker is one process
with request threads; queries themselves run in the app's pool of killable query processes
(kg.sparql.pool), which is what enforces KG_QUERY_TIMEOUT.
"""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

from .config import Settings


class _Gunicorn(BaseApplication):
    def __init__(self, settings: Settings, options: dict[str, object]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Imported here, in the worker: the master (the arbiter) then never loads Flask, rdflib and
        # pySHACL, ~24 MiB less resident memory for a process that only supervises.
        from .app import create_app

        return create_app(self.settings)


def run(settings: Settings, host: str, port: int, threads: int) -> None:
    """Serve until interrupted."""
    _Gunicorn(settings, {
        "bind": f"{host}:{port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": threads,
        # The query timeout is enforced by the app; the worker timeout only catches a hung process.
        "timeout": int(settings.query_timeout) + 30,
        "graceful_timeout": 10,
        "control_socket_disable": True,  # several servers (tests, staging) may run side by side
        "accesslog": "-",
        # No query string, referrer or user agent: a token or personal data put in a URL is never logged.
        "access_log_format": '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss',
        "loglevel": "info",
    }).run()
