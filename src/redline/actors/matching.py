"""The dictionary look-up of `redline_actors`: the candidate mentions (dictionary matches
and NER entities, longest and dictionary first, without overlaps), the dictionary matches
inside a span, the country a phrase names; and the span helpers the resolution shares."""

from __future__ import annotations

from bisect import bisect_left

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from redline.actors.dictionary import ActorDictionary
from redline.model import Mention
from redline.reading import first_conjunct
from redline.lang import words as _language_words

WORDS = _language_words("actors")

# A capital after one of these is a place ("talks in Rome"), not a government acting.
PLACE_WORDS = WORDS.set("place_words")
NER_LABELS = {"PERSON", "ORG", "GPE", "NORP", "FAC"}
NOT_NAMES = WORDS.set("not_names")
# Words that may stand before a name without being part of it.
NAME_TITLES = WORDS.set("name_titles")


def covered_chars(mentions: list[Mention]) -> set[int]:
    """The character offsets already inside a mention."""
    return {i for m in mentions for i in range(m.start, m.end)}


def phrase_head(span: Span) -> Token:
    """The noun a modifier belongs to: "Russian Defence Ministry" -> "Ministry";
    "US and Chinese officials" -> "officials" for both modifiers."""
    head = first_conjunct(span.root).head
    while head.dep_ == "compound" and head.head.pos_ in ("NOUN", "PROPN") and head.head.i > head.i:
        head = head.head
    return head


class DictionaryMatches:
    """The candidates and dictionary look-ups of `ActorResolver` (which builds the matcher)."""
    d: ActorDictionary
    matcher: PhraseMatcher

    def candidates(self, doc: Doc) -> list[tuple[Span, str, bool]]:
        """Non-overlapping (span, label, from_dictionary), longest and dictionary first."""
        self._matches = [(doc.vocab.strings[m], s, e) for m, s, e in self.matcher(doc)]
        # By start, to find those inside a span by bisection (`_matches_in`)
        self._match_order = sorted(range(len(self._matches)), key=lambda k: self._matches[k][1])
        self._match_starts = [self._matches[k][1] for k in self._match_order]
        found = [(Span(doc, s, e), label, True) for label, s, e in self._matches]
        for ent in doc.ents:  # "the White House": the article is not part of the name
            if len(ent) == 1 and ent[0].lower_ in NOT_NAMES:
                continue  # "..., US official Said": a headline's capitalised verb
            if ent.label_ in NER_LABELS:
                ent = ent[1:] if len(ent) > 1 and ent[0].lower_ == "the" else ent
                found.append((ent, ent.label_, False))
        # A known surname inside a longer name NER found ("Harriet Vance" holding the alias
        # "Vance" of someone else) is the other person: the dictionary match gives way when
        # the words it lacks are given names, not titles.
        person_ents = [c[0] for c in found if not c[2] and c[1] == "PERSON"]
        if person_ents:
            by_token = {i: ent for ent in person_ents for i in range(ent.start, ent.end)}
            kept = []
            for span, label, from_dict in found:
                ent = by_token.get(span.start) if from_dict and label == "PERSON" else None
                if ent is not None and ent.end == span.end and ent.start < span.start and all(
                        t.pos_ == "PROPN" and t.text[:1].isupper() and t.text.rstrip(".").casefold() not in NAME_TITLES
                        for t in doc[ent.start:span.start]):
                    continue
                kept.append((span, label, from_dict))
            found = kept
        # Dictionary matches first ("Adviser Yang Jiechi" from NER keeps only the known name),
        # longest first within each source.
        found.sort(key=lambda c: (not c[2], -(c[0].end - c[0].start), c[0].start))
        taken: set[int] = set()
        chosen = []
        for span, label, from_dict in found:
            if taken.isdisjoint(range(span.start, span.end)):
                chosen.append((span, label, from_dict))
                taken.update(range(span.start, span.end))
        return sorted(chosen, key=lambda c: c[0].start)

    def _matches_in(self, span: Span) -> list[tuple[str, int, int]]:
        """Dictionary matches of this Doc (found once, in `candidates`) inside `span`."""
        inside = self._match_order[bisect_left(self._match_starts, span.start):bisect_left(self._match_starts, span.end)]
        return [self._matches[k] for k in sorted(inside) if self._matches[k][2] <= span.end]

    def _country_in(self, span: Span) -> str | None:
        region_end = -1
        for label, s, e in self._matches_in(span):
            text = span.doc[s:e].text
            if label == "PLACE" or s < region_end:
                # "University of New Mexico": not Mexico's. Nor the region's country, for a name
                # may be a region's and a better-known place's too ("Long Island")
                region_end = max(region_end, e)
                continue
            if label in ("COUNTRY", "ADJ"):
                return self.d.country_names.get(text) or self.d.adjectives.get(text)
            if label == "CAPITAL" and s > 0 and span.doc[s - 1].lower_ == "in":  # "based in Beijing"
                return self.d.capitals[text]
            if label == "CAPITAL" and s == span.start + (span[0].lower_ == "the"):  # "Baghdad University"
                return self.d.capitals[text]
        for tok in span:
            if "-" in tok.text:  # "US-led", "Sino-Russian": the first part names the country
                code = self.d.country_of_word(tok.text.split("-")[0])
                if code:
                    return code
        return None

    @staticmethod
    def _is_place(span: Span) -> bool:
        return span.start > 0 and span.doc[span.start - 1].lower_ in PLACE_WORDS
