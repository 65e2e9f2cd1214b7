"""A news day, and the days after: per-batch ingest and stories cost on a realistic stream.

    nice -n 10 .venv/bin/python bench/day.py --articles 2400 --days 4

The stream is made from real articles: the 295 Wikinews articles of ../shared/corpora/wikinews
and the 181 pages of ../shared/benchmarks/article-extraction. Each day, some of them become
that day's happenings, each reported by one to eight made-up outlets: the paragraphs shuffled
(the lead kept first), sometimes one dropped, an outlet dateline added, the date moved to the
stream's day. A source text is used again only after all the others (at 2,400 articles in 4
days, about 440 happenings of 5.5 outlets on average, none is): a text used again is a copy of an earlier day's article, which the copy finder
links, and its happening reopened.

Each day is one batch: ingested through the real pipeline into one DuckDB file, then the
stories stage places the day's new articles (`redline.stories.update`, as `redline ingest`
does; the search index, updated after it with the documents that changed, is timed apart).
Per batch it prints wall and CPU seconds, and peak RSS, of each step. Then a full rebuild of
a copy of the database, and BCubed F1 between the incremental and the rebuilt clusters (and of both against
the stream's own happenings). Last, a projection to 250,000 articles a day for a week, from
the per-article CPU cost of the incremental batches.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "src"))

from redline.evaluate import bcubed  # noqa: E402
from redline.ingest import ingest  # noqa: E402
from redline.search import update_index  # noqa: E402
from redline.store import Store  # noqa: E402
from redline.stories import StoryArticle, cluster_articles, update  # noqa: E402

DAY = 250_000  # a GDELT day


def sources() -> list[str]:
    texts = [json.loads(line)["text"] for line in
             (SHARED / "corpora/wikinews/articles.jsonl").read_text(encoding="utf-8").splitlines()]
    truth = json.loads((SHARED / "benchmarks/article-extraction/ground-truth.json").read_text(encoding="utf-8"))
    return texts + [v["articleBody"] for v in truth.values()]


def variant(text: str, outlet: str, rng: random.Random) -> str:
    paras = [p.strip() for p in text.split("\n") if len(p.split()) >= 8]
    lead, rest = paras[:1], paras[1:]
    rng.shuffle(rest)
    if len(rest) > 3 and rng.random() < 0.5:
        del rest[rng.randrange(len(rest))]
    dateline = f"({outlet}) - " if lead else ""
    return "\n\n".join([dateline + lead[0]] + rest) if lead else text


def stream(n: int, days: int, seed: int = 7) -> list[list[dict]]:
    """`days` batches of about n/days records; each record carries its happening (for BCubed)."""
    rng = random.Random(seed)
    texts = sources()
    order = list(range(len(texts)))
    rng.shuffle(order)
    start = dt.date(2025, 3, 3)
    batches, used = [], 0
    for d in range(days):
        day = start + dt.timedelta(days=d)
        batch: list[dict] = []
        while len(batch) < n // days:
            base = order[used % len(order)]
            used += 1
            for k in range(min(1 + int(rng.expovariate(0.12)), 8)):  # about 5.5 outlets a happening
                outlet = f"Outlet {rng.randrange(60):02d}"
                published = day - dt.timedelta(days=1) if rng.random() < 0.15 and d else day
                batch.append({"id": f"d{d}-{len(batch):05d}", "outlet": outlet, "published": published.isoformat(),
                              "language": "en", "text": variant(texts[base], outlet, rng),
                              "happening": f"{base}@{d}"})
        batches.append(batch)
    return batches


def peak_reset() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # resets the peak RSS (VmHWM) of this process


def peak_mib() -> float:
    line = next(x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith("VmHWM"))
    return int(line.split()[1]) / 1024


def cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measured(step):
    peak_reset()
    wall, used = time.perf_counter(), cpu()
    result = step()
    return result, time.perf_counter() - wall, cpu() - used, peak_mib()


def partition(db: Path) -> tuple[dict[str, str], dict[str, str]]:
    with Store(db, read_only=True) as store:
        rows = store.con.execute("SELECT article_id, happening_id, story_id FROM article_stories").fetchall()
    return {a: h for a, h, _ in rows}, {a: s for a, _, s in rows}


def in_memory(batches: list[list[dict]]) -> None:
    """The same stream clustered in one pass in memory (no database, words only): CPU per
    article in each day, to tell the clusterer's own warm-up from the cost of resuming."""
    articles = sorted((StoryArticle(r["id"], dt.date.fromisoformat(r["published"]), r["outlet"], r["text"], None, [])
                       for b in batches for r in b), key=lambda a: (a.published, a.id))
    marks: list[float] = []  # after each article placed (the IDF pass before the first is left out)
    cluster_articles(lambda: articles, on_progress=lambda stage: marks.append(time.process_time()))
    done = 0
    for k, batch in enumerate(batches, 1):
        end = min(done + len(batch), len(marks)) - 1
        print(f"in memory, one pass: day {k}: {1000 * (marks[end] - marks[done]) / (end - done):.2f} CPU ms per article")
        done = end


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=2400, help="articles in the whole stream")
    parser.add_argument("--days", type=int, default=4, help="daily batches")
    parser.add_argument("--workers", type=int, default=1, help="parsing processes of the ingest")
    parser.add_argument("--no-parse", action="store_true",
                        help="store the articles without the English parse (language given as 'und'): ingest is "
                             "cleaning and storing only, and stories cluster on words, not lemmas and actors; for "
                             "larger streams on a busy machine")
    parser.add_argument("--in-memory", action="store_true",
                        help="only cluster the stream in one pass in memory (words only) and print each day's cost")
    args = parser.parse_args()
    batches = stream(args.articles, args.days)
    if args.in_memory:
        return in_memory(batches)
    gold = {r["id"]: r["happening"] for b in batches for r in b}
    print(f"{sum(map(len, batches))} articles in {len(batches)} daily batches, from {len(sources())} real texts; "
          f"{len(set(gold.values()))} happenings")
    # stories/ingest: the two CPU figures of one batch, measured under the same load; on a shared
    # machine CPU seconds for the same work vary by tens of percent, their ratio much less.
    print(f"{'batch':>5} {'articles':>8} | {'ingest s':>8} {'cpu s':>7} {'MiB':>6} | {'stories s':>9} {'cpu s':>7} "
          f"{'MiB':>6} {'placed':>6} | {'index s':>7} {'cpu s':>6} | {'stories/ingest cpu':>18}")
    stories_cpu, ingest_cpu = [], []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "day.duckdb"
        with Store(db) as store:
            for k, batch in enumerate(batches, 1):
                path = Path(tmp) / f"day{k}.jsonl"
                language = {"language": "und"} if args.no_parse else {}
                path.write_text("".join(json.dumps({c: v for c, v in r.items() if c != "happening"} | language) + "\n"
                                        for r in batch), encoding="utf-8")
                report, i_wall, i_cpu, i_mib = measured(lambda: ingest([path], store, workers=args.workers))
                summary, s_wall, s_cpu, s_mib = measured(lambda: update(store, index=False))
                _, x_wall, x_cpu, _ = measured(lambda: update_index(store.con))
                stories_cpu.append((s_cpu, summary.placed, summary.rebuilt))
                ingest_cpu.append((i_cpu, len(report.stored)))
                print(f"{k:5d} {len(batch):8d} | {i_wall:8.1f} {i_cpu:7.1f} {i_mib:6.0f} | {s_wall:9.2f} {s_cpu:7.2f} "
                      f"{s_mib:6.0f} {summary.placed:6d} | {x_wall:7.2f} {x_cpu:6.2f} | {s_cpu / i_cpu:18.3f}"
                      + ("  (first: from empty state)" if summary.rebuilt else ""))
        full = Path(tmp) / "full.duckdb"
        shutil.copy(db, full)
        with Store(full) as store:
            _, r_wall, r_cpu, r_mib = measured(lambda: update(store, rebuild=True, index=False))
        print(f"full rebuild of all {len(gold)} articles: {r_wall:.2f} s, {r_cpu:.2f} CPU s, {r_mib:.0f} MiB peak")
        inc, reb = partition(db), partition(full)
    for level, i in (("happenings", 0), ("running stories", 1)):
        between = bcubed(inc[i], reb[i])
        print(f"BCubed F1, incremental against full rebuild, {level}: {between['f1']:.4f} "
              f"(P {between['precision']:.4f}, R {between['recall']:.4f})")
    print(f"BCubed F1 against the stream's happenings: incremental {bcubed(inc[0], gold)['f1']:.4f}, "
          f"full rebuild {bcubed(reb[0], gold)['f1']:.4f}")
    first = stories_cpu[0][0] / stories_cpu[0][1]
    later = [c / n for c, n, _ in stories_cpu[1:] if n]
    for k, per in enumerate(later, 2):
        relative = (stories_cpu[k - 1][0] / ingest_cpu[k - 1][0]) / (stories_cpu[0][0] / ingest_cpu[0][0])
        print(f"stories CPU per article, batch {k} / batch 1: {per / first:.2f} (as a share of the batch's "
              f"ingest CPU: {relative:.2f})")
    if later:
        per = sum(later) / len(later)
        parse = sum(c for c, _ in ingest_cpu) / max(1, sum(n for _, n in ingest_cpu))
        print(f"projection, {DAY:,} articles a day, from the CPU seconds per article of batches 2..{len(stories_cpu)}: "
              f"ingest {parse * DAY / 3600:.1f} CPU h, stories {per * DAY / 3600:.2f} CPU h a day; over a week, "
              f"{7 * (parse + per) * DAY / 3600:.0f} CPU h, each day the same while batch k costs what batch 2 does")


if __name__ == "__main__":
    main()
