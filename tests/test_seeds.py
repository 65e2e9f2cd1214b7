"""The real scraped seed articles in ../shared (skipped where absent): no sentence is lost."""

import re

from redline.clean.text import split_lines
from redline.ingest import ingest
from redline import queries
from redline.store import Store


def test_seeds_keep_every_sentence(shared, tmp_path):
    seeds = shared / "seeds"
    with Store(tmp_path / "seeds.duckdb") as store:
        report = ingest([seeds], store, manifest=seeds / "manifest.csv")
        assert report.errors == [] and len(report.stored) == 5
        for article in store.query("SELECT id, source_path, text FROM articles"):
            raw = open(article["source_path"], encoding="utf-8").read()
            removed = queries.article(store.con, article["id"])["removed"]
            for line in split_lines(raw):
                # A line with a verb-like run of lower-case words and a sentence end is prose.
                prose = len(line.words) >= 8 and re.search(r"[.!?][\"'”’]*$", line.text)
                if prose:
                    assert line.text in article["text"], (article["id"], line.text)
            assert all(len(r["text"].split()) < 25 or r["reason"] in {"related-link", "server-error", "wire-credit", "comment-box"} for r in removed)


def test_seed_quotes_in_marks_have_speakers_named_in_the_article(shared, tmp_path):
    seeds = shared / "seeds"
    with Store(tmp_path / "seeds.duckdb") as store:
        ingest([seeds], store, manifest=seeds / "manifest.csv")
        direct = store.query(
            "SELECT q.text, q.speaker_name, a.text AS article FROM quotes q JOIN articles a ON a.id = q.article_id "
            "WHERE q.kind = 'direct'"
        )
    assert len(direct) >= 20
    for q in direct:
        assert q["speaker_name"], q["text"]
        assert q["speaker_name"].split()[-1] in q["article"], q
