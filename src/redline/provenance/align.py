"""A news quote against a primary passage: words, index keys, the aligned span, the grade.

Pure functions on text, no database: `redline.provenance` (the stage) and the benchmark
call them alike.

Words are compared lower-cased, without punctuation, with the common English contractions
spelled out on both sides ("China's taking" = "China is taking", "we've" = "we have"), so that
a reporter writing out a contraction the transcript kept does not count as a changed word. A
possessive "'s" becomes "is" on both sides as well, which is harmless: only equality matters.
"""

from __future__ import annotations

import difflib
import re
import zlib
from dataclasses import dataclass, field

from redline.words import STOP

GRADES = ("verbatim", "trimmed", "altered", "paraphrase", "not found")

WORD = re.compile(r"\w+(?:['’]\w+)*")
CONTRACTIONS = {"n't": "not", "'re": "are", "'ve": "have", "'ll": "will", "'m": "am", "'d": "would", "'s": "is"}
SPECIAL = {"can't": ("can", "not"), "won't": ("will", "not"), "ain't": ("is", "not"), "let's": ("let", "us")}
STEM = 6  # content words compared by their first letters: "grow", "growing", "growth" alike

# Chosen on the train split of bench/provenance.py (the test split is read once per change).
MIN_WORDS = 3          # shorter quotes ("strong") would match anything the speaker ever said
MIN_CONTENT = 2        # content words a quote needs to be looked up (the index keys are pairs of them)
DIRECT_COVERAGE = 0.6  # share of the quote's words found, in order, in the passage
DIRECT_CONTENT = 0.3   # ... and share of its content words
PARAPHRASE_CONTENT = 0.6  # share of an indirect quote's content stems in the passage's window


@dataclass
class Words:
    """The compared words of a text, each with the character span of the word it came from."""

    norm: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)


def words(text: str) -> Words:
    out = Words()
    for m in WORD.finditer(text):
        word = m.group().lower().replace("’", "'")
        for part in _expand(word):
            out.norm.append(part)
            out.spans.append(m.span())
    return out


def _expand(word: str) -> tuple[str, ...]:
    if word in SPECIAL:
        return SPECIAL[word]
    for ending, full in CONTRACTIONS.items():
        if word.endswith(ending) and len(word) > len(ending):
            return word[: -len(ending)], full
    return (word,)


def content(word: str) -> str | None:
    """A content word's stem, or None for a stop word or a short one."""
    return None if word in STOP or len(word) < 3 else word[:STEM]


def lookable(norm: list[str]) -> bool:
    """Long enough to look up: a quote of fewer words, or content words, has no grade."""
    return len(norm) >= MIN_WORDS and sum(1 for w in norm if content(w)) >= MIN_CONTENT


def keys(speaker_id: str, norm: list[str]) -> set[int]:
    """The index keys of a text: its content stems in pairs, each with the next and the one after
    (so that one changed word leaves pairs intact), with the speaker in the key (a quote is only
    ever looked up among its own speaker's passages). Pairs rather than single words: a
    speaker's common words ("president") would make every passage a candidate."""
    stems = [s for s in map(content, norm) if s]
    pairs = list(zip(stems, stems[1:])) + list(zip(stems, stems[2:]))
    # crc32 twice: a stable 64-bit key, the same in every process (Python's hash() is salted).
    return {_key(f"{speaker_id}\x1f{a}\x1f{b}") for a, b in pairs}


def _key(text: str) -> int:
    data = text.encode()
    return (zlib.crc32(data) << 31) ^ zlib.crc32(data[::-1])


@dataclass
class Match:
    start: int          # character span of the matched passage in its source text
    end: int
    similarity: float   # difflib's ratio of the quote's words and the passage's
    coverage: float     # share of the quote's words found in order in the passage
    content: float      # share of the quote's content stems in the passage
    ops: list[tuple[str, str, str]]  # (op, passage words, quote words) where they differ


def windows(source: Words, quote: Words) -> list[tuple[int, int]]:
    """Where in a long passage to align the quote (difflib over a whole answer would pair the
    quote's "the" and "we" with words scattered over it): around the longest run of words the
    two share, and around the stretch about the quote's length holding most of its content
    words (a paraphrase shares no long run)."""
    width = len(quote.norm) + max(5, len(quote.norm) // 2)
    run = difflib.SequenceMatcher(None, source.norm, quote.norm, autojunk=False).find_longest_match(
        0, len(source.norm), 0, len(quote.norm))
    found = [run.a - run.b] if run.size else []
    wanted = {s for s in map(content, quote.norm) if s} or set(quote.norm)
    hits = [1 if (content(w) or w) in wanted else 0 for w in source.norm]
    best, best_at, running = -1, 0, sum(hits[:width])
    for i in range(max(1, len(hits) - width + 1)):
        if i:
            running += hits[i + width - 1] - hits[i - 1]
        if running > best:
            best, best_at = running, i
    found.append(best_at)
    margin = width // 3
    return list(dict.fromkeys((max(0, at - margin), min(len(hits), at + width + margin)) for at in found))


def align(source: Words, quote: Words) -> Match | None:
    """The quote's words aligned on the best stretch of the source (see `windows`), cut to the
    first and last word they share; None when they share none. difflib's SequenceMatcher gives
    the word operations (standard library, exact longest-matching-block alignment)."""
    if not source.norm or not quote.norm:
        return None
    matches = [m for lo, hi in windows(source, quote) if (m := _align_in(source, quote, lo, hi))]
    return max(matches, key=lambda m: (m.coverage, m.content, m.similarity), default=None)


def _align_in(source: Words, quote: Words, lo: int, hi: int) -> Match | None:
    window = source.norm[lo:hi]
    matcher = difflib.SequenceMatcher(None, window, quote.norm, autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size]
    if not blocks:
        return None
    first, last = blocks[0].a, blocks[-1].a + blocks[-1].size
    # The opcodes over the cut span; quote words before the first shared word or after the last
    # are insertions.
    cut = difflib.SequenceMatcher(None, window[first:last], quote.norm, autojunk=False)
    ops, same = [], 0
    for op, a0, a1, b0, b1 in cut.get_opcodes():
        if op == "equal":
            same += a1 - a0
        else:
            ops.append((op, " ".join(window[first + a0:first + a1]), " ".join(quote.norm[b0:b1])))
    wanted = [s for s in map(content, quote.norm) if s]
    have = {s for s in map(content, window) if s}
    start, end = source.spans[lo + first][0], source.spans[lo + last - 1][1]
    return Match(start, end, round(2 * same / (last - first + len(quote.norm)), 3), same / len(quote.norm),
                 sum(s in have for s in wanted) / len(wanted) if wanted else 0.0, ops)


def grade(match: Match | None, kind: str) -> str | None:
    """The grade of a quote of `kind` (direct, partial, indirect) against its best match; None
    when the match does not count (the caller then says `not found`)."""
    if match is None:
        return None
    if kind == "indirect":
        return "paraphrase" if match.content >= PARAPHRASE_CONTENT else None
    if match.coverage < DIRECT_COVERAGE or match.content < DIRECT_CONTENT:
        return None
    if any(op in ("replace", "insert") for op, _, _ in match.ops):
        return "altered"
    return "trimmed" if match.ops else "verbatim"


def rank(match: Match, kind: str) -> tuple:
    """Which of several matches is the source: the closest, for a paraphrase by its content words."""
    return (match.content, match.similarity) if kind == "indirect" else (match.coverage, match.similarity)


def diff_text(ops: list[tuple[str, str, str]]) -> list[dict]:
    """The word diff as records: what the passage says and what the quote says instead."""
    return [{"op": op, "source": a, "quote": b} for op, a, b in ops]
