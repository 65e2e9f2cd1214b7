"""Articles read: lists, one article with everything found in it, the database's summary, the
failures, and the sources a briefing cites."""

from __future__ import annotations

import duckdb

from redline.errors import NotFound
from redline.queries import checks
from redline.provenance import PROVENANCE, PROVENANCE_JOIN
from redline.queries.provenance import with_diff
from redline.queries.records import OPENING, page, rows

Con = duckdb.DuckDBPyConnection
# The failed articles, latest first.
FAILURES_SQL = "SELECT article_id, source_path, line, stage, problem, failed_at FROM failures ORDER BY failed_at DESC, article_id"


def articles(con: Con, limit: int | None = 100, offset: int = 0, outlet: str | None = None,
             newest_first: bool = False) -> dict:
    """Stored articles, in publication order (or the newest first), with their removed lines counted."""
    outlet = checks.outlet(con, outlet) if outlet else None
    where, params = ("WHERE a.outlet = ?", [outlet]) if outlet else ("", [])
    return page(con, f"""SELECT a.id, a.title, a.outlet, a.published, a.language, a.n_sentences, a.url,
                                left(a.text, {OPENING}) AS opening,
                                (SELECT count(*) FROM removed_lines r WHERE r.article_id = a.id) AS removed
                         FROM articles a {where}
                         ORDER BY a.published {'DESC' if newest_first else ''} NULLS LAST, a.id""", params, limit, offset)


def article(con: Con, article_id: str, source_path: bool = False) -> dict:
    """One article: its metadata and text, its story, and everything found in it (removed lines,
    sentences, actor mentions, quotes, events). `source_path`: also the file it came from (which a
    web answer leaves out: that is the server's business)."""
    found = rows(con, f"""SELECT a.id, a.title, a.outlet, a.published, a.url, a.language, a.text, a.nlp_note,
                                 a.n_sentences, {'a.source_path,' if source_path else ''}
                                 s.happening_id, s.story_id, l.derived_from, l.relation AS copy_relation
                          FROM articles a LEFT JOIN article_stories s ON s.article_id = a.id
                          LEFT JOIN lineage l ON l.article_id = a.id WHERE a.id = ?""", [article_id])
    if not found:
        raise NotFound(f"no article with id {article_id!r}")
    record = found[0]
    record["removed"] = rows(con, "SELECT seq, text, reason FROM removed_lines WHERE article_id = ? ORDER BY seq", [article_id])
    record["sentences"] = rows(con, """SELECT seq, start_char AS start, end_char AS "end", text FROM sentences
                                       WHERE article_id = ? ORDER BY seq""", [article_id])
    record["mentions"] = rows(con, """SELECT m.start_char AS start, m.end_char AS "end", m.text, m.actor_id, a.name,
                                             a.kind, m.country, m.sector, m.role, m.method
                                      FROM mentions m JOIN actors a ON a.id = m.actor_id
                                      WHERE m.article_id = ? ORDER BY m.start_char""", [article_id])
    record["quotes"] = [with_diff(q) for q in rows(con, f"""
        SELECT q.id, q.start_char AS start, q.end_char AS "end", q.text, q.kind, q.speaker_name, q.speaker_id,
               {PROVENANCE} AS provenance, p.diff AS provenance_diff
        FROM quotes q {PROVENANCE_JOIN} WHERE q.article_id = ? ORDER BY q.start_char""", [article_id])]
    record["events"] = rows(con, """SELECT e.id, e.event_type, e.mode, e.trigger, e.trigger_start, e.trigger_end,
                                           e.negated, e.modality, e.evidence, he.happening_id, h.story_id
                                    FROM events e LEFT JOIN happening_events he ON he.event_id = e.id
                                    LEFT JOIN happenings h ON h.id = he.happening_id
                                    WHERE e.article_id = ? ORDER BY e.trigger_start""", [article_id])
    return record


def failures(con: Con, limit: int | None = 20, offset: int = 0, source_path: bool = False) -> dict:
    """Articles a stage failed on while ingesting, latest first (with the file they came from
    only when `source_path`)."""
    columns = "*" if source_path else "article_id, stage, problem, failed_at"
    return page(con, f"SELECT {columns} FROM ({FAILURES_SQL})", [], limit, offset)


def overview(con: Con) -> dict:
    """What the database holds, counted: articles, outlets, happenings, stories, first and last dates."""
    counts = con.execute(
        """SELECT (SELECT count(*) FROM articles), (SELECT count(DISTINCT outlet) FROM articles),
                  (SELECT count(*) FROM happenings), (SELECT count(*) FROM stories WHERE level = 'story'),
                  (SELECT min(published) FROM articles), (SELECT max(published) FROM articles),
                  (SELECT sum(n_sentences) FROM articles), (SELECT count(*) FROM articles WHERE nlp_note IS NOT NULL)"""
    ).fetchone()
    keys = ("articles", "outlets", "happenings", "stories", "first", "last", "sentences", "skipped")
    record = dict(zip(keys, counts))
    record["languages"] = rows(con, "SELECT language, count(*) AS n FROM articles GROUP BY ALL ORDER BY 2 DESC, 1")
    record["removed"] = rows(con, "SELECT reason, count(*) AS n FROM removed_lines GROUP BY ALL ORDER BY 2 DESC, 1")
    record["failed_stages"] = rows(con, "SELECT stage, count(*) AS n FROM failures GROUP BY ALL ORDER BY 2 DESC, 1")
    return record


def sources(con: Con, article_ids: list[str]) -> list[dict]:
    """These articles as a list of sources to cite, in publication order."""
    return rows(con, """SELECT id, title, outlet, published, url FROM articles WHERE id IN (SELECT unnest(?::VARCHAR[]))
                        ORDER BY published NULLS LAST, id""", [article_ids])


def quotes_in(con: Con, article_ids: list[str]) -> list[dict]:
    """The quotes with a named speaker in these articles, in reading order."""
    return rows(con, """SELECT speaker_name, speaker_country, text, kind, article_id FROM quotes
                        WHERE article_id IN (SELECT unnest(?::VARCHAR[])) AND speaker_name IS NOT NULL
                        ORDER BY article_id, start_char""", [article_ids])
