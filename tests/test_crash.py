"""An ingest killed with SIGKILL leaves a consistent file, and a re-run completes it."""

import random
import signal
import subprocess
import sys
import time

import pytest

from redline.store import Store
from tests.conftest import EXAMPLES


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The example texts, copied with small edits into enough articles to kill mid-run."""
    root = tmp_path_factory.mktemp("crash-corpus")
    sources = sorted((EXAMPLES / "corpus" / "txt").glob("*.txt"))
    for copy in range(12):
        for src in sources:
            text = src.read_text(encoding="utf-8")
            (root / f"{src.stem}-copy{copy}.txt").write_text(
                text + f"\nThis is copy number {copy} of the story, the editors said.\n", encoding="utf-8"
            )
    return root


def ingest_cmd(corpus, db):
    return [sys.executable, "-m", "redline", "ingest", str(corpus), "--db", str(db), "--quiet"]


def contents(db):
    with Store(db, read_only=True) as store:
        return (
            store.query("SELECT id, text, title, n_sentences, content_hash FROM articles ORDER BY id"),
            store.query("SELECT * FROM sentences ORDER BY article_id, seq"),
            store.query("SELECT * FROM removed_lines ORDER BY article_id, seq"),
        )


def assert_consistent(db):
    with Store(db, read_only=True) as store:
        bad = store.query(
            """SELECT a.id FROM articles a LEFT JOIN sentences s ON s.article_id = a.id
               GROUP BY a.id, a.n_sentences HAVING count(s.article_id) != a.n_sentences"""
        )
        orphans = store.query(
            "SELECT DISTINCT article_id FROM sentences WHERE article_id NOT IN (SELECT id FROM articles)"
        )
    assert bad == [] and orphans == []


def test_killed_ingest_resumes_to_the_same_result(corpus, tmp_path):
    reference = tmp_path / "reference.duckdb"
    subprocess.run(ingest_cmd(corpus, reference), check=True, timeout=600)

    db = tmp_path / "killed.duckdb"
    rng = random.Random(7)
    kills = 0
    for _ in range(3):
        proc = subprocess.Popen(ingest_cmd(corpus, db))
        time.sleep(rng.uniform(2.5, 6.0))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        if db.exists():
            assert_consistent(db)
    assert kills >= 1
    subprocess.run(ingest_cmd(corpus, db), check=True, timeout=600)
    assert_consistent(db)
    assert contents(db) == contents(reference)
