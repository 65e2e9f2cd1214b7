"""The search index as the database grows: per daily batch, what updating it costs.

    nice -n 10 .venv/bin/python bench/search_index.py --articles 20000 --days 8

The articles are `bench/day.py`'s stream of real texts (Wikinews and the 181 pages, varied:
paragraphs shuffled, dates moved, outlets renamed), stored straight into the tables the index
reads, with no NLP, so that the database grows fast: each article with two quotes (its second
and third sentences, by one of 60 speakers), each source text a happening whose evidence is
its latest eight reports (so a text reported again changes its happening), and actors whose
roles change from day to day. After each batch (or, with `--polls`, after each of that many
parts of it), `update_index` (as a stories run does), timed (wall and CPU seconds), then again
with nothing changed: the part that reads the whole database (each document's version). Last,
the runs of postings left, and one `rebuild_index` of everything, which is what every run cost
before. Bar: the CPU per indexed document of batch k within 1.1x of batch 1.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

import pyarrow as pa  # noqa: E402

from bench.day import measured, stream  # noqa: E402
from redline.search import rebuild_index, update_index  # noqa: E402
from redline.store import Store  # noqa: E402

SPEAKERS = [f"Speaker {i:02d}" for i in range(60)]
ROLES = ["minister", "spokesperson", "envoy", "general", "adviser", "governor"]


def store_batch(con, day: int, batch: list[dict]) -> None:
    """One day's articles, their quotes, the happenings they report, and the actors' roles."""
    day_rows = pa.table({  # noqa: F841 - read by name below
        "id": [r["id"] for r in batch], "outlet": [r["outlet"] for r in batch],
        "title": [r["text"].split("\n")[0][:80] for r in batch], "published": [r["published"] for r in batch],
        "text": [r["text"] for r in batch], "happening": [r["happening"].split("@")[0] for r in batch],
        "speaker": [SPEAKERS[sum(map(ord, r["id"])) % len(SPEAKERS)] for r in batch],
    })
    con.execute("""INSERT INTO articles (id, outlet, title, published, language, text, content_hash, metadata_hash, ingested_at)
                   SELECT id, outlet, title, published::DATE, 'en', text, md5(text), md5(outlet), now() FROM day_rows""")
    con.execute("""INSERT INTO quotes (id, article_id, speaker_name, text, kind)
                   SELECT id || ':q' || q, id, speaker, split_part(text, '. ', q + 2), 'direct'
                   FROM day_rows, range(2) r(q)""")
    # A happening per source text: its latest eight reports, so a text reported again changes it.
    con.execute("""CREATE TABLE IF NOT EXISTS bench_reports (id VARCHAR, outlet VARCHAR, published DATE, sentence VARCHAR,
                                                              happening VARCHAR, speaker VARCHAR)""")
    con.execute("""INSERT INTO bench_reports SELECT id, outlet, published::DATE, split_part(text, '. ', 1), happening, speaker
                   FROM day_rows""")
    con.execute("DELETE FROM happenings WHERE id IN (SELECT DISTINCT 'e-' || happening FROM day_rows)")
    con.execute("""INSERT INTO happenings (id, happening_id, story_id, event_type, source, target, date, evidence)
                   SELECT 'e-' || happening, 'h-' || happening, 's-' || happening, 'CONSULT',
                          [{'name': min(speaker), 'country': NULL, 'sector': NULL}], [], max(published),
                          list({'event_id': id || ':e0', 'article_id': id, 'outlet': outlet, 'published': published,
                                'sentence': sentence, 'negated': false, 'modality': 'asserted', 'attributed_to': NULL}
                               ORDER BY published DESC, id DESC)[1:8]
                   FROM bench_reports WHERE happening IN (SELECT happening FROM day_rows) GROUP BY happening""")
    con.execute("""INSERT OR REPLACE INTO actors SELECT 'person:' || lower(replace(s, ' ', '-')), s, 'person', NULL, NULL, ?
                   FROM unnest(?::VARCHAR[]) t(s)""",
                [ROLES[day % len(ROLES)], SPEAKERS[(day * 7) % 60:(day * 7) % 60 + 10]])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=20000, help="articles in the whole stream")
    parser.add_argument("--days", type=int, default=8, help="daily batches")
    parser.add_argument("--polls", type=int, default=1,
                        help="updates a day, each after its share of the day's articles (as a feed polled through the day)")
    args = parser.parse_args()
    batches = stream(args.articles, args.days)
    print(f"{sum(map(len, batches))} articles in {len(batches)} daily batches")
    print(f"{'batch':>5} {'docs before':>11} {'added':>6} {'removed':>7} | {'update s':>8} {'cpu s':>6} "
          f"{'cpu ms/doc':>10} {'/ batch 1':>9} | {'unchanged s':>11} {'cpu s':>6}")
    per_doc = []
    with tempfile.TemporaryDirectory() as tmp:
        with Store(Path(tmp) / "index.duckdb") as store:
            con = store.con
            for day, batch in enumerate(batches, 1):
                before = con.execute("SELECT docs FROM search_stats").fetchone()[0]
                added = removed = wall = cpu = 0
                for poll in range(args.polls):
                    with store.transaction():
                        store_batch(con, day, batch[poll::args.polls])
                    done, poll_wall, poll_cpu, _ = measured(lambda: update_index(con))
                    added, removed, wall, cpu = added + done.added, removed + done.removed, wall + poll_wall, cpu + poll_cpu
                _, idle_wall, idle_cpu, _ = measured(lambda: update_index(con))
                per_doc.append(1000 * cpu / added)
                print(f"{day:5d} {before:11d} {added:6d} {removed:7d} | {wall:8.2f} {cpu:6.2f} "
                      f"{per_doc[-1]:10.3f} {per_doc[-1] / per_doc[0]:9.2f} | {idle_wall:11.2f} {idle_cpu:6.2f}")
            runs = con.execute("SELECT count(*), min(postings), max(postings) FROM search_runs").fetchone()
            print(f"runs of postings: {runs[0]} (of {runs[1]:,} to {runs[2]:,} postings)")
            docs, wall, cpu, _ = measured(lambda: rebuild_index(con))
            print(f"rebuild of the whole index ({docs} documents), as every run did before: {wall:.2f} s, {cpu:.2f} CPU s "
                  f"({1000 * cpu / docs:.3f} CPU ms per document)")


if __name__ == "__main__":
    main()
