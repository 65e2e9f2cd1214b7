"""Rows as plain records, pages of them, and facet counts: what every query returns."""

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


def facet(con: duckdb.DuckDBPyConnection, value_sql: str, from_where: str, params: list, chosen=(),
          counted: str = "events") -> list[dict]:
    """A list filter's choices with the rows each would give: the values of `value_sql` over
    `from_where` (the FROM and WHERE of the list under its other filters), most first, as
    {value, <counted>}. A chosen value stays a choice, with 0, when the other filters leave it none."""
    found = rows(con, f"""SELECT v AS value, count(*) AS {counted} FROM (SELECT {value_sql} AS v {from_where})
                          WHERE v IS NOT NULL GROUP BY v ORDER BY {counted} DESC, v""", params)
    found += [{"value": v, counted: 0} for v in chosen if v and v not in {f["value"] for f in found}]
    return found


OPENING = 300  # characters of an article's text read with it, for a headline when it has no title
