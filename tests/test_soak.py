"""The real-text soak: the whole pipeline (`Ingestor` with two worker processes, into a DuckDB
file, then the stories stage) over real text no one here wrote, and over generated hostile
sentences. On the real text no stage may fail; on the hostile set nothing may crash, and no
stage fail either; no article may run past the time limit (`max_article_seconds`, which fails
an article that hangs or blows up instead of holding the run).

The real text is ../shared's, when present: 295 Wikinews articles, 74 White House briefings
(hard-wrapped transcripts), the 181 pages of the extraction benchmark, and the seeds.
"""

from __future__ import annotations


import pytest

from redline.config import Settings
from redline.ingest import Ingestor, IngestReport
from redline.ingest.manifest import Manifest
from redline.store import Store
from redline.stories import rebuild
from tests.conftest import RELIABILITY, RELIABILITY_NOTES
from tests.data.hostile_sentences import write as write_hostile

pytestmark = pytest.mark.reliability

# Seconds one article may take (wall clock): real articles take seconds (a 100,000-character
# briefing about 5 s of CPU); this catches a hang or a cost that grows faster than the text.
LIMIT_SECONDS = 300
# The slowest article is judged per 100k characters among articles at least this long: in a
# shorter one, the cost per article (not per character) dominates.
MIN_CHARS = 5_000


def soak(db, inputs: list[tuple[list, Manifest | None]]) -> IngestReport:
    """Ingest each (paths, manifest) into `db` with two workers, then run the stories stage;
    the reports merged. An exception out of it is a crash."""
    settings = Settings(max_article_seconds=LIMIT_SECONDS)
    merged = IngestReport()
    try:
        with Store(db) as store:
            for paths, manifest in inputs:
                ingestor = Ingestor(store, settings, manifest, workers=2)
                try:
                    report = ingestor.run(paths)
                finally:
                    ingestor.close()
                for name in ("stored", "unchanged", "errors", "notes", "failed_before"):
                    getattr(merged, name).extend(getattr(report, name))
                merged.parse_seconds.update(report.parse_seconds)
            rebuild(store)
    except Exception:
        RELIABILITY["crashes"] += 1
        raise
    return merged


def tally(report: IngestReport) -> list:
    """Counts the run into the reliability tally; returns the stage failures."""
    failed = [e for e in report.errors if e.stage]
    RELIABILITY["inputs tried"] += len(report.stored) + len(report.unchanged) + len(report.errors)
    RELIABILITY["articles failed in a stage"] += len(failed)
    timed = [(cpu * 100_000 / chars, article, chars, cpu) for article, (_, cpu, chars) in report.parse_seconds.items()
             if chars >= MIN_CHARS]
    if timed and max(timed)[0] > RELIABILITY["slowest article, s per 100k chars"]:
        per, article, chars, cpu = max(timed)
        RELIABILITY["slowest article, s per 100k chars"] = per
        RELIABILITY_NOTES[:] = [n for n in RELIABILITY_NOTES if not n.startswith("slowest article: ")]
        RELIABILITY_NOTES.append(f"slowest article: {article}, {chars:,} characters in {cpu:.1f} s of CPU")
    return failed


def test_real_text_goes_through_every_stage(shared, tmp_path):
    corpora = shared / "corpora"
    inputs = [
        ([corpora / "wikinews" / "articles.jsonl", corpora / "whitehouse-briefings" / "briefings.jsonl"], None),
        ([shared / "benchmarks" / "article-extraction" / "html"], None),
        ([shared / "seeds"], Manifest.load(shared / "seeds" / "manifest.csv")),
    ]
    db = tmp_path / "real.duckdb"
    report = soak(db, inputs)
    failed = tally(report)
    assert failed == [], [str(e) for e in failed]
    # One Wikinews record is a test page holding only its date line: nothing to store.
    assert [e.problem for e in report.errors] == ["nothing left after removing page furniture"], report.errors
    with Store(db, read_only=True) as store:
        stored = store.query("SELECT count(*) AS n FROM articles")[0]["n"]
        placed = store.query("SELECT count(*) AS n FROM article_stories")[0]["n"]
        events = store.query("SELECT count(*) AS n FROM events")[0]["n"]
    assert stored == len(report.stored) == 294 + 74 + 181 + 5 and placed == stored and events > 1000


def test_hostile_sentences_stop_nothing(tmp_path):
    records = write_hostile(tmp_path / "hostile.jsonl")
    db = tmp_path / "hostile.duckdb"
    report = soak(db, [([tmp_path / "hostile.jsonl"], None)])
    failed = tally(report)
    assert failed == [] and report.errors == [], [str(e) for e in report.errors]
    assert sorted(report.stored) == sorted(r["id"] for r in records)
    with Store(db, read_only=True) as store:
        sentences = store.query("SELECT article_id, max(end_char - start_char) AS longest FROM sentences GROUP BY 1")
    longest = {r["article_id"]: r["longest"] for r in sentences}
    assert longest["hostile-sentence-of-2000-tokens"] > 10_000  # parsed as the one sentence it is
