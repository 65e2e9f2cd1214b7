"""Full-text search over articles, actors, quotes and happenings: an inverted index in DuckDB, BM25.

DuckDB's own `fts` extension is fetched from the internet on first use, which an offline
install cannot do, so the index is plain tables (migration 10), kept up to date by each
stories run:

    search_docs(doc_id, kind, ref, title, snippet, length, version)   one row per searchable thing
    search_postings(term, doc_id, kind, tf, length)                   each batch's rows sorted by term:
                                                                      DuckDB's zone maps then skip all
                                                                      but the query's terms
    search_stats(docs, total_length)                                  the corpus totals

`update_index` indexes only what changed since it last ran: each document's `version` is a
hash of the stored fields it is made from, computed in SQL from the small columns only, and
compared with the one indexed; the postings of documents gone or changed are deleted, those
of new or changed ones inserted, and the totals moved by the difference, in one transaction.
`rebuild_index` empties the tables and indexes everything (`redline stories --rebuild`).

`search` scores with BM25 (k1 = 1.2, b = 0.75). What depends on the whole corpus is computed
when a query runs: each term's IDF from its document frequency (the number of its postings,
which the query reads anyway) and the document count, the length part from the average
length (`search_stats`). So the scores after any number of updates are those of one rebuild.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from redline.words import STOP

TOKEN = re.compile(r"\w+")
KINDS = ("article", "actor", "quote", "happening")
FINAL_RUN = 1_000_000  # postings (about eight row groups): a run this big is not merged again


def terms(text: str) -> list[str]:
    return [t for t in TOKEN.findall(text.lower()) if t not in STOP and len(t) > 1]


@dataclass(frozen=True)
class _Source:
    """One kind's documents: the table and its key, SQL expressions on its rows for what a hit
    opens, its title, the text to index and a snippet; and `version`, which changes whenever
    one of those can (read from small columns: a run compares it for every stored row)."""

    table: str
    key: str
    ref: str
    title: str
    body: str
    snippet: str
    version: str


_SOURCES = {
    # Every write of an article stamps ingested_at (Store.save_articles): its text is not hashed.
    "article": _Source("articles", "id", "id", "coalesce(title, id)",
                       "coalesce(title, '') || ' ' || coalesce(outlet, '') || ' ' || text", "left(text, 240)",
                       "hash(ingested_at, content_hash, metadata_hash, title, outlet)"),
    "actor": _Source("actors", "id", "id", "name", "name || ' ' || coalesce(role, '') || ' ' || coalesce(country, '')",
                     "concat_ws(', ', kind, country, sector, role)", "hash(name, kind, country, sector, role)"),
    "quote": _Source("quotes", "id", "article_id", "coalesce(speaker_name, 'unknown speaker')",
                     "coalesce(speaker_name, '') || ' ' || text", "left(text, 240)", "hash(article_id, speaker_name, text)"),
    # A happening changes when new evidence joins it or its mentions are merged again.
    "happening": _Source("happenings", "id", "coalesce(story_id, happening_id, '') || '#' || id",
                         "event_type || ' ' || coalesce(strftime(date, '%Y-%m-%d'), '')",
                         "event_type || ' ' || array_to_string(list_transform(source || target,"
                         " lambda a: coalesce(a.name, '')), ' ')"
                         " || ' ' || array_to_string(list_transform(evidence, lambda e: e.sentence), ' ')",
                         "left(evidence[1].sentence, 240)",
                         "hash(story_id, happening_id, event_type, date, source, target, evidence)"),
}


@dataclass(frozen=True)
class IndexUpdate:
    """What one update of the index did."""

    added: int    # documents indexed (new, or changed)
    removed: int  # documents taken out (gone, or changed)
    docs: int     # documents in the index after it


def update_index(con: duckdb.DuckDBPyConnection) -> IndexUpdate:
    """Index the documents that are new or changed since the last update, take out those
    gone or changed: all in one transaction (a killed run leaves the index as it was)."""
    return _update(con, everything=False)


def rebuild_index(con: duckdb.DuckDBPyConnection) -> int:
    """Empty the index and index every document, in one transaction; returns their number."""
    return _update(con, everything=True).docs


def _update(con: duckdb.DuckDBPyConnection, everything: bool) -> IndexUpdate:
    con.execute("BEGIN")
    try:
        if everything:
            for table in ("search_postings", "search_docs", "search_runs"):
                con.execute(f"DELETE FROM {table}")
            con.execute("UPDATE search_stats SET docs = 0, total_length = 0")
        # Each stored document's version; those indexed with another version, or no longer
        # stored, are stale; those stored and not indexed with their version are fresh.
        con.execute("CREATE OR REPLACE TEMP TABLE search_now AS " + " UNION ALL ".join(
            f"SELECT '{kind}' AS kind, {s.key} AS key, '{kind}:' || {s.key} AS doc_id, {s.version} AS version FROM {s.table}"
            for kind, s in _SOURCES.items()))
        con.execute("""CREATE OR REPLACE TEMP TABLE search_stale AS SELECT doc_id, length FROM search_docs d
                       WHERE NOT EXISTS (SELECT 1 FROM search_now n WHERE n.doc_id = d.doc_id AND n.version = d.version)""")
        con.execute("""CREATE OR REPLACE TEMP TABLE search_fresh AS SELECT kind, key FROM search_now n
                       WHERE NOT EXISTS (SELECT 1 FROM search_docs d WHERE d.doc_id = n.doc_id AND d.version = n.version)""")
        removed, removed_length = con.execute("SELECT count(*), coalesce(sum(length), 0) FROM search_stale").fetchone()
        if removed:
            # No index on doc_id: each delete reads the column once, whatever the number of documents.
            for table in ("search_postings", "search_docs"):
                con.execute(f"DELETE FROM {table} WHERE doc_id IN (SELECT doc_id FROM search_stale)")
        # Tokenised in SQL (regexp_split_to_array), so a corpus never passes through Python here;
        # every kind at once, so that the postings go in as one run sorted by term.
        fresh = {kind for kind, in con.execute("SELECT DISTINCT kind FROM search_fresh").fetchall()}
        added = added_length = 0
        if fresh:
            con.execute("CREATE OR REPLACE TEMP TABLE search_tokens AS " + " UNION ALL ".join(
                f"""SELECT '{kind}:' || {s.key} AS doc_id, '{kind}' AS kind, {s.ref} AS ref, {s.title} AS title,
                           {s.snippet} AS snippet, {s.version} AS version,
                           list_filter(regexp_split_to_array(lower({s.body}), '[^[:alnum:]_]+'),
                                       lambda w: length(w) > 1 AND NOT list_contains($stop, w)) AS toks
                    FROM {s.table} WHERE {s.key} IN (SELECT key FROM search_fresh WHERE kind = '{kind}')"""
                for kind, s in _SOURCES.items() if kind in fresh), {"stop": sorted(STOP)})
            con.execute("""INSERT INTO search_docs SELECT doc_id, kind, ref, title, snippet, len(toks), version
                           FROM search_tokens ORDER BY doc_id""")
            run = con.execute("SELECT coalesce(max(run), 0) + 1 FROM search_runs").fetchone()[0]
            written = con.execute("""INSERT INTO search_postings
                           SELECT term, doc_id, any_value(kind), count(*)::INTEGER, any_value(length), $run
                           FROM (SELECT doc_id, kind, len(toks) AS length, unnest(toks) AS term FROM search_tokens)
                           GROUP BY term, doc_id ORDER BY term, doc_id""", {"run": run}).fetchone()[0]
            con.execute("INSERT INTO search_runs VALUES (?, ?)", [run, written])
            _merge_small_runs(con)
            added, added_length = con.execute("SELECT count(*), coalesce(sum(len(toks)), 0) FROM search_tokens").fetchone()
        con.execute("UPDATE search_stats SET docs = docs + ?, total_length = total_length + ?",
                    [added - removed, added_length - removed_length])
        docs = con.execute("SELECT docs FROM search_stats").fetchone()[0]
        for temp in ("search_now", "search_stale", "search_fresh", "search_tokens"):
            con.execute(f"DROP TABLE IF EXISTS {temp}")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return IndexUpdate(added, removed, docs)


def _merge_small_runs(con: duckdb.DuckDBPyConnection) -> None:
    """Merge the newest runs of postings while the one before them is no bigger than they are
    together (a binary counter: after many small updates, a few runs, each posting rewritten a
    few times), up to FINAL_RUN postings. A query reads, in each run, the row groups its terms
    fall in: one or two in a big run, every one of a small run that shares them with others."""
    runs = con.execute("SELECT run, postings FROM search_runs ORDER BY run DESC").fetchall()
    together, merged = runs[0][1], [runs[0][0]]
    for run, postings in runs[1:]:
        if postings >= FINAL_RUN or postings > together:
            break
        together += postings
        merged.append(run)
    if len(merged) == 1:
        return
    # The merged runs are those written since the oldest of them: a suffix, which zone maps on `run` find.
    con.execute("""CREATE OR REPLACE TEMP TABLE search_merged AS SELECT term, doc_id, kind, tf, length
                   FROM search_postings WHERE run >= ? ORDER BY term, doc_id""", [merged[-1]])
    con.execute("DELETE FROM search_postings WHERE run >= ?", [merged[-1]])
    run = merged[0] + 1
    written = con.execute("INSERT INTO search_postings SELECT *, $run FROM search_merged", {"run": run}).fetchone()[0]
    con.execute("DELETE FROM search_runs WHERE run >= ?", [merged[-1]])
    con.execute("INSERT INTO search_runs VALUES (?, ?)", [run, written])
    con.execute("DROP TABLE search_merged")


def has_index(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'search_stats'"
    ).fetchone()[0] > 0


def _matching(query: str, kind: str | None) -> tuple[list[str], list[str]] | None:
    """The query's terms, and the kinds asked for."""
    words = sorted(set(terms(query)))
    if not words:
        return None
    return words, [kind] if kind else list(KINDS)


def _marks(values: list) -> str:
    return ", ".join("?" * len(values))


def search(con: duckdb.DuckDBPyConnection, query: str, kind: str | None = None, limit: int = 20,
           offset: int = 0) -> list[dict]:
    """Documents matching any query term, best BM25 first: doc_id, kind, ref, title, snippet, score."""
    matching = _matching(query, kind)
    if matching is None or not has_index(con):
        return []
    words, kinds = matching
    # A term's document frequency is the number of its postings (every kind's); the length
    # part is the document's length against the average of all documents.
    cur = con.execute(
        f"""WITH hits AS (SELECT term, doc_id, kind, tf, length FROM search_postings WHERE term IN ({_marks(words)})),
            idf AS (SELECT term, ln(1 + (s.docs - count(*) + 0.5) / (count(*) + 0.5)) AS idf
                    FROM hits, search_stats s GROUP BY term, s.docs),
            best AS (
                SELECT h.doc_id,
                       sum(i.idf * h.tf * 2.2 / (h.tf + 1.2 * (0.25 + 0.75 * h.length / (s.total_length / s.docs)))) AS score
                FROM hits h JOIN idf i USING (term), search_stats s
                WHERE h.kind IN ({_marks(kinds)})
                GROUP BY h.doc_id ORDER BY score DESC, h.doc_id LIMIT ? OFFSET ?)
            SELECT d.doc_id, d.kind, d.ref, d.title, d.snippet, round(best.score, 3) AS score
            FROM best JOIN search_docs d USING (doc_id) ORDER BY best.score DESC, d.doc_id""",
        words + kinds + [limit, offset],
    )
    names = [c[0] for c in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def search_total(con: duckdb.DuckDBPyConnection, query: str, kind: str | None = None) -> int:
    """How many documents `search` finds in all, over every page."""
    matching = _matching(query, kind)
    if matching is None or not has_index(con):
        return 0
    words, kinds = matching
    return con.execute(f"""SELECT count(DISTINCT doc_id) FROM search_postings
                           WHERE term IN ({_marks(words)}) AND kind IN ({_marks(kinds)})""", words + kinds).fetchone()[0]
