"""The list pages and their downloads: events (filters, facet counts, map), actors, dyads,
outlets, stories, what changed since a date, and an actor's activity. Each list page has its
/api/... twin with the same filters, as JSON or CSV (exactly the rows the page shows)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response

from redline import queries, render
from redline.queries import browse, checks
from redline.provenance.align import GRADES
from redline.queries.checks import QUOTE_KINDS
from redline.web import charts
from redline.web.context import Context

DATE = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$"  # empty: no filter (what an HTML form sends when left blank)
FORMAT = Query("json", pattern="^(json|csv)$", description="json, or csv: the same rows as a CSV file")


def _cell(value) -> Any:
    """A value as one CSV cell: actors as "Russia (RUS); Ukraine (UKR)", dates as ISO."""
    if isinstance(value, list):
        return "; ".join(f"{v['name']} ({v.get('country') or '?'})" if isinstance(v, dict) else str(v) for v in value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return "" if value is None else value


class CSVResponse(Response):
    media_type = "text/csv"


# Documented beside the JSON answer of the routes that also answer CSV (`format=csv`).
ALSO_CSV = {200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "JSON, or CSV with format=csv"}}


def csv_response(items: list[dict], name: str) -> Response:
    out = io.StringIO()
    if items:
        writer = csv.DictWriter(out, fieldnames=list(items[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: _cell(v) for k, v in item.items()} for item in items)
    return CSVResponse(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


def answer(found: dict, fmt: str, name: str, **extra):
    return csv_response(found["items"], name) if fmt == "csv" else render.jsonable({**found, **extra})


def without(query: str, *names: str) -> str:
    """A query string less some parameters (a pager's links set their own limit and offset)."""
    from urllib.parse import parse_qsl, urlencode

    return urlencode([(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k not in names])


def add_browse(app: FastAPI, ctx: Context) -> None:
    ctx.templates.env.globals["without"] = without
    def event_filter(since: str | None = Query(None, pattern=DATE, description="events on or after (YYYY-MM-DD)"),
                     until: str | None = Query(None, pattern=DATE, description="events on or before"),
                     type: str | None = Query(None, max_length=40, description="PLOVER type, e.g. ACCUSE"),
                     country: list[str] = Query([], max_length=2, description="ISO3; two: what each did to the other"),
                     outlet: str | None = Query(None, max_length=200),
                     status: list[str] = Query([], max_length=len(browse.STATUSES), description=", ".join(browse.STATUSES)),
                     min_confidence: str | None = Query(None, pattern="^(0(\\.[0-9]{1,3})?|1(\\.0{1,3})?)?$",
                                                        description="0 to 1; empty: any"),
                     con=Depends(ctx.connection)) -> browse.EventFilter:
        return browse.EventFilter.checked(con, since, until, type, country, outlet, status,
                                          float(min_confidence) if min_confidence else None)

    def quote_filter(speaker: str | None = Query(None, max_length=200, description="part of the speaker's name"),
                     country: str | None = Query(None, max_length=40, description="the speaker's country, ISO3"),
                     kind: str | None = Query(None, max_length=20, description=", ".join(QUOTE_KINDS)),
                     grade: str | None = Query(None, max_length=20, description="against the record: " + ", ".join(GRADES)),
                     outlet: str | None = Query(None, max_length=200, description="the article's outlet")) -> dict:
        # (Checked by the query; empty: no filter, what an HTML form sends when left blank.)
        return {"speaker": speaker or None, "country": country or None, "kind": kind or None, "grade": grade or None,
                "outlet": outlet or None}

    def paging(limit: int = Query(50, ge=1, le=5000), offset: int = Query(0, ge=0, le=10_000_000)):
        return limit, offset

    # -- the API ---------------------------------------------------------------------------
    @app.get("/api/events", tags=["events"], responses=ALSO_CSV)
    def api_events(flt=Depends(event_filter), paging=Depends(paging), format: str = FORMAT,
                   con=Depends(ctx.connection)) -> Any:
        """Coded event mentions (newest first) under the filters, with facet counts (JSON) or as CSV."""
        found = browse.event_list(con, flt, *paging)
        if format == "csv":
            return csv_response(found["items"], "events")
        return render.jsonable({**found, "facets": browse.event_facets(con, flt)})

    @app.get("/api/events.csv", tags=["events"], responses=ALSO_CSV)
    def api_events_csv(flt=Depends(event_filter), paging=Depends(paging), con=Depends(ctx.connection)) -> Any:
        """/api/events as CSV."""
        return csv_response(browse.event_list(con, flt, *paging)["items"], "events")

    @app.get("/api/events/map", tags=["events"])
    def api_events_map(flt=Depends(event_filter), con=Depends(ctx.connection)) -> dict[str, Any]:
        """A Plotly figure: the places of the filtered events (no map tiles; points and countries)."""
        return render.jsonable(charts.places_map(browse.event_places(con, flt)))

    @app.get("/api/actors", tags=["actors"], responses=ALSO_CSV)
    def api_actors(country: str | None = Query(None, max_length=40), kind: str | None = Query(None, max_length=20),
                   paging=Depends(ctx.limit_param), format: str = FORMAT, con=Depends(ctx.connection)) -> Any:
        return answer(queries.actors(con, country, kind, *paging), format, "actors")

    @app.get("/api/actors/{actor_id}/activity", tags=["actors"])
    def api_actor_activity(actor_id: str, con=Depends(ctx.connection)) -> dict[str, Any]:
        """What the actor did (as source), had done to it (as target), and its attention per week."""
        return render.jsonable(browse.actor_activity(con, actor_id))

    @app.get("/api/actors/{actor_id}/attention/chart", tags=["actors"])
    def api_actor_attention(actor_id: str, con=Depends(ctx.connection)) -> dict[str, Any]:
        return render.jsonable(charts.attention(browse.actor_activity(con, actor_id, limit=1)["attention"]))

    @app.get("/api/quotes", tags=["actors"], responses=ALSO_CSV)
    def api_quotes(flt=Depends(quote_filter), paging=Depends(ctx.limit_param), format: str = FORMAT,
                   con=Depends(ctx.connection)) -> Any:
        """Who said what, in date order: speakers whose name holds `speaker`, of a `country`, of a
        `kind`, whose `grade` against the record is this (verbatim, trimmed, altered, paraphrase,
        not found), in articles of an `outlet`; each quote with its article's outlet and its
        `provenance` (source passage, similarity, grade, word diff). JSON adds the outlet facet."""
        found = queries.quotes(con, **flt, limit=paging[0], offset=paging[1])
        if format == "csv":
            return csv_response(found["items"], "quotes")
        return render.jsonable({**found, "facets": queries.quote_facets(con, **flt)})

    @app.get("/api/dyads", tags=["analysis"], responses=ALSO_CSV)
    def api_dyads(paging=Depends(ctx.limit_param), format: str = FORMAT, con=Depends(ctx.connection)) -> Any:
        """Country pairs by the number of events between them, either way."""
        return answer(browse.dyad_pairs(con, *paging), format, "dyads")

    @app.get("/api/outlets", tags=["articles"], responses=ALSO_CSV)
    def api_outlets(paging=Depends(ctx.limit_param), format: str = FORMAT, con=Depends(ctx.connection)) -> Any:
        return answer(browse.outlet_list(con, *paging), format, "outlets")

    @app.get("/api/changes", tags=["analysis"])
    def api_changes(since: str | None = Query(None, pattern=DATE, description="default: a week before the last date"),
                    con=Depends(ctx.connection)) -> dict[str, Any]:
        """What changed since a date: new happenings, alerts, the country pairs that moved most."""
        return render.jsonable(changes(con, since))

    def changes(con, since: str | None):
        found = browse.changes(con, checks.date(since) if since else None)
        alerts = ctx.redline.alerts(con)
        cut = found["since"]
        found["alerts"] = [a for a in alerts["alerts"] if cut and a["date"] and a["date"] >= cut]
        return found

    # -- the pages -------------------------------------------------------------------------
    @app.get("/events", response_class=HTMLResponse, include_in_schema=False)
    def events_page(request: Request, flt=Depends(event_filter), paging=Depends(paging), con=Depends(ctx.connection)):
        found = browse.event_list(con, flt, *paging)
        _, last = browse.date_range(con)
        return ctx.html_page(request, "events.html", found=found, flt=flt, facets=browse.event_facets(con, flt),
                             statuses=browse.STATUSES, query=request.url.query,
                             last_month=(last - dt.timedelta(days=30)).isoformat() if last else None,
                             types=_types(con))

    @app.get("/actors", response_class=HTMLResponse, include_in_schema=False)
    def actors_page(request: Request, country: str | None = Query(None, max_length=40), paging=Depends(ctx.limit_param),
                    con=Depends(ctx.connection)):
        found = queries.actors(con, country or None, None, *paging)
        return ctx.html_page(request, "actors.html", found=found, country=country, query=request.url.query)

    @app.get("/quotes", response_class=HTMLResponse, include_in_schema=False)
    def quotes_page(request: Request, flt=Depends(quote_filter), paging=Depends(ctx.limit_param), con=Depends(ctx.connection)):
        found = queries.quotes(con, **flt, limit=paging[0], offset=paging[1])
        return ctx.html_page(request, "quotes.html", found=found, flt=flt, facets=queries.quote_facets(con, **flt),
                             kinds=QUOTE_KINDS, grades=GRADES, query=request.url.query)

    @app.get("/dyads", response_class=HTMLResponse, include_in_schema=False)
    def dyads_page(request: Request, paging=Depends(ctx.limit_param), con=Depends(ctx.connection)):
        return ctx.html_page(request, "dyads.html", found=browse.dyad_pairs(con, *paging), query=request.url.query)

    @app.get("/outlets", response_class=HTMLResponse, include_in_schema=False)
    def outlets_page(request: Request, paging=Depends(ctx.limit_param), con=Depends(ctx.connection)):
        return ctx.html_page(request, "outlets.html", found=browse.outlet_list(con, *paging), query=request.url.query)

    @app.get("/stories", response_class=HTMLResponse, include_in_schema=False)
    def stories_page(request: Request, paging=Depends(ctx.limit_param), con=Depends(ctx.connection)):
        return ctx.html_page(request, "stories.html", found=queries.stories(con, *paging), query=request.url.query)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request, since: str | None = Query(None, pattern=DATE), con=Depends(ctx.connection)):
        return ctx.html_page(request, "home.html", overview=queries.overview(con), changed=changes(con, since),
                             stories=queries.stories(con, 10)["items"],
                             articles=queries.articles(con, 10, newest_first=True)["items"],
                             failures=queries.failures(con, 10))


def _types(con) -> list[str]:
    return [r[0] for r in con.execute("SELECT DISTINCT event_type FROM events WHERE event_type IS NOT NULL ORDER BY 1").fetchall()]
