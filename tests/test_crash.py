"""An ingest killed with SIGKILL at random points leaves a consistent file (each article is all
there or not at all), and a re-run completes it to exactly what an uninterrupted run stores."""

import os
import random
import signal
import subprocess
import time
from collections import defaultdict

import pytest

from redline.store import ARTICLE_CHILD_TABLES, Store
from tests.conftest import contents, copied_corpus, ingest_command, one_machine_contents

pytestmark = pytest.mark.reliability


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return copied_corpus(tmp_path_factory.mktemp("crash-corpus"), 24)


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory):
    return one_machine_contents(corpus, tmp_path_factory.mktemp("reference") / "reference.duckdb")


def by_article(rows: dict, table: str) -> dict[str, list]:
    column = rows["_columns"][table].index("article_id")
    grouped = defaultdict(list)
    for row in rows[table]:
        grouped[row[column]].append(row)
    return grouped


def half_stored(db, reference) -> list[str]:
    """Articles of the killed run's file whose rows differ from the uninterrupted run's, and
    rows that belong to no stored article."""
    found = contents(db)
    stored = {row[0] for row in found["articles"]}
    expected = {row[0]: row for row in reference["articles"]}
    bad = [row[0] for row in found["articles"] if expected.get(row[0]) != row]
    for table in ARTICLE_CHILD_TABLES:
        mine, theirs = by_article(found, table), by_article(reference, table)
        bad += [f"{table}:{a}" for a in stored if sorted(mine.get(a, [])) != sorted(theirs.get(a, []))]
        bad += [f"{table}:{a} (orphan)" for a in mine if a not in stored]
    return bad


def wait_for_commits(proc, db, commits: int) -> None:
    """Until the ingest has committed `commits` more transactions (its write-ahead log grew
    that many times), so that each kill lands mid-corpus whatever the machine's speed."""
    wal = db.with_name(db.name + ".wal")
    last, grown = None, 0
    while proc.poll() is None and grown < commits:
        size = wal.stat().st_size if wal.exists() else 0
        grown += last is not None and size > last
        last = size
        time.sleep(0.01)


@pytest.mark.parametrize("workers", [1, 2])
def test_killed_ingest_resumes_to_the_same_result(corpus, reference, tmp_path, tally, workers):
    db = tmp_path / "killed.duckdb"
    rng = random.Random(7 + workers)
    kills, progress = 0, []
    for _ in range(5):
        # Its own process group, so that the worker processes die with it, as on a crash.
        proc = subprocess.Popen(ingest_command(corpus, db, workers), start_new_session=True)
        wait_for_commits(proc, db, rng.randint(1, 12))
        time.sleep(rng.uniform(0, 0.3))  # anywhere within the next article
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait()
        if db.exists():
            assert half_stored(db, reference) == []  # opens, and holds no half-stored article
            with Store(db, read_only=True) as store:
                progress.append(store.query("SELECT count(*) AS n FROM articles")[0]["n"])
    tally["kills survived"] += kills
    assert kills >= 3 and len(set(progress)) >= 3  # killed mid-corpus, at several points
    subprocess.run(ingest_command(corpus, db, workers), check=True, timeout=900)
    final = contents(db)
    lost = [t for t in reference if final[t] != reference[t]]
    tally["data lost"] += len(lost)
    assert lost == []
