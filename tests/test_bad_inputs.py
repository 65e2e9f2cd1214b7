"""Hostile input: every file of the generated bad corpus gets a one-line error or a correct result,
none stops the others, and bad manifests are refused with the line that is wrong."""

import subprocess
import sys
from pathlib import Path

import pytest

from redline.ingest.readers import article_id_for
from redline.store import Store
from tests.data.bad.make_bad_inputs import JSONL_ERRORS, MANIFESTS, write

pytestmark = pytest.mark.reliability


def redline(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "redline", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


def crashed(result) -> bool:
    # 1: some inputs had errors; 2: the run was refused (a bad manifest or option)
    return result.returncode not in (0, 1, 2) or "Traceback" in result.stderr + result.stdout


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    return folder, write(folder, big=True)


def test_every_bad_file_gets_an_error_or_a_correct_result(bad, tmp_path, tally):
    folder, cases = bad
    db = tmp_path / "bad.duckdb"
    result = redline("ingest", folder / "corpus", "--db", db)
    tally["inputs tried"] += len(cases)
    tally["crashes"] += crashed(result)
    assert not crashed(result), result.stderr[-3000:]
    assert result.returncode == 1  # errors were reported
    lines = (result.stdout + result.stderr).splitlines()
    errors = [line for line in lines if line.startswith("error: ")]
    notes = [line for line in lines if line.startswith("note: ")]
    with Store(db, read_only=True) as store:
        rows = {r["id"]: r for r in store.query("SELECT id, text, language FROM articles")}
    for case in cases:
        path = str(folder / "corpus" / case.name)
        mine = [e for e in errors if e.startswith(f"error: {path}:")]
        article = rows.get(article_id_for(Path(case.name)))
        if case.error:
            assert any(case.error in e for e in mine), (case.name, mine)
            assert article is None, case.name
        else:
            assert case.name.endswith(".jsonl") or not mine, (case.name, mine)
            text = article["text"] if article else rows.get("bad-jsonl-good", {}).get("text", "")
            assert case.stored in text, (case.name, text[:300])
            assert not any(c in text for c in "\x00\x07\x1b\u200b\ufeff\u00ad"), case.name
            if case.note:
                assert any(path in n and case.note in n for n in notes), (case.name, notes)
            if case.language:
                assert article["language"] == case.language
    for expected in JSONL_ERRORS:
        assert any(expected in e for e in errors), expected
    assert all("\n" not in e and e.count(": ") >= 2 for e in errors)


@pytest.mark.parametrize("name, content, problem, stops", MANIFESTS, ids=[m[0] for m in MANIFESTS])
def test_bad_manifests_are_refused_naming_the_line(bad, tmp_path, tally, name, content, problem, stops):
    folder, _ = bad
    db = tmp_path / "m.duckdb"
    result = redline("ingest", folder / "corpus" / "french.txt", folder / "corpus" / "latin-1.txt",
                     "--manifest", folder / name, "--db", db)
    tally["inputs tried"] += 1
    tally["crashes"] += crashed(result)
    assert not crashed(result)
    output = result.stdout + result.stderr
    assert f"{folder / name}" in output and problem in output
    if stops:
        assert result.returncode == 2 and not db.exists()  # nothing half-applied
    else:
        assert result.returncode == 1
        assert "gone.txt not found" in output and "names neither `file` nor `id`" in output
        with Store(db, read_only=True) as store:
            assert {r["id"] for r in store.query("SELECT id FROM articles")} == {"m1", "latin-1"}
