"""`redline serve`: web pages and a JSON API over a Redline database (FastAPI + Jinja2).

Database access: DuckDB lets one process write a file, or any number read it, not both. The
app and a `redline ingest` in another process take turns at the file (see `database.Database`), so
pages are served while an ingest runs. An upload (with the token) is parsed first, in memory,
with no hold on the file; then it is written through the same process in one short
transaction, and stories and the search index are rebuilt before answering.

Everything shown comes from the database, which holds untrusted text: templates autoescape,
the pages load scripts only from /static (Content-Security-Policy without inline scripts),
and no route serves files by a name taken from the request.
"""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel

from redline import render
from redline.app import Redline
from redline.config import Settings
from redline.web.api import add_api
from redline.web.browse import add_browse
from redline.web.context import Context
from redline.web.database import Database
from redline.web.errors import SECURITY_HEADERS, add_error_handlers, problem
from redline.web.pages import add_pages

HERE = Path(__file__).parent


class Problem(BaseModel):
    detail: str


# Statuses any route may answer besides its own (documented so clients and schemathesis know them).
ERRORS = {
    400: {"model": Problem, "description": "A parameter has a value Redline cannot use, or names nothing that exists "
                                           "(an unknown country, type, story, outlet: the closest valid choices follow)"},
    401: {"model": Problem, "description": "Writing without the right token"},
    403: {"model": Problem, "description": "Writing is switched off (no api_token)"},
    404: {"model": Problem, "description": "No such article, story or actor"},
    413: {"model": Problem, "description": "Request body too large"},
    500: {"model": Problem, "description": "A fault of the server (the reason is in its log)"},
    503: {"model": Problem, "description": "The database is being written; retry after Retry-After seconds"},
}


class BodyTooLarge(BaseException):
    """Not an Exception: FastAPI would turn one raised while it reads a body into a 400."""


class BodyLimit:
    """Refuses a request body over `limit` bytes with 413 before the app reads it: at once when
    Content-Length says so, else (a chunked body) as soon as the bytes received pass the limit.
    The outermost layer, so that nothing (parsing, the token check) works on such a body."""

    def __init__(self, app, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        too_large = problem(413, f"request body over {self.limit} bytes")
        size = dict(scope["headers"]).get(b"content-length", b"")
        if size.isdigit() and int(size) > self.limit:
            return await too_large(scope, receive, send)
        received, started, over = 0, False, False

        async def counted_receive():
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    over = True
                    raise BodyTooLarge()
            return message

        async def watched_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BaseException:
            # (Raised through other middleware, the exception may come back wrapped: the flag says.)
            if not over or started:
                raise
            await too_large(scope, receive, send)


def create_app(db: str | Path, settings: Settings | None = None) -> FastAPI:
    # What routes import on first use elsewhere (the CLI starts faster without them), imported
    # here: requests run in threads, and two threads importing redline.analysis at once can
    # each see it half-initialised (ImportError, a 500) under load.
    import redline.analysis  # noqa: F401
    import redline.events.rules  # noqa: F401
    import redline.search  # noqa: F401

    settings = settings or Settings()
    database = Database(db, busy_wait_seconds=settings.busy_wait_seconds)
    # No /docs: Swagger UI loads its scripts from a CDN, which an offline laptop has not got.
    app = FastAPI(title="Redline", version="0.1.0", docs_url=None, redoc_url=None, responses=ERRORS,
                  description="Who did what to whom, from news text, with the evidence sentence for each.")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals["can_write"] = bool(settings.api_token)
    templates.env.filters["web_url"] = render.web_url
    templates.env.filters["actors"] = render.actors_text
    templates.env.filters["headline"] = render.headline

    add_error_handlers(app, templates)

    @app.middleware("http")
    async def guard(request: Request, call_next):
        response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response

    app.add_middleware(BodyLimit, limit=settings.max_request_bytes)  # added last: the outermost

    ctx = Context(settings, database, Redline(settings), templates)
    add_browse(app, ctx)  # first: its home page
    add_pages(app, ctx)
    add_api(app, ctx)
    return app


SETTINGS_ENV = "REDLINE_SERVE_SETTINGS"
SERVER_PID_ENV = "REDLINE_SERVE_PID"


def app_from_environment() -> FastAPI:
    """The app for each uvicorn worker process: settings handed over as JSON in the environment."""
    import dataclasses
    import os

    from redline.ingest import die_with_parent

    # Killed, `redline serve` must not leave its workers serving on. Its pid, not getppid(): a
    # worker that starts after its parent died has already been handed to another parent.
    die_with_parent(int(os.environ[SERVER_PID_ENV]))
    values = json.loads(os.environ[SETTINGS_ENV])
    fields = {f.name for f in dataclasses.fields(Settings)}
    settings = Settings(**{k: (tuple(v) if isinstance(v, list) else v) for k, v in values.items() if k in fields})
    return create_app(settings.db, settings)

