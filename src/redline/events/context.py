"""Context: the date, place and mode of an event, and the countries its sentence names."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace

from spacy.tokens import Span, Token

from redline.events.dates import resolve
from redline.events.places import city_index, resolve_place
from redline.events.rules import Rule
from redline.events.syntax import PLACE_LABELS
from redline.model import Place, is_state
from redline.reading import climb, entity_at, in_subtree, once_per_sentence, sentence_ents
from redline.lang import words as _language_words

WORDS = _language_words("events")

PLACE_PREPS = WORDS.set("place_preps")
PLACE_NOUNS = WORDS.set("place_nouns")
# "In a statement published Oct. 25": the date a statement carrying the event was made.
PUBLISHING_VERBS = WORDS.set("publishing_verbs")


class ContextReader:
    """When, where and how (mode); the countries a sentence names."""

    # -- date, place, mode -------------------------------------------------------------------------
    def _date(self, tok: Token, sent: Span, published: dt.date | None, future: bool) -> tuple:
        fallback = (published, "unknown", None)
        if published is None:
            return (None, "unknown", None)
        dates = [e for e in sentence_ents(sent) if e.label_ in ("DATE", "TIME") and not (
            e.root.head.lower_ in ("for", "over", "within", "during") and e.root.dep_ == "pobj")]  # "for 18 years": how long
        # The trigger's own clause first; then, for a trigger that completes a verb ("In 2015,
        # Saudi Arabia started supporting ...", "on Monday began shelling"), that verb's clause.
        completed = tok.head if tok.dep_ == "xcomp" and tok.head.pos_ in ("VERB", "AUX") else None
        for governor in (tok, completed):
            for ent in (e for e in dates if governor is not None and self._governed_by(e.root, governor)):
                found = resolve(ent.text, published, future=future)
                if found:
                    return (found.date, found.precision, found.text)
        return fallback

    @staticmethod
    def _governed_by(token: Token, trigger: Token) -> bool:
        """Is `token` a modifier of the trigger's own clause, not of another verb above or beside it?"""
        for _, t in climb(token):
            if t.i == trigger.i:
                return True
            if t.dep_ == "acl" and t.lemma_.lower() in PUBLISHING_VERBS:
                continue  # "in a statement published Oct. 25, ... accused": said on that day
            if t.pos_ in ("VERB", "AUX") and not (t.dep_ == "xcomp" and t.head.i == trigger.i):
                return False  # "agreed to restore ties in March": the date of the agreement's object
        return False

    def _place(self, tok: Token, sent: Span, rule: Rule) -> Place | None:
        preps = [c for c in tok.children if c.dep_ == "prep"]
        if rule.nominal and rule.particle and tok.head.head.pos_ in ("VERB", "AUX"):
            preps += [c for c in tok.head.head.children if c.dep_ == "prep" and c.i != tok.head.i]  # "on alert in the West Bank"
        preps += [p for o in tok.children if o.dep_ in ("dobj", "nsubjpass") for p in o.children if p.dep_ == "prep"]
        for prep in (c for c in preps if c.lower_ in PLACE_PREPS | {"to", "from"}):
            if prep.lower_ == "from" and rule.event_type != "RETREAT":
                continue
            if prep.lower_ == "to" and not (rule.event_type == "CONSULT"):
                continue
            for obj in (o for o in prep.children if o.dep_ == "pobj"):
                span = entity_at(obj)
                span = span if span is not None and span.label_ in PLACE_LABELS | {"ORG"} else None
                text = span.text if span is not None else obj.text
                if span is not None or obj.text in self.d.capitals or obj.text in self.d.country_names:
                    # "a visit to Moscow": the place visited; "met in Rome": where it happened
                    return replace(resolve_place(text, self.d), visited=prep.lower_ == "to")
        if rule.event_type == "CONSULT":
            for obj in (c for c in tok.children if c.dep_ == "dobj"):
                if obj.text in self.d.capitals or obj.ent_type_ in PLACE_LABELS:
                    return replace(resolve_place(obj.text, self.d), visited=True)
        # Deeper in the phrase: "fired shells at targets in Jericho", "eased measures in
        # Montenegro province" -- but not in another clause with a subject of its own.
        # The sentence's objects of "in", "at", "near", "from" (found once per sentence) that are in
        # the trigger's phrase, nearest first: sorting each trigger's whole subtree made a long
        # sentence quadratic.
        preps = ("in", "at", "near") + (("from",) if rule.event_type == "RETREAT" else ())
        objects = once_per_sentence(sent, "place objects", lambda: [
            t for t in sent if t.dep_ == "pobj" and t.head.lower_ in ("in", "at", "near", "from")])
        for t in sorted((t for t in objects if t.head.lower_ in preps and in_subtree(tok, t)),
                        key=lambda t: (abs(t.i - tok.i), t.i)):  # ("withdrawal of forces from Panama": where a retreat leaves)
            if t.lemma_.lower() in PLACE_NOUNS:  # "near the town of Samarra", "in Montenegro province"
                t = next((o for p in t.children if p.lower_ == "of" for o in p.children if o.dep_ == "pobj"),
                         next((c for c in t.children if c.dep_ == "compound" and c.pos_ == "PROPN"), t))
            if t.ent_type_ not in PLACE_LABELS and not (t.pos_ == "PROPN" and t.text.casefold() in city_index()):
                continue  # "in Odesa" even where NER did not tag the city
            path = []
            for a, head in climb(t):
                if a.i == tok.i:
                    break
                path.append(head)
            if any(x.pos_ in ("VERB", "AUX") and x.i != tok.i and any(c.dep_ == "nsubj" for c in x.children) for x in path):
                continue
            span = entity_at(t)
            return resolve_place(span.text if span is not None else t.text, self.d)
        return None

    @staticmethod
    def _mode(tok: Token, modes: dict[str, list[str]]) -> str | None:
        words = {t.lower_ for t in tok.subtree} | {t.lemma_.lower() for t in tok.subtree} | {tok.head.lower_}
        text = " ".join(t.lower_ for t in tok.subtree)
        for mode, cues in modes.items():
            if any((w in words) if " " not in w else (w in text) for w in cues):
                return mode
        return None

    def _countries_named(self, sent: Span, by_token, besides: str | None = None) -> set[str]:
        """Every country (or IGO) a sentence names, as an actor or a place (but `besides`);
        worked out once per sentence for all its triggers."""
        return set(once_per_sentence(sent, ("countries", besides), lambda: self._countries_in(sent, by_token, besides)))

    def _article_country(self, sent: Span, by_token) -> set[str]:
        """The country the article is about, for a sentence that names none ("Police arrested
        the accused"): the country of most of the article's mentions, when it has at least
        half of them. Human coders of PLOVER and CAMEO read such sentences in their story."""
        doc = sent.doc
        if "redline_article_country" not in doc.user_data:
            counts = Counter(m.actor.country for m in {id(m): m for m in by_token.values()}.values()
                             if is_state(m.actor.country))
            top = counts.most_common(1)
            doc.user_data["redline_article_country"] = \
                {top[0][0]} if top and top[0][1] * 2 >= sum(counts.values()) else set()
        return set(doc.user_data["redline_article_country"])

    def _countries_in(self, sent: Span, by_token, besides: str | None) -> set[str]:
        named = {by_token[i].actor.country for i in range(sent.start, sent.end) if i in by_token and by_token[i].actor.country}
        ents = [e for e in sentence_ents(sent) if e.end <= sent.end]  # as `sent.ents`, without scanning the Doc
        for e in (e for e in ents if e.label_ in PLACE_LABELS and e.text != besides):
            place = resolve_place(e.text, self.d)  # "Indianapolis", "Montenegro": a city or a country
            if place is not None and place.country:
                named.add(place.country)
        # "the north Lebanese port": a country adjective names its country too
        return named | {code for e in ents if e.label_ == "NORP" and (code := self.d.adjectives.get(e.text))}

    @staticmethod
    def _lemmas(sent: Span) -> set[str]:
        return once_per_sentence(sent, "lemmas", lambda: {t.lemma_.lower() for t in sent})

    @staticmethod
    def _text(sent: Span) -> str:
        return once_per_sentence(sent, "text", lambda: sent.text)  # Span.text joins its tokens anew each time
