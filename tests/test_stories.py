"""Stories: copies and rewrites, streaming clusters, merged happenings, timeline and exports."""

import datetime as dt
import itertools
import json
from pathlib import Path

import pytest
import yaml

from redline.evaluate import bcubed, story_labels
from redline.store import Store
from redline.stories import cluster_articles, stored_articles
from redline.stories.clusters import StreamClusterer, StreamSettings
from redline.stories.copies import CopyFinder
from redline.stories.happenings import Mention, date_interval, happening_record, merge_events, parties
from redline.stories.variants import KINDS, false_links, make_variant, pairs_within, variants_found

ROOT = Path(__file__).resolve().parents[1]

LABELS = yaml.safe_load((ROOT / "bench" / "data" / "story-labels.yaml").read_text())


def _texts(db: Path) -> dict[str, str]:
    with Store(db, read_only=True) as store:
        return {r["id"]: r["text"] for r in store.query("SELECT id, text FROM articles WHERE language = 'en'")}


def _copy_rates(texts: dict[str, str], distinct_pairs: list[tuple[str, str]]) -> tuple[float, int]:
    """Recall on made-up variants of each text, and false links between different articles."""
    found = sum(variants_found(texts, kind, seed=len) for kind in KINDS)
    return found / (len(texts) * len(KINDS)), false_links(texts, distinct_pairs)


def test_variants_change_the_text_but_keep_its_names(example_db):
    text = _texts(example_db)["bsg-2022-11-02-northgate"]
    for kind in KINDS:
        variant = make_variant(text, kind, seed=1)
        assert variant != text
        assert "Akar" in variant or kind == "copy"
    with pytest.raises(ValueError):
        make_variant(text, "poem")


def test_copies_of_the_example_articles_are_found_and_different_articles_are_not_linked(example_db):
    texts = _texts(example_db)
    rewrite_pair = {"bsg-2023-07-17-meridian", "bsg-2023-07-17-harbour"}  # written as a rewrite
    pairs = [p for p in itertools.combinations(sorted(texts), 2) if set(p) != rewrite_pair]
    recall, false_links = _copy_rates(texts, pairs)
    assert recall >= 0.95
    assert false_links == 0, "different articles of one running story were linked as copies"


def test_copies_of_real_articles_against_same_topic_articles(shared):
    truth = json.loads((shared / "benchmarks/article-extraction/ground-truth.json").read_text())
    texts = {k: v["articleBody"] for k, v in truth.items() if len(v["articleBody"].split()) >= 50}
    _, story = story_labels(LABELS["article-extraction"], sorted(truth))
    pairs = pairs_within(story, texts)
    assert len(pairs) >= 50
    recall, false_links = _copy_rates(texts, pairs)
    assert recall >= 0.95
    assert false_links / len(pairs) <= 0.01


def test_copy_lineage_points_at_the_earliest_article_and_old_articles_leave_the_index(example_db):
    text = _texts(example_db)["bsg-2022-07-22-meridian"]
    finder = CopyFinder(window_days=30)
    day = dt.date(2024, 1, 1)
    assert finder.add("original", text, day) is None
    first = finder.add("copy-1", make_variant(text, "copy", 1), day + dt.timedelta(days=1))
    second = finder.add("copy-2", make_variant(text, "rewrite", 2), day + dt.timedelta(days=2))
    assert first.relation == "copy" and first.duplicate_of == "original"
    assert second.derived_from == "original"
    # Two months on, the same text is a new article, not a copy of a story long gone.
    assert finder.add("much-later", text, day + dt.timedelta(days=60)) is None


def test_stream_clusterer_joins_close_items_and_closes_old_stories():
    settings = StreamSettings(threshold=0.5, window_days=5, decay_days=3.0, weights={"terms": 1.0})
    clusterer = StreamClusterer(settings)
    grain = {"terms": {"grain": 0.8, "corridor": 0.6}}
    vote = {"terms": {"election": 0.8, "ballot": 0.6}}
    a, _ = clusterer.add("a", 100, grain)
    b, _ = clusterer.add("b", 101, grain)
    c, _ = clusterer.add("c", 101, vote)
    d, _ = clusterer.add("d", 120, grain)  # the grain story closed after five quiet days
    assert a == b and c != a and d not in (a, c)
    assert clusterer.clusters[a].members == ["a", "b"]


def _event(eid, article, kind, source, target, *, date="2022-03-14", precision="unknown", negated=False,
           modality="asserted", date_text=None):
    return {
        "id": eid, "article_id": article, "event_type": kind, "mode": None,
        "source": [{"name": c, "country": c, "sector": None} for c in source],
        "target": [{"name": c, "country": c, "sector": None} for c in target],
        "date": dt.date.fromisoformat(date), "date_precision": precision, "date_text": date_text,
        "location": None, "negated": negated, "modality": modality, "attributed_to": None,
        "evidence": f"sentence of {eid}", "quad_class": None, "intensity": None, "confidence": 0.8,
    }


def _mention(event, outlet, lineage=None, published="2022-03-14"):
    return Mention(event, dt.date.fromisoformat(published), outlet, lineage or event["article_id"],
                   date_interval(event), parties(event["source"]), parties(event["target"]))


def test_mentions_of_one_happening_merge_and_a_denial_disputes_it():
    mentions = [
        _mention(_event("a:e0", "a", "REQUEST", ["RUS"], ["CHN"], modality="alleged"), "Wire A"),
        _mention(_event("b:e0", "b", "REQUEST", ["RUS"], ["CHN"], modality="alleged"), "Paper B", published="2022-03-15"),
        _mention(_event("c:e0", "c", "REQUEST", ["RUS"], ["CHN"], negated=True), "Paper C"),
        _mention(_event("c2:e0", "c2", "REQUEST", ["RUS"], ["CHN"], modality="alleged"), "Paper C2", lineage="b"),
        _mention(_event("d:e0", "d", "REQUEST", ["UKR"], ["USA"]), "Paper D"),           # other parties
        _mention(_event("e:e0", "e", "REQUEST", ["RUS"], ["CHN"], date="2022-06-01"), "E"),  # months later
        _mention(_event("f:e0", "f", "REQUEST", ["RUS"], ["CHN"], date="2022-01-01", precision="year",
                        date_text="2022"), "F"),  # "in 2022": could be any request
    ]
    groups = sorted(merge_events(mentions), key=len, reverse=True)
    assert [len(g) for g in groups] == [4, 1, 1, 1]
    record = happening_record(groups[0])
    assert record["sources"] == 3          # b and its copy c2 count once
    assert record["articles"] == 4
    assert record["disputed"] and not record["negated"]
    assert record["modality"] == "alleged"
    assert record["first_reported"] == dt.date(2022, 3, 14)
    assert [e["article_id"] for e in record["evidence"]] == ["a", "c2", "c", "b"]  # lead, then as reported


def test_meetings_merge_whatever_the_direction():
    one = _mention(_event("a:e0", "a", "CONSULT", ["CHN"], ["RUS"], date="2023-03-20", precision="day",
                          date_text="Monday"), "A")
    two = _mention(_event("b:e0", "b", "CONSULT", ["RUS", "CHN"], [], date="2023-03-21"), "B")
    other = _mention(_event("c:e0", "c", "CONSULT", ["CHN", "USA"], [], date="2023-03-21"), "C")
    groups = sorted(merge_events([one, two, other]), key=len, reverse=True)
    assert [len(g) for g in groups] == [2, 1]
    assert happening_record(groups[0])["date_precision"] == "day"


def test_bcubed():
    gold = {"a": 1, "b": 1, "c": 2}
    assert bcubed({"a": "x", "b": "x", "c": "y"}, gold)["f1"] == 1.0
    lumped = bcubed({"a": "x", "b": "x", "c": "x"}, gold)
    assert lumped["recall"] == 1.0 and lumped["precision"] == pytest.approx((2 / 3 * 2 + 1 / 3) / 3, abs=1e-3)


def test_example_corpus_stories(example_db):
    with Store(example_db, read_only=True) as store:
        placed = {r["article_id"]: r for r in store.query("SELECT * FROM article_stories")}
        lineage = {r["article_id"]: r for r in store.query("SELECT * FROM lineage")}
    rewrite = lineage.get("bsg-2023-07-17-meridian") or lineage.get("bsg-2023-07-17-harbour")
    assert rewrite and rewrite["relation"] == "rewrite"
    assert len(lineage) == 1
    happening, story = story_labels(LABELS["examples"], list(placed))
    scores = {
        "happening": bcubed({a: p["happening_id"] for a, p in placed.items()}, happening),
        "story": bcubed({a: p["story_id"] for a, p in placed.items()}, story),
    }
    assert scores["happening"]["precision"] >= 0.9 and scores["happening"]["f1"] >= 0.8
    assert scores["story"]["f1"] >= 0.9


def test_seed_stories(shared, tmp_path, run_cli):
    db = tmp_path / "seeds.duckdb"
    result = run_cli("ingest", shared / "seeds", "--manifest", shared / "seeds" / "manifest.csv", "--db", db)
    assert result.exit_code == 0 and "stories:" in result.output
    with Store(db, read_only=True) as store:
        placed = {r["article_id"]: r for r in store.query("SELECT * FROM article_stories")}
    happening, story = story_labels(LABELS["seeds"], list(placed))
    assert bcubed({a: p["happening_id"] for a, p in placed.items()}, happening)["f1"] == 1.0
    assert bcubed({a: p["story_id"] for a, p in placed.items()}, story)["f1"] == 1.0
    # The Xi-Putin talks of March 2023, reported by two outlets, are one happening with two sources.
    talks = run_cli("timeline", "--actor", "CHN", "--actor", "RUS", "--json", "--db", db).output
    consult = [h for h in json.loads(talks) if h["event_type"] == "CONSULT" and h["date"].startswith("2023-03")]
    assert len(consult) == 1 and consult[0]["sources"] == 2 and not consult[0]["disputed"]


def test_clustering_of_real_pages(shared, tmp_path):
    """BCubed on the hand-labelled pages of the extraction benchmark (bench/stories.py prints more)."""
    from redline.ingest import ingest

    db = tmp_path / "pages.duckdb"
    with Store(db) as store:
        ingest([shared / "benchmarks/article-extraction/html"], store)
        articles = list(stored_articles(store))
    _, placed, *_ = cluster_articles(lambda: articles)
    happening, story = story_labels(LABELS["article-extraction"], [a.id for a in articles])
    assert bcubed({a: str(p[0]) for a, p in placed.items()}, happening)["f1"] >= 0.9
    assert bcubed({a: str(p[1]) for a, p in placed.items()}, story)["f1"] >= 0.9


def test_timeline_and_happening_exports(run_cli, example_db, tmp_path):
    result = run_cli("timeline", "--actor", "RUS", "--json", "--db", example_db)
    rows = json.loads(result.output)
    assert rows and all("RUS" in {a["country"] for a in h["source"] + h["target"]} for h in rows)
    assert all(not h["negated"] and h["modality"] != "hypothetical" for h in rows)
    assert [h["date"] for h in rows] == sorted(h["date"] for h in rows)
    multi = [h for h in rows if h["sources"] >= 2]
    assert multi, "some happening of the example corpus is reported by two independent outlets"
    text = run_cli("timeline", "--story", rows[0]["story_id"], "--db", example_db).output
    assert "—" in text and "source" in text

    out = tmp_path / "h.jsonl"
    assert run_cli("export", "happenings", "-o", out, "--db", example_db).exit_code == 0
    happenings = [json.loads(line) for line in out.read_text().splitlines()]
    assert {"sources", "evidence", "first_reported", "disputed", "event_type", "source", "target"} <= set(happenings[0])
    assert all(len(h["evidence"]) == h["mentions"] for h in happenings)
    out = tmp_path / "a.jsonl"
    run_cli("export", "articles", "-o", out, "--db", example_db)
    articles = [json.loads(line) for line in out.read_text().splitlines()]
    assert all(a["happening_id"].startswith("h-") and a["story_id"].startswith("s-") for a in articles)
    assert sum(a["derived_from"] is not None for a in articles) == 1


def test_stories_command_lists_running_stories_with_their_happenings(run_cli, example_db):
    result = run_cli("stories", "--db", example_db)
    assert result.exit_code == 0
    assert result.output.startswith("s-") and "\n  h-" in result.output
    assert "rewrite of bsg-2023-07-17-" in result.output


# -- incremental placement -------------------------------------------------------------------
EXAMPLES = ROOT / "examples"
STORY_TABLES = ("lineage", "article_stories", "stories", "happenings", "happening_events")


def _date_batches(folder: Path, cuts: list[str]) -> list[list[Path]]:
    """The example corpus in batches by publication date and outlet (`cuts`: each batch's end,
    exclusive, as "YYYY-MM-DD-outlet"); the JSONL feed split by record."""
    batches: list[list[Path]] = [[] for _ in cuts]

    def batch(date: str) -> int:
        return next(i for i, cut in enumerate(cuts) if date < cut)

    for path in sorted((EXAMPLES / "corpus").glob("*/*")):
        if path.suffix != ".jsonl":
            batches[batch(path.stem[4:])].append(path)  # bsg-YYYY-MM-DD-outlet
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            i = batch(json.loads(line)["published"])
            part = folder / f"batch{i}" / path.name
            if part not in batches[i]:
                part.parent.mkdir(parents=True, exist_ok=True)
                batches[i].append(part)
            with part.open("a", encoding="utf-8") as out:
                out.write(line + "\n")
    return batches


def _story_tables(db: Path) -> dict[str, list[tuple]]:
    with Store(db, read_only=True) as store:
        return {t: store.con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in STORY_TABLES}


def test_incremental_batches_give_the_stories_of_a_full_rebuild(example_db, tmp_path):
    """Three date-ordered batches, each placed incrementally, against one rebuild of everything.

    Copies, cluster memberships, cluster ids, counts, dates and the merged events are equal.
    What differs is the IDF: a rebuild weighs every article with the document frequencies of
    the whole corpus, an incremental run with those of the articles stored so far; so the
    similarities and the centroid-based labels (top terms and actors) may differ, and on
    larger streams a few placements (bench/day.py reports BCubed between the two)."""
    from redline.ingest import ingest
    from redline.stories import update
    from tests.test_search import assert_same_as_a_rebuild

    db = tmp_path / "batches.duckdb"
    # The rewrite of 2023-07-17 comes a batch after its original (the same day, in a later run).
    batches = _date_batches(tmp_path, ["2022-09-01", "2023-07-17-i", "9999"])
    with Store(db) as store:
        summaries = []
        for paths in batches:
            before = store.con.execute("SELECT count(*) FROM articles").fetchone()[0]
            ingest(paths, store, manifest=EXAMPLES / "manifest.csv")
            stored = store.con.execute("SELECT count(*) FROM articles").fetchone()[0] - before
            progress = []
            summaries.append(update(store, on_progress=lambda stage, n: progress.append((stage, n))))
            assert summaries[-1].placed == stored and progress[0] == ("articles", stored)  # only the new ones
            assert progress.count(("article", 1)) == stored
        assert update(store).placed == 0  # nothing new: nothing placed
    assert summaries[0].rebuilt and summaries[0].reason == "no stored state"
    assert not any(s.rebuilt for s in summaries[1:]) and all(s.placed < 16 for s in summaries)

    got, full = _story_tables(db), _story_tables(example_db)
    for table in ("lineage", "happenings", "happening_events"):
        assert got[table] == full[table], table
    assert [r[:3] for r in got["article_stories"]] == [r[:3] for r in full["article_stories"]]
    assert max(abs(a[3] - b[3]) for a, b in zip(got["article_stories"], full["article_stories"])) < 0.1

    def without_label(rows):  # id, level, story_id, dates, counts, outlets
        return [r[:3] + r[6:] for r in rows]

    assert without_label(got["stories"]) == without_label(full["stories"])
    assert_same_as_a_rebuild(db, tmp_path)  # the search index, updated after each batch


def test_a_replaced_article_or_changed_settings_rebuild_and_stories_rebuild_asks_for_it(tmp_path, run_cli):
    from redline.ingest import ingest
    from redline.stories import update

    db = tmp_path / "replaced.duckdb"
    first = sorted((EXAMPLES / "corpus" / "txt").glob("*.txt"))[:2]
    with Store(db) as store:
        ingest(first, store, manifest=EXAMPLES / "manifest.csv")
        assert update(store).rebuilt
        ingest(first[:1], store, manifest=EXAMPLES / "manifest.csv", force=True)
        summary = update(store)
        assert summary.rebuilt and summary.reason == "articles were replaced or deleted" and summary.placed == 2
        store.con.execute("UPDATE story_state SET value = 'older' WHERE key = 'fingerprint'")
        assert update(store).reason == "the settings changed"
    result = run_cli("stories", "--rebuild", "--db", db)
    assert result.exit_code == 0 and "rebuilt (asked)" in result.output
