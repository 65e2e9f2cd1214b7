"""Strip page furniture from scraped plain text, keeping every sentence of the article.

No library does this for plain text: boilerplate removers (trafilatura, jusText) need the
HTML tree, and a scraper's .txt has none. So the rules here work on lines, by kind:

- patterns of furniture kinds (comment boxes, "See also" links, wire credits ...), read
  from `lang/en/furniture.yaml`, matched against whole lines;
- shape and position: section labels above the headline, label + teaser blocks inside the
  article (a related-story box), short non-sentences after the last sentence, captions
  that are only names, the headline repeated at the foot of the page, the outlet's own
  name on a line of its own;
- repetition: a short non-sentence line that several articles of one outlet share.

Every removed line is returned with its reason, so nothing is thrown away unseen.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from redline import schemas
from redline.model import RemovedLine
from redline.lang import words as _language_words

WORDS = _language_words("actors")

# A sentence ends in . ! ? … (or : before a quote), maybe followed by closing quotes/brackets.
SENTENCE_END = re.compile(r"[.!?…:;][\"'”’»)\]]*$")
WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
# "WASHINGTON (Sputnik) -": the wire or outlet named in a dateline.
DATELINE_SOURCE = re.compile(r"^[A-Z][A-Z .,/'’-]{1,60}\(([^()]{2,40})\)\s*[-–—]")
NAME_CONNECTORS = WORDS.set("name_connectors")
# Zero-width and other invisible format characters scraped along with the text (dropped:
# they sit inside words), and control characters (a space: they sit between words).
INVISIBLE = dict.fromkeys(
    c for c in range(0x2000, 0x2070) if unicodedata.category(chr(c)) == "Cf"
) | {0xFEFF: None, 0x00AD: None} | {
    c: " " for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)] if chr(c) not in "\t\n\r"
}


@dataclass(frozen=True)
class FurnitureRules:
    patterns: tuple[tuple[str, re.Pattern], ...]

    def reason_for(self, line: str) -> str | None:
        for reason, pattern in self.patterns:
            if pattern.fullmatch(line):
                return reason
        return None


def load_furniture_rules(extra: Iterable[str | Path] = ()) -> FurnitureRules:
    """The shipped furniture patterns, plus any user files of the same shape."""
    # checked against redline.schemas.files.FURNITURE: RuleFileError (a ValueError)
    files = [schemas.shipped("furniture.yaml", "furniture")] + [schemas.read(p, "furniture") or {} for p in extra]
    patterns: list[tuple[str, re.Pattern]] = []
    for data in files:
        for reason, regexes in (data.get("reasons") or {}).items():
            for regex in regexes:
                patterns.append((reason, re.compile(regex, re.IGNORECASE)))
    return FurnitureRules(tuple(patterns))


@lru_cache(maxsize=1)
def default_rules() -> FurnitureRules:
    return load_furniture_rules()


@dataclass
class Line:
    seq: int          # index of the (first) physical line in the input
    text: str
    block_start: bool  # first line after a blank line (or of the text)

    @property
    def words(self) -> list[str]:
        return WORD.findall(self.text)

    @property
    def ends_sentence(self) -> bool:
        return bool(SENTENCE_END.search(self.text))

    @property
    def sentence_like(self) -> bool:
        """Prose rather than a headline, label or link: a sentence end, or long and mostly lower case."""
        w = self.words
        if self.ends_sentence:
            return len(w) >= 4
        capitalised = sum(1 for x in w if x[0].isupper())
        return len(w) >= 40 or (len(w) >= 15 and capitalised < 0.5 * len(w))

    @property
    def label_shaped(self) -> bool:
        """A section label or kicker ("World", "Ukraine war"): one to three words, the first
        capitalised, no punctuation at the end."""
        w = self.words
        return (
            1 <= len(w) <= 3
            and len(self.text) <= 30
            and not self.ends_sentence
            and not any(ch.isdigit() for ch in self.text)
            and w[0][0].isupper()
        )

    @property
    def names_only(self) -> bool:
        """A caption that is only names: "Xi and Putin", "Joe Biden, Xi Jinping"."""
        w = self.words
        capitalised = [x for x in w if x[0].isupper()]
        return (
            2 <= len(w) <= 6
            and len(capitalised) >= 2
            and not self.ends_sentence
            and all(x[0].isupper() or x.lower() in NAME_CONNECTORS for x in w)
            # "FRANCE WINS", "TOYOTA RAV4 PRIME": an all-capitals line is a subheading
            and not all(x.isupper() for x in capitalised)
        )


@dataclass
class CleanText:
    text: str
    title: str | None
    removed: list[RemovedLine]
    # Short non-sentence lines of the input (normalised), for the outlet-repetition rule.
    short_lines: list[str] = field(default_factory=list)


# List bullets are layout, not words; left in, the parser takes each for a sentence.
BULLET = re.compile(r"^[•▪●◦‣·]\s*")


def normalise_line(text: str) -> str:
    return BULLET.sub("", " ".join(text.translate(INVISIBLE).split()))


def split_lines(raw: str) -> list[Line]:
    """Non-blank lines with their input position; hard-wrapped lines are joined back."""
    lines: list[Line] = []
    previous_blank = True
    for seq, physical in enumerate(raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")):
        text = normalise_line(physical)
        if not text:
            previous_blank = True
            continue
        last = lines[-1] if lines else None
        # A line that starts in lower case right after one that did not end a sentence is
        # the same paragraph wrapped by the scraper.
        if last and not previous_blank and text[0].islower() and not SENTENCE_END.search(last.text):
            last.text = f"{last.text} {text}"
        else:
            lines.append(Line(seq, text, previous_blank))
        previous_blank = False
    return lines


def short_line_key(line: Line) -> str | None:
    """The key under which a line counts for the outlet-repetition rule, if it is a candidate."""
    if line.sentence_like or len(line.words) > 12:
        return None
    return line.text.casefold()


def mark_by_shape(lines: list[Line], reasons: dict[int, str]) -> None:
    """Mark furniture that shows by its shape and place: labels, teasers, trailing lines."""
    kept = [i for i in range(len(lines)) if i not in reasons]
    # A very short article ("Russia attacked Ukraine.") has no line long enough to look like
    # prose: then its lines that end a sentence are its sentences, not trailing furniture.
    sentence_idx = [i for i in kept if lines[i].sentence_like] or [i for i in kept if lines[i].ends_sentence]
    first_sentence = sentence_idx[0] if sentence_idx else len(lines)
    last_sentence = sentence_idx[-1] if sentence_idx else -1

    def next_kept(i: int) -> int | None:
        return next((j for j in range(i + 1, len(lines)) if j not in reasons), None)

    for i in kept:
        line = lines[i]
        if i < first_sentence and line.label_shaped:
            following = next_kept(i)
            # Above the headline: "World", "Middle East". A short headline followed by the
            # first paragraph stays.
            if following is not None and not lines[following].ends_sentence:
                reasons[i] = "section-label"
        elif i > last_sentence and not line.sentence_like:
            reasons[i] = "trailing-furniture"
        elif i > first_sentence and line.names_only:
            # Inside the article only: above it, a Title Case line is the headline.
            reasons[i] = "caption-names"

    # A label followed by a non-sentence inside the article is a related-story box
    # ("Analysis" / "Experts: ... Process"); a line right after a removed related link is
    # the linked headline. A real subheading is followed by a paragraph and stays.
    for i in range(len(lines)):
        if i in reasons and reasons[i] != "related-link":
            continue
        j = next_kept(i)
        if j is None or lines[j].sentence_like or len(lines[j].words) > 25:
            continue
        if reasons.get(i) == "related-link":
            reasons[j] = "related-teaser"
        elif first_sentence < i < last_sentence and lines[i].label_shaped:
            reasons[i], reasons[j] = "section-label", "related-teaser"


def clean_text(
    raw: str,
    outlet: str | None = None,
    rules: FurnitureRules | None = None,
    outlet_repeated: set[str] | frozenset[str] = frozenset(),
    shape_rules: bool = True,
) -> CleanText:
    """Split `raw` into article paragraphs and furniture.

    `outlet_repeated`: short-line keys (see `short_line_key`) that other articles of the
    same outlet share often enough to count as furniture.
    `shape_rules`: also judge lines by shape and position (labels, captions, trailing
    lines). Off for text that an HTML extractor already cut out of the page's tree.
    """
    rules = rules or default_rules()
    lines = split_lines(raw)
    reasons: dict[int, str] = {}

    outlet_names = {outlet.casefold()} if outlet else set()
    for line in lines[:3]:
        m = DATELINE_SOURCE.match(line.text)
        if m:
            outlet_names.add(m.group(1).strip().casefold())

    for i, line in enumerate(lines):
        reason = rules.reason_for(line.text)
        if reason is None and line.text.casefold() in outlet_names:
            reason = "outlet-name"
        if reason is None and short_line_key(line) in outlet_repeated:
            reason = "outlet-repeated"
        if reason:
            reasons[i] = reason

    # Until nothing more goes: a line's place is judged among the lines that stay, so that
    # cleaning the cleaned text removes nothing more (the cleaner is idempotent).
    while shape_rules:
        removed_before = len(reasons)
        mark_by_shape(lines, reasons)
        if len(reasons) == removed_before:
            break

    kept = [i for i in range(len(lines)) if i not in reasons]
    title = None
    if kept and not lines[kept[0]].text.endswith(".") and len(lines[kept[0]].words) <= 30:
        title = lines[kept[0]].text
        for i in range(kept[0] + 1, len(lines)):
            if lines[i].text.casefold() == title.casefold():
                reasons[i] = "repeated-title"  # the headline again at the foot of the page
        kept = [i for i in kept if i not in reasons]

    removed = [RemovedLine(lines[i].seq, lines[i].text, reasons[i]) for i in sorted(reasons)]
    short = sorted({k for line in lines if (k := short_line_key(line))})
    return CleanText(
        text="\n\n".join(lines[i].text for i in kept),
        title=title,
        removed=removed,
        short_lines=short,
    )
