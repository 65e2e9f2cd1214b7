"""Speaker-labelled turns in a text: where a transcript's turns begin and end, and what a label names.

Plain text only (no spaCy): the paragraph component (redline.nlp) starts a sentence where a
turn's words start, and `redline_transcripts` makes the turns statements of their speakers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from redline import schemas

# A label: capitals, periods, hyphens, apostrophes and spaces, then a colon, at a paragraph's start
# ("[^\S\n]": any space but a line break, no-break spaces included, as transcripts use them.)
LABEL = re.compile(r"^[^\S\n]*(?P<label>[A-Z][A-Z.'’\- ]{0,48}[A-Z.]):[^\S\n]+(?=\S)", re.MULTILINE)
QUESTION = re.compile(r"^[^\S\n]*Q(?::[^\S\n]*|[^\S\n]+)(?=\S)", re.MULTILINE)


@dataclass(frozen=True)
class Turn:
    start: int              # where the label (or "Q") begins
    text_start: int         # where the words spoken begin
    end: int                # the end of the turn's last word
    label: str | None       # None for a question


class LabelWords(NamedTuple):
    honorifics: frozenset[str]
    unnamed: frozenset[str]
    min_turns: int
    not_speakers: frozenset[str]


@lru_cache(maxsize=1)
def label_words() -> LabelWords:
    data = schemas.shipped("transcripts.yaml", "transcripts")
    return LabelWords(frozenset(data["honorifics"]), frozenset(data["unnamed"]), int(data["min_turns"]),
                      frozenset(data["not_speakers"]))


def is_speaker_label(label: str) -> bool:
    """Not a letter's salutation, an e-mail header or an editor's note."""
    first = label.split()[0].strip(".").casefold()
    return first not in label_words().not_speakers


def find_turns(text: str) -> list[Turn]:
    """The turns of `text` if it is a transcript (at least `min_turns` labelled turns), else []."""
    heads = [(m.start(), m.end(), m.group("label")) for m in LABEL.finditer(text) if is_speaker_label(m.group("label"))]
    if len(heads) < label_words().min_turns:
        return []
    heads += [(m.start(), m.end(), None) for m in QUESTION.finditer(text)]
    heads.sort()
    turns = []
    for n, (start, text_start, label) in enumerate(heads):
        end = heads[n + 1][0] if n + 1 < len(heads) else len(text)
        end = text_start + len(text[text_start:end].rstrip())  # the turn's words, not the text before them
        if end > text_start:
            turns.append(Turn(start, text_start, end, label))
    return turns


TURNS_KEY = "redline_turns"


def doc_turns(doc) -> list[Turn]:
    """`find_turns` of a Doc's text, found once: the paragraph component needs them before the
    parser, the transcript reader after it."""
    if TURNS_KEY not in doc.user_data:
        doc.user_data[TURNS_KEY] = find_turns(doc.text)
    return doc.user_data[TURNS_KEY]


def label_name(label: str) -> tuple[str | None, str | None]:
    """(name, role) a label gives: "MR. KIRBY" -> ("Kirby", None); "ASSISTANT SECRETARY
    WALLANDER" -> ("Wallander", "Assistant Secretary"); "THE PRESIDENT" -> (None, "President");
    "MODERATOR" -> (None, None)."""
    known = label_words()
    words = [w.strip(".") for w in label.split() if w.strip(".")]
    lowered = [w.casefold() for w in words]
    if lowered and lowered[0] == "the":
        return None, " ".join(w.capitalize() for w in words[1:]) or None
    if lowered and lowered[0] in known.honorifics:
        rest = words[1:]
        return (" ".join(w.title() for w in rest), None) if rest else (None, None)
    if not words or all(w in known.unnamed for w in lowered):
        return None, None
    # "CHAIR BERNSTEIN", "ASSISTANT SECRETARY WALLANDER": the last word is the surname
    return words[-1].title(), " ".join(w.capitalize() for w in words[:-1]) or None
