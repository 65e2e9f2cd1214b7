"""`redline_events`: PLOVER events from the parse — who did what to whom, when and where,
and whether it happened at all.

A trigger (verb or noun of data/events.yaml) takes its source and target from the
dependency parse, resolved through `doc._.actor_mentions` (a person codes as their country
and sector). Everything above the trigger in the parse decides what the event is worth:
"not", "refrained from", "no indication that" negate it; "will", "plans to" make it future;
"if", "could", "is considering", "warned ... to" make it hypothetical; reported speech and
quotes make it alleged and attributed to their speaker. Results: `doc._.events`.

    nlp.add_pipe("redline_events")   # after "redline_quotes"
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from redline.actors.dictionary import ActorDictionary, cached_dictionary
from redline.events.dates import resolve
from redline.events.places import city_index, in_context, resolve_place
from redline.events.rules import EventRules, Rule, cached_rules
from redline.model import Actor, ActorId, Event, Mention, Place, Quote, is_state
from redline.quotes import cue_words
from redline.reading import climb, drop_index, entity_at, in_subtree, once_per_sentence, sentence_ents, sentence_of

if not Doc.has_extension("events"):
    Doc.set_extension("events", default=None)

# Dependency labels that stay inside one noun phrase when collecting an argument's actors.
NP_LABELS = {"compound", "amod", "poss", "nmod", "conj", "appos", "det", "cc", "nummod", "case", "quantmod"}
# The words that say what an object is ("new sanctions", "joint military exercises"), not what
# stands beside it in apposition or coordination.
MODIFIER_LABELS = {"compound", "amod", "poss", "nmod", "det", "nummod", "quantmod"}
# Labels along which a verb above the trigger governs it (its clause, not its subject).
# A noun's complement clause ("no indication that ...") is governed by it; a relative clause
# ("a plan, which Putin welcomed") has a status of its own.
CLAUSE_LABELS = {"xcomp", "ccomp", "advcl", "pcomp", "pobj", "prep", "acomp", "dobj", "conj", "oprd", "acl"}
# Verbs whose object noun is the event itself ("began its invasion", "stepped up attacks").
LIGHT_VERBS = {"begin", "start", "continue", "escalate", "intensify", "step", "launch", "carry", "conduct", "hold",
               "mount", "stage", "resume", "expand", "announce", "order", "open", "complete", "issue", "speed",
               "make", "file", "lodge", "deliver", "voice", "express", "level", "renew", "avoid"}
# "Tens of thousands of students", "members of the group": the people are in the "of" phrase.
QUANTITY_HEADS = {"tens", "thousands", "hundreds", "dozens", "scores", "millions", "group", "groups", "members", "third",
                  "half", "quarter",
                  "member", "some", "most", "many", "one", "two", "three", "part", "number", "majority", "delegation"}
MODALS_HYPOTHETICAL = {"could", "might", "may", "would", "should", "can"}
MODALS_FUTURE = {"will", "shall", "'ll", "wo"}
PLACE_PREPS = {"in", "at", "near", "outside", "inside", "off", "across", "around", "on"}
PLACE_LABELS = {"GPE", "LOC", "FAC"}
PLACE_NOUNS = {"town", "city", "village", "province", "region", "district", "port", "capital", "state"}
FIRST_PERSON = {"we", "us", "our", "i"}
# Deaths these words explain were no attack ("killed in a helicopter crash").
ACCIDENT_WORDS = {"crash", "accident", "collision", "earthquake", "flood", "storm", "avalanche", "landslide",
                  "derailment", "blaze", "drowning", "disease", "outbreak"}
# Nouns of statements whose "that" clause is the speaker's claim.
SPEECH_NOUNS = {"announcement", "statement", "claim", "claims", "allegation", "assertion", "report", "reports", "rumour",
                "rumor", "speculation",
                "accusation", "assurance", "pledge", "promise", "warning", "insistence", "charge"}
# Material acts whose target, when no actor is named, is the country where they happen.
PLACE_TARGET_TYPES = {"ASSAULT", "COERCE", "CONCEDE", "RETREAT", "MOBILIZE", "AID"}
# Prepositions inside an act's object that name whom it is aimed at ("calls by X", "aid for X").
AIMED_PREPS = {"of", "for", "with", "to", "on", "against", "by", "from"}
# "In a statement published Oct. 25": the date a statement carrying the event was made.
PUBLISHING_VERBS = {"publish", "release", "issue", "broadcast", "post", "air", "carry", "give", "deliver"}
# Offices held only at home: a holder of unknown country is of the country the sentence names.
DOMESTIC_OFFICES = {"judge", "prosecutor", "magistrate", "governor", "gov.", "mayor", "police chief", "sheriff"}
# Nouns whose "of" phrase names an event as background, not as news ("the impact of the war").
BACKGROUND_FRAMES = {"impact", "anniversary", "aftermath", "cost", "consequence", "effect", "result", "history",
                     "legacy", "context", "wake", "memory", "lesson", "role"}
# Prepositions of a noun that dates another event ("after Russia's attack", "ahead of a meeting").
TIME_WORDS = {"after", "before", "since", "following", "amid", "during", "until", "ahead", "prior"}
# Acts whose object is what the source gives or moves ("sent troops"), never its target.
OWN_OBJECT_TYPES = {"AID", "MOBILIZE"}
# Acts that, with no target named and one country in the sentence, are done to that country.
DOMESTIC_TYPES = {"COERCE", "CONCEDE", "MOBILIZE"}
# Verbal acts whose target is often named in the clause they govern.
EMBEDDING_TYPES = {"AGREE", "REQUEST", "THREATEN", "REJECT", "SUPPORT"}
# How deep one argument's actors are looked for through pronouns, quantities and "of" phrases.
MAX_REFERENCE_DEPTH = 8
THIRD_PERSON = {"it", "its", "they", "them", "their", "he", "she", "him", "her", "his"}
MILITARY_WORDS = {"troops", "forces", "soldiers", "army", "military", "units", "navy"}


def is_light_verb(verb: Token) -> bool:
    # The tagger's lemma misses some forms ("staged" -> "stag"), so the word itself counts too.
    return verb.lemma_.lower() in LIGHT_VERBS or verb.lower_.removesuffix("d") in LIGHT_VERBS \
        or verb.lower_.removesuffix("s") in LIGHT_VERBS


def unplaced(actors: list["Actor"]) -> bool:
    """No actor, or only people of no known country: a side the context may still place."""
    return all(a.kind == "person" and not a.country for a in actors)


def same_act(a: "Event", b: "Event") -> bool:
    """Two triggers of one sentence coding the same act ("struck ... destroying"): same type,
    sources and status, and one's targets among the other's."""
    ids = lambda xs: {x.id for x in xs}  # noqa: E731
    return (a.event_type, a.start, a.negated, a.modality) == (b.event_type, b.start, b.negated, b.modality) \
        and ids(a.source) == ids(b.source) and (ids(b.target) <= ids(a.target) or ids(a.target) <= ids(b.target))


def codable(actor: Actor) -> bool:
    """An actor an event can name: one with a country, a titled person ("President X"), or a
    body of the dictionary with no single country ("Amnesty International", "Red Cross")."""
    return bool(actor.country) or (actor.kind == "person" and bool(actor.role)) or ActorId.parse(actor.id).is_dictionary_body


def noun_phrase(token: Token, labels: set[str] = NP_LABELS) -> list[Token]:
    """The words of a noun phrase without its clauses and long attachments ("the port of Odesa",
    not "... with corn, the first cargo to leave under the agreement")."""
    out, stack = [], [token]
    while stack:
        t = stack.pop()
        out.append(t)
        for c in t.children:
            if c.dep_ in labels or (c.dep_ == "prep" and c.lower_ == "of" and t.i == token.i) or \
                    (c.dep_ == "pobj" and t.dep_ == "prep"):
                stack.append(c)
    return out


# Nouns that frame a time inside a meeting: "at the end of the talks", "on the sidelines of".
MEETING_FRAMES = {"end", "start", "beginning", "close", "conclusion", "sidelines", "margins", "course", "day",
                  "days", "round", "part", "eve"}
MEETING_PREPS = {"during", "at", "in", "after", "before", "following", "of", "on", "ahead", "throughout"}


def meeting_participants(tok: Token) -> Token | None:
    """The subject of the clause a nominal meeting sits in, through framing nouns and
    non-finite verbs ("X and Y were filmed saying goodbyes at the end of two days of talks")."""
    node, verb = tok, None
    steps = range(len(tok.doc))  # each loop climbs the parse: never more steps than it has tokens
    for _ in steps:
        if not (node.dep_ == "pobj" and node.head.dep_ == "prep" and node.head.lower_ in MEETING_PREPS):
            break
        up = node.head.head
        if up.pos_ in ("VERB", "AUX"):
            verb = up
            break
        if up.lemma_.lower() not in MEETING_FRAMES:
            return None
        node = up
    for _ in steps:
        if verb is None:
            break
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subjects:
            return subjects[0]
        verb = verb.head if verb.dep_ in ("xcomp", "advcl", "conj") and verb.head.i != verb.i else None
    return None


@Language.factory("redline_events", default_config={"rule_files": []})
def make_event_coder(nlp: Language, name: str, rule_files: list[str]) -> "EventCoder":
    return EventCoder(cached_rules(tuple(rule_files)), cached_dictionary(()))


class EventCoder:
    def __init__(self, rules: EventRules, dictionary: ActorDictionary):
        self.rules = rules
        self.d = dictionary
        self.speech = cue_words()[0]

    def __call__(self, doc: Doc) -> Doc:
        mentions: list[Mention] = doc._.actor_mentions or []
        quotes: list[Quote] = doc._.quotes or []
        by_token = {}
        for m in sorted(mentions, key=lambda m: m.end - m.start):  # the narrowest mention of a token wins
            span = doc.char_span(m.start, m.end, alignment_mode="expand")
            for tok in span or []:
                by_token.setdefault(tok.i, m)
        published = doc._.published
        events: list[Event] = []
        # The events of the sentence being read: a twin, or the verb a noun defers to, is in
        # the same sentence, and looking only there keeps a long document linear.
        sentence: list[Event] = []
        for tok in doc:
            if tok.is_sent_start:
                events += self._without_passing_mentions(doc, sentence)
                sentence = []
            table = self.rules.verbs if tok.pos_ in ("VERB", "AUX") else self.rules.nouns if tok.pos_ == "NOUN" else None
            for rule in (table or {}).get(tok.lemma_.lower(), []):
                event = self._code(tok, rule, by_token, mentions, quotes, published)
                if event is not None:
                    twin = next((i for i, e in enumerate(sentence) if same_act(e, event)), None)
                    if twin is None:
                        sentence.append(event)
                    elif len(event.target) > len(sentence[twin].target):
                        sentence[twin] = event  # keep the one that names more
                    break
        events += self._without_passing_mentions(doc, sentence)
        events += self._modal_requests(doc, by_token, quotes, published, events)
        events.sort(key=lambda e: e.trigger_start)
        doc._.events = events
        drop_index(doc)
        return doc

    @staticmethod
    def _without_passing_mentions(doc: Doc, sentence: list["Event"]) -> list["Event"]:
        """A noun trigger inside another event's words is that event's object or setting, not
        news of its own: "provide aid", "asked China for assistance", "warned of consequences if
        China provides support for a Russian invasion". Coding it again would count the war
        once more in every article that mentions it. A noun that is its clause's subject, or
        that dates the event ("after Russia's attack on Odesa"), stays."""
        at = {e.trigger_start for e in sentence}

        def in_passing(e: Event) -> bool:
            node = doc.char_span(e.trigger_start, e.trigger_end)[0]
            if node.pos_ != "NOUN":
                return False
            if node.dep_ == "pobj" and node.head.lower_ == "of" and node.head.head.lemma_.lower() in BACKGROUND_FRAMES:
                return True  # "the impact of the Russian war", "the anniversary of the invasion"
            for node, head in climb(node):
                if node.dep_ in ("nsubj", "nsubjpass"):
                    return False
                if node.dep_ == "pobj" and (head.lower_ in TIME_WORDS or head.head.lower_ in TIME_WORDS):
                    return False
                if head.idx in at:
                    return True
            return False

        return [e for e in sentence if not in_passing(e)]

    def _modal_requests(self, doc: Doc, by_token, quotes, published, events) -> list[Event]:
        """"The administration declared that China must drop barriers": a demand (REQUEST)
        by the speaker of whoever "must"."""
        found = []
        kind = self.rules.types["REQUEST"]
        coded = {e.trigger_start for e in events}
        for tok in doc:
            if tok.lower_ not in self.rules.request_modals or tok.dep_ != "aux":
                continue
            clause = tok.head
            speech = clause.head
            if clause.dep_ != "ccomp" or speech.lemma_ not in self.speech or speech.idx in coded:
                continue
            source = self._actors_of(self._subject(speech), by_token, quotes)
            target = self._actors_of(self._subject(clause), by_token, quotes)
            if not source or not target:
                continue
            sent = sentence_of(speech)
            negated, modality, attributed = self._status(speech, None, quotes, by_token)
            when = self._date(speech, sent, published, future=False)
            found.append(Event(
                event_type="REQUEST", mode=None, source=source, target=target,
                date=when[0], date_precision=when[1], date_text=when[2], location=None,
                negated=negated, modality=modality, attributed_to=attributed,
                evidence=self._text(sent).strip(), trigger=f"{speech.text} ... {tok.text}",
                start=sent.start_char, end=sent.start_char + len(self._text(sent).rstrip()),
                trigger_start=speech.idx, trigger_end=speech.idx + len(speech),
                quad_class=kind.quad, intensity=kind.intensity, confidence=0.6,
            ))
        return found

    # -- one trigger ----------------------------------------------------------------------------
    def _code(self, tok: Token, rule: Rule, by_token, mentions, quotes, published) -> Event | None:
        if not self._rule_fits(tok, rule, by_token):
            return None
        source, target = self._arguments(tok, rule, by_token, mentions, quotes)
        if not source and rule.event_type in ("MOBILIZE", "RETREAT") and any(c.dep_ == "nsubjpass" for c in tok.children):
            # "the People's Liberation Army could be deployed", "guerrillas have been
            # demobilized": the forces moved mobilize or retreat
            armed = [a for a in target if a.sector in ("MIL", "REB")]
            source, target = armed, [a for a in target if a not in armed]
        # An actor with no country is kept only when it is a person with a title ("President
        # X"); a ship's name or a dateline city is no actor of an event.
        source = [a for a in source if codable(a)]
        target = [a for a in target if codable(a)]
        sent = sentence_of(tok)
        named = self._countries_named(sent, by_token)
        where = self._place(tok, sent, rule)
        where = in_context(where, self._countries_named(sent, by_token, besides=where.name) if where else named)
        if unplaced(source) or unplaced(target):
            source, target = self._unnamed_groups(tok, rule, named, where, source, target, by_token)
        unnamed_attack = not source and rule.event_type == "ASSAULT" and \
            not ACCIDENT_WORDS & self._lemmas(sent)
        if unnamed_attack and where is not None and is_state(where.country):
            # "A roadside bombing near Samarra killed ...": no one named, but someone attacked
            # there; coded as that country's unidentified armed force (CAMEO's UAF).
            source = [Actor(ActorId.unidentified(where.country), f"unidentified attackers ({where.name})",
                            "organisation", where.country, "UAF")]
        if not source:
            return None  # PLOVER events need a source actor
        if rule.requires_future and not self._own_side_acts(tok, source, by_token, quotes):
            return None
        target = [a for a in target if a.id not in {s.id for s in source}]
        if rule.event_type == "CONSULT":  # "Lavrov and Wang did not discuss a Chinese plan": no third party
            target = [a for a in target if a.country not in {s.country for s in source}]
        if rule.event_type in OWN_OBJECT_TYPES | {"SANCTION"}:
            # "withheld US military aid to Ukraine": the giver's own aid names no target (its own
            # people may still receive it)
            target = [a for a in target if a.country not in {s.country for s in source} or a.sector == "CVL"]
        negated, modality, attributed = self._status(tok, rule, quotes, by_token)
        if modality == "unsaid":
            return None  # "Russia did not say it would attack the ships": nobody claimed it
        when = self._date(tok, sent, published, future=modality == "future")
        kind = self.rules.types[rule.event_type]
        if not target and not rule.swap:
            target = [a for a in self._object_target(tok, rule, source, by_token, quotes) if codable(a)]
        target = self._implicit_target(tok, rule, source, target, where, named, by_token)
        if rule.requires_target and not target:
            return None
        mode = rule.mode or self._mode(tok, kind.modes)
        if rule.event_type == "CONSULT" and mode is None and where and where.country and \
                where.country not in {a.country for a in source + target}:
            mode = "third-party"
        confidence = 0.5 + 0.15 * bool(target) + 0.15 * (not rule.nominal) + \
            0.1 * all(a.kind != "organisation" or a.country for a in source) - 0.1 * (modality != "asserted")
        return Event(
            event_type=rule.event_type, mode=mode, source=source, target=target,
            date=when[0], date_precision=when[1], date_text=when[2], location=where,
            negated=negated, modality=modality, attributed_to=attributed,
            evidence=self._text(sent).strip(), trigger=tok.text,
            start=sent.start_char, end=sent.start_char + len(self._text(sent).rstrip()),
            trigger_start=tok.idx, trigger_end=tok.idx + len(tok),
            quad_class=kind.quad, intensity=kind.intensity, confidence=round(min(confidence, 0.95), 2),
            conditional=any(c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in ("if", "unless") for m in c.children)
                            for c in tok.children),
        )

    def _rule_fits(self, tok: Token, rule: Rule, by_token) -> bool:
        children = list(tok.children)
        if rule.active_only and any(c.dep_ in ("auxpass", "nsubjpass", "agent") for c in children):
            return False
        if rule.particle and rule.nominal:
            # "went on strike", "remained on alert": the noun is the state its subject is in
            if not (tok.dep_ == "pobj" and tok.head.lower_ == rule.particle):
                return False
        elif rule.particle:
            # "called on China", "pulled out of", "hand over": right after the verb or its object
            near = {c.lower_ for c in children if c.dep_ in ("prt", "prep", "agent", "dative") and c.i - tok.i <= 3}
            following = tok.doc[tok.i + 1].lower_ if tok.i + 1 < len(tok.doc) else ""
            if rule.particle not in near and following != rule.particle:
                return False
        objects = [c for c in children if c.dep_ in ("dobj", "obj", "nsubjpass")]
        if rule.nominal:
            objects = [c for c in children if c.dep_ in ("compound", "amod")] + [tok]
        object_tokens = [t for o in objects for t in noun_phrase(o, MODIFIER_LABELS)]
        object_words = {t.lower_ for t in object_tokens} | {t.lemma_.lower() for t in object_tokens}
        if rule.object_not & object_words:
            return False  # "did not provide details": not aid
        if rule.object_words and not (rule.object_words & object_words or
                                      any(" " in w and w in " ".join(t.lower_ for t in object_tokens)
                                          for w in rule.object_words)):
            return False
        if rule.complement:
            # "called the vote a sham": the parser makes "sham" a predicate or a second object
            second_objects = [c.i for c in children if c.dep_ == "dobj"][1:]
            called = {t.lemma_.lower() for c in children
                      if c.dep_ in ("oprd", "xcomp", "ccomp", "attr") or c.i in second_objects for t in c.subtree}
            if not rule.complement & called:
                return False
        if rule.mentions:
            around = {t.lower_ for c in children if c.dep_ in ("nsubj", "nsubjpass", "dobj") for t in c.subtree}
            if not rule.mentions & around:
                return False
        if rule.requires_modifier:
            mods = {c.lower_ for c in children if c.dep_ in ("amod", "compound", "nmod", "poss")} | \
                   {c.lemma_.lower() for c in children if c.dep_ in ("amod", "compound", "nmod", "poss")}
            if not rule.requires_modifier & mods:
                return False
        if rule.requires_joint:
            subject = [c for c in (tok.head.children if rule.nominal else children) if c.dep_ == "nsubj"]
            joint = any(c.lower_ in ("joint", "combined", "bilateral") for c in tok.subtree) or \
                any(c.lower_ in ("joint", "combined") for o in objects for c in o.subtree) or \
                any(s.conjuncts or any(c.conjuncts for c in s.children if c.dep_ in ("amod", "compound"))
                    for s in subject)
            if not joint:
                return False
        if rule.requires_future and not any(
                a.lower_ in MODALS_FUTURE | {"would"} for c in children if c.dep_ == "ccomp" for a in c.children if a.dep_ == "aux"):
            return False
        if rule.object_kind:
            obj = objects[0] if objects and not rule.nominal else None
            actors = self._actors_of(obj, by_token) if obj is not None else []
            kinds = {a.kind for a in actors}
            is_place = obj is not None and (obj.ent_type_ in PLACE_LABELS or obj.text in self.d.capitals
                                            or obj.text in self.d.country_names)
            ok = {
                "person": "person" in kinds,
                "actor": bool(actors),
                "thing": obj is not None and not actors,
                "none": obj is None,
                "place": is_place,
                "actor_or_place": bool(actors) or is_place,
                "place_or_person": is_place or "person" in kinds,
                "forces": obj is None or bool(MILITARY_WORDS & {t.lower_ for t in obj.subtree}),
                "nonmaterial": obj is not None and not self._mode(tok, self.rules.types["AID"].modes),
                "clause": any(c.dep_ == "ccomp" for c in children),
            }.get(rule.object_kind, True)
            if not ok:
                return False
        return True

    # -- actors ---------------------------------------------------------------------------------
    def _actors_of(self, token: Token | None, by_token, quotes=None, within: frozenset[int] = frozenset(),
                   depth: int = 0) -> list[Actor]:
        """The actors an argument names: its head's mention, else the mentions in its noun phrase.

        `within`: the words whose actors are being looked for further up this chain of calls.
        A pronoun's antecedent or an "of" phrase that leads back to one of them ("Most of them
        agreed": "them" is looked for in the subject, which is "Most of them") names nothing
        more, and the chain is never deeper than `MAX_REFERENCE_DEPTH`."""
        if token is None or token.i in within or depth >= MAX_REFERENCE_DEPTH:
            return []
        found: list[Actor] = []
        heads = [token] + [c for c in token.conjuncts]
        heads = [h2 for h in heads for h2 in self._through_quantity(h)]
        within = within | {token.i} | {h.i for h in heads}
        for head in heads:
            pronoun = head.pos_ == "PRON" or head.tag_ in ("PRP", "PRP$")  # "us" the pronoun, not "US"
            if pronoun and head.lower_ in THIRD_PERSON:
                found += self._antecedent(head, by_token, quotes, within, depth + 1)
                continue
            if head.lower_ == "country" and any(c.lower_ == "the" for c in head.children) and head.i not in by_token:
                found += self._country_antecedent(head, by_token)
                continue
            if pronoun and head.lower_ in FIRST_PERSON and quotes is not None:
                speaker = next((q.speaker for q in quotes if q.start <= head.idx < q.end and q.speaker), None)
                if speaker is not None:
                    found.append(speaker)
                continue
            if head.i in by_token:
                found.append(by_token[head.i].actor)
                # "US and Chinese officials": coordinated modifiers each name an actor
                for mod in (c for c in head.children if c.dep_ in ("amod", "compound", "nmod") and c.conjuncts):
                    found += [by_token[t.i].actor for t in (mod, *mod.conjuncts) if t.i in by_token]
                continue
            stack = [c for c in head.children if c.dep_ in NP_LABELS]
            while stack:
                t = stack.pop()
                if t.i in by_token:
                    found.append(by_token[t.i].actor)
                stack.extend(c for c in t.children if c.dep_ in NP_LABELS)
        if not found:
            # "weapons to Moscow": a capital or country the actor layer took for a place
            for h in heads:
                if h.text in self.d.capitals:
                    found.append(self.d.state(self.d.capitals[h.text], "GOV"))
                elif h.text in self.d.country_names:
                    found.append(self.d.state(self.d.country_names[h.text]))
        if not found:
            # "German goods", "Israeli air raids", "Iraqi towns": a country adjective in the phrase
            for t in (t for h in heads for t in noun_phrase(h)):
                modifier = t.dep_ in ("amod", "compound", "nmod") or t.dep_ == "conj" and t.head.dep_ in ("amod", "compound", "nmod")
                siding = t.i >= 2 and t.doc[t.i - 1].text == "-" and t.doc[t.i - 2].lower_ in ("pro", "anti")  # "pro-Iranian"
                if modifier and not siding and (code := self.d.adjectives.get(t.text)
                                                               or self.d.country_names.get(t.text)):
                    found.append(self.d.state(code))
        if not found:
            # "Vietnamese-led forces", "the Saudi-led coalition": the country that leads them
            leaders = [g for h in heads for c in h.children if c.dep_ == "amod" and c.lower_ == "led"
                       for g in c.children if g.dep_ in ("npadvmod", "compound", "nmod", "amod")]
            found = [self.d.state(code) for g in leaders if (code := self.d.country_of_word(g.text))]
        if not found:
            # "leaders of Romania's new government": people named by role are of the "of" phrase
            found = [a for h in heads if h.pos_ == "NOUN" and self.d.sector_of(h.lower_)
                     for p in h.children if p.dep_ == "prep" and p.lower_ == "of"
                     for o in p.children if o.dep_ == "pobj" for a in self._actors_of(o, by_token, quotes, within, depth + 1)]
        unique: dict[str, Actor] = {}
        for a in found:
            unique.setdefault(a.id, a)
        return list(unique.values())

    @staticmethod
    def _through_quantity(head: Token, depth: int = 0) -> list[Token]:
        """"Thousands of them", "some of the members of the group": the words the quantity is of
        (nested at most `MAX_REFERENCE_DEPTH` deep)."""
        if head.lower_ in QUANTITY_HEADS and depth < MAX_REFERENCE_DEPTH:
            for prep in (c for c in head.children if c.dep_ == "prep" and c.lower_ == "of"):
                objs = [o for o in prep.children if o.dep_ == "pobj"]
                if objs:
                    # "scores of Sierra Leonean and Liberian refugees": every one coordinated
                    return [t for o in objs for c in (o, *o.conjuncts) for t in EventCoder._through_quantity(c, depth + 1)]
        return [head]

    def _antecedent(self, pronoun: Token, by_token, quotes, within: frozenset[int] = frozenset(), depth: int = 0) -> list[Actor]:
        """"Russia said it would resume ...": the speaker; "Western countries increased their
        support": the clause's own subject; else the nearest fitting actor before."""
        wants_person = pronoun.lower_ in ("he", "she", "him", "her", "his")
        if pronoun.dep_ == "poss":
            verb = next((a for a in pronoun.ancestors if a.pos_ in ("VERB", "AUX")), None)
            subj = [c for c in verb.children if c.dep_ == "nsubj" and c.i < pronoun.i] if verb is not None else []
            if subj and subj[0].pos_ != "PRON" and pronoun.i not in {t.i for t in subj[0].subtree}:
                return self._actors_of(subj[0], by_token, quotes, within, depth)
        for a in pronoun.ancestors:
            if a.pos_ in ("VERB", "AUX") and a.lemma_ in self.speech:
                subj = [c for c in a.children if c.dep_ == "nsubj" and c.i != pronoun.i]
                if subj and subj[0].lower_ not in THIRD_PERSON:
                    speakers = self._actors_of(subj[0], by_token, quotes, within, depth)
                    fitting = [x for x in speakers if (x.kind == "person") == wants_person]
                    if fitting:
                        return fitting[:1]
                break
        sent = sentence_of(pronoun)
        start = sentence_of(pronoun.doc[sent.start - 1]).start if sent.start > 0 else sent.start
        for i in range(pronoun.i - 1, start - 1, -1):
            m = by_token.get(i)
            if m is not None and (m.actor.kind == "person") == wants_person:
                return [m.actor]
        return []

    @staticmethod
    def _country_antecedent(noun: Token, by_token) -> list[Actor]:
        """"18 years after Washington invaded the country": the country last named before,
        in this sentence or the one before, other than the clause's own subject."""
        verb = next((a for a in noun.ancestors if a.pos_ in ("VERB", "AUX")), None)
        own = {t.i for c in (verb.children if verb is not None else []) if c.dep_ in ("nsubj", "nsubjpass")
               for t in c.subtree}
        sent = sentence_of(noun)
        start = sentence_of(noun.doc[sent.start - 1]).start if sent.start > 0 else sent.start
        for i in range(noun.i - 1, start - 1, -1):
            m = by_token.get(i)
            if m is not None and m.actor.kind == "state" and i not in own:
                return [m.actor]
        return []

    def _arguments(self, tok: Token, rule: Rule, by_token, mentions, quotes) -> tuple[list[Actor], list[Actor]]:
        children = list(tok.children)
        if rule.nominal:
            source_tokens = [c for c in children if c.dep_ in ("poss", "amod", "compound", "nmod")]
            patients = []
            if rule.patient_possessor and not any(c.dep_ == "prep" and c.lower_ == "of" for c in children):
                patients = [t for t in source_tokens if t.dep_ == "poss"]  # "their release": of the released
                source_tokens = [t for t in source_tokens if t.dep_ != "poss"]
            source = [a for t in source_tokens for a in self._actors_of(t, by_token, quotes)]
            for prep in (c for c in children if c.dep_ == "prep" and c.lower_ == "by"):
                source += [a for o in prep.children if o.dep_ == "pobj" for a in self._actors_of(o, by_token, quotes)]
            target = [a for t in patients for a in self._actors_of(t, by_token, quotes)]
            for prep in (c for c in children if c.dep_ == "prep"):
                objs = [o for o in prep.children if o.dep_ == "pobj"]
                if prep.lower_ == "between" and "between" not in rule.target_preps:  # "a meeting between US and Chinese officials"
                    source += [a for o in objs for a in self._actors_of(o, by_token, quotes)]
                elif prep.lower_ in (rule.target_preps or ("of", "to", "against", "on", "with")):
                    target += [a for o in objs for a in self._actors_of(o, by_token, quotes)]
            if not source and rule.event_type == "CONSULT":
                # "announced the deal during a meeting with Liu He", "were filmed saying goodbyes at
                # the end of two days of meetings": whoever the clause is about took part
                subj = meeting_participants(tok)
                source = self._actors_of(subj, by_token, quotes) if subj is not None else []
            if not source and rule.particle and tok.head.head.pos_ in ("VERB", "AUX"):
                # "workers went on strike", "troops remained on alert": whoever is in that state
                source = self._actors_of(self._subject(tok.head.head), by_token, quotes)
            if tok.dep_ == "dobj" and is_light_verb(tok.head):
                # "Russia began its invasion", "stepped up attacks": the verb's subject acts;
                # "issued a reminder to Iraq": the verb's phrases name the target
                if not source:
                    source = self._actors_of(self._subject(tok.head), by_token, quotes)
                if not target:
                    target = [a for p in tok.head.children if p.dep_ in ("prep", "dative") and p.lower_ in (rule.target_preps or ())
                              for o in p.children if o.dep_ == "pobj" for a in self._actors_of(o, by_token, quotes)]
        else:
            source_words, target_words = self._verbal_arguments(tok, rule)
            source = [a for t in source_words for a in self._actors_of(t, by_token, quotes)]
            target = [a for t in target_words for a in self._actors_of(t, by_token, quotes)]
            if rule.swap:
                source, target = target, source
            if not target and rule.event_type in EMBEDDING_TYPES:
                # "promised to continue military aid to Mozambique", "demanded that the United
                # States match ...": the target is in the clause the trigger governs
                target = self._embedded_target(tok, by_token, quotes, exclude={a.id for a in source})
        dedup = lambda xs: list({a.id: a for a in xs}.values())  # noqa: E731
        return dedup(source), dedup(target)

    def _verbal_arguments(self, tok: Token, rule: Rule) -> tuple[list[Token], list[Token]]:
        """The words that name a verb's source (its subject, "by X") and target (its objects,
        the rule's prepositions), in the order of the text."""
        subject = self._subject(tok)
        source, target = ([subject] if subject is not None else []), []
        pobjs = lambda prep: [o for o in prep.children if o.dep_ == "pobj"]  # noqa: E731
        for c in tok.children:
            if c.dep_ in ("dobj", "obj", "dative"):
                # "provide weapons to Moscow": a dative "to" is a preposition with an object
                target += pobjs(c) if c.pos_ == "ADP" else [c]
            elif c.dep_ == "nsubjpass":
                target.append(c)
            elif c.dep_ == "agent":
                source += pobjs(c)
            elif c.dep_ == "prep" and c.lower_ in (rule.target_preps or ()):
                target += pobjs(c)
            if c.dep_ in ("dobj", "obj"):  # "provide weapons to Russia"
                target += [o for p in c.children if p.dep_ == "prep" and p.lower_ in (rule.target_preps or ()) for o in pobjs(p)]
        return source, target

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

    def _argument_heads(self, tok: Token, rule: Rule) -> tuple[list[Token], list[Token]]:
        """The words that stand for the source and the target of a trigger."""
        if rule.nominal:
            # "teachers ... in a protest": the subject of the verb whose state the noun is;
            # "fundamentalists continued their hunger strike": the subject of the light verb
            verb = tok.head.head if rule.particle else tok.head if tok.dep_ == "dobj" and is_light_verb(tok.head) else None
            subject = self._subject(verb) if verb is not None and verb.pos_ in ("VERB", "AUX") else None
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
        speaker = self._subject(speech) if speech is not None else None
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
            sector = self.d.sector_of(head.lower_) or self.d.sector_of(head.lemma_.lower()) or \
                (self.d.sector_of(phrase) if head.lower_ in QUANTITY_HEADS else None)  # "a human rights group"
            if sector and sector != "IGO":
                return head, sector
        return None

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

    @staticmethod
    def _lemmas(sent: Span) -> set[str]:
        return once_per_sentence(sent, "lemmas", lambda: {t.lemma_.lower() for t in sent})

    @staticmethod
    def _text(sent: Span) -> str:
        return once_per_sentence(sent, "text", lambda: sent.text)  # Span.text joins its tokens anew each time

    def _countries_named(self, sent: Span, by_token, besides: str | None = None) -> set[str]:
        """Every country (or IGO) a sentence names, as an actor or a place (but `besides`);
        worked out once per sentence for all its triggers."""
        return set(once_per_sentence(sent, ("countries", besides), lambda: self._countries_in(sent, by_token, besides)))

    def _countries_in(self, sent: Span, by_token, besides: str | None) -> set[str]:
        named = {by_token[i].actor.country for i in range(sent.start, sent.end) if i in by_token and by_token[i].actor.country}
        ents = [e for e in sentence_ents(sent) if e.end <= sent.end]  # as `sent.ents`, without scanning the Doc
        for e in (e for e in ents if e.label_ in PLACE_LABELS and e.text != besides):
            place = resolve_place(e.text, self.d)  # "Indianapolis", "Montenegro": a city or a country
            if place is not None and place.country:
                named.add(place.country)
        # "the north Lebanese port": a country adjective names its country too
        return named | {code for e in ents if e.label_ == "NORP" and (code := self.d.adjectives.get(e.text))}

    def _object_target(self, tok: Token, rule: Rule, source: list[Actor], by_token, quotes) -> list[Actor]:
        """"suspended a military aid program for Bosnia", "tighten the blockade of Serbia",
        "denounced Serbia's suppression": the one the act is aimed at, inside its object."""
        objects = [tok] if rule.nominal else [c for c in tok.children if c.dep_ in ("dobj", "obj", "nsubjpass")]
        # "denounced as an ugly crime Serbia's suppression": an object the parser hung on "as"
        objects += [a for p in tok.children if p.dep_ == "prep" and p.lower_ == "as" and not rule.nominal
                    for o in p.children if o.dep_ == "pobj" for a in o.children if a.dep_ == "appos"]
        # "reneged on his commitment to the Zambian people": the object of its preposition
        objects += [o for p in tok.children if p.dep_ == "prep" and p.lower_ in rule.target_preps and not rule.nominal
                    for o in p.children if o.dep_ == "pobj"]
        objects = [o for obj in objects for o in self._through_quantity(obj)]
        own = {a.id for a in source}
        for obj in objects:
            phrase = [t for t in noun_phrase(obj, MODIFIER_LABELS) if t.dep_ == "poss"]
            # "calls by Belarus's rulers", "a suspension of air links with Serbia": the object's
            # own phrases, and the phrases inside those
            phrase += self._aimed_at(obj)
            phrase += [t for p in self._aimed_at(obj) for t in self._aimed_at(p)]
            for t in phrase:
                found = [a for a in self._actors_of(t, by_token, quotes) if a.id not in own]
                if found:
                    return found
        return []

    @staticmethod
    def _aimed_at(noun: Token) -> list[Token]:
        return [o for p in noun.children if p.dep_ == "prep" and p.lower_ in AIMED_PREPS
                for o in p.children if o.dep_ == "pobj"]

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

    def _own_side_acts(self, tok: Token, source: list[Actor], by_token, quotes) -> bool:
        """"Cairo's security chief warned that police will ...": the warned act is the speaker's
        own side's (same country), which makes the warning a threat."""
        countries = {a.country for a in source if a.country}
        for clause in (c for c in tok.children if c.dep_ == "ccomp"):
            subject = self._subject(clause)
            actors = self._actors_of(subject, by_token, quotes) if subject is not None else []
            if subject is not None and not actors and self.d.sector_of(subject.text) in ("GOV", "MIL"):
                return True  # "police", "the army": the speaker's own forces
            if countries & {a.country for a in actors}:
                return True
        return False

    def _embedded_target(self, tok: Token, by_token, quotes, exclude: set[str]) -> list[Actor]:
        clauses = [c for c in tok.children if c.dep_ in ("xcomp", "ccomp")]
        # "insisted on its demands that Burundi's government grant ...": the demand's clause
        clauses += [c for p in tok.children if p.dep_ == "prep" for o in p.children if o.dep_ == "pobj"
                    for c in o.children if c.dep_ in ("acl", "ccomp")]
        for clause in clauses:
            for t in clause.subtree:
                if t.dep_ in ("dobj", "pobj", "nsubj", "nsubjpass", "dative") and t.i != tok.i:
                    if t.dep_ == "pobj" and t.head.lower_ not in ("to", "with", "for", "against", "on", "from", "in", "of"):
                        continue
                    found = [a for a in self._actors_of(t, by_token, quotes) if a.id not in exclude]
                    if found:
                        return found
        return []

    @staticmethod
    def _subject(tok: Token) -> Token | None:
        """The subject of a verb, or of the verb it shares one with ("agreed to cooperate")."""
        t, joined = tok, False
        for _ in range(6):
            subj = [c for c in t.children if c.dep_ in ("nsubj", "csubj")]
            if subj and subj[0].tag_ in ("WP", "WDT") and t.dep_ == "relcl":
                # "the Taliban, who have long refused to negotiate": the Taliban -- the noun just
                # before the pronoun, which the parser does not always attach the clause to
                before = subj[0].i - 1
                while before > 0 and subj[0].doc[before].is_punct:
                    before -= 1
                antecedent = subj[0].doc[before] if before >= 0 else t.head
                return antecedent if antecedent.pos_ in ("PROPN", "NOUN") else t.head
            if subj:
                return subj[0]
            passive = [c for c in t.children if c.dep_ == "nsubjpass"]
            if passive:
                # passive: the actor is in "by ...", not in a clause above; but a verb joined
                # to a passive one shares its subject ("was indicted ... and will resign")
                return passive[0] if joined else None
            if t.dep_ == "xcomp" and t.i != tok.i or (t.dep_ == "xcomp" and t.head.i != t.i):
                objects = [c for c in t.head.children if c.dep_ in ("dobj", "obj")]
                if objects:  # "urged China not to supply ...": the one urged acts
                    return objects[0]
            # "refrained from condemning", "not interested in providing": climb to the verb
            through_object = t.dep_ == "dobj" and t.pos_ == "NOUN" and t.i != tok.i  # "claimed responsibility for ..."
            if (t.dep_ in ("xcomp", "conj", "advcl", "pcomp", "prep", "acomp") or through_object) and t.head.i != t.i:
                if t.dep_ == "prep" and t.head.pos_ in ("VERB", "AUX"):
                    objects = [c for c in t.head.children if c.dep_ in ("dobj", "obj")]
                    if objects:  # "accused Ukraine of carrying out the attack": Ukraine acts
                        return objects[0]
                joined = t.dep_ == "conj"
                t = t.head
            else:
                return None
        return None

    # -- negation, modality, attribution ------------------------------------------------------------
    def _status(self, tok: Token, rule: Rule, quotes: list[Quote], by_token) -> tuple[bool, str, Actor | None]:
        negated = any(c.dep_ == "neg" for c in tok.children) or \
            any(c.lower_ in self.rules.negating_determiners for c in tok.children if c.dep_ == "det")
        future = hypothetical = alleged = False
        for aux in (c for c in tok.children if c.dep_ in ("aux", "auxpass")):
            future |= aux.lower_ in MODALS_FUTURE
            hypothetical |= aux.lower_ in MODALS_HYPOTHETICAL
        hypothetical |= any(c.dep_ == "mark" and c.lower_ in ("if", "unless", "whether") for c in tok.children)
        future |= self._purpose(tok)
        alleged |= any(c.lower_ in self.rules.alleged for c in tok.children if c.dep_ == "advmod")
        # "a meeting ... that was canceled": the event did not take place
        negated |= any(c.dep_ in ("relcl", "acl") and c.lemma_.lower() in self.rules.negators for c in tok.children)
        reported = None
        claimant = None
        # "sees nothing resulting from the summit": a named happening inside a prepositional
        # phrase is presupposed; negation above it is about something else.
        presupposed = tok.pos_ in ("NOUN", "PROPN") and tok.dep_ == "pobj"
        # "tensions ahead of a meeting": the meeting is still to come
        future |= presupposed and tok.head.lower_ == "of" and tok.head.head.lower_ == "ahead"
        # spaCy makes a new Token object on each access: compare positions, never identity
        for child, head in climb(tok):
            if child.dep_ not in CLAUSE_LABELS:
                break
            lemma = head.lemma_.lower()
            if head.pos_ in ("VERB", "AUX") and lemma in self.speech and child.dep_ in ("ccomp", "conj", "xcomp", "parataxis"):
                reported = head
                if any(c.dep_ == "neg" for c in head.children):
                    return negated, "unsaid", None
                negated |= lemma in self.rules.negators  # "the Kremlin denied seeking help"
                break  # what a speaker said: negation above the speech verb is not the event's
            if not presupposed and (lemma in self.rules.negators or any(c.dep_ == "neg" for c in head.children)):
                negated = True
            if child.dep_ == "xcomp" and lemma in ("have", "be") and any(c.lower_ == "yet" for c in head.children):
                negated = True  # "Berlin has yet to deliver the tanks": not done
            if head.pos_ in ("VERB", "AUX") and lemma in self.rules.alleged:
                alleged = True  # "accused Ukraine of carrying out the attack": an allegation
            if head.pos_ == "NOUN" and lemma in SPEECH_NOUNS and child.dep_ in ("acl", "ccomp"):
                # "Trump's announcement that the two had reached a deal": his claim
                alleged = True
                owner = [c for c in head.children if c.dep_ == "poss"]
                if owner and reported is None:
                    speakers = self._actors_of(owner[0], by_token, quotes)
                    if speakers:
                        claimant = speakers[0]
            if head.pos_ == "NOUN" and (lemma in self.rules.negating_nouns) and \
                    any(c.lower_ in self.rules.negating_determiners for c in head.children):
                negated = True
            future |= self._purpose(head)
            governs = head.pos_ in ("VERB", "AUX", "ADJ")  # "plans to visit", not "a peace plan"
            if governs and lemma in self.rules.future or any(c.lower_ in MODALS_FUTURE for c in head.children if c.dep_ == "aux"):
                future = True
            if governs and lemma in self.rules.hypothetical or any(
                    c.lower_ in MODALS_HYPOTHETICAL for c in head.children if c.dep_ == "aux"):
                hypothetical = True
            if any(c.dep_ == "mark" and c.lower_ in ("if", "unless", "whether") for c in head.children):
                hypothetical = True
        attributed = claimant
        for q in quotes:
            if q.start <= tok.idx < q.end and q.speaker is not None:
                attributed = q.speaker
                break
        if attributed is None and reported is not None:  # the speech verb's own subject
            speakers = self._actors_of(self._subject(reported), by_token, quotes)
            attributed = speakers[0] if speakers else None
        if attributed is not None or reported is not None or claimant is not None:
            alleged = True
            # "said it would resume": a future reported in the past tense
            if any(c.lower_ == "would" for c in tok.children if c.dep_ == "aux") and not any(
                    c.dep_ == "mark" and c.lower_ in ("if", "unless") for c in tok.children):
                hypothetical, future = False, True
        modality = "hypothetical" if hypothetical else "future" if future else "alleged" if alleged else "asserted"
        return negated, modality, attributed

    @staticmethod
    def _purpose(verb: Token) -> bool:
        """"pressured the US to leave, in order to open a route for aid", "trained forces to
        fight": an act done for the sake of another; that other is intended, not done."""
        return verb.dep_ == "advcl" and verb.pos_ == "VERB" and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)

    # -- date, place, mode -------------------------------------------------------------------------
    def _date(self, tok: Token, sent: Span, published: dt.date | None, future: bool) -> tuple:
        fallback = (published, "unknown", None)
        if published is None:
            return (None, "unknown", None)
        for ent in (e for e in sentence_ents(sent) if e.label_ in ("DATE", "TIME")):
            if ent.root.head.lower_ in ("for", "over", "within", "during") and ent.root.dep_ == "pobj":
                continue  # "for 18 years": how long, not when
            if self._governed_by(ent.root, tok):
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
