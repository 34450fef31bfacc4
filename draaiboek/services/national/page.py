"""The read-only web page of the overview (Starlette, served by uvicorn).

Routes: ``/`` the page, ``/page.js`` and ``/page.css`` (shipped in this package: nothing is
loaded from the internet), ``/overview.json`` what the page polls every two seconds. With a
token, every route needs ``?token=...`` (compared in constant time). A strict Content Security
Policy allows scripts, styles and requests from this origin only; the script puts every value
in the page as text, never as markup.
"""

from __future__ import annotations

import hmac
import html
import threading
from collections.abc import Mapping
from importlib import resources
from typing import Any
from urllib.parse import quote

from draaiboek.model.catalogue import catalogue
from draaiboek.model.runbook import Contact
from draaiboek.model.timezone import DEFAULT_TIMEZONE
from draaiboek.services.national.connect import NationalError, connect, describe
from draaiboek.services.national.overview import read_overview

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def page_words(lang: str) -> dict[str, str]:
    """The page's words in `lang`: the catalogue's `national.*` texts, keyed without the prefix
    (``title``, ``silent-for``, ``state-late``, ...), as the page's script reads them. Raises
    ValueError for a language without a catalogue."""
    prefix = "national."
    return {
        key.removeprefix(prefix): text
        for key, text in catalogue(lang).items()
        if key.startswith(prefix)
    }


def _asset(name: str) -> str:
    return (
        resources.files("draaiboek.services.national").joinpath("static", name).read_text("utf-8")
    )


class _Store:
    """One read-only connection shared by the requests (one at a time), reopened after a
    failure."""

    def __init__(self, url: str, lang: str, contacts: Mapping[str, Contact]) -> None:
        self.url, self.lang, self.contacts = url, lang, contacts
        self.conn: Any = None
        self.lock = threading.Lock()

    def read(self) -> dict[str, Any]:
        with self.lock:
            try:
                if self.conn is None or self.conn.closed:
                    self.conn = connect(self.url, read_only=True, timeout=5)
                view = read_overview(self.conn, lang=self.lang, contacts=self.contacts)
            except Exception as exc:
                if self.conn is not None:
                    self.conn.close()
                    self.conn = None
                if isinstance(exc, NationalError):
                    raise
                raise NationalError(f"cannot read the store: {describe(exc)}") from None
        return {"labels": page_words(self.lang), "overview": view.as_json()}


def build_app(url: str, *, token: str | None, lang: str, contacts: Mapping[str, Contact]) -> Any:
    """The Starlette application (uvicorn runs it; tests may too)."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, PlainTextResponse, Response
    from starlette.routing import Route

    store = _Store(url, lang, contacts)
    query = f"?token={quote(token, safe='')}" if token else ""
    page = _asset("page.html").format(
        lang=html.escape(lang),
        title=html.escape(page_words(lang)["title"]),
        query=html.escape(query),
        zone=html.escape(DEFAULT_TIMEZONE),
    )
    assets = {"page.js": "text/javascript", "page.css": "text/css"}

    def allowed(request: Request) -> bool:
        if token is None:
            return True
        given = request.query_params.get("token", "")
        return hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))

    def denied() -> Response:
        return PlainTextResponse("token required: add ?token=...", 401, headers=HEADERS)

    async def index(request: Request) -> Response:
        if not allowed(request):
            return denied()
        return Response(page, media_type="text/html; charset=utf-8", headers=HEADERS)

    async def asset(request: Request) -> Response:
        if not allowed(request):
            return denied()
        name = request.path_params["name"]
        if name not in assets:
            return PlainTextResponse("not found", 404, headers=HEADERS)
        return Response(_asset(name), media_type=assets[name], headers=HEADERS)

    def overview_json(request: Request) -> Response:
        # A plain function: Starlette runs it in a worker thread (psycopg here is blocking).
        if not allowed(request):
            return denied()
        try:
            return JSONResponse(store.read(), headers=HEADERS)
        except NationalError as exc:
            return JSONResponse({"error": str(exc)}, 503, headers=HEADERS)

    return Starlette(
        routes=[
            Route("/", index),
            Route("/overview.json", overview_json),
            Route("/{name}", asset),
        ]
    )


def run_server(
    url: str, *, host: str, port: int, token: str | None, lang: str, contacts: Mapping[str, Contact]
) -> None:
    """Serve the page until interrupted (Ctrl-C)."""
    import uvicorn

    app = build_app(url, token=token, lang=lang, contacts=contacts)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
