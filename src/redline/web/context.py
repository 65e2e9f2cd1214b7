"""What the routes of the web app share: the settings, the database's turns, the Redline object,
the templates, and the dependencies built on them."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from fastapi import HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from redline.app import Redline
from redline.config import Settings
from redline.web.database import Database


@dataclass
class Context:
    settings: Settings
    database: Database
    redline: Redline
    templates: Jinja2Templates

    def connection(self):
        """A dependency: a cursor on the database, in the readers' turn."""
        with self.database.read() as con:
            yield con

    @staticmethod
    def limit_param(limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0, le=10_000_000)):
        return limit, offset

    def require_token(self, token: str | None) -> None:
        expected = self.settings.api_token
        if not expected or not token or not hmac.compare_digest(token.encode(), expected.encode()):
            raise HTTPException(401 if expected else 403,
                                "writing needs the token from redline.yaml (api_token)" if expected
                                else "writing is off: set api_token in redline.yaml")

    def html_page(self, request: Request, name: str, **context) -> HTMLResponse:
        return self.templates.TemplateResponse(request, name, context)
