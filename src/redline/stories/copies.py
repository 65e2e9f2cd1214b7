"""Copies and rewrites: which articles carry the same story text, and the first of each lineage.

Two indexes, both MinHash LSH (datasketch), so each new article is compared with a handful
of candidates instead of every stored article:

- word 5-gram shingles find copies: a wire story reprinted with other furniture, a headline
  changed, a paragraph cut;
- content-word sets find candidate rewrites: spun or translated copies share few 5-grams but
  keep most names, numbers and content words. A candidate is a rewrite when its sentences
  align with the new article's, sentence by sentence (content words, names and numbers).

Articles arrive in date order; an article links to the earliest article of its candidate's
lineage. Articles older than `window_days` leave the indexes: a rewrite of a month-old story
is a follow-up, not a copy, and the indexes stay bounded however long the corpus.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import deque
from dataclasses import dataclass

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from redline.words import STOP

WORD = re.compile(r"\w+")
# Sentence ends, or a paragraph break; good enough to align two versions of one text.
SENTENCE_BREAK = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])|\n\s*\n?")


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def content_words(text: str) -> set[str]:
    """Lower-cased words that carry content: not stop words, not one letter."""
    return {w for w in words(text) if w not in STOP and (len(w) > 1 or w.isdigit())}


def shingles(tokens: list[str], size: int) -> set[str]:
    if len(tokens) < size:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i:i + size]) for i in range(len(tokens) - size + 1)}


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_BREAK.split(text) if s and len(s.split()) >= 4]


_SCHEME = MinHash(num_perm=1).scheme  # the permutation scheme `minhash` uses (seed 1, the default)
_PERMUTATIONS: dict[int, object] = {}  # made once per size: drawing them costs as much as hashing a text


def minhash(features: set[str], num_perm: int) -> LeanMinHash:
    if num_perm not in _PERMUTATIONS:
        _PERMUTATIONS[num_perm] = MinHash(num_perm=num_perm).permutations
    m = MinHash(num_perm=num_perm, permutations=_PERMUTATIONS[num_perm], scheme=_SCHEME)
    m.update_batch([f.encode("utf-8") for f in features])
    return LeanMinHash(m)


def stored_minhash(hashvalues) -> LeanMinHash:
    """A MinHash back from the hash values `minhash` made (kept in the database)."""
    return LeanMinHash(seed=1, hashvalues=np.asarray(hashvalues, dtype=np.uint64), scheme=_SCHEME)


def alignment(a: list[frozenset[str]], b: list[frozenset[str]], min_overlap: float) -> float:
    """Share of the shorter text (in content words) whose sentences have a counterpart in the other.

    Weighted by words, so that a shared list of short lines (tour dates, a table) counts for
    what it is next to the prose around it.

    Sentence pairs are found through an inverted index of words, so the cost is the number
    of shared words, not |a| x |b| comparisons.
    """
    if not a or not b:
        return 0.0
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    postings: dict[str, list[int]] = {}
    for j, sent in enumerate(long_):
        for w in sent:
            postings.setdefault(w, []).append(j)
    aligned = 0
    for sent in short:
        shared: dict[int, int] = {}
        for w in sent:
            for j in postings.get(w, ()):
                shared[j] = shared.get(j, 0) + 1
        best = max((n / (len(sent) + len(long_[j]) - n) for j, n in shared.items()), default=0.0)
        aligned += len(sent) if best >= min_overlap else 0
    total = sum(len(sent) for sent in short)
    return aligned / total if total else 0.0


@dataclass
class Lineage:
    """How one article relates to an earlier one."""

    article_id: str
    derived_from: str       # the earliest article of the lineage
    duplicate_of: str | None  # set for copies (shared wording), None for rewrites
    similarity: float       # shingle Jaccard for copies, sentence alignment for rewrites
    relation: str           # copy | rewrite


@dataclass
class _Indexed:
    article_id: str
    seq: int  # arrival order: on a tie, the earlier article wins
    day: int | None
    sentences: list[frozenset[str]]


class CopyFinder:
    """Feed articles in date order with `add`; each returns its Lineage or None (an original)."""

    def __init__(
        self,
        shingle_size: int = 5,
        num_perm: int = 128,
        copy_threshold: float = 0.5,      # estimated Jaccard of 5-gram shingles
        candidate_threshold: float = 0.3,  # LSH threshold on content-word sets, for rewrites
        sentence_overlap: float = 0.35,    # two sentences align at this content-word Jaccard
        rewrite_threshold: float = 0.6,    # share of the shorter text's sentences aligned
        max_candidates: int = 8,
        window_days: int = 30,
    ):
        self.shingle_size = shingle_size
        self.num_perm = num_perm
        self.copy_threshold = copy_threshold
        self.sentence_overlap = sentence_overlap
        self.rewrite_threshold = rewrite_threshold
        self.max_candidates = max_candidates
        self.window_days = window_days
        self._shingle_index = MinHashLSH(threshold=copy_threshold, num_perm=num_perm)
        self._word_index = MinHashLSH(threshold=candidate_threshold, num_perm=num_perm // 2)
        self._hashes: dict[str, tuple[LeanMinHash, LeanMinHash]] = {}
        self._indexed: dict[str, _Indexed] = {}
        self._order: deque[str] = deque()
        self._root: dict[str, str] = {}
        self._arrived = 0

    def adopt(self, article_id: str, seq: int, day: int | None, root: str, shingle_hash: LeanMinHash,
              word_hash: LeanMinHash, sentences: list[frozenset[str]]) -> None:
        """Take an article placed by an earlier run (from the database), in arrival order."""
        self._shingle_index.insert(article_id, shingle_hash)
        self._word_index.insert(article_id, word_hash)
        self._hashes[article_id] = (shingle_hash, word_hash)
        self._indexed[article_id] = _Indexed(article_id, seq, day, sentences)
        self._order.append(article_id)
        if root != article_id:
            self._root[article_id] = root
        self._arrived = max(self._arrived, seq + 1)

    def kept(self, article_id: str) -> tuple[int, int | None, str, LeanMinHash, LeanMinHash, list[frozenset[str]]] | None:
        """What `adopt` needs to take this article back, while it is in the window."""
        entry = self._indexed.get(article_id)
        if entry is None:
            return None
        return (entry.seq, entry.day, self.root(article_id), *self._hashes[article_id], entry.sentences)

    def bands(self, shingle_hash: LeanMinHash, word_hash: LeanMinHash) -> list[tuple[int, int]]:
        """(index, band key) of an article's LSH bands: two articles that share one are each
        other's candidates, as in the in-memory indexes (which band the same way)."""
        out = []
        for kind, (index, h) in enumerate(((self._shingle_index, shingle_hash), (self._word_index, word_hash))):
            for start, end in index.hashranges:
                digest = hashlib.blake2b(h.hashvalues[start:end].tobytes(), digest_size=8).digest()
                out.append((kind, int.from_bytes(digest, "little", signed=True)))
        return out

    @property
    def arrived(self) -> int:
        """How many articles came so far (the next one's arrival number), earlier runs included."""
        return self._arrived

    def resume_arrivals(self, arrived: int) -> None:
        self._arrived = max(self._arrived, arrived)

    def root(self, article_id: str) -> str:
        return self._root.get(article_id, article_id)

    def hashes(self, text: str) -> tuple[LeanMinHash, LeanMinHash]:
        """A text's shingle and word MinHashes."""
        tokens = words(text)
        return (minhash(shingles(tokens, self.shingle_size), self.num_perm),
                minhash({w for w in tokens if w not in STOP}, self.num_perm // 2))

    def signature(self, text: str, hashes: tuple[LeanMinHash, LeanMinHash] | None = None
                  ) -> tuple[LeanMinHash, LeanMinHash, list[frozenset[str]]]:
        """What the indexes keep of a text: its MinHashes (`hashes`, when already made), its sentences' content words."""
        sentences = [frozenset(content_words(s)) for s in split_sentences(text)] or [frozenset(content_words(text))]
        return (*(hashes or self.hashes(text)), sentences)

    def add(self, article_id: str, text: str, published: dt.date | None = None, signature=None) -> Lineage | None:
        day = published.toordinal() if published else None
        self._expire(day)
        shingle_hash, word_hash, sentences = signature or self.signature(text)
        link = self._copy_of(article_id, shingle_hash) or self._rewrite_of(article_id, word_hash, sentences)
        if link:
            self._root[article_id] = link.derived_from
        self._shingle_index.insert(article_id, shingle_hash)
        self._word_index.insert(article_id, word_hash)
        self._hashes[article_id] = (shingle_hash, word_hash)
        self._indexed[article_id] = _Indexed(article_id, self._arrived, day, sentences)
        self._arrived += 1
        self._order.append(article_id)
        return link

    def _copy_of(self, article_id: str, shingle_hash: LeanMinHash) -> Lineage | None:
        best, score = None, 0.0
        for other in self._shingle_index.query(shingle_hash):
            s = shingle_hash.jaccard(self._hashes[other][0])
            if s > score or (s == score and best is not None and self._earlier(other, best)):
                best, score = other, s
        if best is None or score < self.copy_threshold:
            return None
        root = self.root(best)
        return Lineage(article_id, root, root, round(score, 3), "copy")

    def _rewrite_of(self, article_id: str, word_hash: LeanMinHash, sentences: list[frozenset[str]]) -> Lineage | None:
        candidates = sorted(
            self._word_index.query(word_hash), key=lambda other: -word_hash.jaccard(self._hashes[other][1])
        )[: self.max_candidates]
        best, score = None, 0.0
        for other in candidates:
            s = alignment(sentences, self._indexed[other].sentences, self.sentence_overlap)
            if s > score:
                best, score = other, s
        if best is None or score < self.rewrite_threshold:
            return None
        return Lineage(article_id, self.root(best), None, round(score, 3), "rewrite")

    def _earlier(self, a: str, b: str) -> bool:
        return self._indexed[a].seq < self._indexed[b].seq

    def _expire(self, day: int | None) -> None:
        """Drop articles more than `window_days` older than the one arriving."""
        if day is None:
            return
        while self._order:
            oldest = self._indexed[self._order[0]]
            if oldest.day is None or day - oldest.day <= self.window_days:
                break
            self._order.popleft()
            self._shingle_index.remove(oldest.article_id)
            self._word_index.remove(oldest.article_id)
            del self._hashes[oldest.article_id], self._indexed[oldest.article_id]
