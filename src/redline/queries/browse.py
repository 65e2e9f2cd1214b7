"""What the web app's list pages read: coded events under filters with their facet counts, the
index pages (dyads, outlets), what an actor did and had done to it, attention over time, and
what changed since a date. Values a user names are checked (`checks`) as everywhere else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb

from redline.errors import NotFound
from redline.model import MODALITIES, UNFIRM_MODALITIES
from redline.queries import checks
from redline.queries.records import facet, page, rows

Con = duckdb.DuckDBPyConnection
# An event's status: its modality, or "negated" whatever the modality ("did not criticise").
STATUSES = (*MODALITIES, "negated")
STATUS_SQL = "CASE WHEN e.negated THEN 'negated' ELSE e.modality END"
COUNTRIES_SQL = "list_transform({}, lambda x: x.country)"
HAS = "list_contains(" + COUNTRIES_SQL + ", ?)"
# The columns of an event as the list, its JSON and its CSV give them (one row per event mention).
EVENT_COLUMNS = """e.id, e.date, e.event_type, e.mode, e.source, e.target, {status} AS status, e.modality, e.negated,
                   round(e.confidence, 3) AS confidence, e.location.name AS place, e.location.country AS place_country,
                   e.location.lat AS lat, e.location.lon AS lon, e.attributed_to.name AS said_by, a.outlet, e.article_id,
                   a.title, e.evidence""".format(status=STATUS_SQL)


@dataclass
class EventFilter:
    """The filters of the events list, checked: dates, a type, one or two countries (two: what
    each did to the other), an outlet, statuses, a lowest confidence."""

    since: dt.date | None = None
    until: dt.date | None = None
    event_type: str | None = None
    countries: list[str] = field(default_factory=list)
    outlet: str | None = None
    statuses: list[str] = field(default_factory=list)
    min_confidence: float | None = None

    @classmethod
    def checked(cls, con: Con, since=None, until=None, event_type=None, countries=(), outlet=None, statuses=(),
                min_confidence=None) -> EventFilter:
        """The filters as a user wrote them (dates as YYYY-MM-DD; empty: none), checked."""
        return cls(checks.date(since) if since else None, checks.date(until) if until else None,
                   checks.event_type(con, event_type) if event_type else None,
                   [checks.country(con, c) for c in countries if c], checks.outlet(con, outlet) if outlet else None,
                   [checks.one_of("status", s, STATUSES) for s in statuses if s], min_confidence)

    def conditions(self) -> dict[str, tuple[str, list]]:
        """Each filter's SQL condition and parameters, by facet name (a facet counts under the others)."""
        out = {}
        if self.since:
            out["since"] = ("e.date >= ?", [self.since])
        if self.until:
            out["until"] = ("e.date <= ?", [self.until])
        if self.event_type:
            out["type"] = ("e.event_type = ?", [self.event_type])
        if len(self.countries) == 1:
            c = self.countries[0]
            out["country"] = (f"({HAS.format('e.source')} OR {HAS.format('e.target')})", [c, c])
        elif len(self.countries) >= 2:
            a, b = self.countries[:2]
            out["country"] = (f"(({HAS.format('e.source')} AND {HAS.format('e.target')}) OR "
                              f"({HAS.format('e.source')} AND {HAS.format('e.target')}))", [a, b, b, a])
        if self.outlet:
            out["outlet"] = ("a.outlet = ?", [self.outlet])
        if self.statuses:
            out["status"] = (f"{STATUS_SQL} IN (SELECT unnest(?::VARCHAR[]))", [self.statuses])
        if self.min_confidence is not None:
            out["confidence"] = ("e.confidence >= ?", [self.min_confidence])
        return out

    def where(self, leave_out: str | None = None) -> tuple[str, list]:
        kept = [v for k, v in self.conditions().items() if k != leave_out]
        return " AND ".join(c for c, _ in kept) or "true", [p for _, ps in kept for p in ps]


FACETS = {  # facet name: the value(s) of an event it counts by
    "type": "e.event_type",
    "country": f"unnest(list_distinct({COUNTRIES_SQL.format('e.source || e.target')}))",
    "outlet": "a.outlet",
    "status": STATUS_SQL,
}


def event_list(con: Con, flt: EventFilter, limit: int | None = 50, offset: int = 0) -> dict:
    """A page of coded event mentions (newest first) under `flt`, each with its outlet, place and evidence."""
    where, params = flt.where()
    return page(con, f"""SELECT {EVENT_COLUMNS} FROM events e JOIN articles a ON a.id = e.article_id
                         WHERE {where} ORDER BY e.date DESC NULLS LAST, e.article_id, e.start_char""", params, limit, offset)


def event_facets(con: Con, flt: EventFilter) -> dict[str, list[dict]]:
    """For each facet, its values with the number of events each would give under the other filters."""
    out = {}
    for name, value in FACETS.items():
        where, params = flt.where(leave_out=name)
        chosen = {"type": [flt.event_type], "country": flt.countries, "outlet": [flt.outlet], "status": flt.statuses}[name]
        out[name] = facet(con, value, f"FROM events e JOIN articles a ON a.id = e.article_id WHERE {where}", params, chosen)
    return out


def event_places(con: Con, flt: EventFilter) -> list[dict]:
    """Where the filtered events happened: each place (with coordinates when known) and its events."""
    where, params = flt.where()
    return rows(con, f"""SELECT e.location.name AS place, e.location.country AS country, e.location.lat AS lat,
                                e.location.lon AS lon, count(*) AS events
                         FROM events e JOIN articles a ON a.id = e.article_id
                         WHERE {where} AND e.location IS NOT NULL AND e.location.name IS NOT NULL
                         GROUP BY ALL ORDER BY events DESC, place""", params)


def date_range(con: Con) -> tuple[dt.date | None, dt.date | None]:
    """The first and last date of the data (events' and articles' dates)."""
    return con.execute("""SELECT least((SELECT min(date) FROM events), (SELECT min(published) FROM articles)),
                                 greatest((SELECT max(date) FROM events), (SELECT max(published) FROM articles))""").fetchone()


def dyad_pairs(con: Con, limit: int | None = 50, offset: int = 0) -> dict:
    """Pairs of countries by the number of events between them (either way), with how many are firm."""
    return page(con, """SELECT least(s, t) AS a, greatest(s, t) AS b, count(DISTINCT id) AS events,
                               count(DISTINCT id) FILTER (WHERE firm) AS firm, min(date) AS first, max(date) AS last
                        FROM (SELECT e.id, e.date, e.modality = 'asserted' AND NOT e.negated AS firm,
                                     unnest(list_transform(e.source, lambda x: x.country)) AS s,
                                     unnest(list_transform(e.target, lambda x: x.country)) AS t FROM events e)
                        WHERE s IS NOT NULL AND t IS NOT NULL AND s <> t
                        GROUP BY ALL ORDER BY events DESC, a, b""", [], limit, offset)


def outlet_list(con: Con, limit: int | None = 50, offset: int = 0) -> dict:
    """Outlets by number of articles, with their events, quotes and dates."""
    return page(con, """SELECT a.outlet, count(*) AS articles,
                               sum((SELECT count(*) FROM events e WHERE e.article_id = a.id)) AS events,
                               sum((SELECT count(*) FROM quotes q WHERE q.article_id = a.id)) AS quotes,
                               min(a.published) AS first, max(a.published) AS last
                        FROM articles a WHERE a.outlet IS NOT NULL GROUP BY ALL ORDER BY articles DESC, a.outlet""",
                [], limit, offset)


def _is_actor(side: str) -> str:
    return (f"list_contains(list_transform(e.{side}, lambda x: x.name = ? AND x.country IS NOT DISTINCT FROM ? "
            "AND x.sector IS NOT DISTINCT FROM ?), true)")


def actor_activity(con: Con, actor_id: str, limit: int = 50) -> dict:
    """What an actor did (events it is the source of) and had done to it (the target of), newest
    first, and its attention per week: articles that mention it, events it is in."""
    found = rows(con, "SELECT name, country, sector FROM actors WHERE id = ?", [actor_id])
    if not found:
        raise NotFound(f"no actor {actor_id!r}")
    key = [found[0]["name"], found[0]["country"], found[0]["sector"]]
    out = {}
    for side, name in (("source", "did"), ("target", "done_to")):
        out[name] = page(con, f"""SELECT {EVENT_COLUMNS} FROM events e JOIN articles a ON a.id = e.article_id
                                  WHERE {_is_actor(side)} ORDER BY e.date DESC NULLS LAST, e.article_id, e.start_char""",
                         key, limit)
    out["attention"] = rows(con, f"""
        WITH weeks AS (SELECT date_trunc('week', a.published) AS week, count(DISTINCT a.id) AS articles, 0 AS events
                       FROM mentions m JOIN articles a ON a.id = m.article_id
                       WHERE m.actor_id = ? AND a.published IS NOT NULL GROUP BY ALL
                       UNION ALL
                       SELECT date_trunc('week', e.date), 0, count(*) FROM events e
                       WHERE e.date IS NOT NULL AND ({_is_actor('source')} OR {_is_actor('target')}) GROUP BY ALL)
        SELECT week::DATE AS week, sum(articles)::INTEGER AS articles, sum(events)::INTEGER AS events
        FROM weeks GROUP BY week ORDER BY week""", [actor_id, *key, *key])
    out["attention"] = _every_week(out["attention"])
    return out


def _every_week(found: list[dict]) -> list[dict]:
    """Weekly counts with the quiet weeks between the first and the last as zeros."""
    if not found:
        return []
    by_week = {r["week"]: r for r in found}
    week, weeks = found[0]["week"], []
    while week <= found[-1]["week"]:
        weeks.append(by_week.get(week, {"week": week, "articles": 0, "events": 0}))
        week += dt.timedelta(days=7)
    return weeks


def changes(con: Con, since: dt.date | None = None, limit: int = 20) -> dict:
    """What changed since a date (default: the last week of the data): happenings first reported
    since, and the country pairs whose number of events moved most against the period of the
    same length before (alerts are the watch rules', filtered by the caller)."""
    _, last = date_range(con)
    if last is None:
        return {"since": since, "until": None, "happenings": [], "dyad_shifts": []}
    since = since or (last - dt.timedelta(days=7))
    before = since - (last - since) - dt.timedelta(days=1)
    happenings = rows(con, f"""SELECT h.id, h.story_id, h.event_type, h.mode, h.source, h.target, h.date, h.modality,
                                     h.sources, h.outlets, h.first_reported, h.evidence[1].sentence AS sentence,
                                     h.evidence[1].article_id AS article_id
                              FROM happenings h WHERE coalesce(h.first_reported, h.date) >= ? AND NOT h.negated
                                AND h.modality NOT IN {UNFIRM_MODALITIES}
                              ORDER BY h.sources DESC, coalesce(h.first_reported, h.date) DESC, h.id LIMIT ?""", [since, limit])
    shifts = rows(con, """SELECT least(s, t) AS a, greatest(s, t) AS b,
                                 count(DISTINCT id) FILTER (WHERE date >= ?) AS now,
                                 count(DISTINCT id) FILTER (WHERE date < ?) AS before
                          FROM (SELECT e.id, e.date, unnest(list_transform(e.source, lambda x: x.country)) AS s,
                                       unnest(list_transform(e.target, lambda x: x.country)) AS t
                                FROM events e WHERE e.date >= ? AND e.date <= ?)
                          WHERE s IS NOT NULL AND t IS NOT NULL AND s <> t GROUP BY ALL
                          ORDER BY abs(now - before) DESC, now DESC, a, b LIMIT ?""", [since, since, before, last, limit])
    for s in shifts:
        s["change"] = s["now"] - s["before"]
    return {"since": since, "until": last, "before": before, "happenings": happenings, "dyad_shifts": shifts}


def happening_articles(con: Con, ids: list[str]) -> dict[str, str]:
    """The article of each happening's lead evidence, by happening id (to link an alert's sentences)."""
    return dict(con.execute("""SELECT id, evidence[1].article_id FROM happenings
                               WHERE id IN (SELECT unnest(?::VARCHAR[]))""", [list(ids)]).fetchall())
