"""Words that say nothing about what a text is about, for the corpus-level stages that compare
texts by their words (copies, story clusters, search): spaCy's English stop words plus the
verbs and titles of attribution that every news article repeats; and `fold`, the one key under
which names are compared ("Erdoğan" = "Erdogan")."""

from __future__ import annotations

import unicodedata

from spacy.lang.en.stop_words import STOP_WORDS
from redline.lang import words as _language_words

WORDS = _language_words("corpus")

STOP = frozenset(STOP_WORDS) | WORDS.set("stop_more")


def fold(text: str) -> str:
    """Casefolded and without accents: "Erdoğan" and "Erdogan" are one key."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()
