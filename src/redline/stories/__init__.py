"""Stories: copies and rewrites, story clusters at two levels, and happenings (merged events).

Runs over the whole stored corpus after ingest (`redline stories`, and at the end of
`redline ingest`), in date order, in time and memory near-linear in the number of articles:
copies and rewrites through MinHash LSH (`copies`), clusters by a streaming clusterer
(`clusters`), happenings by a blocked sweep over events (`happenings`). The result replaces
the previous one in a single transaction (`Store.save_stories`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from redline.stories.clusters import Idf, StreamClusterer, StreamSettings
from redline.stories.copies import CopyFinder, Lineage, words
from redline.words import STOP
from redline.stories.happenings import Mention, date_interval, happening_record, merge_events, parties

# Chosen on the labelled pages of bench/data/story-labels.yaml (bench/stories.py prints the figures).
HAPPENING = StreamSettings(threshold=0.25, window_days=7, decay_days=3.0, weights={"terms": 0.75, "actors": 0.25})
RUNNING = StreamSettings(threshold=0.2, window_days=365, decay_days=365.0, weights={"terms": 0.5, "actors": 0.5})


@dataclass
class StoryArticle:
    id: str
    published: dt.date | None
    outlet: str | None
    text: str
    terms: list[str] | None = None   # content lemmas from the parse; None: words of the text
    actors: list[str] = field(default_factory=list)  # canonical actor ids, one per mention


@dataclass
class StoryResult:
    lineage: dict[str, Lineage]
    article_stories: dict[str, tuple[str, str, float]]  # article -> (happening id, story id, similarity)
    stories: list[dict]
    happenings: list[dict]
    happening_events: list[tuple[str, str]]  # (happening id, event id)


def features(article: StoryArticle) -> dict[str, Counter]:
    terms = article.terms if article.terms is not None else [
        w for w in words(article.text) if w not in STOP and len(w) > 2 and not w.isdigit()
    ]
    return {"terms": Counter(terms), "actors": Counter(article.actors)}


def _story_id(prefix: str, first_article: str) -> str:
    return f"{prefix}-{hashlib.sha1(first_article.encode()).hexdigest()[:8]}"


def cluster_articles(
    articles: Callable[[], Iterable[StoryArticle]],
    happening: StreamSettings = HAPPENING,
    running: StreamSettings = RUNNING,
    on_progress: Callable[[str], None] = lambda stage: None,
) -> tuple[dict[str, Lineage], dict[str, tuple[int, int, float]], StreamClusterer, StreamClusterer, dict[str, dict]]:
    """Copies, then the two cluster levels, in one pass in date order (after one pass for IDF).

    `articles` is called twice and must yield the same articles in date order both times.
    Returns lineage, article -> (happening cluster, story cluster, similarity), both
    clusterers, and per article what the story records need (date and outlet).
    """
    idf = Idf(features(a) for a in articles())
    copies = CopyFinder()
    happenings, stories = StreamClusterer(happening), StreamClusterer(running)
    lineage: dict[str, Lineage] = {}
    placed: dict[str, tuple[int, int, float]] = {}
    facts: dict[str, dict] = {}
    story_of: dict[int, int] = {}
    last_day = None
    for a in articles():
        day = a.published.toordinal() if a.published else last_day or dt.date.today().toordinal()
        last_day = day
        link = copies.add(a.id, a.text, a.published)
        feats = features(a)
        vectors = idf.vectors(feats)
        if link:
            lineage[a.id] = link
        if link and link.derived_from in placed:  # a copy joins its original's happening
            h, _ = happenings.add(a.id, day, vectors, into=placed[link.derived_from][0])
            sim = link.similarity
        else:
            h, sim = happenings.add(a.id, day, vectors)
        if h in story_of:
            s, _ = stories.add(a.id, day, vectors, into=story_of[h])
        else:
            s, _ = stories.add(a.id, day, vectors)
            story_of[h] = s
        placed[a.id] = (h, s, round(sim, 3))
        facts[a.id] = {"published": a.published, "outlet": a.outlet}
        on_progress("article")
    return lineage, placed, happenings, stories, facts


def _label(cluster, actor_names: dict[str, str]) -> tuple[list[str], list[str], str]:
    """Top actors and terms of a story's centroids, as a label: "Vladimir Putin, Xi Jinping: visit, summit"."""
    def top(space: str, n: int, name=lambda k: k) -> list[str]:
        seen, out = set(), []
        for key, _ in sorted(cluster.centroid.get(space, {}).items(), key=lambda kv: -kv[1]):
            if name(key).casefold() not in seen:
                seen.add(name(key).casefold())
                out.append(key)
            if len(out) == n:
                break
        return out

    actors = top("actors", 3, lambda k: actor_names.get(k, k))
    terms = top("terms", 4)
    names = [actor_names.get(a, a) for a in actors]
    return actors, terms, ", ".join(names) + (": " if names and terms else "") + ", ".join(terms)


def build_stories(
    articles: Callable[[], Iterable[StoryArticle]],
    events: Callable[[], Iterator[dict]],
    actor_names: dict[str, str] | None = None,
    on_progress: Callable[[str], None] = lambda stage: None,
) -> StoryResult:
    """Everything the stories stage stores, from articles and events in date order."""
    actor_names = actor_names or {}
    lineage, placed, happening_clusters, story_clusters, facts = cluster_articles(articles, on_progress=on_progress)
    ids: dict[tuple[str, int], str] = {}
    records: list[dict] = []
    for level, prefix, clusterer in (("happening", "h", happening_clusters), ("story", "s", story_clusters)):
        for cid, cluster in clusterer.clusters.items():
            ids[(level, cid)] = _story_id(prefix, cluster.members[0])
    for level, clusterer in (("happening", happening_clusters), ("story", story_clusters)):
        for cid, cluster in clusterer.clusters.items():
            members = cluster.members
            dates = [facts[m]["published"] for m in members if facts[m]["published"]]
            top_actors, top_terms, label = _label(cluster, actor_names)
            parent = ids[("story", placed[members[0]][1])] if level == "happening" else None
            records.append({
                "id": ids[(level, cid)], "level": level, "story_id": parent, "label": label,
                "actors": top_actors, "terms": top_terms,
                "first_date": min(dates, default=None), "last_date": max(dates, default=None),
                "articles": len(members), "outlets": sorted({facts[m]["outlet"] for m in members if facts[m]["outlet"]}),
                "sources": len({lineage[m].derived_from if m in lineage else m for m in members}),
            })
    article_stories = {
        a: (ids[("happening", h)], ids[("story", s)], sim) for a, (h, s, sim) in placed.items()
    }
    mentions = []
    for e in events():
        a = e["article_id"]
        fact = facts.get(a, {})
        mentions.append(Mention(
            event=e, published=fact.get("published"), outlet=fact.get("outlet"),
            lineage=lineage[a].derived_from if a in lineage else a,
            interval=date_interval(e), sources=parties(e["source"]), targets=parties(e["target"]),
        ))
    on_progress("events")
    happenings, links = [], []
    for group in merge_events(mentions):
        record = happening_record(group)
        first = record["first_article"]
        record["happening_id"], record["story_id"] = article_stories.get(first, (None, None, 0))[:2]
        happenings.append(record)
        links += [(record["id"], m.event["id"]) for m in group]
    happenings.sort(key=lambda h: (h["date"] or dt.date.max, h["id"]))
    return StoryResult(lineage, article_stories, records, happenings, links)


def stored_articles(store) -> Iterator[StoryArticle]:
    """The articles of a `Store`, in date order, as the stories stage reads them."""
    for r in store.story_articles():
        yield StoryArticle(r["id"], r["published"], r["outlet"], r["text"], r["terms"], r["actors"])


def rebuild(store, on_progress: Callable[[str], None] = lambda stage: None) -> StoryResult:
    """Run the stories stage over everything in `store` and replace its stored result; then
    rebuild the search index, which covers the happenings this stage writes."""
    from redline.search import rebuild_index

    built_from = store.articles_fingerprint()
    result = build_stories(lambda: stored_articles(store), store.story_events, store.actor_names(), on_progress)
    store.save_stories(result)
    rebuild_index(store.con)
    store.stage_done("stories", built_from)
    return result
