from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from redline.cli import app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"


@pytest.fixture
def run_cli():
    """Run `redline ...` in-process (spaCy stays loaded between tests); returns the Result."""
    runner = CliRunner()

    def run(*args: str | Path):
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)

    return run


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not present (only in the project's CI and dev machines)")
    return SHARED


def copied_corpus(folder: Path, copies: int) -> Path:
    """The example texts copied `copies` times, each copy with a sentence of its own (so that
    dedup keeps them apart): a corpus big enough to kill or interrupt mid-run."""
    folder.mkdir(parents=True, exist_ok=True)
    for copy in range(copies):
        for src in sorted((EXAMPLES / "corpus" / "txt").glob("*.txt")):
            (folder / f"{src.stem}-copy{copy}.txt").write_text(
                src.read_text(encoding="utf-8") + f"\nThis is copy number {copy} of the story, the editors said.\n",
                encoding="utf-8")
    return folder


def ingest_command(corpus: Path, db: Path, workers: int = 1) -> list[str]:
    """`redline ingest` as a separate process, as a user runs it."""
    import sys

    return [sys.executable, "-m", "redline", "ingest", str(corpus), "--db", str(db), "--quiet", "--workers", str(workers)]


def one_machine_contents(corpus: Path, db: Path, workers: int = 1) -> dict[str, list[tuple]]:
    """What an uninterrupted local ingest of `corpus` stores: the reference for other runs."""
    import subprocess

    subprocess.run(ingest_command(corpus, db, workers), check=True, timeout=900)
    return contents(db)


def spawned_workers(pid: int) -> list:
    """The worker processes a process spawned (parse workers, web workers), not its
    multiprocessing resource tracker."""
    import psutil

    try:
        return [c for c in psutil.Process(pid).children() if "spawn_main" in " ".join(c.cmdline())]
    except psutil.Error:  # it, or a child, has gone meanwhile
        return []


def search_index(db) -> dict[str, list[tuple]]:
    """The search index's rows, without each document's version (a hash that includes its
    article's time of ingest) and the run that wrote each posting (how the updates were
    batched): two runs that should agree are compared with this."""
    from redline.store import Store

    with Store(db, read_only=True) as store:
        return {"search_docs": store.con.execute("SELECT * EXCLUDE (version) FROM search_docs ORDER BY ALL").fetchall(),
                "search_postings": store.con.execute("SELECT * EXCLUDE (run) FROM search_postings ORDER BY ALL").fetchall(),
                "search_stats": store.con.execute("SELECT * FROM search_stats").fetchall()}


# Whole-corpus tables, rebuilt by the stories stage in one transaction.
CORPUS_TABLES = ("actors", "lineage", "stories", "article_stories", "happenings", "happening_events")


def contents(db) -> dict[str, list[tuple]]:
    """Every stored row, per table, in a fixed order (the ingest time left out): two runs that
    should agree are compared with this."""
    from redline.store import ARTICLE_CHILD_TABLES, Store

    with Store(db, read_only=True) as store:
        out = {"articles": store.con.execute("SELECT * EXCLUDE (ingested_at) FROM articles ORDER BY ALL").fetchall()}
        for table in ARTICLE_CHILD_TABLES + CORPUS_TABLES:
            out[table] = store.con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
        out["_columns"] = {t: [d[0] for d in store.con.execute(f"SELECT * FROM {t} LIMIT 0").description]
                           for t in ARTICLE_CHILD_TABLES}
    return out


@pytest.fixture(scope="session")
def example_db(tmp_path_factory) -> Path:
    """The bundled example corpus, ingested once (with its stories) for the read-only tests."""
    from redline.ingest import ingest
    from redline.store import Store
    from redline.stories import rebuild

    path = tmp_path_factory.mktemp("examples") / "examples.duckdb"
    with Store(path) as store:
        report = ingest([EXAMPLES / "corpus"], store, manifest=EXAMPLES / "manifest.csv")
        rebuild(store)
    assert not report.errors, report.errors
    return path


# -- the reliability tally: `make check-reliability` prints it --------------------------------
RELIABILITY = {
    "inputs tried": 0, "crashes": 0, "kills survived": 0, "data lost": 0,
    "requests served": 0, "request errors": 0,
    # The soak over real text and hostile sentences (tests/test_soak.py): CPU seconds per
    # 100,000 characters of the slowest article of 5,000 characters or more.
    "articles failed in a stage": 0, "slowest article, s per 100k chars": 0.0,
}
MUST_BE_ZERO = ("crashes", "data lost", "request errors", "articles failed in a stage")
RELIABILITY_NOTES: list[str] = []  # measured figures (latencies) printed under the tally


@pytest.fixture(scope="session")
def tally() -> dict[str, int]:
    """Counters the reliability tests add to; printed at the end of the run."""
    return RELIABILITY


def pytest_terminal_summary(terminalreporter):
    if not any(RELIABILITY.values()):
        return
    terminalreporter.section("reliability")
    width = max(map(len, RELIABILITY))
    for key, value in RELIABILITY.items():
        flag = "  <- must be 0" if key in MUST_BE_ZERO and value else ""
        terminalreporter.write_line(f"{key:>{width}}: {value:,.1f}{flag}" if isinstance(value, float)
                                    else f"{key:>{width}}: {value:,}{flag}")
    for note in RELIABILITY_NOTES:
        terminalreporter.write_line(note)


CHROMIUM = Path("/usr/bin/chromium")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(app):
    """An app under uvicorn on 127.0.0.1 in a thread, for a browser or a load client: its URL."""
    import threading
    import time

    import uvicorn

    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 15
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{srv.config.port}"
    srv.should_exit = True
    thread.join(5)


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium through Playwright, one for the module."""
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()
