"""Story clustering: articles arrive in date order and join an open story or start one.

After Miranda et al. 2018, "Multilingual Clustering of Streaming News": each article is a few
TF-IDF vectors (here: lemmas, and the canonical actors it mentions), each story keeps their
centroids, and an article joins the story whose combined similarity, discounted by the time
since the story was last updated (a Gaussian, as Miranda's time feature), is highest and above a threshold; otherwise it starts a new
story. A story closes when nothing joined it for `window_days`.

Two levels run side by side: *happenings* (one thing that happened, reported over a few days)
and *running stories* (what a reader follows for months). A new happening joins a running
story by the same rule with a longer window; every later article of the happening follows it
there, so a running story is a chain of happenings.

Written here rather than taken from scikit-learn: its clusterers need the whole corpus and a
fixed vector space, while this one must take articles one by one, in constant time each.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import Callable, Iterable

Vector = dict[str, float]


def normalise(vec: dict[str, float], keep: int) -> Vector:
    top = sorted(vec.items(), key=lambda kv: -kv[1])[:keep]
    norm = math.sqrt(sum(v * v for _, v in top)) or 1.0
    return {k: v / norm for k, v in top}


def cosine(a: Vector, centroid: dict[str, float], centroid_norm: float) -> float:
    if not a or not centroid_norm:
        return 0.0
    if len(a) > len(centroid):
        a, centroid = centroid, a
    return sum(v * centroid.get(k, 0.0) for k, v in a.items()) / centroid_norm


class Idf:
    """Inverse document frequencies per feature space, from the corpus being clustered.

    A small corpus says little about which words are common, so for words the corpus figure
    is blended with one from general English (wordfreq's word frequencies, turned into the
    chance that an article of `ARTICLE_WORDS` words contains the word), weighted as if the
    background were `PRIOR_DOCUMENTS` more articles.
    """

    ARTICLE_WORDS = 500
    PRIOR_DOCUMENTS = 200

    def __init__(self, documents: Iterable[dict[str, Counter]], language: str = "en"):
        self.df: dict[str, Counter] = {}
        self.n = 0
        self.language = language
        for doc in documents:
            self.add(doc)
        self._cache: dict[tuple[str, str], float] = {}

    def add(self, doc: dict[str, Counter]) -> None:
        self.n += 1
        for space, counts in doc.items():
            self.df.setdefault(space, Counter()).update(counts.keys())

    def weight(self, space: str, key: str) -> float:
        cached = self._cache.get((space, key))
        if cached is not None:
            return cached
        corpus = math.log((self.n + 1) / (self.df.get(space, Counter())[key] + 1)) + 1
        if space == "terms":
            from wordfreq import word_frequency

            share = 1 - math.exp(-self.ARTICLE_WORDS * word_frequency(key, self.language))
            background = math.log(1 / max(share, 1e-4)) + 1
            corpus = (self.n * corpus + self.PRIOR_DOCUMENTS * background) / (self.n + self.PRIOR_DOCUMENTS)
        self._cache[(space, key)] = corpus
        return corpus

    def vectors(self, doc: dict[str, Counter], keep: int = 40) -> dict[str, Vector]:
        return {
            space: normalise({k: (1 + math.log(c)) * self.weight(space, k) for k, c in counts.items()}, keep)
            for space, counts in doc.items()
        }


@dataclass
class Cluster:
    id: int | str
    last_day: int
    parent: int | str | None = None  # for a happening: the running story it joins
    members: list[str] = field(default_factory=list)
    centroid: dict[str, dict[str, float]] = field(default_factory=dict)
    norms: dict[str, float] = field(default_factory=dict)
    indexed: set[str] = field(default_factory=set)

    def absorb(self, vectors: dict[str, Vector], keep: int) -> None:
        for space, vec in vectors.items():
            c = self.centroid.setdefault(space, {})
            for k, v in vec.items():
                c[k] = c.get(k, 0.0) + v
            if len(c) > keep * 2:  # bounded: the long tail of a big story's vocabulary adds nothing
                self.centroid[space] = c = dict(sorted(c.items(), key=lambda kv: -kv[1])[:keep])
            self.norms[space] = math.sqrt(sum(v * v for v in c.values()))


@dataclass
class StreamSettings:
    threshold: float
    window_days: int
    decay_days: float            # time discount: a Gaussian of the days since the story's last article
    weights: dict[str, float]    # feature space -> weight in the combined similarity
    probe_terms: int = 12        # candidate stories are found through the article's top features
    postings_per_term: int = 64  # ... and the most recent stories per feature
    max_candidates: int = 48     # the stories sharing most of those features are compared
    centroid_terms: int = 200


class StreamClusterer:
    """`new_id(first item)` names a new cluster (default: 0, 1, 2...). A clusterer resumed
    from the database (`redline.stories.state`) is given, with `adopt`, the clusters and the
    posting lists its next items can reach; `touched` and `touched_keys` say what to write back."""

    def __init__(self, settings: StreamSettings, new_id: Callable[[str], int | str] | None = None):
        self.s = settings
        self.clusters: dict[int | str, Cluster] = {}
        self._open: set[int | str] = set()
        self._closing: list[tuple[int, int | str]] = []  # (last_day, cluster id), stale entries skipped
        self._postings: dict[str, OrderedDict[int | str, None]] = {}
        self._next = 0
        self._new_id = new_id
        self.touched: set[int | str] = set()       # clusters changed (joined, opened or closed)
        self.closed: set[int | str] = set()        # clusters closed here (some opened again since)
        self.touched_keys: set[str] = set()        # posting lists changed

    def adopt(self, cluster: Cluster, is_open: bool) -> None:
        """Take a cluster kept in the database."""
        self.clusters[cluster.id] = cluster
        if is_open:
            self._open.add(cluster.id)
            heapq.heappush(self._closing, (cluster.last_day, cluster.id))

    def adopt_posting(self, key: str, clusters: list) -> None:
        """Take a posting list kept in the database (oldest first); its clusters must be adopted."""
        self._postings[key] = OrderedDict.fromkeys(clusters)

    def open_clusters(self) -> set:
        return set(self._open)

    def postings(self, keys: Iterable[str]) -> dict[str, list]:
        return {k: list(self._postings.get(k, ())) for k in keys}

    def add(self, item_id: str, day: int, vectors: dict[str, Vector], into: int | None = None) -> tuple[int, float]:
        """Place one item; returns (cluster id, similarity to it; 1.0 for a new cluster)."""
        self._close_before(day)
        score = 1.0
        if into is None:
            into, score = self._best(day, vectors)
        if into is None:
            score = 1.0
            if self._new_id:
                into = self._new_id(item_id)
            else:
                into, self._next = self._next, self._next + 1
            self.clusters[into] = Cluster(into, day)
            self._open.add(into)
        cluster = self.clusters[into]
        self._open.add(into)  # a late copy of a closed story opens it again
        self.touched.add(into)
        cluster.members.append(item_id)
        cluster.last_day = max(cluster.last_day, day)
        cluster.absorb(vectors, self.s.centroid_terms)
        heapq.heappush(self._closing, (cluster.last_day, into))
        self._index(cluster, vectors)
        return into, score

    def _best(self, day: int, vectors: dict[str, Vector]) -> tuple[int | None, float]:
        best, best_score = None, 0.0
        for cid in self._candidates(vectors):
            c = self.clusters[cid]
            sim = sum(w * cosine(vectors.get(space, {}), c.centroid.get(space, {}), c.norms.get(space, 0.0))
                      for space, w in self.s.weights.items())
            sim *= math.exp(-0.5 * (max(0, day - c.last_day) / self.s.decay_days) ** 2)
            if sim > best_score:
                best, best_score = cid, sim
        return (best, best_score) if best_score >= self.s.threshold else (None, best_score)

    def _candidates(self, vectors: dict[str, Vector]) -> list[int]:
        hits: Counter[int] = Counter()
        for key in self.probe_keys(vectors):
            posting = self._postings.get(key)
            if posting:
                hits.update(posting.keys())  # the keys: a mapping would be read as counts
        return [cid for cid, _ in hits.most_common() if cid in self._open][: self.s.max_candidates]

    def _index(self, cluster: Cluster, vectors: dict[str, Vector]) -> None:
        for key in self.probe_keys(vectors):
            posting = self._postings.setdefault(key, OrderedDict())
            posting[cluster.id] = None
            posting.move_to_end(cluster.id)
            if len(posting) > self.s.postings_per_term:
                posting.popitem(last=False)
            cluster.indexed.add(key)
            self.touched_keys.add(key)

    def _close_before(self, day: int) -> None:
        while self._closing and day - self._closing[0][0] > self.s.window_days:
            last_day, cid = heapq.heappop(self._closing)
            cluster = self.clusters[cid]
            if cid not in self._open or cluster.last_day != last_day:
                continue  # stale: the story was updated since
            self._open.discard(cid)
            self.touched.add(cid)
            self.closed.add(cid)
            for key in cluster.indexed:
                posting = self._postings.get(key)
                if posting is not None:
                    posting.pop(cid, None)
                    self.touched_keys.add(key)
                    if not posting:
                        del self._postings[key]
            cluster.indexed.clear()

    def probe_keys(self, vectors: dict[str, Vector]) -> list[str]:
        """The posting lists an item with these vectors reads and joins."""
        return [f"{space}:{term}" for space, vec in vectors.items()
                for term, _ in sorted(vec.items(), key=lambda kv: -kv[1])[: self.s.probe_terms]]
