"""`redline serve` as a real process on 127.0.0.1: it keeps serving while an ingest writes the
same file, and it answers a bounded load with no errors (latency percentiles in the summary)."""

import itertools
import random
import shutil
import subprocess
import sys
import threading
import time

import httpx
import pytest

from bench.loadclient import load, serving, summary
from redline.store import Store
from tests.conftest import RELIABILITY_NOTES, copied_corpus

pytestmark = pytest.mark.reliability


def page_jobs(db, n: int, seed: int = 1) -> list[tuple[str, str]]:
    """A mix of every kind of page and API call, over what `db` holds."""
    with Store(db, read_only=True) as store:
        articles = [r["id"] for r in store.query("SELECT id FROM articles ORDER BY id")]
        stories = [r["id"] for r in store.query("SELECT id FROM stories ORDER BY id")]
        actors = [r["actor_id"] for r in store.query("SELECT DISTINCT actor_id FROM mentions WHERE actor_id IS NOT NULL ORDER BY 1")]
    rng = random.Random(seed)
    kinds = [
        ("home", lambda: "/"), ("search", lambda: f"/search?q={rng.choice(['grain', 'talks', 'Moscow', 'sanctions'])}"),
        ("article", lambda: f"/articles/{rng.choice(articles)}"), ("story", lambda: f"/stories/{rng.choice(stories)}"),
        ("actor", lambda: f"/actors/{rng.choice(actors)}"), ("dyad", lambda: "/dyads/RUS/UKR"),
        ("alerts", lambda: "/alerts"), ("api articles", lambda: f"/api/articles?limit=20&offset={rng.randrange(10)}"),
        ("api dyad", lambda: "/api/dyads/RUS/UKR"), ("api search", lambda: "/api/search?q=ceasefire"),
        ("api happenings", lambda: f"/api/happenings?story={rng.choice(stories)}"),
        ("events", lambda: f"/events?country={rng.choice(['RUS', 'UKR', 'TUR'])}"), ("dyads", lambda: "/dyads"),
        ("api events csv", lambda: "/api/events.csv?since=2023-01-01&status=asserted"),
    ]
    return [(kind, make()) for kind, make in itertools.islice(itertools.cycle(kinds), n)]


@pytest.fixture
def served_copy(example_db, tmp_path):
    db = tmp_path / "served.duckdb"
    shutil.copy(example_db, db)
    return db


def test_load_is_served_without_errors(served_copy, tally):
    with serving(served_copy, "--workers", "2") as base:
        load(base, page_jobs(served_copy, 40), 2)  # warm up both workers
        result = load(base, page_jobs(served_copy, 1500), concurrency=8)
    tally["requests served"] += len(result.every) - len(result.errors)
    tally["request errors"] += len(result.errors)
    RELIABILITY_NOTES.append(f"load: {summary(result, 8)}")
    assert result.errors == []


def test_pages_are_served_while_an_ingest_writes(served_copy, tmp_path, tally):
    """Requests keep getting answers (no 503, no error) while `redline ingest` writes the file,
    and they see the articles arrive."""
    corpus = copied_corpus(tmp_path / "more", 4)
    expected = len(list(corpus.iterdir()))
    counts, errors, served = [], [], 0
    with serving(served_copy) as base:
        with Store(served_copy, read_only=True) as store:
            before = store.query("SELECT count(*) AS n FROM articles")[0]["n"]
        started = time.perf_counter()
        ingest = subprocess.Popen([sys.executable, "-m", "redline", "ingest", str(corpus), "--db", str(served_copy),
                                   "--quiet", "--workers", "1"], stderr=subprocess.PIPE, text=True)
        stop = threading.Event()

        def reader(jobs):
            nonlocal served
            with httpx.Client(base_url=base, timeout=60) as client:
                for kind, url in itertools.cycle(jobs):
                    if stop.is_set():
                        return
                    r = client.get(url)
                    if r.status_code != 200:
                        errors.append(f"{r.status_code} {url}")
                        continue
                    served += 1
                    if kind == "count" and ingest.poll() is None:
                        counts.append(r.json()["total"])

        # Three clients over every kind of page, and one that watches the number of articles.
        jobs = [page_jobs(served_copy, 60, seed) for seed in range(3)] + [[("count", "/api/articles?limit=1")]]
        threads = [threading.Thread(target=reader, args=(j,)) for j in jobs]
        for t in threads:
            t.start()
        try:
            assert ingest.wait(900) == 0, ingest.stderr.read()[-2000:]
            took = time.perf_counter() - started
        finally:
            stop.set()
            for t in threads:
                t.join(60)
    tally["requests served"] += served
    tally["request errors"] += len(errors)
    RELIABILITY_NOTES.append(f"during an ingest of {expected} articles ({took:.0f} s): {served} requests served, "
                             f"{len(errors)} errors")
    assert errors == []
    assert served > 20 and len(set(counts)) > 2  # answered throughout, and saw the ingest's progress
    with Store(served_copy, read_only=True) as store:
        assert store.query("SELECT count(*) AS n FROM articles")[0]["n"] == before + expected


def test_web_workers_die_with_the_server(served_copy, tally):
    """SIGKILL to `redline serve --workers 2` alone: its workers must not serve on as orphans."""
    import psutil

    from tests.conftest import spawned_workers

    with serving(served_copy, "--workers", "2") as base:
        port = base.rsplit(":", 1)[1]
        (server,) = [p for p in psutil.Process().children() if port in p.cmdline()]
        deadline = time.monotonic() + 60
        while len(workers := spawned_workers(server.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(workers) == 2 and httpx.get(base + "/api/articles").status_code == 200
        server.kill()
        _, alive = psutil.wait_procs(workers, timeout=30)
        tally["kills survived"] += 1
        assert alive == []
        with pytest.raises(httpx.HTTPError):
            httpx.get(base + "/api/articles", timeout=5)
