"""Every error the app answers, in one place: JSON (`{"detail": ...}`) for the API and the files
it serves, an HTML page (the site's layout and navigation, the status kept, one line saying
what went wrong, a link back) for the pages a browser shows. Always with the security headers,
also on answers that never reach the middleware that adds them to other responses (a 500)."""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from redline.errors import UserError

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
                               "form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
# Paths whose errors stay JSON: the API, its schema, and the files pages load (not pages themselves).
JSON_PATHS = ("/api/", "/static/", "/vendor/", "/openapi.json")
# The list page an error links back to, by the first part of the path ("/stories/s-1" -> Stories).
LISTS = {"events": "Events", "stories": "Stories", "actors": "Actors", "quotes": "Quotes", "dyads": "Dyads",
         "outlets": "Outlets", "alerts": "Alerts", "search": "Search"}

log = logging.getLogger(__name__)


def problem(status: int, detail: str, headers: dict | None = None) -> JSONResponse:
    """An error as JSON, with the security headers."""
    return JSONResponse({"detail": detail}, status_code=status, headers={**SECURITY_HEADERS, **(headers or {})})


def wants_json(request: Request) -> bool:
    return request.url.path.startswith(JSON_PATHS)


def back_link(path: str) -> tuple[str, str]:
    """Where an error page sends the reader: the list its path belongs to, else the home page."""
    first = path.strip("/").split("/", 1)[0]
    return (f"/{first}", LISTS[first]) if first in LISTS else ("/", "What changed")


def validation_message(exc: RequestValidationError) -> str:
    """The first refused parameter, on one line: "bad since '2023-02-31x': not in the expected form"."""
    first = (exc.errors() or [{}])[0]
    name = str((first.get("loc") or ("", "value"))[-1])
    reason = "not in the expected form" if first.get("type") == "string_pattern_mismatch" else \
        str(first.get("msg", "not accepted")).removeprefix("Value error, ")
    value = first.get("input")
    return f"bad {name} {value!r}: {reason[:1].lower()}{reason[1:]}" if isinstance(value, (str, int, float)) \
        else f"bad {name}: {reason[:1].lower()}{reason[1:]}"


def add_error_handlers(app: FastAPI, templates: Jinja2Templates) -> None:
    def answer(request: Request, status: int, detail: str, headers: dict | None = None) -> Response:
        if wants_json(request):
            return problem(status, detail, headers)
        href, label = back_link(request.url.path)
        try:
            return templates.TemplateResponse(
                request, "error.html", {"status": status, "title": HTTPStatus(status).phrase, "detail": detail,
                                        "back_href": href, "back_label": label},
                status_code=status, headers={**SECURITY_HEADERS, **(headers or {})})
        except Exception:  # the page itself failed (a broken template): the error still gets an answer
            log.exception("the error page failed")
            return problem(status, detail, headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # Starlette names only the first matching route's methods; a path may have several.
            allowed = sorted({m for r in app.routes if getattr(r, "path_regex", None) and r.path_regex.match(request.url.path)
                              for m in getattr(r, "methods", None) or ()})
            headers["Allow"] = ", ".join(allowed)
        detail = exc.detail
        if exc.status_code == 404 and detail == "Not Found" and not wants_json(request):  # no route: say which page
            detail = f"no page {request.url.path}"
        return answer(request, exc.status_code, detail, headers)

    @app.exception_handler(UserError)
    async def user_error(request: Request, exc: UserError):
        # The same message as the CLI's: an unknown value (400, with the closest choices), no such id (404)...
        return answer(request, exc.status, str(exc))

    @app.exception_handler(RequestValidationError)
    async def bad_parameter(request: Request, exc: RequestValidationError):
        # The API keeps FastAPI's own 422 (a list of every refused field, as its schema documents).
        if wants_json(request):
            return await request_validation_exception_handler(request, exc)
        return answer(request, 422, validation_message(exc))

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception):
        # Outside every middleware: the headers come with the answer. The traceback goes to the log.
        return answer(request, 500, "internal server error")
