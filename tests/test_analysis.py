"""Analysis: dyad series and shifts, watch rules (alerts apart from near-misses), outlet comparison."""

import datetime as dt
import http.server
import json
import random
import threading

import pandas as pd
import pytest

from redline.analysis import dyad_series, dyad_shifts, dyad_totals, outlet_summary, outlet_terms, outlet_tone, watch
from redline.analysis.watch import load_rules
from redline.store import HAPPENING_COLUMNS, Store

START = dt.date(2024, 1, 1)  # a Monday


def _happening(n, day, kind, source, target, intensity, *, modality="asserted", negated=False, sources=1,
               mode=None):
    actor = lambda c: [{"name": c, "country": c, "sector": None}] if c else []  # noqa: E731
    sentence = f"Made-up sentence {n}: {source} and {target}, {kind}."
    return {
        "id": f"e-{n:05d}", "happening_id": "h-x", "story_id": "s-x", "event_type": kind, "mode": mode,
        "source": actor(source), "target": actor(target), "date": day, "date_precision": "day",
        "date_text": "made up", "location": None, "modality": modality, "negated": negated, "disputed": False,
        "quad_class": "material-conflict" if intensity < 0 else "verbal-cooperation", "intensity": intensity,
        "confidence": 0.9, "sources": sources, "outlets": [f"Outlet {i}" for i in range(sources)], "articles": sources,
        "mentions": sources, "first_reported": day, "first_article": f"a{n}",
        "evidence": [{"event_id": f"x{n}", "article_id": f"a{n}", "outlet": "Outlet 0", "published": day,
                      "sentence": sentence, "negated": negated, "modality": modality, "attributed_to": None}],
    }


def _db(tmp_path, rows):
    path = tmp_path / "made.duckdb"
    with Store(path) as store:
        store._append_rows(store.con, "happenings", [{c: r[c] for c in HAPPENING_COLUMNS} for r in rows])
    return path


def _steady_then_burst(burst_week=None, weeks=30, seed=3):
    """Two or three friendly USA-CHN contacts a week; in `burst_week`, a dozen hostile acts."""
    rng, rows, n = random.Random(seed), [], 0
    for week in range(weeks):
        for _ in range(rng.choice([2, 3])):
            n += 1
            rows.append(_happening(n, START + dt.timedelta(weeks=week, days=rng.randrange(5)), "CONSULT", "USA", "CHN", 2.0))
        if week == burst_week:
            for _ in range(12):
                n += 1
                rows.append(_happening(n, START + dt.timedelta(weeks=week, days=2), "COERCE", "CHN", "USA", -8.0))
    return rows


def test_a_burst_is_a_shift_with_its_happenings_as_evidence(tmp_path):
    db = _db(tmp_path, _steady_then_burst(burst_week=20))
    shifts = dyad_shifts(db, "USA", "CHN", by="week")
    burst = START + dt.timedelta(weeks=20)
    assert set(shifts["period"]) == {burst}
    assert set(shifts["measure"]) == {"events", "mean_intensity"}
    evidence = shifts.iloc[0]["evidence"]
    assert sum(e["event_type"] == "COERCE" for e in evidence) == 12
    assert all(e["sentence"].startswith("Made-up sentence") for e in evidence)


def test_a_steady_dyad_has_no_shift_and_quiet_weeks_count_zero(tmp_path):
    rows = _steady_then_burst(burst_week=None)
    rows = [r for r in rows if not START + dt.timedelta(weeks=10) <= r["date"] < START + dt.timedelta(weeks=11)]
    db = _db(tmp_path, rows)
    assert dyad_shifts(db, "USA", "CHN").empty
    totals = dyad_totals(db, "USA", "CHN", by="week")
    assert len(totals) == 30 and totals.iloc[10]["events"] == 0


def test_quiet_periods_are_zero_rows_and_a_short_dyad_has_no_shifts(tmp_path, run_cli):
    rows = [_happening(1, START, "CONSULT", "USA", "CHN", 2.0),
            _happening(2, START + dt.timedelta(weeks=3), "CONSULT", "USA", "CHN", 2.0),
            _happening(3, START + dt.timedelta(weeks=5), "COERCE", "CHN", "USA", -8.0)]
    db = _db(tmp_path, rows)
    series = dyad_series(db, "USA", "CHN", by="week")
    weekly = series.groupby("period")["events"].sum()
    assert list(weekly) == [1, 0, 0, 1, 0, 1]  # every week of the dyad's range, quiet ones as 0
    quiet = series[series["events"] == 0]
    assert quiet["direction"].isna().all() and (quiet["total_intensity"] == 0).all()
    assert dyad_totals(db, "USA", "CHN", by="week")["events"].tolist() == [1, 0, 0, 1, 0, 1]
    # Six weeks leave no period with a baseline of 8 before it: no shifts, and the CLI says why.
    assert dyad_shifts(db, "USA", "CHN", by="week").empty
    result = run_cli("dyad", "USA", "CHN", "--db", db)
    assert result.exit_code == 0 and "2024-01-08  0" in result.output
    assert "no shifts: 6 weeks, and a period is judged against at least 8 before it" in result.output
    with pytest.raises(ValueError, match="a baseline needs at least 8 periods"):
        dyad_shifts(db, "USA", "CHN", window=4)
    assert run_cli("dyad", "USA", "CHN", "--window", "4", "--db", db).exit_code == 2


def test_series_counts_asserted_unless_asked_and_never_negated(tmp_path):
    day = START + dt.timedelta(days=2)
    db = _db(tmp_path, [
        _happening(1, day, "AID", "CHN", "RUS", 7.0),
        _happening(2, day, "AID", "CHN", "RUS", 7.0, modality="alleged"),
        _happening(3, day, "AID", "CHN", "RUS", 7.0, negated=True),
        _happening(4, day, "CONSULT", "RUS", "CHN", 2.0),
    ])
    series = dyad_series(db, "CHN", "RUS", by="month")
    assert series["events"].sum() == 2
    assert set(series["direction"]) == {"A->B", "B->A"}
    assert dyad_series(db, "CHN", "RUS", include=["alleged"])["events"].sum() == 3
    with pytest.raises(ValueError, match="unknown modality"):
        dyad_series(db, "CHN", "RUS", include=["rumoured"])
    with pytest.raises(ValueError, match="unknown period"):
        dyad_series(db, "CHN", "RUS", by="fortnight")


def test_example_corpus_dyad(example_db, run_cli, tmp_path):
    happenings = dyad_series(example_db, "RUS", "UKR", by="month")
    mentions = dyad_series(example_db, "RUS", "UKR", by="month", unit="mention")
    assert not happenings.empty and not mentions.empty
    assert set(happenings.columns) == set(mentions.columns)
    out = tmp_path / "dyad.csv"
    result = run_cli("dyad", "RUS", "UKR", "--by", "month", "-o", out, "--db", example_db)
    assert result.exit_code == 0 and "RUS->UKR" in result.output and "shift(s)" in result.output
    assert len(pd.read_csv(out)) == len(happenings)


RULES = """
rules:
  - name: China arms Russia
    type: AID
    source: CHN
    target: RUS
    min_sources: 2
  - name: Hostile fortnight
    source: CHN
    target: USA
    intensity_below: -5
    weeks: 2
"""


def test_only_firm_well_sourced_happenings_are_alerts(tmp_path):
    day = START + dt.timedelta(days=2)
    rows = [
        _happening(1, day, "AID", "CHN", "RUS", 7.0, sources=2, mode="military"),
        _happening(2, day, "AID", "CHN", "RUS", 7.0, sources=1),
        _happening(3, day, "AID", "CHN", "RUS", 7.0, modality="hypothetical", sources=3),
        _happening(4, day, "AID", "CHN", "RUS", 7.0, negated=True, sources=3),
        _happening(5, day, "AID", "CHN", "UKR", 7.0, sources=3),  # another target: not even a near-miss
        # hostile: two weeks running, then a single week later on
        _happening(6, START + dt.timedelta(weeks=3), "COERCE", "CHN", "USA", -8.0),
        _happening(7, START + dt.timedelta(weeks=4), "COERCE", "CHN", "USA", -7.0),
        _happening(8, START + dt.timedelta(weeks=9), "COERCE", "CHN", "USA", -7.0),
    ]
    db = _db(tmp_path, rows)
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(RULES)
    found = watch(db, rules_file)
    aid = [r for r in found if r["rule"] == "China arms Russia"]
    assert [(r["happening_id"], r["status"]) for r in aid] == [
        ("e-00001", "alert"), ("e-00002", "near-miss"), ("e-00003", "near-miss"), ("e-00004", "near-miss")]
    assert [r["reason"] for r in aid[1:]] == ["1 source of 2 needed", "hypothetical", "negated"]
    hostile = [r for r in found if r["rule"] == "Hostile fortnight"]
    assert [(r["status"], r["date"]) for r in hostile] == [
        ("alert", START + dt.timedelta(weeks=3)), ("near-miss", START + dt.timedelta(weeks=9))]


@pytest.mark.parametrize("text, message", [
    ("rules:\n  - name: x\n    typ: AID\n", "rules.yaml:3: unknown key 'typ' (did you mean 'type'?)"),
    ("rules:\n  - name: x\n    type: AID\n    modality: [rumoured]\n", "rules.yaml:4: unknown modality 'rumoured'"),
    ("rules:\n  - name: x\n    between: [USA]\n", "rules.yaml:3: between: expected a list of 2, got 1"),
    ("rules:\n  - name: everything\n", "matches everything"),
    ("just text", "rules.yaml:1: expected watch rules (a list of rules, or `rules:` holding one), got 'just text'"),
    ("[]", "expected a list of rules"),
])
def test_bad_rules_are_one_line_errors(tmp_path, run_cli, example_db, text, message):
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    with pytest.raises(ValueError) as raised:
        load_rules(path)
    assert message in str(raised.value)
    result = run_cli("watch", path, "--db", example_db)
    assert result.exit_code == 2 and str(path) in result.output and len(result.output.strip().splitlines()) == 1


def test_seed_watch_for_chinese_weapons_raises_no_alert_and_lists_near_misses(shared, tmp_path, run_cli):
    db = tmp_path / "seeds.duckdb"
    run_cli("ingest", shared / "seeds", "--manifest", shared / "seeds" / "manifest.csv", "--db", db, "--quiet")
    rules = tmp_path / "rules.yaml"
    rules.write_text("- name: China supplies Russia with weapons\n  type: AID\n  source: CHN\n  target: RUS\n")
    found = watch(db, rules)
    assert found and all(r["status"] == "near-miss" for r in found)
    statuses = {("negated" if e["negated"] else e["modality"]) for r in found for e in r["evidence"]}
    assert "negated" in statuses and statuses & {"hypothetical", "alleged"}
    result = run_cli("watch", rules, "--db", db)
    assert "0 alert(s)" in result.output and "NEAR-MISS" in result.output and "“" in result.output


class _Hook(http.server.BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 - the standard library's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_alerts_go_to_a_webhook_and_jsonl_once(tmp_path, run_cli):
    day = START + dt.timedelta(days=2)
    db = _db(tmp_path, [_happening(1, day, "AID", "CHN", "RUS", 7.0, sources=2),
                        _happening(2, day, "AID", "CHN", "RUS", 7.0, modality="alleged", sources=2)])
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    server = http.server.HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        args = ("watch", rules, "--webhook", url, "--state", tmp_path / "state.json", "--jsonl", tmp_path / "a.jsonl",
                "--db", db)
        first = run_cli(*args)
        assert first.exit_code == 0 and "NEW ALERT" in first.output
        assert [r["happening_id"] for r in _Hook.received] == ["e-00001"]  # near-misses are not posted
        second = run_cli(*args)
        assert second.exit_code == 0 and len(_Hook.received) == 1  # nothing new, nothing sent
    finally:
        server.shutdown()
    lines = [json.loads(line) for line in (tmp_path / "a.jsonl").read_text().splitlines()]
    assert sorted(r["status"] for r in lines) == ["alert", "near-miss"]


def test_outlets_compare_wording_coverage_and_tone(example_db, run_cli):
    terms = outlet_terms(example_db)
    differing = terms[terms["differs"]]
    assert not differing.empty
    for _, group in differing.groupby("happening_id"):
        assert group["outlet"].nunique() >= 2 and group["phrase"].nunique() >= 2
    summary = outlet_summary(example_db)
    assert (summary["covered"] >= 1).all() and ((summary["share"] > 0) & (summary["share"] <= 1)).all()
    tone = outlet_tone(example_db)
    assert {"outlet", "country", "source_intensity", "target_intensity", "quotes"} <= set(tone.columns)
    assert tone["quotes"].sum() > 0
    result = run_cli("outlets", "--db", example_db)
    assert result.exit_code == 0 and "Words for the same happening" in result.output
