"""One bad article never stops a run. A stage that fails on one article (here: spaCy's
tokenizer refusing a text over its length limit, which a `max_article_chars` above it lets
through) fails that article alone, in every engine: one line naming the file, the article and
the stage, the article kept in `failures`, every other article stored, the stories stage run,
exit code 1. Mixed in are the articles that used to stop runs (quantities of pronouns, dates
beyond the calendar, cut emoji, a very short article): they are stored."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from redline.store import Store
from tests.conftest import EXAMPLES, contents

HUGE = ("Russia and Ukraine met in Geneva on Tuesday to discuss grain shipments, officials said. " * 8 + "\n\n") * 1500
POISON = [  # (record, what the stored text must hold; None: the article must fail)
    ({"id": "p-quantity", "published": "2023-07-19",
      "text": "Most of them agreed.\n\nSome of them denied it.\n\nThousands of them protested in Moscow."}, "Most of them agreed."),
    ({"id": "p-zero-time", "published": "0001-01-01T00:00:00Z",
      "text": "Russia attacked Ukraine last year, officials said on Monday."}, "last year"),
    ({"id": "p-end-of-time", "published": "9999-12-31",
      "text": "Russia will attack Ukraine tomorrow and next year, officials said."}, "tomorrow"),
    ({"id": "p-cut-emoji\ud83d", "published": "2023-07-19",
      "text": "Turkey condemned Russia \ud83d on Monday, officials said."}, "Russia \ufffd on Monday"),
    ({"id": "p-cut-emoji-html", "html": "<html><body><article><p>Turkey condemned Russia \ud83d on Monday, the ministry "
                                        "said in a statement published on its website.</p></article></body></html>"},
     "Russia \ufffd on Monday"),
    ({"id": "p-short", "text": "Russia attacked Ukraine.\n\n\n\nChina met Iran."}, "Russia attacked Ukraine.\n\nChina met Iran."),
    ({"id": "p-huge", "published": "2023-07-19", "text": HUGE}, None),
]
GOOD = {r["id"].replace("\ud83d", "\ufffd") for r, stored in POISON if stored}
ENGINES = {"workers-1": ["--workers", "1"], "workers-2": ["--workers", "2"], "dask": ["--engine", "dask", "--workers", "2"]}


def redline(*args, timeout=900):
    return subprocess.run([sys.executable, "-m", "redline", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The example corpus and its manifest, a poison JSONL beside its own records, and settings
    that let an article over spaCy's 1,000,000 characters through to the tokenizer."""
    root = tmp_path_factory.mktemp("isolation")
    shutil.copytree(EXAMPLES / "corpus", root / "corpus")
    shutil.copy(EXAMPLES / "manifest.csv", root / "manifest.csv")
    with open(root / "corpus" / "jsonl" / "poison.jsonl", "w", encoding="utf-8") as f:
        for record, _ in POISON:
            f.write(json.dumps(record) + "\n")  # ASCII escapes: "\ud83d" stays a lone surrogate in JSON
    (root / "redline.yaml").write_text("max_article_chars: 2000000\n")
    return root


def ingest(corpus: Path, db: Path, *options):
    return redline("ingest", corpus / "corpus", "--manifest", corpus / "manifest.csv", "--config",
                   corpus / "redline.yaml", "--db", db, *options)


@pytest.fixture(scope="module")
def runs(corpus, tmp_path_factory):
    folder = tmp_path_factory.mktemp("runs")
    return {name: (ingest(corpus, folder / f"{name}.duckdb", *options), folder / f"{name}.duckdb")
            for name, options in ENGINES.items()}


def errors_of(result) -> list[str]:
    return [line for line in (result.stdout + result.stderr).splitlines() if line.startswith("error: ")]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_failing_article_fails_alone_and_every_other_is_stored(runs, corpus, engine):
    result, db = runs[engine]
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "Traceback" not in output, output[-3000:]
    poison = corpus / "corpus" / "jsonl" / "poison.jsonl"
    (line,) = errors_of(result)
    assert line.startswith(f"error: {poison}:7 (article p-huge): tokenizer: ValueError: [E088] Text of length")
    with Store(db, read_only=True) as store:
        texts = {r["id"]: r["text"] for r in store.query("SELECT id, text FROM articles")}
        (failure,) = store.query("SELECT * FROM failures")
        placed = {r["article_id"] for r in store.query("SELECT article_id FROM article_stories")}
        assert not store.stage_stale("stories")  # the stories stage ran after the failure
        dated = store.query("SELECT article_id, date, date_precision FROM events WHERE article_id LIKE 'p-%-time'")
    examples = {p.stem for p in (EXAMPLES / "corpus").glob("*/*") if p.suffix != ".jsonl"}
    assert examples | GOOD <= set(texts) and len(texts) == 16 + len(GOOD)
    assert placed == set(texts)
    for record, stored in POISON:
        if stored:
            assert stored in texts[record["id"].replace("\ud83d", "\ufffd")], record["id"]
    assert {(r["date"].year, r["date_precision"]) for r in dated} == {(1, "unknown"), (9999, "unknown")}
    assert (failure["article_id"], failure["stage"], failure["line"], failure["raw"]) == ("p-huge", "tokenizer", 7, HUGE)
    assert failure["source_path"] == str(poison) and "ValueError: [E088]" in failure["problem"]


def test_every_engine_stores_the_same(runs):
    reference = contents(runs["workers-1"][1])
    for engine in ("workers-2", "dask"):
        found = contents(runs[engine][1])
        assert [t for t in reference if found[t] != reference[t]] == [], engine


def test_the_failure_is_listed_and_skipped_while_unchanged(runs, corpus, tmp_path):
    db = tmp_path / "again.duckdb"
    shutil.copy(runs["workers-1"][1], db)
    summary = redline("summary", "--db", db)
    assert "failed:     1 article(s) a stage failed on: tokenizer 1" in summary.stdout
    assert f"{corpus}/corpus/jsonl/poison.jsonl:7 (article p-huge): tokenizer: ValueError" in summary.stdout
    again = ingest(corpus, db, "--workers", "1")
    assert again.returncode == 1 and errors_of(again) == []  # nothing new failed, but not everything is stored
    assert "0 stored, 22 already stored, 1 failed before (skipped), 0 error(s)" in again.stdout
    assert "(article p-huge): tokenizer failed on it in an earlier run" in again.stdout
    retried = redline("ingest", "--retry-failed", "--config", corpus / "redline.yaml", "--db", db)
    assert retried.returncode == 1 and len(errors_of(retried)) == 1  # tried again: it still fails, alone
    assert errors_of(retried)[0].startswith(f"error: {corpus}/corpus/jsonl/poison.jsonl:7 (article p-huge): tokenizer:")


def test_retry_failed_stores_what_fails_no_more(tmp_path):
    """An article over `max_article_seconds` fails in whichever stage the time ran out; with the
    limit raised, `--retry-failed` parses it again from what the database kept, and it is stored."""
    long = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted((EXAMPLES / "corpus" / "txt").glob("*.txt"))) * 20
    assert 100_000 < len(long) < 300_000  # a parse of several seconds, far over the limit below
    records = [{"id": "long", "outlet": "Wire", "text": long},
               {"id": "short", "outlet": "Wire", "text": "Turkey condemned Russia on Monday, officials said."}]
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in records))
    strict = tmp_path / "strict.yaml"
    strict.write_text("max_article_seconds: 1\n")
    db = tmp_path / "r.duckdb"
    first = redline("ingest", corpus, "--config", strict, "--db", db, "--workers", "1")
    assert first.returncode == 1 and "Traceback" not in first.stderr
    (line,) = errors_of(first)
    assert line.startswith(f"error: {corpus}:1 (article long): ") and line.endswith(": took longer than 1 s (max_article_seconds)")
    retried = redline("ingest", "--retry-failed", "--db", db)  # the default limit: minutes
    assert retried.returncode == 0 and "1 stored" in retried.stdout, retried.stdout + retried.stderr
    with Store(db, read_only=True) as store:
        assert store.query("SELECT count(*) AS n FROM failures")[0]["n"] == 0
        stored = store.query("SELECT id, source_path, text, n_sentences FROM articles ORDER BY id")
    assert [(r["id"], r["source_path"]) for r in stored] == [("long", str(corpus)), ("short", str(corpus))]
    assert stored[0]["text"].count("ISTANBUL (Meridian Wire) - Russia and Ukraine on Friday") == 20
    assert stored[0]["n_sentences"] > 500
    again = redline("ingest", corpus, "--config", strict, "--db", db)
    assert again.returncode == 0 and "0 stored, 2 already stored" in again.stdout  # the retried one counts as stored
