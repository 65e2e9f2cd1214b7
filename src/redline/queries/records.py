"""Rows as plain records, and pages of them: what every query returns."""

from __future__ import annotations

import duckdb


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    """The rows of `sql` as dicts of column: value."""
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def page(con: duckdb.DuckDBPyConnection, sql: str, params: list, limit: int | None, offset: int = 0) -> dict:
    """One page of `sql`: {items, total, limit, offset}, `total` counting every page
    (so that a front end can say "showing 50 of 82"). `limit` None: all rows."""
    total = con.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0]
    items = rows(con, f"{sql} LIMIT ? OFFSET ?", params + [total if limit is None else limit, offset])
    return {"items": items, "total": total, "limit": limit, "offset": offset}


OPENING = 300  # characters of an article's text read with it, for a headline when it has no title
