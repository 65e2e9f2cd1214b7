"""Stories: copies and rewrites, story clusters at two levels, and happenings (merged events).

Runs after ingest (`redline ingest`, `redline stories`) over the articles no run has placed
yet, in date order: copies and rewrites through MinHash LSH (`copies`), clusters by a
streaming clusterer (`clusters`), happenings by a blocked sweep over events (`happenings`).
What the next run needs to go on (document frequencies, clusters, posting lists, the copy
finder's recent articles) is kept in the database (`state`), so a run reads only the new
articles and the clusters they can join (`incremental`); `redline stories --rebuild` places
everything again. Each run's result is written in a single transaction (`Store.save_stories`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from redline.search import IndexUpdate
from redline.stories.clusters import Idf, StreamClusterer, StreamSettings
from redline.stories.copies import CopyFinder, Lineage, words
from redline.words import STOP

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
class StorySummary:
    """What one run of the stories stage did, and what is stored after it."""

    rebuilt: bool          # a full rebuild (else: only new articles were placed)
    reason: str | None     # why a rebuild, when it was one
    placed: int            # articles placed by this run
    copies: int            # stored totals, after the run
    happenings: int
    stories: int
    merged_events: int
    index: IndexUpdate | None = None  # what the search index took in and out (None: not updated, or rebuilt)


def features(article: StoryArticle) -> dict[str, Counter]:
    terms = article.terms if article.terms is not None else [
        w for w in words(article.text) if w not in STOP and len(w) > 2 and not w.isdigit()
    ]
    return {"terms": Counter(terms), "actors": Counter(article.actors)}


def _story_id(prefix: str, first_article: str) -> str:
    return f"{prefix}-{hashlib.sha1(first_article.encode()).hexdigest()[:8]}"


class Placer:
    """Places articles one by one, in date order: copies first, then the happening (a copy
    joins its original's), then the running story (the happening's). A full rebuild starts it
    empty; an incremental run gives it, from the database, the clusters and posting lists the
    new articles can reach (`redline.stories.incremental`), so both place an article alike."""

    def __init__(self, idf: Idf, happening: StreamSettings = HAPPENING, running: StreamSettings = RUNNING,
                 last_day: int | None = None,
                 placed_before: Callable[[str], tuple[str, str, float] | None] = lambda article_id: None):
        self.idf = idf
        self.copies = CopyFinder()
        self.happenings = StreamClusterer(happening, new_id=lambda a: _story_id("h", a))
        self.stories = StreamClusterer(running, new_id=lambda a: _story_id("s", a))
        self.lineage: dict[str, Lineage] = {}
        self.placed: dict[str, tuple[str, str, float]] = {}  # article -> (happening, story, similarity)
        self.facts: dict[str, dict] = {}
        self.last_day = last_day
        self.placed_before = placed_before  # where an earlier run placed an article

    def place(self, a: StoryArticle, vectors: dict, signature=None) -> None:
        day = a.published.toordinal() if a.published else self.last_day or dt.date.today().toordinal()
        self.last_day = day
        link = self.copies.add(a.id, a.text, a.published, signature)
        if link:
            self.lineage[a.id] = link
        original = (self.placed.get(link.derived_from) or self.placed_before(link.derived_from)) if link else None
        if original:  # a copy joins its original's happening
            h, _ = self.happenings.add(a.id, day, vectors, into=original[0])
            sim = link.similarity
        else:
            h, sim = self.happenings.add(a.id, day, vectors)
        happening = self.happenings.clusters[h]
        if happening.parent is not None:
            s, _ = self.stories.add(a.id, day, vectors, into=happening.parent)
        else:
            s, _ = self.stories.add(a.id, day, vectors)
            happening.parent = s
        self.placed[a.id] = (h, s, round(sim, 3))
        self.facts[a.id] = {"published": a.published, "outlet": a.outlet}


def cluster_articles(
    articles: Callable[[], Iterable[StoryArticle]],
    happening: StreamSettings = HAPPENING,
    running: StreamSettings = RUNNING,
    on_progress: Callable[[str], None] = lambda stage: None,
) -> tuple[dict[str, Lineage], dict[str, tuple[str, str, float]], StreamClusterer, StreamClusterer, dict[str, dict]]:
    """Copies, then the two cluster levels, in one pass in date order (after one pass for IDF),
    in memory (the benches and tests of the clustering; the stored stage is `update`).

    `articles` is called twice and must yield the same articles in date order both times.
    Returns lineage, article -> (happening cluster, story cluster, similarity), both
    clusterers, and per article what the story records need (date and outlet).
    """
    idf = Idf(features(a) for a in articles())
    placer = Placer(idf, happening, running)
    for a in articles():
        placer.place(a, idf.vectors(features(a)))
        on_progress("article")
    return placer.lineage, placer.placed, placer.happenings, placer.stories, placer.facts


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


def stored_articles(store, only_new: bool = False) -> Iterator[StoryArticle]:
    """The articles of a `Store` (`only_new`: those no run has placed yet), in date order, as
    the stories stage reads them."""
    for r in store.story_articles(only_new):
        yield StoryArticle(r["id"], r["published"], r["outlet"], r["text"], r["terms"], r["actors"])


def update(store, rebuild: bool = False, on_progress: Callable[[str, int], None] = lambda stage, n: None,
           index: bool = True) -> StorySummary:
    """Place the articles stored since the last run (or, with `rebuild`, or when the stored
    state cannot be used, all of them), all or nothing; then (`index`) rebuild the search index."""
    from redline.stories.incremental import run

    return run(store, rebuild, on_progress, index)


def rebuild(store, on_progress: Callable[[str, int], None] = lambda stage, n: None) -> StorySummary:
    """Run the stories stage over everything in `store` and replace its stored result."""
    return update(store, rebuild=True, on_progress=on_progress)
