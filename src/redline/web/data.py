"""What the web pages and the JSON API show, read from the database (one function per view).

Each function takes a DuckDB connection and returns plain data (dicts and lists), so the
pages render it and the API returns it unchanged: everything a page shows is in the API.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from redline.analysis import dyad_series, dyad_shifts
from redline.store import FAILURES_SQL


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def page(con, sql: str, params: list, limit: int, offset: int) -> dict:
    total = con.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0]
    return {"items": rows(con, f"{sql} LIMIT ? OFFSET ?", params + [limit, offset]),
            "total": total, "limit": limit, "offset": offset}


def overview(con) -> dict:
    counts = con.execute(
        """SELECT (SELECT count(*) FROM articles), (SELECT count(DISTINCT outlet) FROM articles),
                  (SELECT count(*) FROM happenings), (SELECT count(*) FROM stories WHERE level = 'story'),
                  (SELECT min(published) FROM articles), (SELECT max(published) FROM articles)"""
    ).fetchone()
    keys = ("articles", "outlets", "happenings", "stories", "first", "last")
    return dict(zip(keys, counts))


def articles(con, limit: int, offset: int, outlet: str | None = None) -> dict:
    where, params = ("WHERE outlet = ?", [outlet]) if outlet else ("", [])
    return page(con, f"""SELECT id, title, outlet, published, language, n_sentences, url, left(text, {OPENING}) AS opening
                         FROM articles {where}
                         ORDER BY published DESC NULLS LAST, id""", params, limit, offset)


def failures(con, limit: int, offset: int) -> dict:
    """Articles a stage failed on while ingesting, latest first (which file is the server's business)."""
    return page(con, f"SELECT article_id, stage, problem, failed_at FROM ({FAILURES_SQL})", [], limit, offset)


def article(con, article_id: str) -> dict | None:
    found = rows(con, """SELECT a.id, a.title, a.outlet, a.published, a.url, a.language, a.text, a.nlp_note,
                                s.happening_id, s.story_id, l.derived_from, l.relation AS copy_relation
                         FROM articles a LEFT JOIN article_stories s ON s.article_id = a.id
                         LEFT JOIN lineage l ON l.article_id = a.id WHERE a.id = ?""", [article_id])
    if not found:
        return None
    record = found[0]
    record["removed"] = rows(con, "SELECT seq, text, reason FROM removed_lines WHERE article_id = ? ORDER BY seq", [article_id])
    record["mentions"] = rows(con, """SELECT m.start_char AS start, m.end_char AS "end", m.text, m.actor_id, a.name,
                                             m.country, m.sector FROM mentions m JOIN actors a ON a.id = m.actor_id
                                      WHERE m.article_id = ? ORDER BY m.start_char""", [article_id])
    record["quotes"] = rows(con, """SELECT id, start_char AS start, end_char AS "end", text, kind, speaker_name,
                                           speaker_id FROM quotes WHERE article_id = ? ORDER BY start_char""", [article_id])
    record["events"] = rows(con, """SELECT e.id, e.event_type, e.mode, e.trigger, e.trigger_start, e.trigger_end,
                                           e.negated, e.modality, e.evidence, he.happening_id, h.story_id
                                    FROM events e LEFT JOIN happening_events he ON he.event_id = e.id
                                    LEFT JOIN happenings h ON h.id = he.happening_id
                                    WHERE e.article_id = ? ORDER BY e.trigger_start""", [article_id])
    return record


def segments(text: str, record: dict) -> list[dict]:
    """The text cut where any mention, quote or event trigger starts or ends; each piece says
    what covers it, so the page can mark everything in place (the template escapes the text)."""
    spans = [("quote", q["start"], q["end"], q) for q in record["quotes"]]
    spans += [("actor", m["start"], m["end"], m) for m in record["mentions"]]
    spans += [("event", e["trigger_start"], e["trigger_end"], e) for e in record["events"] if e["trigger_start"] is not None]
    cuts = sorted({0, len(text)} | {max(0, min(len(text), x)) for _, s, e, _ in spans for x in (s, e)})
    out = []
    for start, end in zip(cuts, cuts[1:]):
        covering = [(kind, info) for kind, s, e, info in spans if s <= start and end <= e]
        piece = {"text": text[start:end], "quote": None, "actor": None, "event": None}
        for kind, info in covering:
            piece[kind] = info
        out.append(piece)
    return out


def stories(con, limit: int, offset: int) -> dict:
    return page(con, """SELECT s.id, s.label, s.first_date, s.last_date, s.articles, s.sources, s.outlets,
                               (SELECT count(*) FROM happenings h WHERE h.story_id = s.id) AS happenings
                        FROM stories s WHERE s.level = 'story' ORDER BY s.last_date DESC NULLS LAST, s.id""",
                [], limit, offset)


def story(con, story_id: str) -> dict | None:
    found = rows(con, "SELECT * FROM stories WHERE id = ?", [story_id])
    if not found:
        return None
    record = found[0]
    column = "story_id" if record["level"] == "story" else "happening_id"
    record["happenings"] = rows(con, f"""SELECT id, happening_id, event_type, mode, quad_class, source, target, date, date_precision,
                                               modality, negated, disputed, sources, outlets, first_reported, evidence
                                        FROM happenings WHERE {column} = ? AND NOT negated
                                        ORDER BY date NULLS LAST, first_reported, id""", [story_id])
    record["articles"] = rows(con, f"""SELECT a.id, a.title, left(a.text, {OPENING}) AS opening, a.outlet, a.published,
                                              s.happening_id FROM article_stories s
                                       JOIN articles a ON a.id = s.article_id WHERE s.{column} = ?
                                       ORDER BY a.published, a.id""", [story_id])
    record["parts"] = rows(con, "SELECT id, label, first_date, articles FROM stories WHERE story_id = ? ORDER BY first_date, id",
                           [story_id]) if record["level"] == "story" else []
    return record


def happenings(con, limit: int, offset: int, story: str | None = None, actors: list[str] = ()) -> dict:
    conditions, params = ["NOT negated"], []
    if story:
        conditions.append("(story_id = ? OR happening_id = ?)")
        params += [story, story]
    for code in actors:
        conditions.append("list_contains(list_transform(source || target, lambda x: x.country), ?)")
        params.append(code.upper())
    return page(con, f"""SELECT id, story_id, happening_id, event_type, mode, source, target, date, modality, disputed,
                                sources, outlets, first_reported, evidence[1].sentence AS sentence
                         FROM happenings WHERE {' AND '.join(conditions)} ORDER BY date NULLS LAST, id""",
                params, limit, offset)


def actor(con, actor_id: str) -> dict | None:
    found = rows(con, "SELECT * FROM actors WHERE id = ?", [actor_id])
    if not found:
        return None
    record = found[0]
    name = record["name"]
    record["mentions"] = con.execute("SELECT count(*) FROM mentions WHERE actor_id = ?", [actor_id]).fetchone()[0]
    # Who they act on or talk about: the targets of the events they are the source of.
    record["talks_about"] = rows(con, """SELECT t.name, t.country, count(*) AS events, round(avg(e.intensity), 2) AS mean_intensity
                                         FROM (SELECT e.*, unnest(e.target) AS t FROM events e
                                               WHERE list_contains(list_transform(e.source, lambda x: x.name), ?)) e
                                         GROUP BY ALL ORDER BY events DESC, t.name LIMIT 20""", [name])
    record["quoted_by"] = rows(con, """SELECT a.outlet, count(*) AS quotes FROM quotes q JOIN articles a ON a.id = q.article_id
                                       WHERE q.speaker_id = ? GROUP BY ALL ORDER BY quotes DESC, a.outlet""", [actor_id])
    record["quotes"] = rows(con, """SELECT q.id, q.article_id, q.text, q.kind, a.outlet, a.published FROM quotes q
                                    JOIN articles a ON a.id = q.article_id WHERE q.speaker_id = ?
                                    ORDER BY a.published DESC NULLS LAST, q.id LIMIT 50""", [actor_id])
    return record


def dyad(con, a: str, b: str, by: str = "week", unit: str = "happening") -> dict:
    series = dyad_series(con, a, b, by=by, unit=unit)
    shifts = dyad_shifts(con, a, b, by=by, unit=unit, series=series)
    return {"a": a.upper(), "b": b.upper(), "by": by, "unit": unit,
            "series": series.to_dict("records"), "shifts": shifts.to_dict("records")}


QUAD_COLOURS = {"verbal-cooperation": "#54a24b", "material-cooperation": "#2f7d32",
                "verbal-conflict": "#f58518", "material-conflict": "#e45756"}


OPENING = 300  # characters of an article's text read for its headline when it has no title
HEADLINE_WORDS = 12


def headline(article: dict) -> str:
    """An article's title; without one, the first words of its text ("Russia said on Monday…");
    the id only when there is no text either (never a 64-character hash for a title)."""
    title = " ".join(str(article.get("title") or "").split())
    if title:
        return title
    words = str(article.get("opening") or article.get("text") or "")[:OPENING].split()
    if not words:
        return str(article.get("id") or "untitled")
    return " ".join(words[:HEADLINE_WORDS]) + ("…" if len(words) > HEADLINE_WORDS else "")


def actors_text(actors: list[dict] | None) -> str:
    """"Vladimir Putin (RUS), Xi Jinping (CHN)", or a dash for nobody."""
    return ", ".join(f"{a['name']} ({a['country'] or '?'})" for a in actors or []) or "–"


def happenings_chart(happenings: list[dict], title: str) -> dict:
    """A Plotly figure: dated happenings over time, one row per type, sized by independent
    sources, coloured by quad class (negated ones left out)."""
    items = [h for h in happenings if h["date"] and not h["negated"]]
    return {
        "data": [{
            "type": "scatter", "mode": "markers",
            "x": [str(h["date"]) for h in items], "y": [h["event_type"] for h in items],
            "text": [f"{h['event_type']} · {', '.join(h['outlets']) or 'outlet unknown'}" for h in items],
            "hoverinfo": "x+text",
            "marker": {"size": [10 + 6 * min(h["sources"], 5) for h in items],
                       "color": [QUAD_COLOURS.get(h["quad_class"], "#999") for h in items]},
        }],
        "layout": {"title": {"text": title}, "height": 340, "yaxis": {"type": "category"},
                   "margin": {"l": 100, "r": 20, "t": 40, "b": 40}},
    }


def dyad_chart(data: dict) -> dict:
    by_direction: dict[str, dict[str, int]] = {}
    intensity: dict[str, list[float]] = {}
    for row in data["series"]:
        period = str(row["period"])
        by_direction.setdefault(row["direction"], {}).setdefault(period, 0)
        by_direction[row["direction"]][period] += int(row["events"])
        intensity.setdefault(period, []).append(float(row["total_intensity"]))
    names = {"A->B": f"{data['a']} → {data['b']}", "B->A": f"{data['b']} → {data['a']}", "joint": "joint"}
    traces = [{"type": "bar", "name": names.get(d, d), "x": list(v), "y": list(v.values())} for d, v in by_direction.items()]
    periods = sorted(intensity)
    counts = {p: sum(v.get(p, 0) for v in by_direction.values()) for p in periods}
    traces.append({"type": "scatter", "mode": "lines+markers", "name": "mean intensity", "yaxis": "y2", "x": periods,
                   "y": [round(sum(intensity[p]) / counts[p], 2) if counts[p] else None for p in periods]})
    return {"data": traces, "layout": {"barmode": "stack", "height": 340, "title": {"text": "Events per " + data["by"]},
                                       "yaxis2": {"overlaying": "y", "side": "right", "range": [-10, 10]},
                                       "margin": {"l": 40, "r": 40, "t": 40, "b": 40}}}


def web_url(url: str | None) -> str | None:
    """The URL when it is http(s), else None: a stored "javascript:..." must never become a link."""
    if url and url.strip().lower().startswith(("http://", "https://")) and not any(c in url for c in "\"'<> "):
        return url.strip()
    return None


def jsonable(value):
    """Dates as ISO strings, numpy numbers as Python ones, NaN as None, all the way down."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value
