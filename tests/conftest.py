from __future__ import annotations

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
