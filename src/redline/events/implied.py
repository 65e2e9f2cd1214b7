"""Implied actors: groups named only by what they are ("police", "rebels") placed by the
sentence's country, and targets the text implies when it names none."""

from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Token

from redline.events.event import codable, unplaced
from redline.events.rules import Rule
from redline.events.syntax import QUANTITY_HEADS, THIRD_PERSON, is_light_verb, subject_of
from redline.model import Actor, ActorId, Place, is_state
from redline.lang import words as _language_words

WORDS = _language_words("events")

# Material acts whose target, when no actor is named, is the country where they happen.
PLACE_TARGET_TYPES = {"ASSAULT", "COERCE", "CONCEDE", "RETREAT", "MOBILIZE", "AID"}
# Offices held only at home: a holder of unknown country is of the country the sentence names.
DOMESTIC_OFFICES = WORDS.set("domestic_offices")
# Acts whose object is what the source gives or moves ("sent troops"), never its target.
OWN_OBJECT_TYPES = {"AID", "MOBILIZE"}
# Acts that, with no target named and one country in the sentence, are done to that country
# (PLOVER's domestic events: "the Supreme Court ruled against the attempt", "Congress denied
# funding", "police opened a criminal case against the driver"). Not the joint acts (CONSULT,
# COOPERATE) nor what the source gives (AID), nor an attack: "Russian strikes hit Odesa" names
# only the attacker's country, and a war's target is mostly abroad (an attack's target is where it
# happened: PLACE_TARGET_TYPES). Chosen on the train split: README, "Events".
DOMESTIC_TYPES = {"COERCE", "CONCEDE", "MOBILIZE", "ACCUSE", "SANCTION", "REJECT", "REQUEST", "RETREAT", "SUPPORT",
                  "AGREE"}


class ImpliedActors:
    """Actors the context supplies where the arguments name none."""

    def _unnamed_groups(self, tok: Token, rule: Rule, named: set[str], where: Place | None,
                        source: list[Actor], target: list[Actor], by_token) -> tuple[list[Actor], list[Actor]]:
        """"Police opened fire on demonstrators", "the government accused Darfur rebels": a
        group named only by what it is (data/roles.yaml) belongs to the country the sentence
        is about -- where the act happens, else the other side's country (such acts are
        mostly domestic), else the one country the sentence names. Human coders of PLOVER
        and CAMEO code such actors the same way; with no single country it stays uncoded."""
        source_heads, target_heads = self._argument_heads(tok, rule)
        if source and not any(a.country for a in source):
            # "Judge Alejandro Rivera opened investigations against Chilean officials": an office
            # that only acts at home is of the one country its sentence names
            code = next(iter(named)) if len(named) == 1 else None
            source = [replace(a, country=code) if is_state(code) and a.role and
                      (a.role.lower() in DOMESTIC_OFFICES or self.d.sector_of(a.role.lower()) == "JUD") else a
                      for a in source]
        if unplaced(source):
            group = self._group_of(source_heads, by_token)
            code = group and self._context_country(named, where, target)
            if code:
                source = source + [self._group_actor(group, code)]
        own = {a.country for a in source if a.country}
        if target and rule.event_type in PLACE_TARGET_TYPES and len(own) == 1 and named <= own:
            # "rebels will release Prime Minister Mahendra Chaudhry": released, arrested or
            # attacked at home, in a sentence about one country, a leader is of that country
            target = [replace(a, country=next(iter(own))) if a.kind == "person" and not a.country else a for a in target]
        if not target and source and rule.event_type not in OWN_OBJECT_TYPES:
            group = self._group_of(target_heads, by_token)
            code = group and self._context_country(named, where, source)
            if code and not (group[1] == "MIL" and code in {a.country for a in source}):  # its own troops
                target = [a for a in [self._group_actor(group, code)] if a.id not in {s.id for s in source}]
        return source, target

    def _placed_people(self, actors: list[Actor], named: set[str], where: Place | None) -> list[Actor]:
        """"Usman Khan stabbed several people in London", "McArthur admitted eight murders": a
        private person of no known country is of the country the act happens in, else of the
        one country the sentence (or the article) names, as PLOVER's and CAMEO's coders place
        them; with no such country, or beside an actor the text does place ("Sullivan's
        counterpart, Sergei Lavrov"), they are left out. (Not the other side's country: the
        target of "the US urged Germany to restrict Mahan" is not American.)"""
        code = None if any(codable(a) for a in actors) else self._context_country(named, where, [])
        return [replace(a, country=code) if not codable(a) and code else a
                for a in actors if codable(a) or (code and a.kind == "person")]

    def _argument_heads(self, tok: Token, rule: Rule) -> tuple[list[Token], list[Token]]:
        """The words that stand for the source and the target of a trigger."""
        if rule.nominal:
            # "teachers ... in a protest": the subject of the verb whose state the noun is;
            # "fundamentalists continued their hunger strike": the subject of the light verb
            verb = tok.head.head if rule.particle else tok.head if tok.dep_ == "dobj" and is_light_verb(tok.head) else None
            subject = subject_of(verb) if verb is not None and verb.pos_ in ("VERB", "AUX") else None
            return ([subject] if subject is not None else []), []
        source, target = self._verbal_arguments(tok, rule)
        source = [self._speaker_of(t) if t.lower_ in THIRD_PERSON else t for t in source]
        if rule.event_type in ("ASSAULT", "COERCE"):
            # "police opened fire to disperse demonstrators": those the purpose is aimed at
            target += [o for c in tok.children if self._purpose(c) for o in c.children if o.dep_ in ("dobj", "obj")]
        return (target, source) if rule.swap else (source, target)

    def _speaker_of(self, pronoun: Token) -> Token:
        """"Militants loyal to ... said they attempted to ...": the subject of the speech verb a
        pronoun stands under, else the pronoun."""
        speech = next((a for a in pronoun.ancestors if a.lemma_ in self.speech and a.pos_ == "VERB"), None)
        speaker = subject_of(speech) if speech is not None else None
        return speaker if speaker is not None and speaker.lower_ not in THIRD_PERSON else pronoun

    def _group_of(self, heads: list[Token], by_token) -> tuple[Token, str] | None:
        for head in (h2 for h in heads for h2 in self._through_quantity(h)):
            known = by_token.get(head.i)
            if known is not None and not known.actor.country and known.actor.kind == "organisation" and known.actor.sector:
                return head, known.actor.sector  # "ethnic Albanians": a people placed by the context
            if head.pos_ != "NOUN" or head.i in by_token:
                continue
            if any(t.i in by_token and by_token[t.i].actor.kind == "organisation" for t in head.subtree if t.i < head.i):
                continue  # "top al-Qaeda leaders": a named body's people, of no country the context gives
            phrase = " ".join(t.lower_ for t in head.lefts if t.dep_ in ("compound", "amod")) + " " + head.lower_
            sector = self._word_sector(head) or \
                (self.d.sector_of(phrase) if head.lower_ in QUANTITY_HEADS else None)  # "a human rights group"
            if sector and sector != "IGO":
                return head, sector
        return None

    def _word_sector(self, word: Token) -> str | None:
        """The sector a word names as it stands or as its lemma ("police", "soldiers"), else None."""
        return self.d.sector_of(word.lower_) or self.d.sector_of(word.lemma_.lower())

    def _group_actor(self, group: tuple[Token, str], code: str) -> Actor:
        head, sector = group
        words = [t for t in head.lefts if t.dep_ in ("compound", "amod") and t.i >= head.i - 3] + [head]
        text = " ".join(t.text for t in words)
        return Actor(ActorId.group(code, sector, head.lemma_), f"{text} ({self.d.country_name(code)})",
                     "organisation", code, sector, head.text)

    @staticmethod
    def _context_country(named: set[str], where: Place | None, other: list[Actor]) -> str | None:
        if where and is_state(where.country):
            return where.country
        candidates = {a.country for a in other if a.country} or named
        code = next(iter(candidates)) if len(candidates) == 1 else None
        return code if is_state(code) else None  # a country, not an international body

    def _implicit_target(self, tok: Token, rule: Rule, source: list[Actor], target: list[Actor], where: Place | None,
                         named: set[str], by_token) -> list[Actor]:
        """A target the text implies when it names none."""
        if target:
            return target
        if where and where.country and (rule.event_type in PLACE_TARGET_TYPES or rule.mode == "investigate"):
            # "lifted a curfew in Montenegro", "a bombing in central Baghdad": where it was done
            return [self.d.state(where.country)]
        own = {a.country for a in source if a.country}
        if rule.event_type == "SANCTION" and where and is_state(where.country) and where.country not in own:
            return [self.d.state(where.country)]  # "suspended aid deliveries in Baghdad", "closed its embassy in Kyiv"
        if rule.event_type == "REJECT":
            # "declined to resign despite pressure by the anti-corruption commission": whose pressure
            pressing = [o for t in tok.subtree if t.dep_ == "prep" and t.lower_ == "despite" for o in t.children if o.dep_ == "pobj"]
            found = [a for o in pressing for p in [o, *self._aimed_at(o)] for a in self._actors_of(p, by_token)
                     if a.country and a.id not in {s.id for s in source}]
            if found:
                return found[:1]
        if (rule.event_type in DOMESTIC_TYPES or rule.requires_future) and len(own) == 1 and is_state(code := next(iter(own))) \
                and named <= own:
            # "Iraq's government is prepared to impose martial law", "the union called off its
            # strike", "warned that police will no longer tolerate rallies": a coercive or
            # conceding act, or a threat of one's own side's act, on no one named, in a sentence
            # about one country, is done to that country (PLOVER's domestic events)
            return [self.d.state(code)]
        if rule.event_type == "PROTEST" and where and is_state(where.country) \
                and where.country not in own:
            return [self.d.state(where.country, "GOV")]  # "rioted at a jail in northern Israel"
        if rule.event_type == "PROTEST":
            # A protest with no one named protests against its own country's government.
            return list({self.d.state(a.country, "GOV").id: self.d.state(a.country, "GOV")
                         for a in source if is_state(a.country)}.values())
        if rule.event_type == "CONSULT" and rule.mode == "visit" and where and where.country \
                and where.visited and where.country not in {a.country for a in source}:
            return [self.d.state(where.country, "GOV")]  # "Xi will visit Moscow": Russia hosts
        return target
