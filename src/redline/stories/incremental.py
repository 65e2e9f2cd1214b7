"""One run of the stories stage: the articles no run has placed yet join the stored clusters.

A run reads the new articles twice, in date order: once for their features (document
frequencies: the stored ones plus theirs), once to place them. Before placing a chunk of
them it takes from the database only what they can reach: the posting lists of their top
features and the clusters in those lists, and, once for the run, the stored articles sharing
an LSH band with one of them (their candidate originals). So the cost of placing follows the
new articles and the open clusters they touch, not the size of the database; what still
grows with it are the scans that find the unplaced and replaced articles (`article_stories`)
and the documents the search index must update (`redline.search.update_index`, which
compares a hash per document, and indexes only the new and changed ones).

A run starts from empty state (a full rebuild) when asked (`redline stories --rebuild`),
when no state is stored, when the settings it was built with changed, or when stored
articles were replaced or deleted since. On the same articles, in date order, the two agree
except for the IDF: a rebuild weighs every article's features with the document frequencies
of the whole corpus, an incremental run with those of the articles stored so far (see
tests/test_stories.py and bench/day.py for how far apart that takes them).
"""

from __future__ import annotations

from collections import Counter
from typing import Callable

from redline.stories import Placer, StorySummary, features, stored_articles
from redline.stories import state
from redline.stories.clusters import Idf, StreamClusterer
from redline.stories.copies import CopyFinder

CHUNK = 500  # articles placed per look-up of posting lists and clusters


class _Resumed:
    """Feeds a Placer, chunk by chunk, what it needs from the database."""

    def __init__(self, con, placer: Placer):
        self.con = con
        self.placer = placer
        self.read_keys: dict[str, set[str]] = {"happening": set(), "story": set()}

    def clusters(self, clusterer: StreamClusterer, ids) -> None:
        missing = [cid for cid in ids if cid not in clusterer.clusters]
        if missing:
            for cluster, is_open in state.load_clusters(self.con, missing):
                clusterer.adopt(cluster, is_open)
        if clusterer is self.placer.happenings:  # a happening's articles go to its running story
            self.clusters(self.placer.stories, {clusterer.clusters[cid].parent for cid in ids if cid in clusterer.clusters})

    def chunk(self, vectors: list[dict]) -> None:
        for level, clusterer in (("happening", self.placer.happenings), ("story", self.placer.stories)):
            keys = {k for v in vectors for k in clusterer.probe_keys(v)} - self.read_keys[level]
            self.read_keys[level] |= keys
            postings = state.load_postings(self.con, level, keys)
            self.clusters(clusterer, {cid for ids in postings.values() for cid in ids})
            for key, ids in postings.items():
                clusterer.adopt_posting(key, ids)

    def placed_before(self, article_id: str):
        found = state.placed_before(self.con, article_id)
        if found:
            self.clusters(self.placer.happenings, [found[0]])
        return found


def run(store, rebuild: bool = False, on_progress: Callable[[str, int], None] = lambda stage, n: None,
        index: bool = True) -> StorySummary:
    """Place the new articles (all of them when rebuilding); `on_progress("articles", n)` says
    how many will be placed, `on_progress("article", 1)` after each. Then, with `index`,
    update the search index, which covers the happenings (rebuild it whole when asked)."""
    from redline.search import rebuild_index, update_index

    con = store.con
    built_from = store.articles_fingerprint()
    reason = "asked" if rebuild else state.rebuild_reason(con)
    fresh = reason is not None
    articles = lambda: stored_articles(store, only_new=not fresh)  # noqa: E731
    on_progress("articles", con.execute("SELECT count(*) FROM articles" + (
        "" if fresh else " WHERE id NOT IN (SELECT article_id FROM article_stories)")).fetchone()[0])

    df = Idf([])  # this run's articles' document frequencies
    bands: set[tuple[int, int]] = set()
    hashes: dict[str, tuple] = {}  # MinHashes of the new articles, made once (~1.5 KB each)
    finder = CopyFinder()
    first_day = None
    for a in articles():
        df.add(features(a))
        if not fresh:
            hashes[a.id] = finder.hashes(a.text)
            bands.update(finder.bands(*hashes[a.id]))
            if a.published and first_day is None:
                first_day = a.published.toordinal()
    idf = Idf([])
    idf.n = df.n + (0 if fresh else int(state.read(con).get("n", 0)))
    stored = {} if fresh else state.load_df(con, df.df)
    idf.df = {space: counts + stored.get(space, Counter()) for space, counts in df.df.items()}

    last_day = None if fresh else int(state.read(con)["last_day"])
    placer = Placer(idf, last_day=last_day)
    resumed = None
    if not fresh:
        resumed = _Resumed(con, placer)
        placer.placed_before = resumed.placed_before
        from_day = (first_day or last_day) - placer.copies.window_days
        for article_id, seq, day, root, shingle_hash, word_hash, sentences in state.load_copies(con, bands, from_day):
            placer.copies.adopt(article_id, seq, day, root, shingle_hash, word_hash, sentences)
        placer.copies.resume_arrivals(int(state.read(con).get("copy_seq", 0)))

    def place(chunk: list) -> None:
        vectors = [idf.vectors(features(a)) for a in chunk]
        if resumed:
            resumed.chunk(vectors)
        for a, v in zip(chunk, vectors):
            placer.place(a, v, placer.copies.signature(a.text, hashes.pop(a.id, None)))
            on_progress("article", 1)

    chunk: list = []
    for a in articles():
        chunk.append(a)
        if len(chunk) == CHUNK:
            place(chunk)
            chunk = []
    place(chunk)

    new = list(placer.placed)
    if new or fresh:
        def write(con) -> None:
            state.write(con, placer, df.df, df.n, None, None if fresh else new)
            con.execute("INSERT OR REPLACE INTO story_state VALUES ('copy_seq', ?)", [str(placer.copies.arrived)])

        store.save_stories(write, fresh)
    indexed = None
    if index and reason == "asked":
        rebuild_index(con)
    elif index:  # what changed since it last ran: also what a run killed before this point left out
        indexed = update_index(con)
    # Done only once the search index holds what was placed: killed before, the next run places
    # nothing new but brings the index up to date.
    store.stage_done("stories", built_from)
    totals = con.execute("""SELECT (SELECT count(*) FROM lineage),
                                   (SELECT count(*) FROM stories WHERE level = 'happening'),
                                   (SELECT count(*) FROM stories WHERE level = 'story'),
                                   (SELECT count(*) FROM happenings)""").fetchone()
    return StorySummary(fresh, reason, len(new), *totals, index=indexed)
