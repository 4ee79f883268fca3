"""HTTP behaviour shared by every endpoint: errors, CORS, Vary, write authorization.

Errors are plain text (as Fuseki and Oxigraph answer) and say what to fix. Bad input is always a
4xx; anything else becomes a 500 whose traceback goes to the log and never to the client.
"""

from __future__ import annotations

import hmac
import logging
from urllib.parse import unquote_to_bytes

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..config import Settings

log = logging.getLogger(__name__)
TEXT = "text/plain; charset=utf-8"
EXPOSED = "X-KG-Truncated, X-KG-Result-Limit, Location, Content-Type, Content-Length, WWW-Authenticate"


def settings() -> Settings:
    return current_app.extensions["kg.settings"]


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """A plain-text error answer."""
    return Response(message.rstrip("\n") + "\n", status=status, content_type=TEXT, headers=headers)


def invalid_utf8(form_body: bool = False) -> Response | None:
    """A 400 when the URL's parameters (or a form body) are not UTF-8 once percent-decoded, else None.

    Werkzeug decodes them with U+FFFD replacements, which would turn a client's encoding mistake
    into a different query or graph IRI without a word.
    """
    parts = [("URL query string", request.query_string)]
    if form_body:
        parts.append(("form body", request.get_data()))  # cached: the form is parsed from the same bytes
    for where, raw in parts:
        try:
            unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError as exc:
            byte = exc.object[exc.start]
            return error(400, f"the {where} is not valid UTF-8 after percent-decoding: byte {byte:#04x} at position "
                              f"{exc.start}; percent-encode UTF-8 (RFC 3986)")
    return None


def authorize_write() -> Response | None:
    """None when the request may write; otherwise the 401/403 answer to send.

    The token is compared in constant time and never logged or echoed.
    """
    token = settings().write_token
    if not token:
        return error(403, "read-only endpoint: writes are disabled on this server (the operator enables them by "
                          "setting KG_WRITE_TOKEN)")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return error(401, "this write needs an 'Authorization: Bearer <token>' header",
                     {"WWW-Authenticate": 'Bearer realm="korea1953"'})
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        return error(403, "the bearer token is not valid for writes on this server",
                     {"WWW-Authenticate": 'Bearer realm="korea1953", error="invalid_token"'})
    return None


def install(app: Flask) -> None:
    """Register the error handlers and the headers every answer carries."""

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_exc: RequestEntityTooLarge) -> Response:
        limit = settings().max_body_bytes
        return error(413, f"request body too large: the limit is {limit} bytes (KG_MAX_BODY)")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        return error(exc.code or 500, f"{exc.code} {exc.name}: {exc.description}", headers)

    @app.errorhandler(Exception)
    def internal(exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error(500, "internal server error; it has been logged")

    @app.after_request
    def common_headers(response: Response) -> Response:
        # Browser tools on other origins (YASGUI, notebooks) must be able to query and read our headers.
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = EXPOSED
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = response.headers.get("Allow", "GET, POST, OPTIONS")
            response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type, Accept"
            response.headers["Access-Control-Max-Age"] = "86400"
        response.vary.add("Accept")
        return response
