"""The extraction benchmark's scorer, and Redline against plain trafilatura on the real pages."""

import pytest

from bench.extraction import page_counts, run, score


def test_scorer_follows_the_benchmark_metric():
    truth = "one two three four five six"
    assert page_counts(truth, truth) == (1.0, 0.0, 0.0)
    assert page_counts("", "") == (0.0, 0.0, 0.0)
    tp, fp, fn = page_counts("one two three four five six seven", truth)  # 4 shingles vs 3
    assert (tp, fp, fn) == pytest.approx((3 / 4, 1 / 4, 0.0))
    # Each page weighs the same, whatever its length.
    result = score([(truth, truth), ("", truth)])
    assert result["precision"] == pytest.approx(1.0) and result["recall"] == pytest.approx(0.5)


def test_redline_html_path_is_not_below_trafilatura(shared):
    results = run(shared / "benchmarks" / "article-extraction")
    ours, theirs = results["redline"], results["trafilatura.extract (default)"]
    assert ours["pages"] == 181
    assert ours["f1"] >= theirs["f1"]
