"""`redline export`: the JSONL contract, CSV, Parquet, and empty datasets."""

import csv
import json

import pyarrow.parquet as pq

from redline.model import MODALITIES

ARTICLE_FIELDS = {"id", "outlet", "url", "title", "published", "language", "text", "removed"}


def test_articles_jsonl_has_the_contract_fields(run_cli, example_db, tmp_path):
    out = tmp_path / "a.jsonl"
    result = run_cli("export", "articles", "--format", "jsonl", "-o", out, "--db", example_db)
    assert result.exit_code == 0 and "16 articles" in result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 16
    for row in rows:
        assert ARTICLE_FIELDS <= set(row)
        assert isinstance(row["removed"], list) and all(isinstance(x, str) for x in row["removed"])
        assert len(row["published"]) == 10 and row["published"][4] == "-"  # ISO date
    by_id = {r["id"]: r for r in rows}
    assert "Leave a Reply" in by_id["bsg-2022-08-01-harbour"]["removed"]
    assert "Leave a Reply" not in by_id["bsg-2022-08-01-harbour"]["text"]


def test_articles_csv_and_parquet_match_jsonl(run_cli, example_db, tmp_path):
    run_cli("export", "articles", "-f", "csv", "-o", tmp_path / "a.csv", "--db", example_db)
    run_cli("export", "articles", "-f", "parquet", "-o", tmp_path / "a.parquet", "--db", example_db)
    rows = list(csv.DictReader((tmp_path / "a.csv").open(encoding="utf-8")))
    table = pq.read_table(tmp_path / "a.parquet").to_pylist()
    assert [r["id"] for r in rows] == [r["id"] for r in table]
    assert json.loads(rows[0]["removed"]) == table[0]["removed"]  # lists as JSON text in CSV


def test_quotes_jsonl_has_the_contract_fields(run_cli, example_db, tmp_path):
    out = tmp_path / "q.jsonl"
    assert run_cli("export", "quotes", "-o", out, "--db", example_db).exit_code == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows
    for row in rows:
        assert {"article_id", "speaker", "text", "kind", "cue", "start", "end", "sentence"} <= set(row)
        assert row["kind"] in {"direct", "partial", "indirect"}
        assert row["speaker"] is None or set(row["speaker"]) == {"name", "country", "sector", "role"}
        assert row["text"] in row["sentence"] or row["kind"] != "indirect"


EVENT_FIELDS = {
    "id", "article_id", "event_type", "mode", "source", "target", "date", "date_precision", "date_text",
    "location", "negated", "modality", "attributed_to", "evidence", "trigger", "start", "end",
    "quad_class", "intensity", "confidence",
}


def test_events_export_has_the_contract_fields(run_cli, example_db, tmp_path):
    out = tmp_path / "e.jsonl"
    assert run_cli("export", "events", "-o", out, "--db", example_db).exit_code == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows
    for row in rows:
        assert EVENT_FIELDS <= set(row)
        assert row["modality"] in MODALITIES
        assert row["date_precision"] in {"day", "month", "year", "unknown"}
        assert row["source"] and all({"name", "country", "sector"} == set(a) for a in row["source"])
        assert -10 <= row["intensity"] <= 10
    for fmt in ("csv", "parquet"):
        assert run_cli("export", "events", "-f", fmt, "-o", tmp_path / f"e.{fmt}", "--db", example_db).exit_code == 0


def test_empty_dataset_exports_as_an_empty_file(run_cli, tmp_path):
    db = tmp_path / "empty.duckdb"
    text = tmp_path / "a.txt"
    text.write_text("Rain fell across the north of the country on Sunday, forecasters said.\n")
    assert run_cli("ingest", text, "--db", db, "--quiet").exit_code == 0
    out = tmp_path / "e.jsonl"
    assert run_cli("export", "events", "-o", out, "--db", db).exit_code == 0
    assert out.read_text() == ""


def test_unknown_dataset_or_format_is_a_clear_error(run_cli, example_db, tmp_path):
    result = run_cli("export", "people", "-o", tmp_path / "x", "--db", example_db)
    assert result.exit_code == 2 and "unknown dataset 'people'" in result.output
    result = run_cli("export", "articles", "-f", "xml", "-o", tmp_path / "x", "--db", example_db)
    assert result.exit_code == 2 and "unknown format 'xml'" in result.output
