"""The JSON API (/api/...): every page's data, with its filters and paging, and uploads."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI, Header, HTTPException, Query
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from redline import queries, render
from redline.web import data
from redline.web.context import Context


# An actor in a URL: ISO3 or another country/IGO code, optionally with a sector (RUS:MIL).
def actor_param():
    return PathParam(..., pattern="^[A-Za-z]{2,4}(:[A-Za-z]{2,4})?$", description="CHN, or CHN:GOV")


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


def add_api(app: FastAPI, ctx: Context) -> None:
    @app.get("/api/articles", response_model=Page, tags=["articles"])
    def api_articles(outlet: str | None = Query(None, max_length=200), paging=Depends(ctx.limit_param),
                     con=Depends(ctx.connection)):
        return render.jsonable(queries.articles(con, *paging, outlet=outlet, newest_first=True))

    @app.get("/api/articles/{article_id:path}", tags=["articles"])
    def api_article(article_id: str, con=Depends(ctx.connection)) -> dict[str, Any]:
        return render.jsonable(queries.article(con, article_id))

    @app.post("/api/articles", status_code=201, tags=["articles"])
    def api_new_article(article: NewArticle, x_redline_token: str | None = Header(None)) -> dict[str, Any]:
        ctx.require_token(x_redline_token)
        return {"id": ctx.redline.upload(article.model_dump(), read=ctx.database.read, write=ctx.database.write)}

    @app.get("/api/search", response_model=Page, tags=["search"])
    def api_search(q: str = Query(..., min_length=1, max_length=500), kind: str | None = Query(None, pattern="^(article|actor|quote|happening)$"),
                   paging=Depends(ctx.limit_param), con=Depends(ctx.connection)):
        from redline.search import search, search_total

        items = search(con, q, kind=kind, limit=paging[0], offset=paging[1])
        return {"items": items, "total": search_total(con, q, kind=kind), "limit": paging[0], "offset": paging[1]}

    @app.get("/api/failures", response_model=Page, tags=["articles"])
    def api_failures(paging=Depends(ctx.limit_param), con=Depends(ctx.connection)):
        """Articles a stage failed on while ingesting (latest first): `redline ingest --retry-failed` tries them again."""
        return render.jsonable(queries.failures(con, *paging))

    @app.get("/api/stories", response_model=Page, tags=["stories"])
    def api_stories(paging=Depends(ctx.limit_param), con=Depends(ctx.connection)):
        return render.jsonable(queries.stories(con, *paging))

    @app.get("/api/stories/{story_id}", tags=["stories"])
    def api_story(story_id: str, con=Depends(ctx.connection)) -> dict[str, Any]:
        return render.jsonable(queries.story(con, story_id))

    @app.get("/api/stories/{story_id}/chart", tags=["stories"])
    def api_story_chart(story_id: str, con=Depends(ctx.connection)) -> dict[str, Any]:
        record = queries.story(con, story_id)
        return render.jsonable(render.happenings_chart(record["happenings"], "Happenings (size: independent sources)"))

    @app.get("/api/happenings", response_model=Page, tags=["stories"])
    def api_happenings(story: str | None = Query(None, max_length=100), actor: list[str] = Query([], max_length=4),
                       paging=Depends(ctx.limit_param), con=Depends(ctx.connection)):
        return render.jsonable(queries.happenings(con, story=story, actors=actor, limit=paging[0], offset=paging[1]))

    @app.get("/api/actors/{actor_id}", tags=["actors"])
    def api_actor(actor_id: str, con=Depends(ctx.connection)) -> dict[str, Any]:
        return render.jsonable(queries.actor(con, actor_id))

    @app.get("/api/dyads/{a}/{b}", tags=["analysis"])
    def api_dyad(a: str = actor_param(), b: str = actor_param(), by: str = Query("week", pattern="^(day|week|month)$"),
                 unit: str = Query("happening", pattern="^(happening|mention)$"), con=Depends(ctx.connection)) -> dict[str, Any]:
        try:
            return render.jsonable(data.dyad(con, a, b, by=by, unit=unit))
        except ValueError as e:
            raise HTTPException(400, str(e)) from None

    @app.get("/api/dyads/{a}/{b}/chart", tags=["analysis"])
    def api_dyad_chart(a: str = actor_param(), b: str = actor_param(), by: str = Query("week", pattern="^(day|week|month)$"),
                       con=Depends(ctx.connection)) -> dict[str, Any]:
        try:
            return render.jsonable(render.dyad_chart(data.dyad(con, a, b, by=by)))
        except ValueError as e:
            raise HTTPException(400, str(e)) from None

    @app.get("/api/alerts", tags=["analysis"])
    def api_alerts(con=Depends(ctx.connection)) -> dict[str, Any]:
        return render.jsonable(ctx.redline.alerts(con))

    @app.get("/api/quotes/{quote_id:path}/provenance", tags=["quotes"])
    def api_quote_provenance(quote_id: str, con=Depends(ctx.connection)) -> dict[str, Any]:
        """One quote beside the passage of the primary source it comes from, with the word diff."""
        return render.jsonable(queries.quote_provenance(con, quote_id))
