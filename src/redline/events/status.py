"""Status: negation, modality and attribution, from everything above the trigger in the parse."""

from __future__ import annotations

import datetime as dt

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
# An act dated this many days or more before its article is history, not news ("fell under
# Houthi control in 2014", "was murdered last October", "filed a petition on February 10").
BACKGROUND_DAYS = 30
# A noun's own phrase that names an event as its setting: "views on the conflict", "the subject
# of sanctions", "the suspect in a shooting", "a row over the killing".
NOUN_PREPS = WORDS.set("noun_preps")
# Relative pronouns of a clause that describes someone: "Li Wenliang, who tried to warn people".
RELATIVE_WORDS = WORDS.set("relative_words")


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
        media = any(c.lower_ in self.rules.reported for c in tok.children if c.dep_ == "advmod")
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
            if head.pos_ in ("VERB", "AUX") and lemma in self.rules.reported and child.dep_ == "ccomp":
                media = True  # "Fars reported Iran issued arrest warrants": unconfirmed
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
        modality = "hypothetical" if hypothetical else "future" if future else "reported" if media else \
            "alleged" if alleged else "asserted"
        return negated, modality, attributed

    def _background(self, tok: Token, date: dt.date | None, precision: str, published: dt.date | None) -> bool:
        """Named as the setting or history of the news, not as news of its own: dated well
        before the article, an event noun in a prepositional phrase ("since returning from combat",
        "views on the conflict", "the suspect in a shooting"), a clause that describes someone
        ("Mendez, who rescued six diplomats"), or one the news starts from ("since it was
        recaptured from Houthis")."""
        if date is not None and published is not None and precision in ("day", "month", "year"):
            last = dt.date(date.year, 12, 31) if precision == "year" else \
                (dt.date(date.year + date.month // 12, date.month % 12 + 1, 1) - dt.timedelta(days=1)) if precision == "month" \
                else date
            if (published - last).days >= BACKGROUND_DAYS:
                return True
        if tok.pos_ == "NOUN" and tok.dep_ == "pobj":
            prep = tok.head
            if prep.lower_ in self.rules.background_preps or (prep.head.pos_ in ("NOUN", "PROPN") and prep.lower_ in NOUN_PREPS):
                return True
        clause = tok if tok.pos_ in ("VERB", "AUX") else next((h for _, h in climb(tok) if h.pos_ in ("VERB", "AUX")), None)
        if clause is not None and any(c.dep_ == "mark" and c.lower_ in self.rules.background_marks for c in clause.children):
            return True  # "since the capital fell under Houthi control": where the news starts from
        for child, head in climb(tok):
            if child.dep_ == "relcl":
                # a clause set off by a comma, or opened by "who"/"which": a description
                first = child.left_edge
                opened = any(t.lower_ in RELATIVE_WORDS for t in child.children if t.tag_ in ("WP", "WP$", "WDT"))
                return opened or (first.i > 0 and tok.doc[first.i - 1].text == ",")
            if child.dep_ in ("ccomp", "advcl", "parataxis") or head.pos_ in ("VERB", "AUX") and child.dep_ not in ("xcomp", "conj"):
                break  # another clause: its own status
        return False

    @staticmethod
    def _purpose(verb: Token) -> bool:
        """"pressured the US to leave, in order to open a route for aid", "trained forces to
        fight": an act done for the sake of another; that other is intended, not done."""
        return verb.dep_ == "advcl" and verb.pos_ == "VERB" and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)
