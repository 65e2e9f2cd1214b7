"""The database file: migrations and read-only opening."""

import duckdb
import pytest

from redline.store import MIGRATIONS, Store


def test_migrations_apply_once_and_are_recorded(tmp_path):
    path = tmp_path / "m.duckdb"
    with Store(path) as store:
        assert store.schema_version() == MIGRATIONS[-1][0]
    with Store(path) as store:  # opening again applies nothing twice
        rows = store.query("SELECT version FROM schema_version ORDER BY version")
        assert [r["version"] for r in rows] == [v for v, _ in MIGRATIONS]


def test_read_only_open_of_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no Redline database here"):
        Store(tmp_path / "none.duckdb", read_only=True)


def test_read_only_open_of_an_old_schema_asks_for_migration(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER, applied_at TIMESTAMP)")
    con.close()
    with pytest.raises(RuntimeError, match="schema is version 0"):
        Store(path, read_only=True)


def test_show_and_articles_commands(run_cli, example_db):
    result = run_cli("show", "bsg-2023-07-17-harbour", "--removed", "--db", example_db)
    assert result.exit_code == 0
    assert "[server-error] Warning: Undefined variable" in result.output
    assert "Kremlin spokesman Dmitry Peskov" in result.output
    result = run_cli("show", "bsg-2022-07-22-meridian", "--sentences", "--db", example_db)
    assert result.output.count("\n[") >= 5
    result = run_cli("show", "nope", "--db", example_db)
    assert result.exit_code == 1 and "no article with id 'nope'" in result.output
    result = run_cli("articles", "--outlet", "Harbour Courier", "--db", example_db)
    assert result.output.count("bsg-") == 3
    result = run_cli("summary", "--db", example_db)
    assert "16 from 6 outlets, published 2022-07-22 to 2023-07-20" in result.output


def test_actors_quotes_and_marked_up_text(run_cli, example_db):
    result = run_cli("actors", "--country", "RUS", "--db", example_db)
    assert result.exit_code == 0 and "Dmitry Peskov" in result.output and "Kremlin spokesman" in result.output
    result = run_cli("quotes", "--speaker", "Peskov", "--db", example_db)
    assert result.exit_code == 0 and "Dmitry Peskov (RUS, GOV)" in result.output
    assert "(speaker unknown)" not in result.output
    result = run_cli("show", "bsg-2022-11-02-northgate", "--actors", "--db", example_db)
    assert "[Tayyip Erdogan = Recep Tayyip Erdogan, TUR GOV]" in result.output


def test_eval_quotes_command(run_cli, tmp_path):
    import json

    gold = tmp_path / "g.jsonl"
    text = "“We will not leave,” the mayor of Kherson said."
    gold.write_text(json.dumps({"doc": "t", "text": text, "quotes": [{"start": 1, "end": 19, "kind": "direct", "speaker": "mayor"}]}))
    result = run_cli("eval", "quotes", gold, "--json")
    assert result.exit_code == 0 and json.loads(result.output)["marked"]["recall"] == 1.0
    result = run_cli("eval", "quotes", tmp_path / "missing.jsonl")
    assert result.exit_code == 2 and "missing.jsonl" in result.output


def _articles(n: int, bad: int | None = None):
    from redline.model import ArticleRecord, RemovedLine, Sentence

    return [ArticleRecord(
        id=f"a{i}", raw=f"raw {i}", text=f"One. Two {i}.", content_hash=f"c{i}", metadata_hash="m", source_path="p",
        source_format="txt", outlet="Wire" if i % 2 else None, removed=[RemovedLine(0, "Share this", "furniture")],
        sentences=[Sentence(0, 4, "One."), Sentence(5, 9 + len(str(i)), None if i == bad else f"Two {i}.")],
        short_lines=["Share this"], terms=["two"] if i % 3 else None,
    ) for i in range(n)]


def _rows(store: Store) -> dict[str, list]:
    from redline.store import ARTICLE_CHILD_TABLES

    return {t: store.con.execute(f"SELECT * {'EXCLUDE (ingested_at)' if t == 'articles' else ''} FROM {t} ORDER BY ALL").fetchall()
            for t in ("articles", *ARTICLE_CHILD_TABLES)}


def test_a_batch_stores_what_one_write_per_article_stores_and_replaces_on_rewrite(tmp_path):
    with Store(tmp_path / "one.duckdb") as one, Store(tmp_path / "batch.duckdb") as batch:
        for rec in _articles(5):
            one.save_article(rec)
        batch.save_articles(_articles(5))
        assert _rows(batch) == _rows(one) and len(_rows(batch)["sentences"]) == 10
        batch.save_articles(_articles(3))  # written again: replaced, not doubled
        assert _rows(batch) == _rows(one)


def test_a_batch_the_database_refuses_leaves_nothing_of_it(tmp_path):
    with Store(tmp_path / "t.duckdb") as store:
        store.save_articles(_articles(2))
        before = _rows(store)
        with pytest.raises(Exception):
            store.save_articles(_articles(4, bad=3))  # a3 (the fourth): its second sentence violates NOT NULL
        assert _rows(store) == before  # neither the new articles nor the replacement of a0, a1
