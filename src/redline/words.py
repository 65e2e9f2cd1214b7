"""Words that say nothing about what a text is about, for the corpus-level stages that compare
texts by their words (copies, story clusters, search): spaCy's English stop words plus the
verbs and titles of attribution that every news article repeats."""

from __future__ import annotations

from spacy.lang.en.stop_words import STOP_WORDS
from redline.lang import words as _language_words

WORDS = _language_words("corpus")

STOP = frozenset(STOP_WORDS) | WORDS.set("stop_more")
