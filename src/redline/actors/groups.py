"""Countries, groups and titles in `redline_actors`: a country word as the state, a group
("Russian forces") or an office's holder ("the Chinese president"); organisations; groups
placed in a country ("rebels in the Ivory Coast"); and definite descriptions ("the official")
resolved to the earlier actor meant."""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from redline.actors.matching import DictionaryMatches, covered_chars, phrase_head
from redline.model import Actor, ActorId, Mention
from redline.reading import first_conjunct, in_subtree
from redline.lang import words as _language_words

WORDS = _language_words("actors")

# "the official" refers back to the last official named, whatever their title.
GENERIC_PERSON_WORDS = WORDS.set("generic_person_words")
# Role nouns that name a body, not a person ("the Russian government", "Chinese military").
ORGANISATION_WORDS = WORDS.set("organisation_words")


class GroupResolution(DictionaryMatches):
    """Countries, groups, titles and descriptions, for `ActorResolver`."""

    def _group_or_state(self, span, code, person_tokens, mentions, day, adjective=False):
        """A country word on its own is the state; before a role noun it makes a group or title.

        "Russia said" -> RUS; "Russian forces" -> RUS MIL (group); "the Chinese president"
        -> the person holding the office; "Chinese President Xi Jinping" -> nothing here
        (the word belongs to the person's title); "a Chinese peace plan" -> nothing.
        """
        if code is None:
            return None
        head = phrase_head(span)
        if head.i in person_tokens or (head.head.i in person_tokens and head.dep_ in ("compound", "appos", "nmod")):
            return None  # part of a named person's title: "Ukraine's President Volodymyr Zelenskyy"
        doc = span.doc
        # A person's name within three words after the span, in the head's phrase (asked of those
        # words, not by walking the whole subtree, which a long sentence can make huge)
        if any(i in person_tokens and in_subtree(head, doc[i]) for i in range(span.end, min(span.end + 3, len(doc)))):
            return None
        if any(c.dep_ == "appos" and c.i in person_tokens for c in head.children):
            return None  # "China's top diplomat, Wang Yi": the name is the mention
        head_is_role = head.i >= span.end and head.pos_ in ("NOUN", "PROPN") and self.d.sector_of(head.text)
        first = first_conjunct(span.root)
        if head_is_role and first.dep_ in ("amod", "compound", "nmod", "poss", "npadvmod"):
            # "Russian forces", "Russian Foreign Ministry"; in "US and Chinese officials" each
            # country's officials
            between = span.doc[span.end:head.i]
            coordinated = span.root.conjuncts and any(t.dep_ in ("cc", "conj") for t in between)
            phrase = span.doc[span.start:head.i + 1] if not coordinated else None
            phrase_text = phrase.text if phrase is not None else f"{span.text} {head.text}"
            sector = self.d.sector_of(phrase_text)
            rank = self.d.rank_of(head.text)
            if rank and head.tag_ in ("NN", "NNP") and head.i == span.end:
                holder = self._title_holder(code, rank, mentions, day)
                if holder:
                    return holder, "title"
            definite = any(c.dep_ == "det" and c.lower_ == "the" for c in head.children)
            if definite and head.tag_ == "NN":  # "the US official": someone named before
                earlier = self._description_referent(head, mentions, day, named_only=True)
                if earlier:
                    return earlier, "title"
            if head.pos_ == "PROPN" or head.tag_.endswith("S") or sector != self.d.sector_of(head.lemma_ + "s"):
                kind = "organisation"  # a body ("Foreign Ministry") or a group ("officials")
            else:
                kind = "organisation" if head.lemma_ in ORGANISATION_WORDS else "person"
            key = phrase_text if head.pos_ == "PROPN" else head.lemma_
            return Actor(ActorId.group(code, sector, key), phrase_text, kind, code, sector,
                         None if kind == "organisation" and head.pos_ == "PROPN" else head.text), "group"
        if adjective and span.root.pos_ in ("NOUN", "PROPN") and span.root.dep_ in (
                "nsubj", "nsubjpass", "dobj", "pobj", "conj", "appos", "ROOT"):
            placed = self._placed_in(span.root)
            if any(c.lower_ == "ethnic" for c in span.root.children) or placed not in (None, code):
                # "ethnic Albanians in south Serbia", "the Albanians of southern Serbia": a people
                # where they live, coded as that country's (CAMEO and PLOVER code minorities so);
                # with no place named the event's context places them (country unknown here)
                where = f" ({self.d.country_name(placed)})" if placed else ""
                return Actor(ActorId.ethnic_group(placed, span.root.text),
                             f"ethnic {span.text}{where}", "organisation", placed, "CVL"), "role"
            return self.d.state(code), "dictionary"  # "the Albanians", "Palestinians and Israelis"
        if adjective:
            return None  # "Russian war", "Chinese proposals": a country named, not an actor acting
        return self.d.state(code), "dictionary"

    def _title_holder(self, code, rank, mentions, day) -> Actor | None:
        for m in reversed(mentions):
            if m.actor.kind == "person" and m.actor.country == code and m.actor.role and self.d.rank_of(m.actor.role) == rank:
                return m.actor
        person = self.d.holder(code, rank, day)
        return self.d.person_actor(person, day) if person else None

    @staticmethod
    def _phrase_span(span: Span) -> Span:
        if span.root.conjuncts:
            return span  # "US and Chinese officials": each modifier is its own mention
        head = phrase_head(span)
        start = min([t.i for t in head.lefts if t.dep_ == "det"] + [span.start])
        return span.doc[start:head.i + 1]

    def _organisation(self, span: Span, mentions: list[Mention]) -> Actor:
        text = span.text.removeprefix("the ").removeprefix("The ")
        country = self._country_in(span)
        if country is None:
            for child in span.root.children:
                if child.dep_ == "poss":  # "Russia's Foreign Ministry"
                    country = self.d.country_of_token(child)
        if country is None and span.root.dep_ == "compound":  # "Foreign Ministry spokesman Zhao Lijian"
            head = span.root.head
            for m in mentions:
                if m.actor.kind == "person" and m.start <= head.idx < m.end + 1:
                    country = m.actor.country
        if country is None and self.d.sector_of(text) == "GOV":
            # "the ministry said": the body of the last country whose government was named
            for m in reversed(mentions):
                if m.actor.country and m.actor.kind != "person" and text.casefold() in m.actor.name.casefold():
                    country = m.actor.country
                    break
        sector = self.d.sector_of(text)
        return Actor(ActorId.organisation(text, country), text, "organisation", country, sector)

    def _located_groups(self, doc: Doc, mentions: list[Mention]) -> list[Mention]:
        """"Rebels in the Ivory Coast", "students throughout Indonesia", "security forces in
        Guinea": people named by role and placed in a country are that country's group."""
        covered = covered_chars(mentions)
        found = []
        for tok in doc:
            if tok.pos_ != "NOUN" or tok.idx in covered or not tok.tag_.endswith("S"):
                continue
            sector = self.d.sector_of(tok.text)
            if not sector or any(self.d.country_of_word(c.text) for c in tok.children if c.dep_ in ("amod", "compound", "nmod", "poss")):
                continue  # "US and Chinese officials in Rome" are no Italians
            code = self._placed_in(tok)
            if code:
                start = tok.left_edge.i + (1 if tok.left_edge.dep_ == "det" else 0)
                start = max(start, tok.i - 4)
                span = doc[start:tok.i + 1]
                if any(t.idx in covered for t in span):
                    span = doc[tok.i:tok.i + 1]
                actor = Actor(ActorId.group(code, sector, tok.lemma_), f"{span.text} ({self.d.country_name(code)})",
                              "organisation", code, sector, tok.text)
                found.append(Mention(span.start_char, span.end_char, span.text, actor, "role"))
        return found

    def _placed_in(self, tok: Token) -> str | None:
        """The country of "in X", "of X", "from X" ... after a noun for people."""
        for prep in (c for c in tok.children if c.dep_ == "prep" and c.lower_ in ("in", "from", "of", "throughout", "across")):
            obj = next((o for o in prep.children if o.dep_ == "pobj"), None)
            if obj is None:
                continue
            words = [t for t in obj.subtree if t.dep_ in ("compound", "pobj") or t.i == obj.i]
            name = " ".join(t.text for t in sorted(words, key=lambda t: t.i))
            # (not "Mexico" alone in "police in New Mexico": `country_of_token`)
            code = self.d.country_of_word(name) or self.d.country_of_token(obj)
            if code:
                return code
        return None

    def _definite_descriptions(self, doc: Doc, mentions: list[Mention], day) -> list[Mention]:
        """"the official", "the Russian leader", "the ministry": the earlier actor meant."""
        covered = covered_chars(mentions)
        found = []
        for tok in doc:
            if tok.pos_ != "NOUN" or tok.idx in covered or not self.d.sector_of(tok.text):
                continue
            det = [c for c in tok.lefts if c.dep_ == "det" and c.lower_ == "the"]
            if not det or any(c.idx in covered for c in tok.lefts):
                continue  # "the Turkish and Greek sides": the modifiers are mentions already
            nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
            if nxt is not None and nxt.pos_ == "PROPN":
                continue  # "the spokesman Dmitry Peskov": the name is its own mention
            earlier = [m for m in mentions + found if m.end <= tok.idx]
            actor = self._description_referent(tok, earlier, day)
            if actor:
                span = doc[det[0].i:tok.i + 1]
                found.append(Mention(span.start_char, span.end_char, span.text, actor, "title"))
        return found

    def _description_referent(self, tok: Token, earlier: list[Mention], day, named_only: bool = False) -> Actor | None:
        word = tok.lemma_.casefold()
        rank = self.d.rank_of(tok.text)
        codes = set()
        for c in tok.lefts:  # "the US official", "the Biden administration official"
            if c.dep_ in ("amod", "compound"):
                named = next((m for m in earlier if m.start <= c.idx < m.end), None)
                codes.add(named.actor.country if named else self.d.country_of_token(c))
        codes.discard(None)
        candidates = [m.actor for m in reversed(earlier) if not codes or m.actor.country in codes]
        # First the actor described the same way before ("the US official" ... "the US
        # official"), then one whose title fits ("the official" after a named official).
        for a in candidates:
            if a.role and word in a.role.casefold() or not a.role and a.kind == "organisation" and word in a.name.casefold():
                return a
            if rank and a.kind == "person" and a.role and self.d.rank_of(a.role) == rank:
                return a
        for a in candidates:
            if word in GENERIC_PERSON_WORDS and a.kind == "person" and a.sector in ("GOV", "MIL", "IGO"):
                return a
        if named_only:
            return None
        if rank and len(codes) == 1:
            holder = self.d.holder(next(iter(codes)), rank, day)
            if holder:
                return self.d.person_actor(holder, day)
        if codes and len(codes) == 1:  # "the US official" with no one earlier: a new, unnamed actor
            code = next(iter(codes))
            sector = self.d.sector_of(tok.text)
            return Actor(ActorId.group(code, sector, word), f"{self.d.country_name(code)} {word}",
                         "organisation" if tok.tag_.endswith("S") else "person", code, sector, tok.text)
        return None
