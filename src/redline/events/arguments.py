"""Arguments: the actors a predicate's subject, objects and phrases name, through pronouns,
quantities ("thousands of them") and country words, resolved via the actor mentions."""

from __future__ import annotations

from spacy.tokens import Token

from redline.model import Actor
from redline.events.rules import Rule
from redline.events.syntax import (MAX_REFERENCE_DEPTH, MODIFIER_LABELS, NP_LABELS, QUANTITY_HEADS, THIRD_PERSON,
                                   is_light_verb, meeting_participants, noun_phrase, subject_of)
from redline.reading import sentence_of
from redline.lang import words as _language_words

WORDS = _language_words("events")

FIRST_PERSON = WORDS.set("first_person")
# Prepositions inside an act's object that name whom it is aimed at ("calls by X", "aid for X").
AIMED_PREPS = WORDS.set("aimed_preps")
# Verbal acts whose target is often named in the clause they govern.
EMBEDDING_TYPES = {"AGREE", "REQUEST", "THREATEN", "REJECT", "SUPPORT"}


class ArgumentReader:
    """Source and target actors of a predicate, from its argument frame in the parse."""

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
            for h in (h for h in heads if self.d.country_of_token(h)):  # not "Jersey" in "New Jersey"
                if h.text in self.d.capitals:
                    found.append(self.d.state(self.d.capitals[h.text], "GOV"))
                elif h.text in self.d.country_names:
                    found.append(self.d.state(self.d.country_names[h.text]))
        if not found:
            # "German goods", "Israeli air raids", "Iraqi towns": a country adjective in the phrase
            for t in (t for h in heads for t in noun_phrase(h)):
                modifier = t.dep_ in ("amod", "compound", "nmod") or t.dep_ == "conj" and t.head.dep_ in ("amod", "compound", "nmod")
                siding = t.i >= 2 and t.doc[t.i - 1].text == "-" and t.doc[t.i - 2].lower_ in ("pro", "anti")  # "pro-Iranian"
                if modifier and not siding and self.d.country_of_token(t) and (code := self.d.adjectives.get(t.text)
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
                    return [t for o in objs for c in (o, *o.conjuncts) for t in ArgumentReader._through_quantity(c, depth + 1)]
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
                source = self._actors_of(subject_of(tok.head.head), by_token, quotes)
            if tok.dep_ == "dobj" and is_light_verb(tok.head):
                # "Russia began its invasion", "stepped up attacks": the verb's subject acts;
                # "issued a reminder to Iraq": the verb's phrases name the target
                if not source:
                    source = self._actors_of(subject_of(tok.head), by_token, quotes)
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
        subject = subject_of(tok)
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

    def _own_side_acts(self, tok: Token, source: list[Actor], by_token, quotes) -> bool:
        """"Cairo's security chief warned that police will ...": the warned act is the speaker's
        own side's (same country), which makes the warning a threat."""
        countries = {a.country for a in source if a.country}
        for clause in (c for c in tok.children if c.dep_ == "ccomp"):
            subject = subject_of(clause)
            actors = self._actors_of(subject, by_token, quotes) if subject is not None else []
            if subject is not None and not actors and self.d.sector_of(subject.text) in ("GOV", "MIL"):
                return True  # "police", "the army": the speaker's own forces
            if countries & {a.country for a in actors}:
                return True
        return False
