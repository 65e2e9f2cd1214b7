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
from tests.conftest import contents, copied_corpus, ingest_command, one_machine_contents, search_index, spawned_workers

pytestmark = pytest.mark.reliability


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return copied_corpus(tmp_path_factory.mktemp("crash-corpus"), 24)


@pytest.fixture(scope="module")
def reference_db(tmp_path_factory):
    return tmp_path_factory.mktemp("reference") / "reference.duckdb"


@pytest.fixture(scope="module")
def reference(corpus, reference_db):
    return one_machine_contents(corpus, reference_db)


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
def test_killed_ingest_resumes_to_the_same_result(corpus, reference, reference_db, tmp_path, tally, workers):
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
    assert search_index(db) == search_index(reference_db)  # updated run by run, killed or not


def wait_for_workers(proc, count: int = 2) -> list:
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        if len(workers := spawned_workers(proc.pid)) >= count:
            return workers
        time.sleep(0.1)
    raise AssertionError("the ingest never started its parse workers")


def test_parse_workers_die_with_the_ingest(corpus, tmp_path, tally):
    """SIGKILL to the ingest alone (not its process group, as the OOM killer or `kill -9 PID` does):
    its workers must not parse on as orphans (0.5 GiB each)."""
    import psutil

    proc = subprocess.Popen(ingest_command(corpus, tmp_path / "orphans.duckdb", 2))
    workers = wait_for_workers(proc)
    proc.kill()
    proc.wait()
    _, alive = psutil.wait_procs(workers, timeout=30)
    tally["kills survived"] += 1
    assert alive == []


def test_a_killed_worker_costs_no_article(corpus, reference, tmp_path, tally):
    db = tmp_path / "one-worker-killed.duckdb"
    proc = subprocess.Popen(ingest_command(corpus, db, 2), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_commits(proc, db, 3)
    os.kill(wait_for_workers(proc)[0].pid, signal.SIGKILL)
    out, err = proc.communicate(timeout=900)
    tally["kills survived"] += 1
    assert proc.returncode == 0 and "Traceback" not in err and "BrokenProcessPool" not in err, err[-3000:]
    lost = [t for t in reference if contents(db)[t] != reference[t]]
    tally["data lost"] += len(lost)
    assert lost == []  # its batches were parsed again


def test_workers_killed_again_and_again_fail_their_articles_alone(corpus, reference, tmp_path, tally):
    """Every worker killed as soon as it appears, for a while: the articles it was parsing fail
    with one line each; the others are stored whole; --retry-failed completes the database."""
    db = tmp_path / "workers-killed.duckdb"
    proc = subprocess.Popen(ingest_command(corpus, db, 2), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_commits(proc, db, 3)
    kills, until = 0, time.monotonic() + 10
    while time.monotonic() < until and proc.poll() is None:
        for worker in spawned_workers(proc.pid):
            try:
                worker.kill()
                kills += 1
            except Exception:  # noqa: BLE001 - gone already
                pass
        time.sleep(0.02)
    out, err = proc.communicate(timeout=900)
    tally["kills survived"] += kills
    assert kills and "Traceback" not in err and "BrokenProcessPool" not in err, err[-3000:]
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert proc.returncode == 1 and errors, err[-3000:]
    assert all(" (article " in e and e.endswith("): parse: the worker process parsing it died (killed, or out of memory)")
               or "): parse: the worker process parsing it died (killed, or out of memory)" in e for e in errors), errors
    assert half_stored(db, reference) == []
    with Store(db, read_only=True) as store:
        stored = store.query("SELECT count(*) AS n FROM articles")[0]["n"]
        failed = store.query("SELECT count(*) AS n FROM failures")[0]["n"]
    assert failed == len(errors) and stored + failed == len(reference["articles"])
    subprocess.run(ingest_command(corpus, db, 2) + ["--retry-failed"], check=True, timeout=900)
    lost = [t for t in reference if contents(db)[t] != reference[t]]
    tally["data lost"] += len(lost)
    assert lost == []
