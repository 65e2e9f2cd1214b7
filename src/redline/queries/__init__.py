"""The read side of Redline in one place: lists, filters, counts, timelines, dyads, summaries.

Every function takes a DuckDB connection (a `Store`'s `.con`, or a cursor of one) and returns
plain records, pages of them ({items, total, limit, offset}) or DataFrames. What a user names
(a country, an event type, a story, a speaker) is checked first: an unknown value raises
`redline.errors.UnknownValue` with the closest valid choices, so the CLI, the web app, the
briefing and a notebook answer a mistake alike. `redline.app.Redline` opens the database for
them.
"""

from redline.queries.articles import FAILURES_SQL, article, articles, failures, overview, quotes_in, sources
from redline.queries.events import (actor, actors, dyad, events, happenings, outlets, quote_facets, quotes, stories, story,
                                    story_article_ids, story_tree, timeline)
from redline.queries.provenance import provenance_by_speaker, quote_provenance
from redline.queries.records import page, rows

__all__ = [
    "FAILURES_SQL", "actor", "actors", "article", "articles", "dyad", "events", "failures", "happenings", "outlets", "overview",
    "page", "provenance_by_speaker", "quote_facets", "quote_provenance", "quotes", "quotes_in", "rows", "sources", "stories", "story", "story_article_ids", "story_tree", "timeline",
]
