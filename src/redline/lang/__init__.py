"""The words of a language that Redline's stages read, in one file per language:
`lang/<code>/words.yaml`, grouped by the stage that reads them (actors, quotes, events, dates,
corpus). English (`en`) is the one shipped; another language is a folder beside it with the
same names (and its spaCy model in `spacy_model`). The other shipped files of words — quote cues,
transcript labels, page furniture — are in the same folder.

Each module reads its words once, at import, as constants (`WORDS.set("accident_words")`): a
name the file lacks is an error then, naming the file and the group.
"""

from __future__ import annotations

from functools import lru_cache

from redline import schemas

LANGUAGE = "en"  # the language of the shipped words and of spaCy's English models' labels


class LanguageWords:
    """One group of a language's words: lists read as sets or sequences, maps as dictionaries."""

    def __init__(self, file: str, group: str, entries: dict):
        self.file, self.group, self.entries = file, group, entries

    def _entry(self, name: str):
        if name not in self.entries:
            raise KeyError(f"{self.file}: no entry {name!r} under {self.group!r}")
        return self.entries[name]

    def set(self, name: str) -> frozenset[str]:
        return frozenset(self._entry(name))

    def list(self, name: str) -> tuple[str, ...]:
        return tuple(self._entry(name))

    def map(self, name: str) -> dict:
        return dict(self._entry(name))


@lru_cache(maxsize=4)
def _words(code: str) -> dict:
    return schemas.shipped("words.yaml", "words", code)


def words(group: str, code: str = LANGUAGE) -> LanguageWords:
    return LanguageWords(f"src/redline/lang/{code}/words.yaml", group, _words(code).get(group) or {})
