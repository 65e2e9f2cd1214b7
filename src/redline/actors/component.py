"""`redline_actors`: every mention of a person, organisation or country -> a canonical actor.

Evidence, in order: the actor dictionary (people with their offices on the article's date,
organisations, countries, capitals and seats of power); the role phrase next to a name
("Foreign Ministry spokesman Zhao Lijian", "Einar Tangen, a senior fellow at ...");
earlier mentions in the same article (surnames, spelling variants, "the official",
"the Russian leader"). Results: `doc._.actor_mentions`, a list of `Mention` in text order.

    nlp.add_pipe("redline_actors")   # after "ner"; set doc._.published for dated roles
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from redline.actors.dictionary import ActorDictionary, cached_dictionary
from redline.model import Actor, ActorId, Mention
from redline.reading import drop_index, first_conjunct, in_subtree, sentence_of

if not Doc.has_extension("published"):
    Doc.set_extension("published", default=None)  # the article's publication date
if not Doc.has_extension("actor_mentions"):
    Doc.set_extension("actor_mentions", default=None)

# A capital after one of these is a place ("talks in Rome"), not a government acting.
PLACE_WORDS = {"in", "at", "to", "from", "near", "into", "across", "outside", "inside", "around", "toward", "towards", "via", "visit", "trip"}
NER_LABELS = {"PERSON", "ORG", "GPE", "NORP", "FAC"}
# Words a role phrase may hold between its title words ("Secretary of State").
ROLE_LINKS = {"of", "for", "'s", "’s", "-"}
FUZZY_SAME_PERSON = 88
NOT_NAMES = {"said", "says", "say", "told", "tells", "added", "adds", "warned", "warns", "reported"}
# Words that may stand before a name without being part of it.
NAME_TITLES = {"mr", "ms", "mrs", "miss", "dr", "prof", "sir", "dame", "lord", "lady", "adviser", "advisor", "president",
               "minister", "premier", "chancellor", "secretary", "spokesman", "spokeswoman", "spokesperson", "general",
               "gen", "sen", "senator", "rep", "governor", "gov", "ambassador", "envoy", "king", "queen", "prince",
               "princess", "pope", "judge", "justice", "mayor", "chairman", "chairwoman", "chair", "director", "leader",
               "commander", "colonel", "admiral", "counsellor", "councillor", "state", "vice", "deputy", "foreign",
               "defence", "defense", "prime", "first", "lady", "chief", "officer"}
# "the official" refers back to the last official named, whatever their title.
GENERIC_PERSON_WORDS = {"official", "diplomat", "envoy"}
# Role nouns that name a body, not a person ("the Russian government", "Chinese military").
ORGANISATION_WORDS = {"government", "administration", "ministry", "department", "army", "navy", "military",
                      "authorities", "regime", "cabinet", "parliament", "court", "council", "party", "company"}


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


@Language.factory("redline_actors", default_config={"actor_files": []})
def make_actor_resolver(nlp: Language, name: str, actor_files: list[str]) -> "ActorResolver":
    return ActorResolver(nlp, cached_dictionary(tuple(actor_files)))


class ActorResolver:
    def __init__(self, nlp: Language, dictionary: ActorDictionary):
        self.d = dictionary
        self._aliases = [alias for alias in self.d.people if len(alias) > 5]  # long enough to match loosely
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        tables = {
            "PERSON": self.d.people, "ORG": self.d.organisations, "COUNTRY": self.d.country_names,
            "ADJ": self.d.adjectives, "CAPITAL": self.d.capitals,
        }
        for label, table in tables.items():
            self.matcher.add(label, list(nlp.tokenizer.pipe(sorted(table))))

    # -- candidates ------------------------------------------------------------------------
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

    # -- people ---------------------------------------------------------------------------------
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

    def _matches_in(self, span: Span) -> list[tuple[str, int, int]]:
        """Dictionary matches of this Doc (found once, in `candidates`) inside `span`."""
        inside = self._match_order[bisect_left(self._match_starts, span.start):bisect_left(self._match_starts, span.end)]
        return [self._matches[k] for k in sorted(inside) if self._matches[k][2] <= span.end]

    def _country_in(self, span: Span) -> str | None:
        for label, s, e in self._matches_in(span):
            text = span.doc[s:e].text
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

    # -- countries, groups, titles ----------------------------------------------------------------------
    @staticmethod
    def _is_place(span: Span) -> bool:
        return span.start > 0 and span.doc[span.start - 1].lower_ in PLACE_WORDS

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
                    country = self.d.country_of_word(child.text)
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
            code = self.d.country_of_word(name) or self.d.country_of_word(obj.text)
            if code:
                return code
        return None

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
                codes.add(named.actor.country if named else self.d.country_of_word(c.text))
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
