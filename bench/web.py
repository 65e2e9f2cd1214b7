"""Web load benchmark: `redline serve` on a database of 100k articles, a real HTTP client on localhost.

    .venv/bin/python bench/web.py [--articles 100000] [--requests 2000] [--concurrency 8]

Builds a made-up database of the given size with every table the pages read (articles with
300-word texts, 10 mentions, 3 quotes, 3 events and 2 happenings each, stories, the search
index), starts `redline serve` in its own process, and sends the requests with httpx from
several concurrent clients over a mix of pages and API calls. Prints latency percentiles per
kind of page and overall; bar: 95th percentile under 200 ms, and no errors.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from bench.loadclient import load, pct, report, serving  # noqa: E402
from redline.search import rebuild_index  # noqa: E402
from redline.store import Store  # noqa: E402

COUNTRIES = ["USA", "CHN", "RUS", "UKR", "TUR", "IND", "BRA", "FRA", "DEU", "GBR", "JPN", "IRN", "ISR", "EGY", "NGA"]
TYPES = ["CONSULT", "AGREE", "ACCUSE", "THREATEN", "ASSAULT", "AID", "SANCTION", "REJECT"]


def build(path: Path, n: int) -> None:
    words = sorted({w.lower() for w in (ROOT / "README.md").read_text().split() if w.isalpha() and len(w) > 3})
    with Store(path) as store:
        con = store.con
        v = len(words)
        con.execute(f"""INSERT INTO articles (id, outlet, title, published, language, text, n_sentences, content_hash)
            SELECT 'a' || i, 'Outlet ' || (i % 40), 'Story about ' || vocab[(hash(i) % {v} + 1)::INT],
                   DATE '2022-01-01' + (i * 730 // {n})::INT, 'en',
                   array_to_string(list_transform(range(300), lambda x: vocab[(hash(i * 1000 + x) % {v} + 1)::INT]), ' '),
                   20, 'h' || i FROM range({n}) r(i), (SELECT ?::VARCHAR[] AS vocab)""", [words])
        con.execute("""INSERT INTO actors SELECT 'actor:' || i, 'Actor Number ' || i, 'person', 'USA', 'GOV', NULL
                       FROM range(500) r(i)""")
        con.execute(f"""INSERT INTO mentions SELECT 'a' || (i // 10), (i % 10) * 100, (i % 10) * 100 + 8, 'Actor',
                        'actor:' || (hash(i) % 500), 'USA', 'GOV', NULL, 'dictionary' FROM range({n * 10}) r(i)""")
        con.execute(f"""INSERT INTO quotes (id, article_id, speaker_name, speaker_country, text, kind, start_char, end_char, speaker_id)
                        SELECT 'a' || (i // 3) || ':q' || (i % 3), 'a' || (i // 3), 'Actor Number ' || (hash(i) % 500), 'USA',
                               'We will talk about it', 'direct', (i % 3) * 300, (i % 3) * 300 + 20, 'actor:' || (hash(i) % 500)
                        FROM range({n * 3}) r(i)""")
        con.execute(f"""INSERT INTO events (id, article_id, event_type, source, target, date, date_precision, negated, modality,
                            evidence, trigger, start_char, end_char, trigger_start, trigger_end, quad_class, intensity)
                        SELECT 'a' || (i // 3) || ':e' || (i % 3), 'a' || (i // 3), ?[(hash(i) % 8 + 1)::INT],
                               [{{'name': c1, 'country': c1, 'sector': NULL}}], [{{'name': c2, 'country': c2, 'sector': NULL}}],
                               DATE '2022-01-01' + ((i // 3) * 730 // {n})::INT, 'day', false, 'asserted',
                               'A sentence of evidence.', 'met', (i % 3) * 400, (i % 3) * 400 + 60, (i % 3) * 400 + 2,
                               (i % 3) * 400 + 5, 'verbal-cooperation', 2.0
                        FROM (SELECT i, ?[(hash(i * 7) % 15 + 1)::INT] AS c1, ?[(hash(i * 11) % 15 + 1)::INT] AS c2
                              FROM range({n * 3}) r(i))""", [TYPES, COUNTRIES, COUNTRIES])
        con.execute(f"""INSERT INTO stories (id, level, story_id, label, first_date, last_date, articles, sources, outlets)
                        SELECT 's-' || i, 'story', NULL, 'Running story ' || i, DATE '2022-01-01' + (i * 50 * 730 // {n})::INT,
                               DATE '2022-01-01' + ((i + 1) * 50 * 730 // {n})::INT, 50, 40, ['Outlet 1']
                        FROM range({n // 50}) r(i)""")
        con.execute(f"""INSERT INTO article_stories SELECT 'a' || i, 'h-' || (i // 5), 's-' || (i // 50), 0.5 FROM range({n}) r(i)""")
        con.execute("""INSERT INTO happenings (id, happening_id, story_id, event_type, source, target, date, date_precision, modality,
                            negated, disputed, quad_class, intensity, sources, outlets, articles, mentions, first_reported,
                            first_article, evidence)
                        SELECT 'e-' || i, 'h-' || (i // 10), 's-' || (i // 100), e.event_type, e.source, e.target, e.date, 'day',
                               'asserted', false, false, e.quad_class, e.intensity, 1, ['Outlet 1'], 1, 1, e.date, e.article_id,
                               [{'event_id': e.id, 'article_id': e.article_id, 'outlet': 'Outlet 1', 'published': e.date,
                                  'sentence': e.evidence, 'negated': false, 'modality': 'asserted', 'attributed_to': NULL}]
                        FROM (SELECT row_number() OVER () - 1 AS i, * FROM events WHERE id LIKE '%:e0' OR id LIKE '%:e1') e""")
        con.execute("INSERT INTO happening_events SELECT 'e-' || (row_number() OVER () - 1), id FROM events "
                    "WHERE id LIKE '%:e0' OR id LIKE '%:e1'")
        rebuild_index(con)
        con.execute("CHECKPOINT")


def urls(n: int, rng: random.Random) -> list[tuple[str, str]]:
    a, s = f"a{rng.randrange(n)}", f"s-{rng.randrange(n // 50)}"
    word = rng.choice(["story", "talk", "outlet", "command", "database", "evidence", "grain", "redline"])
    return [("home", "/"), ("search page", f"/search?q={word}"), ("article page", f"/articles/{a}"),
            ("story page", f"/stories/{s}"), ("actor page", f"/actors/actor:{rng.randrange(500)}"),
            ("dyad page", f"/dyads/{rng.choice(COUNTRIES)}/{rng.choice(COUNTRIES)}"),
            ("api articles", f"/api/articles?limit=50&offset={rng.randrange(n - 50)}"),
            ("api article", f"/api/articles/{a}"), ("api search", f"/api/search?q={word}+{rng.choice(['talk', 'data'])}"),
            ("api happenings", f"/api/happenings?story={s}"), ("api story chart", f"/api/stories/{s}/chart")]


def jobs(n: int, total: int) -> list[tuple[str, str]]:
    rng = random.Random(1)
    return [u for _ in range(total // 11 + 1) for u in urls(n, rng)][:total]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "web.duckdb"
        start = time.perf_counter()
        build(db, args.articles)
        print(f"built a database of {args.articles} articles in {time.perf_counter() - start:.0f} s "
              f"({db.stat().st_size / 2**20:.0f} MiB)")
        with serving(db) as base:
            load(base, jobs(args.articles, 50), 2)  # warm up
            for concurrency in args.concurrency:
                result = load(base, jobs(args.articles, args.requests), concurrency)
                report(result, concurrency)
                every = result.every
                print(f"95th percentile {pct(every, .95):.0f} ms (bar: < 200 ms); mean {statistics.mean(every) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
