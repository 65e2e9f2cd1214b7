"""Ingest end to end through the CLI, on the bundled examples and on bad input."""

import datetime as dt
import gzip
import shutil

import pytest

from redline import queries
from redline.store import Store
from tests.conftest import EXAMPLES


def stored(db):
    with Store(db, read_only=True) as store:
        return {r["id"]: r for r in store.query("SELECT * FROM articles")}


def test_examples_corpus_ingests_completely(example_db):
    with Store(example_db, read_only=True) as store:
        articles = {r["id"]: r for r in store.query("SELECT * FROM articles")}
        outlets = {r["outlet"] for r in articles.values()}
        formats = {r["source_format"] for r in articles.values()}
        span = max(r["published"] for r in articles.values()) - min(r["published"] for r in articles.values())
        assert len(articles) >= 15 and len(outlets) >= 5 and span >= dt.timedelta(days=180)
        assert formats == {"txt", "html", "jsonl"}
        # Each English article has sentences whose offsets point into its clean text.
        for art in articles.values():
            sents = queries.article(store.con, art["id"])["sentences"]
            if art["nlp_note"]:
                assert sents == []
                continue
            assert len(sents) == art["n_sentences"] > 0
            for s in sents:
                assert art["text"][s["start"]:s["end"]] == s["text"]


def test_non_english_article_is_stored_flagged_and_not_parsed(example_db):
    non_english = [a for a in stored(example_db).values() if a["language"] != "en"]
    assert len(non_english) == 1
    art = non_english[0]
    assert art["language"] == "fr" and art["n_sentences"] == 0
    assert "English-only stages skipped" in art["nlp_note"]
    assert "La Russie" in art["text"]  # stored as written, not mangled


def test_metadata_comes_from_manifest_then_page(example_db):
    arts = stored(example_db)
    sources = {a["published_source"] for a in arts.values()}
    assert sources == {"manifest", "page", "record"}
    page_dated = [a for a in arts.values() if a["published_source"] == "page"]
    # The page's own metadata gave the date the manifest left out, and its title.
    assert page_dated and all(a["published"] and a["title"] for a in page_dated)


def test_reingest_is_a_no_op(run_cli, tmp_path, db):
    args = ("ingest", EXAMPLES / "corpus", "--manifest", EXAMPLES / "manifest.csv", "--db", db)
    first = run_cli(*args)
    assert first.exit_code == 0, first.output
    before = stored(db)
    second = run_cli(*args)
    assert second.exit_code == 0
    assert "0 stored, 16 already stored, 0 error(s)" in second.output
    after = stored(db)
    assert {k: v["ingested_at"] for k, v in after.items()} == {k: v["ingested_at"] for k, v in before.items()}


def test_changed_content_replaces_the_article(run_cli, tmp_path, db):
    path = tmp_path / "story.txt"
    path.write_text("Talks began in Oslo on Monday, the foreign ministry said.\n")
    assert run_cli("ingest", path, "--db", db, "--quiet").exit_code == 0
    path.write_text("Talks began in Oslo on Monday and ended on Tuesday, the foreign ministry said.\n")
    result = run_cli("ingest", path, "--db", db)
    assert "1 stored" in result.output
    with Store(db, read_only=True) as store:
        assert store.query("SELECT count(*) AS n FROM articles")[0]["n"] == 1
        stored = queries.article(store.con, "story")
        assert "ended on Tuesday" in stored["text"] and len(stored["sentences"]) == 1


def test_id_collision_with_other_file_is_refused(run_cli, tmp_path, db):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "story.txt").write_text("The army withdrew from the town on Friday, residents said.\n")
    (tmp_path / "b" / "story.txt").write_text("Rain fell across the north of the country on Sunday, forecasters said.\n")
    result = run_cli("ingest", tmp_path / "a", "--db", db, "--quiet")
    assert result.exit_code == 0
    result = run_cli("ingest", tmp_path / "b", "--db", db)
    assert result.exit_code == 1
    assert "article id 'story' is already stored from" in result.output
    assert "withdrew from the town" in stored(db)["story"]["text"]  # nothing lost


def test_bad_files_are_reported_and_the_others_still_ingested(run_cli, tmp_path, db):
    corpus = tmp_path / "corpus"
    shutil.copytree(EXAMPLES / "corpus" / "txt", corpus)
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (corpus / "latin1.txt").write_bytes("R\xe9sum\xe9 of the talks in Gen\xe8ve.".encode("latin-1"))
    (corpus / "cut.html.gz").write_bytes(gzip.compress(b"<html><body>" + b"<p>Words and more words.</p>" * 200)[:60])
    (corpus / "scripts.html").write_text("<html><head><script>var a = 1;</script></head><body><script>go()</script></body></html>")
    (corpus / "feed.jsonl").write_text('{"id": "ok-1", "text": "The envoy arrived in Doha on Sunday, officials said."}\n{broken\n')
    result = run_cli("ingest", corpus, "--manifest", EXAMPLES / "manifest.csv", "--db", db)
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    problems = "\n".join(errors)
    for expected in (
        "empty.txt: empty file",
        "binary.txt: binary file, not text",
        "cut.html.gz: truncated gzip file",
        "scripts.html: no article text found in the HTML page",
        "feed.jsonl:2: invalid JSON",
    ):
        assert expected in problems
    arts = stored(db)
    txt_count = len(list((EXAMPLES / "corpus" / "txt").glob("*.txt")))
    assert len(arts) == txt_count + 2 and "ok-1" in arts and "Genève" in arts["latin1"]["text"]
    assert any("latin1.txt: not UTF-8: read as cp1252" in line for line in result.output.splitlines())
    # The manifest lists html files that were not in this run's folder: that is not an error.
    assert not any("manifest.csv" in e for e in errors)


def test_unknown_manifest_column_stops_before_anything_is_stored(run_cli, tmp_path, db):
    manifest = tmp_path / "m.csv"
    manifest.write_text("id,file,outlet,colour\nx,x.txt,Wire,red\n")
    (tmp_path / "x.txt").write_text("The envoy arrived in Doha on Sunday, officials said.\n")
    result = run_cli("ingest", tmp_path / "x.txt", "--manifest", manifest, "--db", db)
    assert result.exit_code == 2
    assert f"{manifest}: unknown manifest column(s) colour" in result.output
    assert not db.exists()


def test_manifest_row_errors_name_the_line(run_cli, tmp_path, db):
    manifest = tmp_path / "m.csv"
    manifest.write_text("id,file,outlet,published\na,a.txt,Wire,21/03/2023\nb,missing.txt,Wire,2023-03-21\n")
    (tmp_path / "a.txt").write_text("The envoy arrived in Doha on Sunday, officials said.\n")
    result = run_cli("ingest", tmp_path / "a.txt", "--manifest", manifest, "--db", db)
    assert result.exit_code == 1
    assert f"{manifest}:2: published '21/03/2023' is not an ISO date" in result.output
    assert f"{manifest}:3: file missing.txt not found" in result.output
    art = stored(db)["a"]
    assert art["outlet"] == "Wire" and art["published"] is None


def test_failed_write_leaves_no_half_article(tmp_path):
    from redline.model import ArticleRecord, Sentence

    with Store(tmp_path / "t.duckdb") as store:
        rec = ArticleRecord(
            id="x", raw="r", text="t", content_hash="h", metadata_hash="m", source_path="p",
            source_format="txt", sentences=[Sentence(0, 1, "t"), Sentence(0, 1, None)],
        )
        with pytest.raises(Exception):
            store.save_article(rec)  # the second sentence violates NOT NULL
        assert store.query("SELECT count(*) AS n FROM articles")[0]["n"] == 0
        assert store.query("SELECT count(*) AS n FROM sentences")[0]["n"] == 0


def test_a_pipeline_that_will_not_load_in_the_workers_fails_each_article_once(tmp_path):
    """An error outside any one article in a worker process (here: no such spaCy model) fails
    each of its articles with one line naming it; the run goes on to the end."""
    from redline.config import Settings
    from redline.ingest import Ingestor
    from redline.ingest.manifest import Manifest
    from redline.store import Store

    with Store(tmp_path / "no-model.duckdb") as store:
        ingestor = Ingestor(store, Settings(spacy_model="no_such_model_xx"), Manifest.load(EXAMPLES / "manifest.csv"),
                            workers=2, batch_size=4)
        try:
            report = ingestor.run([EXAMPLES / "corpus"])
        finally:
            ingestor.close()
        failed = [str(e) for e in report.errors]
        assert len(failed) == 15 and len(report.stored) == 1  # the English articles; the other one is stored
        assert all(": parse: " in line and "no_such_model_xx" in line for line in failed), failed[:2]
        assert store.query("SELECT count(*) AS n FROM failures WHERE stage = 'parse'")[0]["n"] == 15


def test_worker_processes_store_exactly_what_one_process_stores(tmp_path):
    """`--workers 2`: parsing in spawned processes, one writer; the same database as one process."""
    import duckdb

    from redline.ingest import Ingestor
    from redline.ingest.manifest import Manifest
    from redline.store import Store

    contents = {}
    for workers in (1, 2):
        path = tmp_path / f"w{workers}.duckdb"
        with Store(path) as store:
            ingestor = Ingestor(store, manifest=Manifest.load(EXAMPLES / "manifest.csv"), workers=workers, batch_size=4)
            try:
                report = ingestor.run([EXAMPLES / "corpus"])
                assert (ingestor.pool is not None) == (workers == 2)  # 15 English articles: 4 batches
            finally:
                ingestor.close()
            assert len(report.stored) == 16 and not report.errors
        con = duckdb.connect(str(path), read_only=True)
        contents[workers] = {
            table: sorted(map(str, con.execute(f"SELECT * {exclude} FROM {table}").fetchall()))
            for table, exclude in (("articles", "EXCLUDE (ingested_at)"), ("sentences", ""), ("mentions", ""),
                                   ("quotes", ""), ("events", ""))
        }
        con.close()
    assert contents[1] == contents[2]
