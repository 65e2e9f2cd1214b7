"""Quote provenance, read: a quote's source passage side by side, and the grades of a story's speakers.

A quote's `provenance` record in the lists and the exports is `redline.provenance.PROVENANCE`.
"""

from __future__ import annotations

import json

import duckdb

from redline.errors import NotFound
from redline.provenance import PROVENANCE_JOIN, TRANSCRIPTS
from redline.queries.records import rows

Con = duckdb.DuckDBPyConnection

CONTEXT = 200  # characters of the source shown on each side of the matched passage


def with_diff(record: dict) -> dict:
    """A quote record's `provenance` with its word diff ({op, source, quote} records) added."""
    diff = record.pop("provenance_diff", None)
    if record.get("provenance"):
        record["provenance"] = dict(record["provenance"], diff=json.loads(diff) if diff else [])
    return record


def quote_provenance(con: Con, quote_id: str) -> dict:
    """One quote beside the passage it comes from: {quote, grade, similarity, diff, source} with
    the source's article, date, outlet, the passage and the text around it; `source` None when
    the grade is `not found`, `grade` None when there was nothing to compare it with."""
    found = rows(con, f"""SELECT q.id, q.article_id, q.text, q.kind, q.speaker_name, q.speaker_id, q.start_char AS start,
                                 q.end_char AS "end", a.published, a.outlet, p.grade, p.similarity, p.diff,
                                 p.source_article_id, p.start_char AS source_start, p.end_char AS source_end
                          FROM quotes q JOIN articles a ON a.id = q.article_id {PROVENANCE_JOIN} WHERE q.id = ?""",
                     [quote_id])
    if not found:
        raise NotFound(f"no quote with id {quote_id!r}")
    r = found[0]
    record = {"quote": {k: r[k] for k in ("id", "article_id", "text", "kind", "speaker_name", "speaker_id", "start",
                                          "end", "published", "outlet")},
              "grade": r["grade"], "similarity": r["similarity"], "diff": json.loads(r["diff"]) if r["diff"] else [],
              "source": None}
    if r["source_article_id"]:
        s, e = r["source_start"], r["source_end"]
        source = rows(con, f"""SELECT id AS article_id, title, outlet, published, url,
                                     substr(text, ? + 1, ? - ?) AS passage,
                                     substr(text, greatest(? - ?, 0) + 1, least(?, ?)) AS before,
                                     substr(text, ? + 1, ?) AS after,
                                     a.id IN ({TRANSCRIPTS}) AS transcript
                              FROM articles a WHERE id = ?""",
                      [s, e, s, s, CONTEXT, s, CONTEXT, e, CONTEXT, r["source_article_id"]])[0]
        record["source"] = source | {"start": s, "end": e}
    return record


def provenance_by_speaker(con: Con, article_ids: list[str]) -> list[dict]:
    """Per speaker quoted in these articles, how their graded quotes compare with the record:
    {speaker_name, speaker_id, graded, verbatim, trimmed, altered, paraphrase, not_found,
    from_transcript} (from_transcript: those whose source is a transcript), most quoted first."""
    return rows(con, """
        SELECT q.speaker_name, q.speaker_id, count(*) AS graded,
               count(*) FILTER (p.grade = 'verbatim') AS verbatim, count(*) FILTER (p.grade = 'trimmed') AS trimmed,
               count(*) FILTER (p.grade = 'altered') AS altered, count(*) FILTER (p.grade = 'paraphrase') AS paraphrase,
               count(*) FILTER (p.grade = 'not found') AS not_found,
               count(*) FILTER (s.transcript) AS from_transcript
        FROM quotes q JOIN quote_provenance p ON p.quote_id = q.id
        LEFT JOIN provenance_sources s ON s.quote_id = p.source_quote_id
        WHERE q.article_id IN (SELECT unnest(?::VARCHAR[])) AND p.grade IS NOT NULL AND q.speaker_name IS NOT NULL
        GROUP BY ALL ORDER BY graded DESC, q.speaker_name""", [article_ids])
