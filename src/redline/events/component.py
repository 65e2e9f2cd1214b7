"""`redline_events`: PLOVER events from the parse -- who did what to whom, when and where,
and whether it happened at all. Results: `doc._.events`.

The stages, each its own module:

- match: `candidates` (every verb and noun, typed by the trained typer: `coder: typer`) or
  the trigger lists of data/events.yaml with `match` (`coder: rules`);
- arguments: source and target from the parse, resolved through `doc._.actor_mentions`
  (`arguments`, and `implied` for groups and targets the context supplies);
- context traits and status: negation, modality, attribution (`status`); date, place, mode
  (`context`);
- type: the candidate's type, as an `event.Event`.

    nlp.add_pipe("redline_events")   # after "redline_quotes"
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Token

from redline.actors.dictionary import ActorDictionary
from redline.events.arguments import ArgumentReader
from redline.events.candidates import Candidate, typed_candidates
from redline.events.context import ContextReader
from redline.events.event import codable, same_act, unplaced
from redline.events.implied import OWN_OBJECT_TYPES, ImpliedActors
from redline.events.match import RuleMatcher
from redline.events.places import in_context
from redline.events.rules import EventRules, Rule, cached_rules
from redline.events.status import StatusReader
from redline.events.syntax import subject_of
from redline.model import Actor, ActorId, Event, Mention, Quote, is_state
from redline.quotes import cue_words
from redline.reading import climb, drop_index, sentence_of
from redline.lang import words as _language_words

WORDS = _language_words("events")

if not Doc.has_extension("events"):
    Doc.set_extension("events", default=None)

# Deaths these words explain were no attack ("killed in a helicopter crash").
ACCIDENT_WORDS = WORDS.set("accident_words")
# Nouns whose "of" phrase names an event as background, not as news ("the impact of the war").
BACKGROUND_FRAMES = WORDS.set("background_frames")
# Prepositions of a noun that dates another event ("after Russia's attack", "ahead of a meeting").
TIME_WORDS = WORDS.set("time_words")


@Language.factory("redline_events", default_config={
    "rule_files": [], "coder": "typer", "min_probability": 0.3, "model_dir": None,
    "dictionary": {"@misc": "redline.actor_dictionary.v1", "files": []}})
def make_event_coder(nlp: Language, name: str, rule_files: list[str], dictionary: ActorDictionary, coder: str,
                     min_probability: float, model_dir: str | None) -> "EventCoder":
    typer = None
    if coder == "typer":
        from redline.events.typer import load_typer

        typer = load_typer(model_dir)
    return EventCoder(cached_rules(tuple(rule_files)), dictionary, typer, min_probability)


class EventCoder(RuleMatcher, ArgumentReader, ImpliedActors, StatusReader, ContextReader):
    """`typer` None: the trigger lists of the rules decide what can be an event (`coder:
    rules`); else every verb and noun is a candidate, and the typer gives its type or "no
    event" (`coder: typer`, see redline.events.candidates)."""

    def __init__(self, rules: EventRules, dictionary: ActorDictionary, typer=None, min_probability: float = 0.3):
        self.rules = rules
        self.d = dictionary
        self.speech = cue_words()[0]
        self.typer = typer
        self.min_probability = min_probability

    def _candidates(self, doc: Doc):
        """Per token index, the (rule, typer probability or None) pairs to try, in order."""
        if self.typer is not None:
            return typed_candidates(doc, self.typer, self.rules, self.min_probability)
        found = {}
        for tok in doc:
            table = self.rules.verbs if tok.pos_ in ("VERB", "AUX") else self.rules.nouns if tok.pos_ == "NOUN" else None
            rules = (table or {}).get(tok.lemma_.lower())
            if rules:
                found[tok.i] = [Candidate(r, None) for r in rules]
        return found

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
        candidates = self._candidates(doc)
        for tok in doc:
            if tok.is_sent_start:
                events += self._without_passing_mentions(doc, sentence)
                sentence = []
            for rule, probability in candidates.get(tok.i, []):
                event = self._code(tok, rule, by_token, mentions, quotes, published)
                if event is not None:
                    if probability is not None:
                        event.confidence = round(probability, 3)
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
        doc.user_data.pop("redline_article_country", None)
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
            source = self._actors_of(subject_of(speech), by_token, quotes)
            target = self._actors_of(subject_of(clause), by_token, quotes)
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
    def _unnamed_source(self, tok: Token, rule: Rule, named: set[str], where, sent, by_token) -> list[Actor]:
        """"He was arrested", "the protests", "a roadside bombing near Samarra killed ...": an act
        done by someone the text does not name, in one country (its place, else the one country
        the sentence or article names), is coded as the type's `unnamed_source` of that country
        (data/events.yaml), as PLOVER's and CAMEO's coders do. Only a noun, a passive with no
        "by" phrase, or a verb whose subject is a thing ("the blast killed"): an active verb's
        unnamed person or group is not guessed, nor is a bare noun's: it names a kind of act."""
        sector = self.rules.types[rule.event_type].unnamed_source
        if sector is None or rule.event_type == "ASSAULT" and ACCIDENT_WORDS & self._lemmas(sent):
            return []  # "killed in a helicopter crash"
        if not rule.nominal and not self._done_by_no_one(tok, by_token):
            return []
        if rule.nominal and not any(c.dep_ in ("det", "poss", "nummod") for c in tok.children):
            return []  # "less affected by violence", "charges such as rape": no act, the kind of act
        code = self._context_country(named, where, [])
        if code is None:
            return []
        if sector == "UAF":  # CAMEO's unidentified armed force, named by the place where it struck
            place = where.name if where is not None and where.country == code else self.d.country_name(code)
            return [Actor(ActorId.unidentified(code), f"unidentified attackers ({place})", "organisation", code, "UAF")]
        return [self.d.state(code, None if sector == "country" else sector)]

    def _done_by_no_one(self, tok: Token, by_token) -> bool:
        """A passive with no "by" phrase ("was arrested on Monday"), or a subject that is a thing,
        not an actor or a group ("a car bomb killed", "the ruling bans")."""
        children = list(tok.children)
        if any(c.dep_ in ("nsubjpass", "auxpass") for c in children):
            return not any(c.dep_ == "agent" for c in children)
        subject = subject_of(tok)
        return subject is not None and subject.pos_ == "NOUN" and subject.i not in by_token and \
            not self._word_sector(subject)

    def _code(self, tok: Token, rule: Rule, by_token, mentions, quotes, published) -> Event | None:
        if not self._rule_fits(tok, rule, by_token):
            return None
        source, target = self._arguments(tok, rule, by_token, mentions, quotes)
        if not source and rule.event_type in ("MOBILIZE", "RETREAT") and any(c.dep_ == "nsubjpass" for c in tok.children):
            # "the People's Liberation Army could be deployed", "guerrillas have been
            # demobilized": the forces moved mobilize or retreat
            armed = [a for a in target if a.sector in ("MIL", "REB")]
            source, target = armed, [a for a in target if a not in armed]
        # An actor with no country is kept only when it is a person: one with a title
        # ("President X"), or a private person the context places below; a ship's name or a
        # dateline city is no actor of an event.
        source = [a for a in source if codable(a) or a.kind == "person"]
        target = [a for a in target if codable(a) or a.kind == "person"]
        sent = sentence_of(tok)
        named = self._countries_named(sent, by_token) or self._article_country(sent, by_token)
        where = self._place(tok, sent, rule)
        where = in_context(where, self._countries_named(sent, by_token, besides=where.name) if where else named)
        if unplaced(source) or unplaced(target):
            source, target = self._unnamed_groups(tok, rule, named, where, source, target, by_token)
        source, target = self._placed_people(source, named, where), self._placed_people(target, named, where)
        unnamed = [] if source else self._unnamed_source(tok, rule, named, where, sent, by_token)
        source = source or unnamed
        if not source:
            return None  # PLOVER events need a source actor
        if rule.requires_future and not self._own_side_acts(tok, source, by_token, quotes):
            return None
        target = [a for a in target if a.id not in {s.id for s in source}]
        if rule.event_type == "CONSULT":  # "Lavrov and Wang did not discuss a Chinese plan": no third party
            target = [a for a in target if a.country not in {s.country for s in source}]
        if rule.event_type in OWN_OBJECT_TYPES | {"SANCTION"}:
            # "withheld US military aid to Ukraine": the giver's own country names no target; its
            # own people and bodies may still be one ("a US jury convicted Avenatti", "a judge
            # sentenced Ohio man James Alex Fields", "sent troops to help local police")
            own = {s.country for s in source}
            target = [a for a in target if a.kind != "state" or a.country not in own or a.sector == "CVL"]
        negated, modality, attributed = self._status(tok, rule, quotes, by_token)
        if modality == "unsaid":
            return None  # "Russia did not say it would attack the ships": nobody claimed it
        when = self._date(tok, sent, published, future=modality == "future")
        if modality == "asserted" and self._background(tok, when[0], when[1], published):
            modality = "background"
        kind = self.rules.types[rule.event_type]
        if not target and not rule.swap:
            target = [a for a in self._object_target(tok, rule, source, by_token, quotes) if codable(a)]
        target = self._implicit_target(tok, rule, source, target, where, named, by_token)
        if unnamed and not target:
            # "Dozens died in the attack", "the lawsuit was filed": no one named on either side
            # of an act in one country is a domestic event, done in that country to it
            target = [self.d.state(source[0].country)]
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

