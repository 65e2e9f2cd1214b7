"""`redline serve`: web pages and a JSON API over a Redline database (FastAPI + Jinja2).

Database access: DuckDB lets one process write a file, or any number read it, not both. The
app and a `redline ingest` in another process take turns at the file (see `Database`), so
pages are served while an ingest runs. An upload (with the token) is parsed first, in memory,
with no hold on the file; then it is written through the same process in one short
transaction, and stories and the search index are rebuilt before answering.

Everything shown comes from the database, which holds untrusted text: templates autoescape,
the pages load scripts only from /static (Content-Security-Policy without inline scripts),
and no route serves files by a name taken from the request.
"""

from __future__ import annotations

import atexit
import hmac
import json
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import quote

import duckdb
from fastapi import Depends, FastAPI, Form, Header, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from redline import queries, render
from redline.app import Redline
from redline.config import Settings
from redline.errors import UserError
from redline.store import Store, readers_marker, writer_waiting
from redline.web import data

HERE = Path(__file__).parent
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
                               "form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


# An actor in a URL: ISO3 or another country/IGO code, optionally with a sector (RUS:MIL).
def actor_param():
    return PathParam(..., pattern="^[A-Za-z]{2,4}(:[A-Za-z]{2,4})?$", description="CHN, or CHN:GOV")


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


def problem(status: int, detail: str, headers: dict | None = None) -> JSONResponse:
    """Every error the app answers: JSON, with the security headers (also those that never
    reach the middleware that adds them to other responses)."""
    return JSONResponse({"detail": detail}, status_code=status, headers={**SECURITY_HEADERS, **(headers or {})})


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


class Page(BaseModel):
    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


class NewArticle(BaseModel):
    """An article to ingest: the fields of a JSONL input record."""

    id: str | None = Field(None, max_length=200)
    title: str | None = Field(None, max_length=2000)
    outlet: str | None = Field(None, max_length=200)
    url: str | None = Field(None, max_length=2000)
    published: str | None = Field(None, max_length=40)
    language: str | None = Field(None, max_length=10)
    text: str | None = None
    html: str | None = None


class Database:
    """One read-only connection shared by all requests (a cursor each), handed to writers in turns.

    DuckDB lets one process write a file, or any number read it, not both. Opening the file
    costs tens of milliseconds, too much per request; holding it for good would lock every
    `redline ingest` out. So the two sides take turns, each leaving a marker file:

    - a writer waiting for the file leaves `FILE.writer` (see `store.connect_for_writing`):
      the app admits no new request, closes the connection once the running ones are done,
      and those that arrive meanwhile wait;
    - requests waiting for the file leave `FILE.readers`: `redline ingest` lets go between two
      articles (`Store.let_readers_in`), the app opens the file, serves every request that
      waited, and lets go again when the writer asks.

    So reads are served during an ingest, each delayed by at most about one article's write.
    A request answers 503 with Retry-After only after `busy_wait_seconds` without a turn
    (a writer that does not take turns, such as a long stories rebuild). The connection is
    also closed after `idle_seconds` without a request. Uploads through the app write
    in-process, once no request is reading.
    """

    def __init__(self, path: str | Path, idle_seconds: float = 1.0, busy_wait_seconds: float = 10.0):
        self.path = Path(path)
        self.idle_seconds = idle_seconds
        self.busy_wait_seconds = busy_wait_seconds
        self.changed = threading.Condition()
        self._store: Store | None = None
        self._readers = 0
        self._last_used = 0.0
        threading.Thread(target=self._release_when_idle, daemon=True).start()
        atexit.register(self.close)

    def close(self) -> None:
        with self.changed:
            if self._store is not None:
                self._store.close()
                self._store = None

    def _release_when_idle(self) -> None:
        while True:
            time.sleep(0.05)
            with self.changed:
                idle = time.monotonic() - self._last_used > self.idle_seconds
                if self._store is not None and self._readers == 0 and (idle or writer_waiting(self.path)):
                    self._store.close()
                    self._store = None
                    self.changed.notify_all()

    def _admit(self) -> Store:
        """Wait for a turn at the file (the lock held); 503 after `busy_wait_seconds`."""
        deadline = time.monotonic() + self.busy_wait_seconds
        # A request that waited while a writer had the file is served in the readers' next turn,
        # even if the writer asks again at once; one that finds a writer waiting lets it go first.
        waited_for_writer = False
        marker = readers_marker(self.path)
        while True:
            writer_first = writer_waiting(self.path) and not waited_for_writer
            if self._store is not None and not writer_first:
                return self._store
            if self._store is None and not writer_first:
                try:
                    self._store = Store(self.path, read_only=True)
                    marker.unlink(missing_ok=True)
                    self.changed.notify_all()
                    return self._store
                except FileNotFoundError as e:
                    raise HTTPException(503, str(e)) from None
                except duckdb.IOException:
                    marker.touch()  # a writer has the file: ask for a turn
                    waited_for_writer = True
            if time.monotonic() > deadline:
                marker.unlink(missing_ok=True)  # requests still waiting leave it again
                raise HTTPException(503, "the database is being written (an ingest is running); retry shortly",
                                    headers={"Retry-After": "2"})
            self.changed.wait(0.02)

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self.changed:
            store = self._admit()
            self._readers += 1
            cursor = store.con.cursor()
        try:
            yield cursor
        finally:
            cursor.close()
            with self.changed:
                self._readers -= 1
                self._last_used = time.monotonic()
                self.changed.notify_all()

    @contextmanager
    def write(self) -> Iterator[Store]:
        with self.changed:
            self.changed.wait_for(lambda: self._readers == 0, timeout=30)
            if self._store is not None:
                self._store.close()
                self._store = None
            try:
                store = Store(self.path)
            except duckdb.IOException:
                raise HTTPException(503, "the database is being written by another process; retry shortly",
                                    headers={"Retry-After": "5"}) from None
            try:
                yield store
            finally:
                store.close()


def create_app(db: str | Path, settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    redline = Redline(settings)
    database = Database(db, busy_wait_seconds=settings.busy_wait_seconds)
    # No /docs: Swagger UI loads its scripts from a CDN, which an offline laptop has not got.
    app = FastAPI(title="Redline", version="0.1.0", docs_url=None, redoc_url=None, responses=ERRORS,
                  description="Who did what to whom, from news text, with the evidence sentence for each.")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals["can_write"] = bool(settings.api_token)
    templates.env.filters["web_url"] = render.web_url
    templates.env.filters["actors"] = render.actors_text

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # Starlette names only the first matching route's methods; a path may have several.
            allowed = sorted({m for r in app.routes if getattr(r, "path_regex", None) and r.path_regex.match(request.url.path)
                              for m in getattr(r, "methods", None) or ()})
            headers["Allow"] = ", ".join(allowed)
        return problem(exc.status_code, exc.detail, headers)

    @app.exception_handler(UserError)
    async def user_error(request: Request, exc: UserError):
        # The same message as the CLI's: an unknown value (422, with the closest choices), no such id (404)...
        return problem(exc.status, str(exc))

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception):
        # Outside every middleware: the headers come with `problem`. The traceback goes to the log.
        return problem(500, "internal server error")

    @app.middleware("http")
    async def guard(request: Request, call_next):
        response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response

    app.add_middleware(BodyLimit, limit=settings.max_request_bytes)  # added last: the outermost

    def connection():
        with database.read() as con:
            yield con

    def limit_param(limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0, le=10_000_000)):
        return limit, offset

    def require_token(token: str | None) -> None:
        expected = settings.api_token
        if not expected or not token or not hmac.compare_digest(token.encode(), expected.encode()):
            raise HTTPException(401 if expected else 403,
                                "writing needs the token from redline.yaml (api_token)" if expected
                                else "writing is off: set api_token in redline.yaml")

    def html_page(request: Request, name: str, **context) -> HTMLResponse:
        return templates.TemplateResponse(request, name, context)

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js():
        # Plotly's own copy, shipped in its package: no download, no vendored file in this repo.
        import plotly

        return FileResponse(Path(plotly.__file__).parent / "package_data" / "plotly.min.js",
                            media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})

    # -- pages ----------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request, con=Depends(connection)):
        return html_page(request, "home.html", overview=queries.overview(con), stories=queries.stories(con, 10)["items"],
                      articles=queries.articles(con, 10, newest_first=True)["items"], failures=queries.failures(con, 10))

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(request: Request, q: str = Query("", max_length=500), kind: str | None = None,
                    con=Depends(connection)):
        from redline.search import search

        results = search(con, q, kind=kind, limit=50) if q else []
        return html_page(request, "search.html", q=q, kind=kind, results=results)

    # Article ids are the user's own and may hold "/" ("reuters/2024/05/x"): `path` takes them whole.
    @app.get("/articles/{article_id:path}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(request: Request, article_id: str, con=Depends(connection)):
        record = queries.article(con, article_id)
        return html_page(request, "article.html", a=record, segments=data.segments(record["text"], record))

    @app.get("/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    def story_page(request: Request, story_id: str, con=Depends(connection)):
        return html_page(request, "story.html", s=queries.story(con, story_id))

    @app.get("/actors/{actor_id}", response_class=HTMLResponse, include_in_schema=False)
    def actor_page(request: Request, actor_id: str, con=Depends(connection)):
        return html_page(request, "actor.html", actor=queries.actor(con, actor_id))

    @app.get("/dyads/{a}/{b}", response_class=HTMLResponse, include_in_schema=False)
    def dyad_page(request: Request, a: str, b: str, by: str = "week", con=Depends(connection)):
        try:
            record = data.dyad(con, a, b, by=by)
        except ValueError as e:
            raise HTTPException(400, str(e)) from None
        return html_page(request, "dyad.html", d=record)

    @app.get("/alerts", response_class=HTMLResponse, include_in_schema=False)
    def alerts_page(request: Request, con=Depends(connection)):
        return html_page(request, "alerts.html", **redline.alerts(con))

    @app.post("/upload", include_in_schema=False)
    def upload_form(token: str = Form(""), title: str = Form("", max_length=2000), outlet: str = Form("", max_length=200),
                    published: str = Form("", max_length=40), text: str = Form(...)):
        require_token(token)
        stored = redline.upload({"title": title or None, "outlet": outlet or None, "published": published or None,
                                 "text": text}, read=database.read, write=database.write)
        return RedirectResponse(f"/articles/{quote(stored)}", status_code=303)

    # -- API ------------------------------------------------------------------------------
    @app.get("/api/articles", response_model=Page, tags=["articles"])
    def api_articles(outlet: str | None = Query(None, max_length=200), paging=Depends(limit_param),
                     con=Depends(connection)):
        return render.jsonable(queries.articles(con, *paging, outlet=outlet, newest_first=True))

    @app.get("/api/articles/{article_id:path}", tags=["articles"])
    def api_article(article_id: str, con=Depends(connection)) -> dict[str, Any]:
        return render.jsonable(queries.article(con, article_id))

    @app.post("/api/articles", status_code=201, tags=["articles"])
    def api_new_article(article: NewArticle, x_redline_token: str | None = Header(None)) -> dict[str, Any]:
        require_token(x_redline_token)
        return {"id": redline.upload(article.model_dump(), read=database.read, write=database.write)}

    @app.get("/api/search", response_model=Page, tags=["search"])
    def api_search(q: str = Query(..., min_length=1, max_length=500), kind: str | None = Query(None, pattern="^(article|actor|quote|happening)$"),
                   paging=Depends(limit_param), con=Depends(connection)):
        from redline.search import search, search_total

        items = search(con, q, kind=kind, limit=paging[0], offset=paging[1])
        return {"items": items, "total": search_total(con, q, kind=kind), "limit": paging[0], "offset": paging[1]}

    @app.get("/api/failures", response_model=Page, tags=["articles"])
    def api_failures(paging=Depends(limit_param), con=Depends(connection)):
        """Articles a stage failed on while ingesting (latest first): `redline ingest --retry-failed` tries them again."""
        return render.jsonable(queries.failures(con, *paging))

    @app.get("/api/stories", response_model=Page, tags=["stories"])
    def api_stories(paging=Depends(limit_param), con=Depends(connection)):
        return render.jsonable(queries.stories(con, *paging))

    @app.get("/api/stories/{story_id}", tags=["stories"])
    def api_story(story_id: str, con=Depends(connection)) -> dict[str, Any]:
        return render.jsonable(queries.story(con, story_id))

    @app.get("/api/stories/{story_id}/chart", tags=["stories"])
    def api_story_chart(story_id: str, con=Depends(connection)) -> dict[str, Any]:
        record = queries.story(con, story_id)
        return render.jsonable(render.happenings_chart(record["happenings"], "Happenings (size: independent sources)"))

    @app.get("/api/happenings", response_model=Page, tags=["stories"])
    def api_happenings(story: str | None = Query(None, max_length=100), actor: list[str] = Query([], max_length=4),
                       paging=Depends(limit_param), con=Depends(connection)):
        return render.jsonable(queries.happenings(con, story=story, actors=actor, limit=paging[0], offset=paging[1]))

    @app.get("/api/actors/{actor_id}", tags=["actors"])
    def api_actor(actor_id: str, con=Depends(connection)) -> dict[str, Any]:
        return render.jsonable(queries.actor(con, actor_id))

    @app.get("/api/dyads/{a}/{b}", tags=["analysis"])
    def api_dyad(a: str = actor_param(), b: str = actor_param(), by: str = Query("week", pattern="^(day|week|month)$"),
                 unit: str = Query("happening", pattern="^(happening|mention)$"), con=Depends(connection)) -> dict[str, Any]:
        try:
            return render.jsonable(data.dyad(con, a, b, by=by, unit=unit))
        except ValueError as e:
            raise HTTPException(400, str(e)) from None

    @app.get("/api/dyads/{a}/{b}/chart", tags=["analysis"])
    def api_dyad_chart(a: str = actor_param(), b: str = actor_param(), by: str = Query("week", pattern="^(day|week|month)$"),
                       con=Depends(connection)) -> dict[str, Any]:
        try:
            return render.jsonable(render.dyad_chart(data.dyad(con, a, b, by=by)))
        except ValueError as e:
            raise HTTPException(400, str(e)) from None

    @app.get("/api/alerts", tags=["analysis"])
    def api_alerts(con=Depends(connection)) -> dict[str, Any]:
        return render.jsonable(redline.alerts(con))

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

