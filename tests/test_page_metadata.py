"""The outlet and the publication date read from an HTML page when no manifest gives them,
with `outlet_source` and `published_source` saying where each came from."""

from __future__ import annotations

import datetime as dt
import json
import shutil

from redline.store import Store
from tests.conftest import EXAMPLES

BODY = """
<p>Foreign ministers of the two countries met in Vienna on Tuesday to discuss the stalled talks on
the border crossings, their first meeting in more than a year.</p>
<p>The talks ended without an agreement, officials said, but both sides promised to meet again
before the end of the month to settle the remaining questions.</p>
<p>Diplomats described the atmosphere as businesslike and said the ministers had spent most of the
afternoon on the question of customs inspections at the crossings.</p>
"""


def page(head: str, title: str = "Ministers meet in Vienna") -> str:
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>{head}</head>"
            f"<body><article><h1>{title}</h1>{BODY}</article></body></html>")


OPEN_GRAPH = page("""
<meta property="og:site_name" content="The Vienna Courier">
<meta property="article:published_time" content="2023-05-09T08:15:00+00:00">""")
JSON_LD = page("""
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "Ministers meet in Vienna", "datePublished": "2023-05-10",
 "publisher": {"@type": "Organization", "name": "Danube Daily"}}</script>""")
# No site name and no date in the metadata: both stay unknown, though the text holds a date.
NOTHING = page("").replace("<article>", "<article><p>Updated 4 March 2021, 10:32 GMT</p>")


def stored(db) -> dict[str, dict]:
    with Store(db, read_only=True) as store:
        return {r["id"]: r for r in store.query("SELECT * FROM articles")}


def test_outlet_and_date_come_from_the_page(run_cli, tmp_path, db):
    corpus = tmp_path / "pages"
    corpus.mkdir()
    for name, html in (("og", OPEN_GRAPH), ("jsonld", JSON_LD), ("bare", NOTHING)):
        (corpus / f"{name}.html").write_text(html, encoding="utf-8")
    result = run_cli("ingest", corpus, "--db", db, "--quiet")
    assert result.exit_code == 0, result.output
    arts = stored(db)
    assert (arts["og"]["outlet"], arts["og"]["outlet_source"]) == ("The Vienna Courier", "page")
    assert (arts["og"]["published"], arts["og"]["published_source"]) == (dt.date(2023, 5, 9), "page")
    assert (arts["jsonld"]["outlet"], arts["jsonld"]["outlet_source"]) == ("Danube Daily", "page")
    assert (arts["jsonld"]["published"], arts["jsonld"]["published_source"]) == (dt.date(2023, 5, 10), "page")
    # Never the crawl time, the file's time or today: unknown stays unknown.
    bare = arts["bare"]
    assert (bare["outlet"], bare["outlet_source"], bare["published"], bare["published_source"]) == (None,) * 4

    summary = run_cli("summary", "--db", db)
    assert "from 2 outlets" in summary.output, summary.output

    out = tmp_path / "articles.jsonl"
    assert run_cli("export", "articles", "--format", "jsonl", "-o", out, "--db", db).exit_code == 0
    exported = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert {k: exported["og"][k] for k in ("outlet", "outlet_source", "published", "published_source")} == {
        "outlet": "The Vienna Courier", "outlet_source": "page", "published": "2023-05-09", "published_source": "page"}
    assert exported["bare"]["outlet_source"] is None and exported["bare"]["published_source"] is None


def test_the_manifest_wins_over_the_page(run_cli, tmp_path, db):
    (tmp_path / "og.html").write_text(OPEN_GRAPH, encoding="utf-8")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("id,file,outlet,published\nog,og.html,Wire Desk,2023-05-08\n", encoding="utf-8")
    result = run_cli("ingest", tmp_path / "og.html", "--manifest", manifest, "--db", db, "--quiet")
    assert result.exit_code == 0, result.output
    art = stored(db)["og"]
    assert (art["outlet"], art["outlet_source"]) == ("Wire Desk", "manifest")
    assert (art["published"], art["published_source"]) == (dt.date(2023, 5, 8), "manifest")


def test_record_fields_are_sourced_as_record(example_db):
    arts = stored(example_db)
    assert {a["outlet_source"] for a in arts.values()} == {"manifest", "record"}
    assert all(a["outlet"] for a in arts.values())


def test_real_pages_without_a_manifest_get_an_outlet_and_a_date(run_cli, shared, tmp_path, db):
    pages = shared / "benchmarks" / "article-extraction" / "html"
    corpus = tmp_path / "pages"
    corpus.mkdir()
    # a Wall Street Journal page (og:site_name and a date), one with no date in its metadata
    for prefix in ("042bb7b5", "57b4dafd"):
        (src,) = pages.glob(f"{prefix}*.html.gz")
        shutil.copy(src, corpus / src.name)
    result = run_cli("ingest", corpus, "--db", db, "--quiet")
    assert result.exit_code == 0, result.output
    arts = {a["id"][:8]: a for a in stored(db).values()}
    wsj = arts["042bb7b5"]
    assert (wsj["outlet"], wsj["outlet_source"]) == ("Wall Street Journal", "page")
    assert (wsj["published"], wsj["published_source"]) == (dt.date(2019, 11, 19), "page")
    undated = arts["57b4dafd"]
    assert undated["outlet_source"] == "page" and undated["published"] is None and undated["published_source"] is None
    summary = run_cli("summary", "--db", db).output
    assert "from 2 outlets" in summary, summary


def test_examples_manifest_still_names_every_outlet(run_cli, tmp_path, db):
    """The example HTML pages carry og:site_name: with no manifest, the page names the outlet."""
    corpus = tmp_path / "html"
    shutil.copytree(EXAMPLES / "corpus" / "html", corpus)
    assert run_cli("ingest", corpus, "--db", db, "--quiet").exit_code == 0
    arts = stored(db)
    assert all(a["outlet_source"] == "page" and a["published_source"] == "page" for a in arts.values())
    assert {a["outlet"] for a in arts.values()} >= {"Northgate Post", "Eastern Ledger"}
