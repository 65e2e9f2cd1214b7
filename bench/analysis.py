"""Analysis benchmark: dyad series, shifts and watch rules over a million stored happenings.

    .venv/bin/python bench/analysis.py [--rows 1000000]

Builds a DuckDB file with made-up happenings (30 countries, the 16 PLOVER types, three years,
a tenth alleged or hypothetical, a twentieth negated), then times each analysis as the CLI runs
it, opening the file fresh. Bar: the dyad series and all rules in under 2 seconds together.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from redline.analysis import dyad_series, dyad_shifts, watch  # noqa: E402
from redline.store import Store  # noqa: E402

COUNTRIES = ["USA", "CHN", "RUS", "UKR", "TUR", "IND", "BRA", "FRA", "DEU", "GBR", "JPN", "KOR", "PRK", "IRN", "ISR",
             "SAU", "EGY", "NGA", "ZAF", "MEX", "CAN", "AUS", "IDN", "PAK", "AFG", "SYR", "IRQ", "POL", "VNM", "TWN"]
TYPES = ["AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST", "ACCUSE", "REJECT",
         "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"]
RULES = """
- {name: China arms Russia, type: AID, source: CHN, target: RUS, min_sources: 2}
- {name: Any assault in Ukraine, type: ASSAULT, where: UKR}
- {name: New US-China talks, type: CONSULT, between: [USA, CHN], new_after_days: 30}
- {name: Sanctions on Iran, type: SANCTION, target: IRN, modality: [asserted, alleged]}
- {name: Russia hostile to Ukraine, source: RUS, target: UKR, intensity_below: -5, weeks: 2}
- {name: North Korea threatens, type: THREATEN, source: PRK}
"""


def build(path: Path, rows: int) -> None:
    with Store(path) as store:
        store.con.execute(f"""
            INSERT INTO happenings (id, happening_id, story_id, event_type, mode, source, target, date,
                date_precision, modality, negated, disputed, quad_class, intensity, confidence, sources, outlets,
                articles, mentions, first_reported, first_article, evidence)
            SELECT 'e-' || i, 'h-' || (i // 20), 's-' || (i // 500), t.type, NULL,
                   [{{'name': c1, 'country': c1, 'sector': NULL}}], [{{'name': c2, 'country': c2, 'sector': NULL}}],
                   DATE '2021-01-01' + (i * 1096 // {rows})::INTEGER, 'day',
                   CASE WHEN hash(i) % 20 = 0 THEN 'alleged' WHEN hash(i) % 20 = 1 THEN 'hypothetical' ELSE 'asserted' END,
                   hash(i * 7) % 20 = 0, false, 'material-conflict', (hash(i * 3) % 200) / 10.0 - 10.0, 0.8,
                   1 + hash(i * 5) % 3, ['Outlet ' || hash(i) % 50], 1, 1,
                   DATE '2021-01-01' + (i * 1096 // {rows})::INTEGER, 'a' || i,
                   [{{'event_id': 'x' || i, 'article_id': 'a' || i, 'outlet': 'Outlet ' || hash(i) % 50,
                      'published': DATE '2021-01-01', 'sentence': 'A made-up evidence sentence number ' || i || '.',
                      'negated': false, 'modality': 'asserted', 'attributed_to': NULL}}]
            FROM (SELECT i, list_element(?, (hash(i * 11) % 30 + 1)::INTEGER) AS c1,
                         list_element(?, (hash(i * 13) % 30 + 1)::INTEGER) AS c2,
                         list_element(?, (hash(i * 17) % 16 + 1)::INTEGER) AS type FROM range({rows}) r(i)) t""",
            [COUNTRIES, COUNTRIES, TYPES])
        store.con.execute("CHECKPOINT")


def timed(label: str, fn) -> float:
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    size = len(result)
    print(f"{label:46} {seconds:7.3f} s  ({size} rows)")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "million.duckdb"
        start = time.perf_counter()
        build(db, args.rows)
        print(f"built {args.rows} happenings in {time.perf_counter() - start:.1f} s")
        rules = Path(tmp) / "rules.yaml"
        rules.write_text(RULES)
        with Store(db, read_only=True) as store:
            series = timed("dyad series RUS UKR by week", lambda: dyad_series(store, "RUS", "UKR", by="week"))
            timed("dyad shifts RUS UKR by week", lambda: dyad_shifts(store, "RUS", "UKR", by="week"))
            rules_time = timed("6 watch rules (alerts and near-misses)", lambda: watch(store, rules))
        print(f"dyad series + all rules: {series + rules_time:.2f} s (bar: < 2 s)")


if __name__ == "__main__":
    main()
