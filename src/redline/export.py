"""Export stored tables as JSONL, CSV or Parquet, with DuckDB's COPY.

The JSONL field names are part of Redline's contract (README, "Data model"). CSV has no
lists or records, so those columns are written there as JSON text.
"""

from __future__ import annotations

from pathlib import Path

from redline.provenance import PROVENANCE, PROVENANCE_JOIN
from redline.store import Store

FORMATS = ("jsonl", "csv", "parquet")

# One SELECT per dataset; its column names are the exported field names.
DATASETS: dict[str, str] = {
    "articles": """
        SELECT a.id, a.outlet, a.outlet_source, a.url, a.title, strftime(a.published, '%Y-%m-%d') AS published,
               a.published_source, a.language, a.text,
               coalesce((SELECT list(r.text ORDER BY r.seq) FROM removed_lines r WHERE r.article_id = a.id),
                        []::VARCHAR[]) AS removed,
               a.source_path, a.source_format, a.content_hash, a.n_sentences, a.nlp_note,
               s.happening_id, s.story_id, l.derived_from, l.duplicate_of, l.similarity AS copy_similarity,
               l.relation AS copy_relation
        FROM articles a LEFT JOIN article_stories s ON s.article_id = a.id LEFT JOIN lineage l ON l.article_id = a.id
        ORDER BY a.published NULLS LAST, a.id""",
    "sentences": """
        SELECT article_id, seq, start_char AS start, end_char AS "end", text
        FROM sentences ORDER BY article_id, seq""",
    "quotes": f"""
        SELECT q.id, q.article_id,
               CASE WHEN q.speaker_name IS NULL THEN NULL ELSE
                 {{'name': q.speaker_name, 'country': q.speaker_country, 'sector': q.speaker_sector,
                  'role': q.speaker_role}} END AS speaker,
               q.text, q.kind, q.cue, q.start_char AS start, q.end_char AS "end", q.sentence,
               {PROVENANCE} AS provenance
        FROM quotes q {PROVENANCE_JOIN} ORDER BY q.article_id, q.start_char""",
    "events": """
        SELECT id, article_id, event_type, mode, source, target,
               strftime(date, '%Y-%m-%d') AS date, date_precision, date_text, location, negated,
               modality, attributed_to, evidence, trigger, start_char AS start, end_char AS "end",
               trigger_start, trigger_end, quad_class, intensity, confidence
        FROM events ORDER BY article_id, start_char""",
    "happenings": """
        SELECT id, happening_id, story_id, event_type, mode, source, target,
               strftime(date, '%Y-%m-%d') AS date, date_precision, date_text, location, modality, negated,
               disputed, quad_class, intensity, confidence, sources, outlets, articles, mentions,
               strftime(first_reported, '%Y-%m-%d') AS first_reported,
               list_transform(evidence, lambda e: {'event_id': e.event_id, 'article_id': e.article_id,
                   'outlet': e.outlet, 'published': strftime(e.published, '%Y-%m-%d'), 'sentence': e.sentence,
                   'negated': e.negated, 'modality': e.modality, 'attributed_to': e.attributed_to}) AS evidence
        FROM happenings ORDER BY date NULLS LAST, first_reported, id""",
    "stories": """
        SELECT id, level, story_id, label, actors, terms, strftime(first_date, '%Y-%m-%d') AS first_date,
               strftime(last_date, '%Y-%m-%d') AS last_date, articles, sources, outlets
        FROM stories ORDER BY level DESC, first_date NULLS LAST, id""",
}


def export(store: Store, dataset: str, fmt: str, output: Path) -> int:
    """Write `dataset` to `output`; returns the number of rows written."""
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r} (one of {', '.join(DATASETS)})")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    query = DATASETS[dataset]
    rows = store.con.execute(f"SELECT count(*) FROM ({query})").fetchone()[0]
    output.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "jsonl":
        if rows == 0:
            output.write_text("", encoding="utf-8")  # an empty JSONL file, not "[]" or nothing
            return 0
        copy_options = "FORMAT json"
    elif fmt == "csv":
        # Lists and records become JSON text: CSV has no nested values.
        relation = store.con.sql(query)
        nested = [name for name, kind in zip(relation.columns, relation.dtypes) if str(kind).endswith("]") or str(kind).startswith(("STRUCT", "MAP"))]
        if nested:
            columns = ", ".join(f'to_json("{c}") AS "{c}"' if c in nested else f'"{c}"' for c in relation.columns)
            query = f"SELECT {columns} FROM ({query})"
        copy_options = "FORMAT csv, HEADER true"
    else:
        copy_options = "FORMAT parquet"
    target = str(output).replace("'", "''")
    store.con.execute(f"COPY ({query}) TO '{target}' ({copy_options})")
    return rows
