"""Quote provenance: each news quote against the primary record of its speaker.

For every quote of a news article (direct, partial or indirect) with a speaker and a date,
the stage looks for the passage it comes from among that speaker's **primary passages**: the
statements of stored transcripts (`kind: transcript`, redline.transcripts) published before or
on the day of the news, and the direct or partial quotes of the same speaker in articles
published before it. It grades what it finds (`align.grade`): `verbatim`, `trimmed` (words
dropped, nothing changed), `altered` (words changed inside the quote marks; the word diff is
kept), `paraphrase` (an indirect quote that matches), or `not found` (the speaker has
transcript statements up to that day, and none matches). A quote of fewer than 3 words, or 2
content words, is not looked up.

Candidates come from an inverted index of content-word pairs kept in the database
(`provenance_keys`, with an ART index on the key): a quote looks up its own keys and aligns
only the few passages that share most of them, so its cost does not grow with the number of
stored transcripts (bench/provenance.py measures it at 1x and 10x the shared briefings).

`update(store)` runs after each ingest, incrementally: passages of new, replaced or deleted
articles are indexed or dropped, the quotes those could be the source of are graded again,
and quotes not yet graded are graded. `update(store, rebuild=True)` recomputes everything
(`redline provenance --rebuild`). Quotes are graded in batches, each its own transaction: an
interrupted run keeps what it finished, and the next run does the rest.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Callable

from redline.store import Store
from redline.store.schema import PROVENANCE_TABLES
from redline.provenance.align import GRADES, align, diff_text, grade, keys, lookable, rank, words

__all__ = ["GRADES", "PROVENANCE", "PROVENANCE_JOIN", "PROVENANCE_TABLES", "update"]

# The `provenance` record of a quote `q` that the exports and the quote lists show:
# {article_id, start, end, similarity, grade} of its source passage; NULL when there was no
# primary passage of its speaker to compare it with.
PROVENANCE_JOIN = "LEFT JOIN quote_provenance p ON p.quote_id = q.id"
PROVENANCE = """CASE WHEN p.grade IS NULL THEN NULL ELSE
                  {'article_id': p.source_article_id, 'start': p.start_char, 'end': p.end_char,
                   'similarity': p.similarity, 'grade': p.grade} END"""
NEWS_KINDS = ("direct", "partial", "indirect")
CANDIDATES = 12  # passages aligned per quote: those sharing most keys with it
BATCH = 200      # quotes graded per transaction

# A transcript is an article with statements (speaker-labelled turns).
TRANSCRIPTS = "SELECT DISTINCT article_id FROM quotes WHERE kind = 'statement'"


def update(store, rebuild: bool = False, on_progress: Callable[[int, int], None] | None = None) -> Counter:
    """Bring the stored provenance up to date with the stored articles (everything again when
    `rebuild`). Returns the number of quotes graded now, per grade ("none": no primary
    passage of the speaker up to that day, or a quote too short to look up)."""
    con = store.con
    use_index(con)
    with store.transaction():
        if rebuild:
            for table in PROVENANCE_TABLES:
                con.execute(f"DELETE FROM {table}")
        _index_changes(con)
    todo = con.execute(f"""
        SELECT q.id, q.article_id, q.speaker_id, q.kind, q.text, a.published FROM quotes q JOIN articles a ON a.id = q.article_id
        WHERE q.kind IN {NEWS_KINDS} AND q.speaker_id IS NOT NULL AND a.published IS NOT NULL
          AND q.article_id NOT IN ({TRANSCRIPTS})
          AND NOT EXISTS (SELECT 1 FROM quote_provenance p WHERE p.quote_id = q.id)
        ORDER BY a.published, q.id""").fetchall()
    first_statement = dict(con.execute(
        "SELECT speaker_id, min(published) FROM provenance_sources WHERE transcript GROUP BY 1").fetchall())
    graded: Counter = Counter()
    for n in range(0, len(todo), BATCH):
        con = store.con  # a readers' turn (below) reconnects: the connection and its setting are new
        use_index(con)
        rows = [_provenance(con, q, first_statement) for q in todo[n:n + BATCH]]
        with store.transaction():
            _append(store, rows)
        graded.update(r["grade"] or "none" for r in rows)
        if on_progress:
            on_progress(min(n + BATCH, len(todo)), len(todo))
        store.let_readers_in()
    return graded


def use_index(con) -> None:
    """Let DuckDB answer a quote's key lookup from the ART index even when its keys hold
    thousands of rows: by default it scans the whole table beyond 2,048, which makes the cost
    per quote grow with the number of stored passages."""
    con.execute("SET index_scan_max_count = 1000000")


def _index_changes(con) -> None:
    """Drop what came from articles replaced or deleted since the last run, index the primary
    passages of new and replaced ones, and ungrade the quotes a new passage could be the source of."""
    changed = [r[0] for r in con.execute("""
        SELECT article_id FROM provenance_articles p
        WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = p.article_id AND a.ingested_at = p.ingested_at)
        UNION
        SELECT id FROM articles a
        WHERE NOT EXISTS (SELECT 1 FROM provenance_articles p WHERE p.article_id = a.id AND p.ingested_at = a.ingested_at)
        """).fetchall()]
    if not changed:
        return
    con.execute("CREATE OR REPLACE TEMP TABLE provenance_changed AS SELECT unnest(?::VARCHAR[]) AS article_id", [changed])
    con.execute("""DELETE FROM provenance_keys WHERE quote_id IN
                   (SELECT quote_id FROM provenance_sources WHERE article_id IN (SELECT article_id FROM provenance_changed))""")
    for table, column in (("provenance_sources", "article_id"), ("provenance_articles", "article_id"),
                          ("quote_provenance", "article_id"), ("quote_provenance", "source_article_id")):
        con.execute(f"DELETE FROM {table} WHERE {column} IN (SELECT article_id FROM provenance_changed)")
    passages = con.execute(f"""
        SELECT q.id, q.article_id, q.speaker_id, a.published, q.kind = 'statement' AS transcript,
               q.start_char, substr(a.text, q.start_char + 1, q.end_char - q.start_char) AS text
        FROM quotes q JOIN articles a ON a.id = q.article_id
        WHERE q.article_id IN (SELECT article_id FROM provenance_changed)
          AND q.speaker_id IS NOT NULL AND a.published IS NOT NULL
          AND (q.kind = 'statement' OR (q.kind IN ('direct', 'partial') AND q.article_id NOT IN ({TRANSCRIPTS})))""").fetchall()
    key_rows = [(k, p[0], p[1], p[3], p[4]) for p in passages for k in keys(p[2], words(p[6]).norm)]
    _insert(con, "provenance_keys", ["key", "quote_id", "article_id", "published", "transcript"], key_rows)
    _insert(con, "provenance_sources", ["quote_id", "article_id", "speaker_id", "published", "transcript", "start_char", "text"],
            passages)
    # A quote of a speaker with a new passage, dated on or after it, may now have another source.
    con.execute("""DELETE FROM quote_provenance p WHERE EXISTS (
                     SELECT 1 FROM quotes q JOIN articles a ON a.id = q.article_id
                     JOIN provenance_sources s ON s.speaker_id = q.speaker_id AND s.published <= a.published
                     WHERE q.id = p.quote_id AND s.article_id IN (SELECT article_id FROM provenance_changed))""")
    con.execute("""INSERT INTO provenance_articles SELECT id, ingested_at FROM articles
                   WHERE id IN (SELECT article_id FROM provenance_changed)""")
    con.execute("DROP TABLE provenance_changed")


def _insert(con, table: str, columns: list[str], rows: list[tuple]) -> None:
    Store._append(con, table, {c: [r[i] for r in rows] for i, c in enumerate(columns)})


def candidates(con, speaker_id: str, quote_keys: set[int], published, article_id: str) -> list[tuple]:
    """The speaker's passages sharing most keys with a quote, published by then (articles: before
    that day; transcripts: on it too), the latest first among equals (news quotes the last
    briefing), with their text: (quote id, article id, published, transcript, start, text)."""
    if not quote_keys:
        return []
    # Two lookups by literal keys and ids, each answered from its ART index: a join would scan.
    listed = ", ".join(map(str, sorted(quote_keys)))
    hits = con.execute(f"""
        SELECT quote_id FROM provenance_keys
        WHERE key IN ({listed}) AND article_id <> ? AND (published < ? OR (transcript AND published = ?))
        GROUP BY quote_id ORDER BY count(*) DESC, any_value(published) DESC, quote_id LIMIT {CANDIDATES}""",
                       [article_id, published, published]).fetchall()
    if not hits:
        return []
    order = {h[0]: n for n, h in enumerate(hits)}
    ids = ", ".join("'" + h[0].replace("'", "''") + "'" for h in hits)
    found = con.execute(f"""SELECT quote_id, article_id, published, transcript, start_char, text
                            FROM provenance_sources WHERE quote_id IN ({ids})""").fetchall()
    return sorted(found, key=lambda r: order[r[0]])


def _provenance(con, quote: tuple, first_statement: dict) -> dict:
    quote_id, article_id, speaker_id, kind, text, published = quote
    row = {"quote_id": quote_id, "article_id": article_id, "source_article_id": None, "source_quote_id": None,
           "start_char": None, "end_char": None, "similarity": None, "grade": None, "diff": None}
    said = words(text or "")
    if not lookable(said.norm):
        return row
    best = None
    for source_id, source_article, source_date, transcript, start, source_text in candidates(
            con, speaker_id, keys(speaker_id, said.norm), published, article_id):
        match = align(words(source_text), said)
        found = grade(match, kind)
        if found is None:
            continue
        # The closest; among equals a transcript before an article, and the first time it was said.
        order = (rank(match, kind), transcript, -source_date.toordinal())
        if best is None or order > best[0]:
            best = (order, found, match, source_id, source_article, start)
    if best is not None:
        _, found, match, source_id, source_article, start = best
        row.update(source_article_id=source_article, source_quote_id=source_id, start_char=start + match.start,
                   end_char=start + match.end, similarity=match.similarity, grade=found,
                   diff=json.dumps(diff_text(match.ops)) if match.ops else None)
    elif speaker_id in first_statement and first_statement[speaker_id] <= published:
        row["grade"] = "not found"
    return row


def _append(store, rows: list[dict]) -> None:
    if rows:
        Store._append(store.con, "quote_provenance", {c: [r[c] for r in rows] for c in rows[0]})
