"""What every analysis reads: happenings (copies counted once) or event mentions, as one relation.

Both units come out with the same columns, so that a dyad series, a watch rule or an outlet
table is one query whichever unit the analyst counts in:

    id, day, event_type, mode, quad_class, intensity, source, target, location,
    modality, negated, disputed, sources, outlets, first_reported, evidence, attributed_to

`evidence` is a list of {sentence, article_id, outlet, published, negated, modality,
attributed_to} (one for a mention), the happening's own mention first. Negated rows are kept here: a watch rule
needs them as near-misses; series leave them out.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from redline.model import MODALITIES  # noqa: F401 - what dyads and watch rules may include
from redline.store import Store

UNITS = ("happening", "mention")

_HAPPENINGS = """
    SELECT id, coalesce(date, first_reported) AS day, event_type, mode, quad_class, intensity, source, target,
           location, modality, negated, disputed, sources, outlets, first_reported,
           list_transform(evidence, lambda e: {'sentence': e.sentence, 'article_id': e.article_id,
               'outlet': e.outlet, 'published': e.published, 'negated': e.negated, 'modality': e.modality,
               'attributed_to': e.attributed_to}) AS evidence,
           evidence[1].attributed_to AS attributed_to, story_id
    FROM happenings"""

_MENTIONS = """
    SELECT e.id, coalesce(e.date, a.published) AS day, e.event_type, e.mode, e.quad_class, e.intensity,
           e.source, e.target, e.location, e.modality, e.negated, false AS disputed, 1 AS sources,
           CASE WHEN a.outlet IS NULL THEN []::VARCHAR[] ELSE [a.outlet] END AS outlets,
           a.published AS first_reported,
           [{'sentence': e.evidence, 'article_id': e.article_id, 'outlet': a.outlet, 'published': a.published,
             'negated': e.negated, 'modality': e.modality, 'attributed_to': e.attributed_to.name}] AS evidence,
           e.attributed_to.name AS attributed_to,
           s.story_id
    FROM events e JOIN articles a ON a.id = e.article_id LEFT JOIN article_stories s ON s.article_id = e.article_id"""


def relation(unit: str) -> str:
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r} (one of {', '.join(UNITS)})")
    return _HAPPENINGS if unit == "happening" else _MENTIONS


def connection(db: "str | Path | Store | duckdb.DuckDBPyConnection") -> duckdb.DuckDBPyConnection:
    """A DuckDB connection from a path, a Store or a connection (the API takes any of them)."""
    if isinstance(db, duckdb.DuckDBPyConnection):
        return db
    if isinstance(db, Store):
        return db.con
    return Store(db, read_only=True).con


def parse_actor(spec: str) -> tuple[str, str | None]:
    """"CHN" -> ("CHN", None); "RUS:MIL" -> ("RUS", "MIL")."""
    country, _, sector = spec.strip().upper().partition(":")
    if not country:
        raise ValueError(f"empty actor {spec!r} (use a country code such as CHN, or CHN:GOV)")
    return country, sector or None


def side_has(column: str, spec: str) -> tuple[str, list]:
    """SQL that is true when the actor list `column` holds the actor `spec`, and its parameters."""
    country, sector = parse_actor(spec)
    if sector is None:
        return f"list_contains(list_transform({column}, lambda x: x.country), ?)", [country]
    return f"list_contains(list_transform({column}, lambda x: x.country || ':' || coalesce(x.sector, '')), ?)", \
        [f"{country}:{sector}"]
