"""Who did what to whom, read: actors, quotes, events, happenings and timelines, stories, dyads.

Every function takes a DuckDB connection, checks what the user named (`checks`) and returns
plain records or a page of them ({items, total, limit, offset}); the dyad, DataFrames.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from redline.errors import NotFound
from redline.model import UNFIRM_MODALITIES
from redline.queries import checks
from redline.queries.browse import EventFilter
from redline.provenance import PROVENANCE, PROVENANCE_JOIN
from redline.queries.provenance import with_diff
from redline.queries.records import OPENING, facet, page, rows

Con = duckdb.DuckDBPyConnection
HAS_COUNTRY = "list_contains(list_transform({}, lambda x: x.country), ?)"


def _where(conditions: list[tuple[str, list]]) -> tuple[str, list]:
    """(condition, params) pairs, those with a condition, joined by AND."""
    kept = [(c, p) for c, p in conditions if c]
    return " AND ".join(c for c, _ in kept) or "true", [x for _, p in kept for x in p]


def actors(con: Con, country: str | None = None, kind: str | None = None, limit: int | None = 50,
           offset: int = 0) -> dict:
    """Actors by number of mentions, with the number of articles they appear in."""
    country = checks.country(con, country) if country else None
    kind = checks.one_of("actor kind", kind, checks.ACTOR_KINDS) if kind else None
    where, params = _where([("a.country = ?" if country else "", [country] if country else []),
                            ("a.kind = ?" if kind else "", [kind] if kind else [])])
    return page(con, f"""SELECT a.id, a.name, a.kind, a.country, a.sector, a.role, count(*) AS mentions,
                                count(DISTINCT m.article_id) AS articles
                         FROM mentions m JOIN actors a ON a.id = m.actor_id WHERE {where}
                         GROUP BY ALL ORDER BY mentions DESC, a.name""", params, limit, offset)


def actor(con: Con, actor_id: str) -> dict:
    """One actor: mentions, who they act on, which outlets quote them, their quotes."""
    found = rows(con, "SELECT * FROM actors WHERE id = ?", [actor_id])
    if not found:
        raise NotFound(f"no actor {actor_id!r}")
    record = found[0]
    record["mentions"] = con.execute("SELECT count(*) FROM mentions WHERE actor_id = ?", [actor_id]).fetchone()[0]
    # Who they act on or talk about: the targets of the events they are the source of.
    record["talks_about"] = rows(con, """SELECT t.name, t.country, count(*) AS events, round(avg(e.intensity), 2) AS mean_intensity
                                         FROM (SELECT e.*, unnest(e.target) AS t FROM events e
                                               WHERE list_contains(list_transform(e.source, lambda x: x.name), ?)) e
                                         GROUP BY ALL ORDER BY events DESC, t.name LIMIT 20""", [record["name"]])
    record["quoted_by"] = rows(con, """SELECT a.outlet, count(*) AS quotes FROM quotes q JOIN articles a ON a.id = q.article_id
                                       WHERE q.speaker_id = ? GROUP BY ALL ORDER BY quotes DESC, a.outlet""", [actor_id])
    record["quotes"] = rows(con, """SELECT q.id, q.article_id, q.text, q.kind, a.outlet, a.published FROM quotes q
                                    JOIN articles a ON a.id = q.article_id WHERE q.speaker_id = ?
                                    ORDER BY a.published DESC NULLS LAST, q.id LIMIT 50""", [actor_id])
    return record


QUOTES_FROM = f"FROM quotes q JOIN articles a ON a.id = q.article_id {PROVENANCE_JOIN}"


def _quote_conditions(con: Con, speaker: str | None, country: str | None, kind: str | None, grade: str | None,
                      outlet: str | None) -> dict[str, tuple[str, list]]:
    """The quote list's filters, checked, as SQL conditions by name (a facet counts under the others)."""
    out = {}
    if speaker:
        out["speaker"] = ("q.speaker_name ILIKE ?", [f"%{checks.speaker(con, speaker)}%"])
    if country:
        out["country"] = ("q.speaker_country = ?", [checks.country(con, country)])
    if kind:
        out["kind"] = ("q.kind = ?", [checks.one_of("quote kind", kind, checks.QUOTE_KINDS)])
    if grade:
        out["grade"] = ("p.grade = ?", [checks.provenance_grade(grade)])
    if outlet:
        out["outlet"] = ("a.outlet = ?", [checks.outlet(con, outlet)])
    return out


def quotes(con: Con, speaker: str | None = None, country: str | None = None, kind: str | None = None,
           grade: str | None = None, limit: int | None = 50, offset: int = 0, outlet: str | None = None) -> dict:
    """Who said what, in date order: speakers whose name holds `speaker`, of `country`, of a
    `kind`, whose provenance has a `grade` (redline.provenance), in articles of an `outlet`; each
    with its article's outlet and its `provenance` ({article_id, start, end, similarity, grade,
    diff}, None when not graded)."""
    where, params = _where(list(_quote_conditions(con, speaker, country, kind, grade, outlet).values()))
    found = page(con, f"""SELECT q.*, a.outlet, a.published, {PROVENANCE} AS provenance, p.diff AS provenance_diff
                          {QUOTES_FROM} WHERE {where} ORDER BY a.published NULLS LAST, q.article_id, q.start_char""",
                 params, limit, offset)
    found["items"] = [with_diff(r) for r in found["items"]]
    return found


def quote_facets(con: Con, speaker: str | None = None, country: str | None = None, kind: str | None = None,
                 grade: str | None = None, outlet: str | None = None) -> dict[str, list[dict]]:
    """The quote list's outlet choices, each with the quotes it would give under the other filters."""
    conditions = _quote_conditions(con, speaker, country, kind, grade, outlet)
    where, params = _where([c for name, c in conditions.items() if name != "outlet"])
    chosen = conditions["outlet"][1] if "outlet" in conditions else []
    return {"outlet": facet(con, "a.outlet", f"{QUOTES_FROM} WHERE {where}", params, chosen, counted="quotes")}


def events(con: Con, event_type: str | None = None, country: str | list[str] | None = None, asserted_only: bool = True,
           limit: int | None = 50, offset: int = 0, outlet: str | None = None, since: str | dt.date | None = None,
           until: str | dt.date | None = None, statuses: list[str] | tuple[str, ...] = (),
           min_confidence: float | None = None) -> dict:
    """Coded event mentions in date order under the web's events filters (`browse.EventFilter`):
    of a type, with a country as source or target (two: what each did to the other), in articles
    of an `outlet`, dated `since`/`until` (inclusive), of these `statuses` (else asserted and not
    negated, unless not `asserted_only`), of at least `min_confidence`."""
    countries = [country] if isinstance(country, str) else list(country or [])
    flt = EventFilter.checked(con, since, until, event_type, countries, outlet,
                              statuses or (["asserted"] if asserted_only else []), min_confidence)
    where, params = flt.where()
    return page(con, f"""SELECT e.* FROM events e JOIN articles a ON a.id = e.article_id
                         WHERE {where} ORDER BY e.date NULLS LAST, e.article_id, e.start_char""", params, limit, offset)


def _happening_filter(con: Con, story: str | None, countries: list[str] | tuple[str, ...],
                      include_unfirm: bool) -> tuple[str, list]:
    story = checks.story(con, story) if story else None
    codes = [checks.country(con, c) for c in countries]
    return _where([("(h.story_id = ? OR h.happening_id = ?)" if story else "", [story, story] if story else []),
                   *[(HAS_COUNTRY.format("h.source || h.target"), [c]) for c in codes],
                   (f"NOT h.negated AND h.modality NOT IN {UNFIRM_MODALITIES}" if not include_unfirm else "", [])])


def timeline(con: Con, story: str | None = None, actors: list[str] | tuple[str, ...] = (),
             include_unfirm: bool = False, limit: int | None = 200, offset: int = 0) -> dict:
    """Merged happenings in date order, with all their fields and evidence: of a story (s-...)
    or happening (h-...), and/or with all these countries. Negated-only, hypothetical and background ones
    only with `include_unfirm`."""
    where, params = _happening_filter(con, story, actors, include_unfirm)
    return page(con, f"SELECT h.* FROM happenings h WHERE {where} ORDER BY h.date NULLS LAST, h.first_reported, h.id",
                params, limit, offset)


def happenings(con: Con, story: str | None = None, actors: list[str] | tuple[str, ...] = (),
               include_unfirm: bool = False, limit: int | None = 50, offset: int = 0) -> dict:
    """The timeline's happenings as a list shows them: the main fields and the lead sentence."""
    where, params = _happening_filter(con, story, actors, include_unfirm)
    return page(con, f"""SELECT h.id, h.story_id, h.happening_id, h.event_type, h.mode, h.source, h.target, h.date,
                                h.modality, h.disputed, h.sources, h.outlets, h.first_reported,
                                h.evidence[1].sentence AS sentence
                         FROM happenings h WHERE {where} ORDER BY h.date NULLS LAST, h.first_reported, h.id""",
                params, limit, offset)


def stories(con: Con, limit: int | None = 20, offset: int = 0) -> dict:
    """Running stories, the latest first, with their number of happenings."""
    return page(con, """SELECT s.id, s.label, s.first_date, s.last_date, s.articles, s.sources, s.outlets,
                               (SELECT count(*) FROM happenings h WHERE h.story_id = s.id) AS happenings
                        FROM stories s WHERE s.level = 'story' ORDER BY s.last_date DESC NULLS LAST, s.id""",
                [], limit, offset)


def story_tree(con: Con, limit: int | None = 20, offset: int = 0) -> dict:
    """A page of running stories, each with its happenings (article clusters), each with its
    articles and what they copy or rewrite."""
    found = stories(con, limit, offset)
    ids = [s["id"] for s in found["items"]]
    parts = rows(con, """SELECT h.id, h.story_id, h.first_date, h.label,
                                list({'id': s.article_id, 'relation': l.relation, 'derived_from': l.derived_from,
                                      'similarity': l.similarity} ORDER BY a.published, s.article_id) AS articles
                         FROM stories h JOIN article_stories s ON s.happening_id = h.id JOIN articles a ON a.id = s.article_id
                         LEFT JOIN lineage l ON l.article_id = s.article_id
                         WHERE h.level = 'happening' AND h.story_id IN (SELECT unnest(?::VARCHAR[]))
                         GROUP BY ALL ORDER BY h.first_date, h.id""", [ids])
    for s in found["items"]:
        s["parts"] = [p for p in parts if p["story_id"] == s["id"]]
    return found


def story(con: Con, story_id: str) -> dict:
    """A running story or a happening: its (firm) happenings, its articles, and its parts."""
    found = rows(con, "SELECT * FROM stories WHERE id = ?", [story_id])
    if not found:
        raise NotFound(f"no story {story_id!r}")
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


def story_article_ids(con: Con, story: str) -> list[str]:
    return [r[0] for r in con.execute("SELECT article_id FROM article_stories WHERE story_id = ? OR happening_id = ?",
                                      [story, story]).fetchall()]


def dyad(con: Con, a: str, b: str, by: str = "week", unit: str = "happening", include: list[str] | tuple[str, ...] = (),
         window: int = 8, threshold: float = 3.5) -> dict:
    """How A and B (ISO3 or ISO3:SECTOR) treat each other: the series per period, quiet ones as
    0 (a DataFrame), its number of `periods`, and the periods that left their baseline (a
    DataFrame, see redline.analysis.dyads), which `judged` says any period could: one needs
    MIN_BASELINE periods before it."""
    from redline.analysis.dyads import MIN_BASELINE, dyad_series, dyad_shifts

    a, b = checks.actor(con, a), checks.actor(con, b)
    series = dyad_series(con, a, b, by=by, unit=unit, include=include)
    shifts = dyad_shifts(con, a, b, by=by, unit=unit, include=include, window=window, threshold=threshold, series=series)
    periods = series["period"].nunique()
    return {"a": a, "b": b, "by": by, "unit": unit, "window": window, "threshold": threshold, "series": series,
            "periods": periods, "judged": periods > MIN_BASELINE, "min_baseline": MIN_BASELINE, "shifts": shifts}


def outlets(con: Con, story: str | None = None) -> dict:
    """Outlets compared (DataFrames, see redline.analysis.outlets): `coverage` of happenings,
    `terms` (their words for the same happening) and `tone` by country; of one story, or all."""
    from redline.analysis import outlet_summary, outlet_terms, outlet_tone

    story = checks.story(con, story) if story else None
    return {"coverage": outlet_summary(con, story), "terms": outlet_terms(con, story), "tone": outlet_tone(con, story)}
