"""People in `redline_actors`: the persons an article has named (`People`), a person's
name resolved to an earlier person, a variant or a dictionary alias, their role from the
title or apposition beside the name, and names NER did not tag (surnames, unlabelled names)."""

from __future__ import annotations

import datetime as dt

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein
from spacy.tokens import Doc, Span

from redline.actors.matching import DictionaryMatches, covered_chars
from redline.model import Actor, ActorId, Mention
from redline.reading import sentence_of
from redline.lang import words as _language_words

WORDS = _language_words("actors")

# Words a role phrase may hold between its title words ("Secretary of State").
ROLE_LINKS = WORDS.set("role_links")
FUZZY_SAME_PERSON = 88


class People:
    """The persons an article has named so far, each once, with the indexes that find an
    earlier person by a surname, a name part or a spelling variant without comparing the new
    name with every person one by one (which made long articles quadratic)."""

    def __init__(self):
        self._latest: dict[Actor, int] = {}  # actor -> when last named (a count of names)
        self._named = 0
        self._by_word: dict[str, list[Actor]] = {}
        self._names: list[str] = []          # each actor's name, in the order first named
        self._actors: list[Actor] = []
        self._words: list[str] = []          # each word of each name, and whose it is
        self._word_actors: list[Actor] = []

    def add(self, actor: Actor) -> None:
        if actor not in self._latest:
            self._names.append(actor.name)
            self._actors.append(actor)
            for word in actor.name.split():
                self._by_word.setdefault(word, []).append(actor)
                self._words.append(word)
                self._word_actors.append(actor)
        self._named += 1
        self._latest[actor] = self._named

    def latest(self, actors) -> Actor | None:
        """Of these people, the one named last."""
        return max(actors, key=self._latest.__getitem__, default=None)

    def earlier(self, text: str) -> Actor | None:
        """An earlier person this name refers to: a surname or a part of the full name, or a
        one-word name one letter away from a part of it ("Chao" after "Zhao Lijian")."""
        words = text.split()
        if not words:
            return None
        named = [a for a in self._by_word.get(words[-1], ()) if words == a.name.split()[-len(words):]
                 or (len(words) == 1 and words[0] in a.name.split())]
        if named:
            return self.latest(named)
        if len(words) == 1 and len(words[0]) >= 4:
            close = {self._word_actors[i] for _, distance, i in
                     process.extract(words[0], self._words, scorer=Levenshtein.distance, score_cutoff=1, limit=None)
                     if distance == 1}
            if len(close) == 1:
                return close.pop()
        return None

    def variant(self, text: str) -> Actor | None:
        """The person named last whose name is this one spelled or ordered differently."""
        alike = process.extract(text, self._names, scorer=fuzz.token_sort_ratio, score_cutoff=FUZZY_SAME_PERSON, limit=None)
        return self.latest(self._actors[i] for _, _, i in alike)


class PersonResolution(DictionaryMatches):
    """People and their roles, for `ActorResolver`."""
    _aliases: list[str]

    def _person(self, span: Span, people: People, day: dt.date | None) -> tuple[Actor, str]:
        text = span.text
        earlier = people.earlier(text)
        if earlier:
            return earlier, "surname"
        variant = people.variant(text)
        if variant:
            return variant, "fuzzy"
        # The first alias of the dictionary (in its order) this name is a variant of
        alike = process.extract(text, self._aliases, scorer=fuzz.ratio, score_cutoff=92, limit=None)
        if alike:
            alias = self._aliases[min(i for _, _, i in alike)]
            return self.d.person_actor(self.d.people[alias], day), "fuzzy"
        role_phrase, country, sector = self._role_context(span)
        method = "role" if role_phrase else "ner"
        return Actor(ActorId.person(text), text, "person", country, sector, role_phrase), method

    def _role_context(self, span: Span) -> tuple[str | None, str | None, str | None]:
        """Role, country and sector from the title before a name and its apposition after it."""
        doc = span.doc
        left = []
        i = span.start - 1
        while i >= sentence_of(span[0]).start and len(left) < 10:
            tok = doc[i]
            if tok.pos_ in ("PROPN", "NOUN", "ADJ") or tok.text in ROLE_LINKS or tok.tag_ == "POS":
                left.insert(0, tok)
                i -= 1
            else:
                break
        while left and (left[0].text in ROLE_LINKS or left[0].tag_ == "POS"):
            left.pop(0)
        parts = []
        if left:
            parts.append(doc[left[0].i:left[-1].i + 1])
        for child in span.root.children:
            if child.dep_ == "appos" and child.i >= span.end:
                sub = list(child.subtree)
                parts.append(doc[sub[0].i:min(sub[-1].i + 1, sub[0].i + 30)])
        if not parts:
            return None, None, None
        phrase = " ".join(p.text for p in parts)
        country = None
        for part in parts:
            country = country or self._country_in(part)
        sector = self.d.sector_of(phrase)
        for part in parts:  # an organisation in the phrase lends its country and sector
            for _, s, e in self._matches_in(part):
                org = self.d.organisations.get(doc[s:e].text)
                if org:
                    country = country or org.country
                    sector = sector or org.sector
        if left and not (sector or country or self.d.rank_of(phrase)):
            return None, None, None  # "the main Hutu rebel group": words before a name, no title
        role = parts[0].text if left else (self._head_role(parts[0]) or parts[0].text)
        return role, country, sector

    def _head_role(self, apposition: Span) -> str | None:
        """"a senior fellow at the Taihe Institute, ..." -> "senior fellow"."""
        root = apposition.root
        words = [t for t in root.lefts if t.dep_ in ("amod", "compound")] + [root]
        return " ".join(t.text for t in sorted(words, key=lambda t: t.i))

    @staticmethod
    def _missed_surnames(doc: Doc, mentions: list[Mention]) -> list[Mention]:
        """"Price told a news briefing": a surname NER did not tag, after the full name."""
        covered = covered_chars(mentions)
        # One pass: the people named so far, by surname (the latest wins), instead of
        # looking back through every mention at each capitalised word.
        people = sorted((m for m in mentions if m.actor.kind == "person" and len(m.actor.name.split()) > 1),
                        key=lambda m: m.end)
        by_surname: dict[str, Mention] = {}
        at = 0
        found = []
        for tok in doc:
            while at < len(people) and people[at].end <= tok.idx:
                by_surname[people[at].actor.name.split()[-1]] = people[at]
                at += 1
            if tok.idx in covered or not tok.text[:1].isupper() or tok.is_sent_start and tok.pos_ != "PROPN":
                continue
            m = by_surname.get(tok.text)
            if m is not None:
                found.append(Mention(tok.idx, tok.idx + len(tok), tok.text, m.actor, "surname"))
        return found

    def _unlabelled_names(self, doc: Doc, mentions: list[Mention], people: People) -> list[Mention]:
        """"Eswar Prasad, a trade professor at Cornell, said": a name of two or more proper
        nouns as the subject of a verb, which NER did not tag, is a person."""
        covered = covered_chars(mentions)
        found = []
        for tok in doc:
            if tok.pos_ != "PROPN" or tok.idx in covered or (tok.i + 1 < len(doc) and doc[tok.i + 1].pos_ == "PROPN"):
                continue  # look at the last word of each run of proper nouns
            start = tok.i
            while start > sentence_of(tok).start and doc[start - 1].pos_ == "PROPN" and doc[start - 1].text[:1].isupper():
                start -= 1
            span = doc[start:tok.i + 1]
            # Is it in a person's place: the subject of a verb, or right after a role word
            # ("ambassador to Britain Liu Xiaming")?
            before = [t for t in doc[max(start - 4, sentence_of(tok).start):start] if t.pos_ == "NOUN"]
            after_role = any(self.d.sector_of(t.text) for t in before)
            if len(span) < 2 or not (tok.dep_ == "nsubj" or after_role):
                continue
            if any(self.d.country_of_word(t.text) or t.text in self.d.organisations or t.idx in covered for t in span):
                continue
            if not all(t.text[:1].isupper() and t.is_alpha for t in span):
                continue
            actor, method = self._person(span, people, doc._.published)
            people.add(actor)
            found.append(Mention(span.start_char, span.end_char, span.text, actor, method))
        return found
