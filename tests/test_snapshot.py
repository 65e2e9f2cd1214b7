"""What Redline stores and exports, pinned: a restructuring must leave every table and every
export byte-identical on the example corpus, the seeds and the 181 benchmark pages.

A change that is *meant* to change what is coded (a new rule, a retrained model) updates the
pinned digests on purpose, and says so in its commit:

    REDLINE_SNAPSHOT_UPDATE=1 .venv/bin/python -m pytest tests/test_snapshot.py

Digests, not copies, are pinned (the exports of the benchmark pages are megabytes); to see *what*
changed, run `python tests/test_snapshot.py OUT_DIR` at both commits and diff the two folders.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script, too
from tests.conftest import EXAMPLES, ROOT, SHARED  # noqa: E402

PINNED = ROOT / "tests" / "data" / "snapshot.json"

# name -> (inputs, manifest): the bundled corpus always; the rest only beside ../shared
CORPORA = {
    "examples": ([EXAMPLES / "corpus"], EXAMPLES / "manifest.csv"),
    "seeds": ([SHARED / "seeds"], SHARED / "seeds" / "manifest.csv"),
    "benchmark-pages": ([SHARED / "benchmarks" / "article-extraction" / "html"], None),
}


def write_outputs(name: str, out: Path) -> dict[str, str]:
    """Ingest corpus `name` into a fresh database in `out`, write every export and every
    CLI output that is a file; returns {file name: sha256}."""
    from typer.testing import CliRunner

    from redline.cli import app

    inputs, manifest = CORPORA[name]
    out.mkdir(parents=True, exist_ok=True)
    db = out / f"{name}.duckdb"
    if db.exists():
        db.unlink()
    runner = CliRunner()

    def cli(*args):
        result = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
        assert result.exit_code in (0, 1), result.output  # 1: some article failed; still compared
        return result.output

    cli("ingest", *inputs, *(["--manifest", manifest] if manifest else []), "--db", db, "--quiet")
    files: dict[str, str] = {}
    for dataset in ("articles", "sentences", "quotes", "events", "happenings", "stories"):
        cli("export", dataset, "--format", "jsonl", "-o", out / f"{dataset}.jsonl", "--db", db)
    (out / "tables.json").write_text(json.dumps(_tables(db), default=str, indent=0), encoding="utf-8")
    (out / "timeline.json").write_text(cli("timeline", "--actor", "RUS", "--actor", "USA", "--json", "--db", db),
                                       encoding="utf-8")
    cli("dyad", "RUS", "UKR", "--by", "month", "-o", out / "dyad.csv", "--db", db)
    cli("watch", EXAMPLES / "watch.yaml", "--jsonl", out / "alerts.jsonl", "--db", db)
    # Stored source paths name the folder the corpus sits in, which is not the same on every
    # clone: each input folder becomes "<input>" before the digest.
    folders = sorted({str(Path(i).resolve()) for i in inputs} | {str(Path(i)) for i in inputs}, key=len, reverse=True)
    for path in sorted(out.iterdir()):
        if path.suffix != ".duckdb" and path.is_file():
            text = path.read_bytes()
            for folder in folders:
                text = text.replace(folder.encode(), b"<input>")
            path.write_bytes(text)
            files[path.name] = hashlib.sha256(text).hexdigest()
    return files


def _tables(db: Path) -> dict[str, list]:
    """Every stored row of every table (the ingest time left out), in a fixed order."""
    from tests.conftest import contents

    return {table: [list(row) for row in rows] if isinstance(rows, list) else rows
            for table, rows in contents(db).items()}


@pytest.mark.parametrize("name", list(CORPORA))
def test_stored_rows_and_exports_are_unchanged(name, tmp_path):
    if name != "examples" and not SHARED.is_dir():
        pytest.skip("../shared is not present (only in the project's CI and dev machines)")
    got = write_outputs(name, tmp_path / name)
    pinned = json.loads(PINNED.read_text(encoding="utf-8")) if PINNED.exists() else {}
    if os.environ.get("REDLINE_SNAPSHOT_UPDATE"):
        pinned[name] = got
        PINNED.write_text(json.dumps(pinned, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return
    assert name in pinned, f"no pinned digests for {name}: run with REDLINE_SNAPSHOT_UPDATE=1"
    changed = sorted(f for f in set(got) | set(pinned[name]) if got.get(f) != pinned[name].get(f))
    assert not changed, (f"{name}: these outputs changed: {', '.join(changed)} "
                         "(on purpose? then REDLINE_SNAPSHOT_UPDATE=1; see this file's docstring)")


if __name__ == "__main__":  # python tests/test_snapshot.py OUT_DIR: the outputs themselves, to diff
    target = Path(sys.argv[1])
    for corpus in CORPORA:
        if corpus == "examples" or SHARED.is_dir():
            print(corpus, write_outputs(corpus, target / corpus))
