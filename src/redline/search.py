"""Full-text search over articles, actors, quotes and happenings: an inverted index in DuckDB, BM25.

DuckDB's own `fts` extension is fetched from the internet on first use, which an offline
install cannot do, so the index is two plain tables, rebuilt with the stories:

    search_docs(doc_id, kind, ref, title, snippet, length)   one row per searchable thing
    search_postings(term, doc_id, kind, tf, norm)            sorted by term: DuckDB's zone maps
                                                             then skip all but the query's terms
    search_terms(term, idf)

`search` scores with BM25 (k1 = 1.2, b = 0.75); the document-length part of the formula
(`norm`) and each term's IDF are computed when the index is built, so a query reads only the
postings of its terms and opens the documents of the page it returns.
"""

from __future__ import annotations

import re

import duckdb

from redline.words import STOP

TOKEN = re.compile(r"\w+")
KINDS = ("article", "actor", "quote", "happening")


def terms(text: str) -> list[str]:
    return [t for t in TOKEN.findall(text.lower()) if t not in STOP and len(t) > 1]


# Each kind's documents: an id, a reference to open, a title, the text to index and a snippet.
_SOURCES = {
    "article": """SELECT 'article:' || id, id, coalesce(title, id), coalesce(title, '') || ' ' || coalesce(outlet, '') || ' ' || text,
                         left(text, 240) FROM articles""",
    "actor": """SELECT 'actor:' || id, id, name, name || ' ' || coalesce(role, '') || ' ' || coalesce(country, ''),
                       concat_ws(', ', kind, country, sector, role) FROM actors""",
    "quote": """SELECT 'quote:' || id, article_id, coalesce(speaker_name, 'unknown speaker'),
                       coalesce(speaker_name, '') || ' ' || text, left(text, 240) FROM quotes""",
    "happening": """SELECT 'happening:' || id, coalesce(story_id, happening_id, '') || '#' || id, event_type || ' ' || coalesce(strftime(date, '%Y-%m-%d'), ''),
                           event_type || ' ' || array_to_string(list_transform(source || target, lambda a: coalesce(a.name, '')), ' ')
                             || ' ' || array_to_string(list_transform(evidence, lambda e: e.sentence), ' '),
                           left(evidence[1].sentence, 240) FROM happenings""",
}


def rebuild_index(con: duckdb.DuckDBPyConnection) -> int:
    """Rebuild both tables in one transaction; returns the number of documents."""
    con.execute("BEGIN")
    try:
        con.execute("CREATE OR REPLACE TABLE search_docs (doc_id VARCHAR, kind VARCHAR, ref VARCHAR, title VARCHAR, "
                    "snippet VARCHAR, length INTEGER)")
        con.execute("CREATE OR REPLACE TABLE search_postings (term VARCHAR, doc_id VARCHAR, tf INTEGER)")
        # Tokenised in SQL (regexp_split_to_array), so a corpus never passes through Python here.
        stop = sorted(STOP)
        for kind, sql in _SOURCES.items():
            con.execute(
                f"""CREATE OR REPLACE TEMP TABLE tokens AS
                    SELECT doc_id, ref, title, snippet,
                           list_filter(regexp_split_to_array(lower(body), '[^[:alnum:]_]+'),
                                       lambda t: length(t) > 1 AND NOT list_contains(?, t)) AS toks
                    FROM ({sql}) s(doc_id, ref, title, body, snippet)""",
                [stop],
            )
            con.execute(f"""INSERT INTO search_docs SELECT doc_id, '{kind}', ref, title, snippet, len(toks) FROM tokens""")
            con.execute("""INSERT INTO search_postings SELECT term, doc_id, count(*)::INTEGER
                           FROM (SELECT doc_id, unnest(toks) AS term FROM tokens) GROUP BY ALL""")
        con.execute("""CREATE OR REPLACE TABLE search_postings AS
                       SELECT p.term, p.doc_id, d.kind, p.tf,
                              1.2 * (0.25 + 0.75 * d.length / (SELECT avg(length) FROM search_docs)) AS norm
                       FROM search_postings p JOIN search_docs d USING (doc_id) ORDER BY p.term, p.doc_id""")
        con.execute("""CREATE OR REPLACE TABLE search_terms AS
                       SELECT term, ln(1 + ((SELECT count(*) FROM search_docs) - count(*) + 0.5) / (count(*) + 0.5)) AS idf
                       FROM search_postings GROUP BY term ORDER BY term""")
        con.execute("DROP TABLE IF EXISTS tokens")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return con.execute("SELECT count(*) FROM search_docs").fetchone()[0]


def has_index(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'search_postings'"
    ).fetchone()[0] > 0


def _matching(query: str, kind: str | None) -> tuple[str, list] | None:
    """The postings a query matches (a WHERE clause on `search_postings p JOIN search_terms t`)."""
    words = sorted(set(terms(query)))
    if not words:
        return None
    kinds = [kind] if kind else list(KINDS)
    marks = ", ".join("?" * len(words))
    return f"p.term IN ({marks}) AND t.term IN ({marks}) AND p.kind IN ({', '.join('?' * len(kinds))})", words + words + kinds


def search(con: duckdb.DuckDBPyConnection, query: str, kind: str | None = None, limit: int = 20,
           offset: int = 0) -> list[dict]:
    """Documents matching any query term, best BM25 first: doc_id, kind, ref, title, snippet, score."""
    matching = _matching(query, kind)
    if matching is None or not has_index(con):
        return []
    where, params = matching
    cur = con.execute(
        f"""WITH best AS (
                SELECT p.doc_id, sum(t.idf * p.tf * 2.2 / (p.tf + p.norm)) AS score
                FROM search_postings p JOIN search_terms t USING (term)
                WHERE {where}
                GROUP BY p.doc_id ORDER BY score DESC, p.doc_id LIMIT ? OFFSET ?)
            SELECT d.doc_id, d.kind, d.ref, d.title, d.snippet, round(best.score, 3) AS score
            FROM best JOIN search_docs d USING (doc_id) ORDER BY best.score DESC, d.doc_id""",
        params + [limit, offset],
    )
    names = [c[0] for c in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def search_total(con: duckdb.DuckDBPyConnection, query: str, kind: str | None = None) -> int:
    """How many documents `search` finds in all, over every page."""
    matching = _matching(query, kind)
    if matching is None or not has_index(con):
        return 0
    where, params = matching
    return con.execute(f"""SELECT count(DISTINCT p.doc_id) FROM search_postings p JOIN search_terms t USING (term)
                           WHERE {where}""", params).fetchone()[0]
