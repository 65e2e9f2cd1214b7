"""The web pages (HTML): home, search, articles, stories, actors, dyads, alerts, and the upload form."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, FastAPI, Form, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from redline import queries, render
from redline.queries import browse
from redline.web import data
from redline.web.context import Context


def add_pages(app: FastAPI, ctx: Context) -> None:
    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js():
        # Plotly's own copy, shipped in its package: no download, no vendored file in this repo.
        import plotly

        return FileResponse(Path(plotly.__file__).parent / "package_data" / "plotly.min.js",
                            media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})

    # -- pages ----------------------------------------------------------------------------
    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(request: Request, q: str = Query("", max_length=500), kind: str | None = None,
                    con=Depends(ctx.connection)):
        from redline.search import search

        results = search(con, q, kind=kind, limit=50) if q else []
        return ctx.html_page(request, "search.html", q=q, kind=kind, results=results)

    # Article ids are the user's own and may hold "/" ("reuters/2024/05/x"): `path` takes them whole.
    @app.get("/articles/{article_id:path}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(request: Request, article_id: str, con=Depends(ctx.connection)):
        record = queries.article(con, article_id)
        return ctx.html_page(request, "article.html", a=record, segments=data.segments(record["text"], record))

    @app.get("/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    def story_page(request: Request, story_id: str, con=Depends(ctx.connection)):
        checked = render.provenance_lines(queries.provenance_by_speaker(con, queries.story_article_ids(con, story_id)), "story")
        return ctx.html_page(request, "story.html", s=queries.story(con, story_id), checked=checked)

    @app.get("/quotes/{quote_id:path}/provenance", response_class=HTMLResponse, include_in_schema=False)
    def provenance_page(request: Request, quote_id: str, con=Depends(ctx.connection)):
        return ctx.html_page(request, "provenance.html", p=queries.quote_provenance(con, quote_id))

    @app.get("/actors/{actor_id}", response_class=HTMLResponse, include_in_schema=False)
    def actor_page(request: Request, actor_id: str, con=Depends(ctx.connection)):
        return ctx.html_page(request, "actor.html", actor=queries.actor(con, actor_id),
                             activity=browse.actor_activity(con, actor_id))

    @app.get("/dyads/{a}/{b}", response_class=HTMLResponse, include_in_schema=False)
    def dyad_page(request: Request, a: str, b: str, by: str = "week", con=Depends(ctx.connection)):
        try:
            record = data.dyad(con, a, b, by=by)
        except ValueError as e:
            raise HTTPException(400, str(e)) from None
        return ctx.html_page(request, "dyad.html", d=record)

    @app.get("/alerts", response_class=HTMLResponse, include_in_schema=False)
    def alerts_page(request: Request, con=Depends(ctx.connection)):
        found = ctx.redline.alerts(con)
        ids = [h for r in found["alerts"] + found["near_misses"] for h in r.get("happening_ids") or []]
        return ctx.html_page(request, "alerts.html", **found, article_of=browse.happening_articles(con, ids))

    @app.post("/upload", include_in_schema=False)
    def upload_form(token: str = Form(""), title: str = Form("", max_length=2000), outlet: str = Form("", max_length=200),
                    published: str = Form("", max_length=40), text: str = Form(...)):
        ctx.require_token(token)
        stored = ctx.redline.upload({"title": title or None, "outlet": outlet or None, "published": published or None,
                                     "text": text}, read=ctx.database.read, write=ctx.database.write)
        return RedirectResponse(f"/articles/{quote(stored)}", status_code=303)
