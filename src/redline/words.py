"""Words that say nothing about what a text is about, for the corpus-level stages that compare
texts by their words (copies, story clusters, search): spaCy's English stop words plus the
verbs and titles of attribution that every news article repeats."""

from __future__ import annotations

from spacy.lang.en.stop_words import STOP_WORDS

STOP = frozenset(STOP_WORDS) | {"said", "says", "told", "according", "mr", "ms", "also"}
