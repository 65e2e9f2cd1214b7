"""Properties that must hold for any input (hypothesis): no exceptions, offsets inside the text,
cleaning that is idempotent, dates that stay near the publication date.

The fuzz targets at the end feed arbitrary bytes and generated HTML through the whole read ->
decode -> clean/extract path; they run longer under `make check-reliability`.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redline.clean import clean_text
from redline.clean.html import extract_html
from redline.config import Settings
from redline.errors import InputError
from redline.events.dates import resolve
from redline.ingest.readers import read_file
from redline.nlp import doc_sentences, load_pipeline, make_docs

# Longer under `make check-reliability` (REDLINE_FUZZ_EXAMPLES), short in the everyday run.
FUZZ_EXAMPLES = int(os.environ.get("REDLINE_FUZZ_EXAMPLES", "60"))
QUICK = settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ = settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

WORDS = ["Russia", "China", "Ukraine", "said", "met", "accused", "Putin", "Xi", "Biden", "on", "Monday",
         "last", "week", "the", "minister", "of", "in", "Moscow", "not", "will", "if", "aid", "talks",
         "“", "”", '"', ",", ".", "\n", "\n\n", "—", "(Reuters)", "WASHINGTON", "–", "'s", "\u200b", "\x07"]
newsy = st.lists(st.sampled_from(WORDS), max_size=80).map(" ".join)
any_text = st.one_of(newsy, st.text(max_size=400), st.lists(st.one_of(newsy, st.text(max_size=30)), max_size=6)
                     .map("\n".join))
dates = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2090, 12, 31))


@pytest.fixture(scope="module")
def nlp():
    s = Settings()
    return load_pipeline(s.spacy_model)


@QUICK
@given(any_text)
def test_cleaning_never_fails_and_is_idempotent(raw):
    once = clean_text(raw)
    assert clean_text(once.text).text == once.text, repr(raw)
    assert not any(c in once.text for c in "\x00\x07\x1b\u200b\ufeff")


@QUICK
@given(any_text, dates)
def test_offsets_always_point_into_the_text(nlp, raw, published):
    text = clean_text(raw).text
    doc = next(nlp.pipe(make_docs(nlp, [(text, published)])))
    for s in doc_sentences(doc):
        assert 0 <= s.start < s.end <= len(text) and text[s.start:s.end] == s.text
    for q in doc._.quotes:
        assert 0 <= q.start <= q.end <= len(text)
    for e in doc._.events:
        assert 0 <= e.start <= e.trigger_start < e.trigger_end <= len(text)
        assert text[e.start:e.end] == e.evidence
    for m in doc._.actor_mentions:
        assert 0 <= m.start < m.end <= len(text)


phrases = st.one_of(
    st.lists(st.sampled_from(["on", "last", "next", "this", "Monday", "Tuesday", "evening", "yesterday",
                              "Friday", "February", "24", "2023", "year", "spring", "in", "recent", "days",
                              "ago", "three", "weeks", "early", "late", "March", "of", "the", "31", "29"]),
             min_size=1, max_size=5).map(" ".join),
    st.text(max_size=40),
)


@QUICK
@given(phrases, dates, st.booleans())
def test_dates_resolve_near_the_publication_date_or_not_at_all(phrase, published, future):
    found = resolve(phrase, published, future=future)
    if found is not None:
        assert found.precision in ("day", "month", "year", "unknown")
        assert abs((found.date - published).days) <= 366 * 120


# -- fuzz targets: the read -> decode -> clean path on arbitrary bytes and HTML ------------------
tags = st.sampled_from(["p", "div", "article", "script", "style", "span", "h1", "li", "table", "td", "a", "br", "nav"])
html_trees = st.recursive(
    st.one_of(newsy, st.text(max_size=20)),
    lambda inner: st.tuples(tags, st.lists(inner, max_size=4), st.booleans()).map(
        lambda t: f"<{t[0]}>{''.join(t[1])}" + (f"</{t[0]}>" if t[2] else "")),  # closed or left open
    max_leaves=30,
)


def read_all(path, tally) -> list:
    """Everything read from one file, cleaned the way ingest cleans it; InputError is a clean refusal."""
    tally["inputs tried"] += 1
    try:
        return _read_all(path)
    except Exception:
        tally["crashes"] += 1
        raise


def _read_all(path) -> list:
    out = []
    for item in read_file(path, Settings(max_file_bytes=2_000_000)):
        if isinstance(item, InputError):
            assert "\n" not in str(item) and str(path) in str(item)
            continue
        out.append(extract_html(item.content) if item.is_html else clean_text(item.content))
    return out


@pytest.mark.reliability
@FUZZ
@given(st.binary(max_size=3000), st.sampled_from(["x.txt", "x.html", "x.jsonl", "x.html.gz"]))
def test_fuzz_arbitrary_bytes_never_crash_the_readers(tmp_path, tally, data, name):
    path = tmp_path / name
    path.write_bytes(data)
    read_all(path, tally)


@pytest.mark.reliability
@FUZZ
@given(st.lists(html_trees, max_size=6).map("".join), st.sampled_from(["<html><body>", "", "<!DOCTYPE html><html>"]))
def test_fuzz_generated_html_never_crashes_extraction(tmp_path, tally, body, opening):
    path = tmp_path / "page.html"
    path.write_text(opening + body, encoding="utf-8", errors="surrogatepass")
    for page in read_all(path, tally):
        if page is not None:  # None: no article in the page, which ingest reports as an error
            assert page.clean.text.strip() and not any(c in page.clean.text for c in "\x00\x07\x1b")
