"""`redline_actors`: every mention of a person, organisation or country -> a canonical actor.

Evidence, in order: the actor dictionary (people with their offices on the article's date,
organisations, countries, capitals and seats of power); the role phrase next to a name
("Foreign Ministry spokesman Zhao Lijian", "Einar Tangen, a senior fellow at ...");
earlier mentions in the same article (surnames, spelling variants, "the official",
"the Russian leader"). Results: `doc._.actor_mentions`, a list of `Mention` in text order.

    nlp.add_pipe("redline_actors")   # after "ner"; set doc._.published for dated roles

The look-up is in `matching.py`, people and their roles in `people.py`, countries, groups,
titles and descriptions in `groups.py`; `ActorResolver` here runs them.
"""

from __future__ import annotations

import datetime as dt

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from redline.actors.dictionary import ActorDictionary
from redline.actors.groups import GENERIC_PERSON_WORDS, ORGANISATION_WORDS, GroupResolution
from redline.actors.matching import (NAME_TITLES, NER_LABELS, NOT_NAMES, PLACE_WORDS, DictionaryMatches,
                                     covered_chars, phrase_head)
from redline.actors.people import FUZZY_SAME_PERSON, ROLE_LINKS, People, PersonResolution
from redline.model import Mention
from redline.reading import drop_index

__all__ = ["FUZZY_SAME_PERSON", "GENERIC_PERSON_WORDS", "NAME_TITLES", "NER_LABELS", "NOT_NAMES",
           "ORGANISATION_WORDS", "PLACE_WORDS", "ROLE_LINKS", "ActorResolver", "DictionaryMatches",
           "GroupResolution", "People", "PersonResolution", "covered_chars", "make_actor_resolver",
           "phrase_head"]

if not Doc.has_extension("published"):
    Doc.set_extension("published", default=None)  # the article's publication date
if not Doc.has_extension("actor_mentions"):
    Doc.set_extension("actor_mentions", default=None)


@Language.factory("redline_actors", default_config={"dictionary": {"@misc": "redline.actor_dictionary.v1", "files": []}})
def make_actor_resolver(nlp: Language, name: str, dictionary: ActorDictionary) -> "ActorResolver":
    return ActorResolver(nlp, dictionary)


class ActorResolver(PersonResolution, GroupResolution):
    def __init__(self, nlp: Language, dictionary: ActorDictionary):
        self.d = dictionary
        self._aliases = [alias for alias in self.d.people if len(alias) > 5]  # long enough to match loosely
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        tables = {
            "PERSON": self.d.people, "ORG": self.d.organisations, "COUNTRY": self.d.country_names,
            "ADJ": self.d.adjectives, "CAPITAL": self.d.capitals, "PLACE": self.d.places_abroad,
        }
        for label, table in tables.items():
            self.matcher.add(label, list(nlp.tokenizer.pipe(sorted(table))))

    # -- the component ------------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        day: dt.date | None = doc._.published
        mentions: list[Mention] = []
        # Persons mentioned so far, for surnames and variants: each once, in the order of its
        # latest mention (a list of every mention made each look-up grow with the article).
        people = People()
        candidates = self.candidates(doc)
        person_tokens = {t for span, label, _ in candidates if label == "PERSON" for t in range(span.start, span.end)}

        for span, label, from_dict in candidates:
            text = span.text
            actor, method = None, "dictionary"
            if label == "PERSON" and from_dict:
                actor = self.d.person_actor(self.d.people[text], day)
            elif label == "ORG" and from_dict:
                actor = self.d.organisations[text]
            elif label == "COUNTRY" or (label == "GPE" and text in self.d.country_names):
                code = self.d.country_names.get(text) or self.d.country_names.get(text.removeprefix("the "))
                actor = self._group_or_state(span, code, person_tokens, mentions, day)
                if actor is None:
                    continue
                actor, method = actor
            elif label in ("ADJ", "NORP"):
                code = self.d.adjectives.get(text)
                found = self._group_or_state(span, code, person_tokens, mentions, day, adjective=True) if code else None
                if found is None:
                    continue
                actor, method = found
            elif label == "CAPITAL" or (label == "GPE" and text in self.d.capitals):
                if self._is_place(span):
                    continue
                actor, method = self.d.state(self.d.capitals[text], "GOV"), "metonym"
            elif label == "PERSON" or (label == "ORG" and people.earlier(text)):
                actor, method = self._person(span, people, day)
            elif label == "ORG":
                if len(span) == 1 and not from_dict and (
                        (span.start > 0 and doc[span.start - 1].lower_ == "of") or phrase_head(span).i in person_tokens):
                    continue  # "Secretary of State", "Defence Minister Sergei Shoigu": part of a title
                actor, method = self._organisation(span, mentions), "ner"
            else:
                continue  # other places and groups (GPE cities, NORP "Western") are not actors
            if actor.kind == "person":
                people.add(actor)
            if method in ("group", "title"):
                span = self._phrase_span(span)
                method = "role" if method == "group" else method
            mentions.append(Mention(span.start_char, span.end_char, span.text, actor, method))

        mentions += self._located_groups(doc, mentions)
        mentions += self._missed_surnames(doc, mentions)
        mentions += self._unlabelled_names(doc, mentions, people)
        mentions += self._definite_descriptions(doc, mentions, day)
        mentions.sort(key=lambda m: m.start)
        doc._.actor_mentions = mentions
        drop_index(doc)
        return doc
