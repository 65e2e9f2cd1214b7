"""How many stored articles have an outlet and a publication date, and where each came from.

Run on the 181 benchmark pages ingested without a manifest, before and after a change to the
metadata read from pages:

    .venv/bin/redline ingest ../shared/benchmarks/article-extraction/html --db pages.duckdb --quiet
    .venv/bin/python bench/page_metadata.py pages.duckdb
"""

from __future__ import annotations

import sys

import duckdb


def main(db: str) -> None:
    con = duckdb.connect(db, read_only=True)
    columns = {name for (name,) in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'articles'").fetchall()}
    total, outlets, dated, distinct = con.execute(
        "SELECT count(*), count(outlet), count(published), count(DISTINCT outlet) FROM articles").fetchone()
    print(f"articles: {total}")
    print(f"with an outlet: {outlets} ({distinct} distinct)")
    print(f"with a publication date: {dated}")
    for column in ("outlet_source", "published_source"):
        if column in columns:  # outlet_source: since schema migration 7
            counts = con.execute(f"SELECT {column}, count(*) FROM articles GROUP BY ALL ORDER BY 2 DESC").fetchall()
            print(f"{column}: " + ", ".join(f"{source or 'unknown'} {n}" for source, n in counts))


if __name__ == "__main__":
    main(sys.argv[1])
