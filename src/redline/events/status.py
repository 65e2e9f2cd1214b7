"""Status: negation, modality and attribution, from everything above the trigger in the parse."""

from __future__ import annotations

from spacy.tokens import Token

from redline.events.rules import Rule
from redline.events.syntax import MODALS_FUTURE, subject_of
from redline.model import Actor, Quote
from redline.reading import climb
from redline.lang import words as _language_words

WORDS = _language_words("events")

# Labels along which a verb above the trigger governs it (its clause, not its subject).
# A noun's complement clause ("no indication that ...") is governed by it; a relative clause
# ("a plan, which Putin welcomed") has a status of its own.
CLAUSE_LABELS = WORDS.set("clause_labels")
MODALS_HYPOTHETICAL = WORDS.set("modals_hypothetical")
# Nouns of statements whose "that" clause is the speaker's claim.
SPEECH_NOUNS = WORDS.set("speech_nouns")


class StatusReader:
    """Negated? asserted, future, hypothetical or alleged? attributed to whom?"""

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
            speakers = self._actors_of(subject_of(reported), by_token, quotes)
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
