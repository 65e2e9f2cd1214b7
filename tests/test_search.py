"""The search index kept up to date run by run: after several ingests, each followed by its
stories run (which updates only the documents that changed), the index and every search
result equal those of one rebuild of the whole index over the same stored rows."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from redline.search import KINDS, rebuild_index, search, search_total, update_index
from redline.store import Store

def index_rows(con) -> dict[str, list[tuple]]:
    """What the index holds (which run wrote a posting is left out: how they were batched)."""
    return {"search_docs": con.execute("SELECT * FROM search_docs ORDER BY ALL").fetchall(),
            "search_postings": con.execute("SELECT * EXCLUDE (run) FROM search_postings ORDER BY ALL").fetchall(),
            "search_stats": con.execute("SELECT * FROM search_stats").fetchall()}


def queries(con, n: int = 4) -> list[str]:
    """Queries made from the index itself: its most frequent terms, some of its rarest, and
    pairs of them (so that the IDF and the length part both decide the order)."""
    common = [t for t, in con.execute(f"""SELECT term FROM search_postings GROUP BY term
                                          ORDER BY count(*) DESC, term LIMIT {n}""").fetchall()]
    rare = [t for t, in con.execute(f"""SELECT term FROM search_postings GROUP BY term HAVING count(*) BETWEEN 2 AND 3
                                        ORDER BY term LIMIT {n}""").fetchall()]
    return common + rare + [f"{a} {b}" for a, b in zip(common, rare)] + [" ".join(common[:3])]


def results(con, qs: list[str]) -> dict:
    return {(q, kind): (search(con, q, kind, limit=1000), search_total(con, q, kind)) for q in qs for kind in (None, *KINDS)}


def assert_same_as_a_rebuild(db: Path, tmp_path: Path) -> None:
    rebuilt = tmp_path / "rebuilt.duckdb"
    shutil.copy(db, rebuilt)
    with Store(db, read_only=True) as kept, Store(rebuilt) as whole:
        assert rebuild_index(whole.con) == kept.con.execute("SELECT docs FROM search_stats").fetchone()[0]
        assert index_rows(kept.con) == index_rows(whole.con)
        qs = queries(whole.con)
        got, expected = results(kept.con, qs), results(whole.con, qs)
        assert got == expected
        assert sum(len(hits) for hits, _ in got.values()) > 100  # the queries do find things, of every kind
        assert {hit["kind"] for hits, _ in got.values() for hit in hits} == set(KINDS)


def test_index_updated_batch_by_batch_equals_a_rebuild(shared, tmp_path):
    """Real articles (Wikinews) in three batches by date, and in the last one a changed version
    of an article of the first (its article, quotes and happenings change, or go)."""
    from redline.ingest import ingest
    from redline.stories import update

    records = sorted((json.loads(line) for line in (shared / "corpora/wikinews/articles.jsonl").read_text(
        encoding="utf-8").splitlines()), key=lambda r: (r["published"], r["id"]))[::10]
    changed = dict(records[0], text="\n".join(records[0]["text"].split("\n")[:-3]))  # its last paragraphs cut
    batches = [records[:10], records[10:20], records[20:] + [changed]]
    db = tmp_path / "batches.duckdb"
    updates = []
    with Store(db) as store:
        for k, batch in enumerate(batches):
            path = tmp_path / f"batch{k}.jsonl"
            path.write_text("".join(json.dumps(r) + "\n" for r in batch), encoding="utf-8")
            ingest([path], store, force=k == 2)  # force: an id stored with other content replaces it
            updates.append(update(store).index)
        assert update_index(store.con).added == 0  # nothing changed since: nothing indexed
        assert store.con.execute("SELECT count(*) FROM search_runs").fetchone()[0] < len(batches)  # small runs merged
    assert updates[0].removed == 0 and all(u.added for u in updates)
    # Each batch after the first indexes its own documents and what changed, not everything:
    # the changed article goes out with its quotes and happenings, and comes in again.
    assert updates[1].added < updates[1].docs * 0.7 and updates[2].added < updates[2].docs * 0.6
    assert updates[2].removed > 1
    assert_same_as_a_rebuild(db, tmp_path)


def test_a_killed_update_leaves_the_index_as_it_was_and_the_next_one_catches_up(example_db, tmp_path):
    """An update that fails midway, after it deleted the changed documents (here: a statement
    DuckDB refuses), rolls back whole, and the next one indexes what the failed one did not."""
    import pytest

    db = tmp_path / "failed.duckdb"
    shutil.copy(example_db, db)
    with Store(db) as store:
        before = index_rows(store.con)
        store.con.execute("UPDATE actors SET role = 'envoy to the talks' "
                          "WHERE id IN (SELECT id FROM actors ORDER BY id LIMIT 3)")
        # A view named like the update's temporary table: its CREATE OR REPLACE TEMP TABLE fails.
        store.con.execute("CREATE TEMP VIEW search_tokens AS SELECT 1 AS x")
        with pytest.raises(Exception):
            update_index(store.con)
        assert index_rows(store.con) == before
        store.con.execute("DROP VIEW search_tokens")
        done = update_index(store.con)
        assert done.added == done.removed == 3
    assert_same_as_a_rebuild(db, tmp_path)
