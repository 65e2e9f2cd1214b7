"""Reported speech: the clause under a speech verb ("Kirby said he does not consider ...")
or beside "according to X", and merging it with the quote in marks it runs over."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import replace

from spacy.tokens import Doc, Token

from redline.model import Quote
from redline.quotes.marks import text_of
from redline.quotes.speakers import SpeakerFinder
from redline.reading import sentence_of

# Reported speech that is mostly (by this share of its characters) words in marks is the
# quote in marks (see `_merged`); shorter stretches in marks stay quotes of their own.
MERGE_SHARE = 0.5
# The fewest words a reported clause has ("he would resign"); shorter ones are parse debris.
REPORTED_WORDS = 3


def _trimmed(tokens: list[Token]) -> list[Token]:
    """Reported words without the "that", conjunction or punctuation at their edges."""
    tokens = list(tokens)
    while tokens and (tokens[0].dep_ in ("mark", "cc") or tokens[0].is_punct or tokens[0].is_space):
        tokens.pop(0)
    while tokens and (tokens[-1].dep_ == "cc" or tokens[-1].is_punct or tokens[-1].is_space):
        if tokens[-1].text == ")" and any(t.text == "(" for t in tokens):
            break  # "near 180 mph (285 kph)": a bracket closed keeps its mark
        tokens.pop()
    return tokens


class IndirectQuotes(SpeakerFinder):
    """The reported speech, for `QuoteFinder`."""

    @staticmethod
    def _merged(doc: Doc, indirect: list[Quote], marked: list[Quote]) -> list[Quote]:
        """One quote per stretch of words: reported speech that runs over words in marks
        ("he remained “cautiously optimistic”", or any fragment in marks) is that quote, not a
        second, overlapping one; its speaker goes to the quote in marks where that has none."""
        if not marked:
            return indirect
        starts = [q.start for q in marked]
        kept = []
        for q in indirect:
            k = bisect_right(starts, q.end)
            over = [m for m in marked[max(0, k - 8):k] if m.start < q.end and q.start < m.end]
            share = sum(min(q.end, m.end) - max(q.start, m.start) for m in over) / max(1, q.end - q.start)
            # a fragment in marks inside the reported clause ("said Russia is “very much the
            # junior partner” in the relationship") is the one quote of those words: the gold
            # guidelines annotate the fragment alone, and two overlapping quotes counted the
            # same words twice
            if over and (share >= MERGE_SHARE or any(m.kind == "partial" for m in over)):
                for m in over:
                    if m.speaker is None:
                        m.speaker, m.speaker_start, m.cue = q.speaker, q.speaker_start, q.cue
                head = IndirectQuotes._before_marks(doc, q, over)
                if head is not None:
                    kept.append(head)
                continue
            kept.append(q)
        return kept


    @staticmethod
    def _before_marks(doc: Doc, q: Quote, over: list[Quote]) -> Quote | None:
        """Reported speech that ends in words in marks set off by a comma or a conjunction
        ("said the roof fell in and “everyone started screaming”", "noted that they had switched
        to a bio-based PET, “which was more plant-based”"): its own words before the marks,
        where they are a clause (REPORTED_WORDS or more, with a verb). Marks the clause runs
        into ("said it would be “inevitable”") leave only the fragment."""
        first = min(m.start for m in over)
        if first <= q.start or max(m.end for m in over) < q.end - 1:
            return None
        head = q.text[:first - q.start].rstrip(" \"“‘'«")
        if not re.search(r"(?:,|\b(?:and|but|or))\s*$", head):
            return None
        head = re.sub(r"(?:[\s\W]|\b(?:and|but|or)\b)+$", "", head)
        words = doc.char_span(q.start, q.start + len(head), alignment_mode="expand")
        if len(head.split()) < REPORTED_WORDS or words is None or not any(t.pos_ in ("VERB", "AUX") for t in words):
            return None
        return replace(q, end=q.start + len(head), text=head)

    @staticmethod
    def _complement(clause: Token) -> list[Token]:
        """The words of a speech verb's complement clause ("said [the US does not consider ...]")."""
        if any(c.dep_ in ("nsubj", "nsubjpass") and c.tag_ in ("WDT", "WP") for c in clause.children):
            return []  # "which it said crashed": an aside inside a relative clause
        cue = clause.head
        if clause.i < cue.i and any(t.text == ";" for t in clause.doc[clause.right_edge.i:cue.i]):
            return []  # "The cut-off is 157 mph; the advisory indicated ...": a clause of its own
        sub = sorted(clause.subtree, key=lambda t: t.i)
        # ", while the Arab League condemned ...": a contrast the writer adds, not the speaker
        for child in clause.children:
            if child.dep_ == "advcl" and child.i > clause.i and any(
                    m.dep_ == "mark" and m.lower_ in ("while", "whereas") for m in child.children):
                cut = min(t.i for t in child.subtree)
                sub = [t for t in sub if t.i < cut]
        return sub

    @staticmethod
    def _split_clause(cue: Token) -> list[Token]:
        """A reported clause the parser split into the speech verb's object and a verb hung
        from it or from the speech verb ("said [several acres of land] [burned before ...]",
        "reported [Hurricane Dorian] in the Caribbean [had strengthened ...]", "reported this year
        [908 of the attendees] [brought ...]"): the object's words to the end of the verb's, where
        the verb has a tense and no subject, conjunction or relative word of its own."""
        objects = [c for c in cue.children if c.dep_ in ("dobj", "obj") and c.i > cue.i]
        if not objects or any(c.dep_ == "ccomp" and c.i > objects[0].i and any(
                g.dep_ in ("nsubj", "nsubjpass") for g in c.children) for c in cue.children):
            return []
        obj = objects[0]
        if obj.pos_ not in ("NOUN", "PROPN", "NUM"):
            return []  # "to maintain those already owned"
        for verb in [c for c in obj.children if c.dep_ in ("acl", "relcl")] + [
                c for c in cue.children if c.dep_ in ("ccomp", "advcl") and c.i > obj.i]:
            own = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass", "mark", "agent")
                   or c.tag_ in ("WDT", "WP", "WRB")]
            # (not an infinitive: "announced plans to pull out" is no reported clause)
            tensed = verb.tag_ in ("VBD", "VBZ", "VBP") or any(c.dep_ in ("aux", "auxpass") and c.tag_ != "TO" for c in verb.children) \
                or verb.dep_ == "acl" and verb.tag_ == "VBN"
            if verb.pos_ in ("VERB", "AUX") and tensed and not own:
                return list(cue.doc[obj.left_edge.i:verb.right_edge.i + 1])
        return []

    @staticmethod
    def _around_aside(cue: Token) -> list[list[Token]]:
        """A speech verb set off by commas inside the clause it reports ("This year, he said, he
        came to support ...", "In between, she testified, she was ...", "Disney's tech teams
        isolated the problem, Mayer said, and ..."): that clause, on the side of its verb; and
        what follows too where it is a clause of its own ("..., Maróth said, and paying back
        this loan seems realistic")."""
        head, doc = cue.head, cue.doc
        if cue.dep_ != "parataxis" or head.pos_ not in ("VERB", "AUX") or any(c.dep_ == "ccomp" for c in cue.children):
            return []
        own = {t.i for t in cue.subtree}
        left = right = cue.i
        while left - 1 in own and not doc[left - 1].is_punct:
            left -= 1
        while right + 1 in own and not doc[right + 1].is_punct:
            right += 1
        if left == 0 or not doc[left - 1].is_punct or right + 1 >= len(doc) or doc[right + 1].text not in (",", ".", ";"):
            return []
        sent = cue.sent
        # the sentence's words either side of the aside, within semicolons
        before = list(doc[max([sent.start] + [t.i + 1 for t in doc[sent.start:left] if t.text == ";"]):left])
        after = list(doc[right + 1:min([sent.end] + [t.i for t in doc[right + 1:sent.end] if t.text == ";"])])
        if head.i > right:
            return [after]
        inner = {t.i for t in after}
        own_subject = any(c.dep_ in ("nsubj", "nsubjpass", "csubj") for t in after
                          if t.head.i not in inner or t.head.i == t.i for c in t.children)
        return [before] + ([after] if own_subject else [])

    def _indirect(self, doc, inside, mentions, marked) -> list[Quote]:
        found: list[Quote] = []
        covered = [(q.start, q.end) for q in marked]
        for tok in doc:
            if tok.pos_ not in ("VERB", "AUX") or tok.lemma_ not in self.speech or tok.idx in inside:
                continue
            if any(c.dep_ == "neg" for c in tok.children):
                continue  # "Russia did not say it would attack": nothing was said
            split = self._split_clause(tok)
            clauses = [self._complement(c) for c in tok.children if c.dep_ == "ccomp" and c not in split]
            for sub in clauses + self._around_aside(tok) + [split]:
                sub = _trimmed(sub)
                if len(sub) < REPORTED_WORDS:
                    continue
                start, end = sub[0].idx, sub[-1].idx + len(sub[-1])
                if start in inside or start - 1 in inside:
                    continue  # a quote in marks, found by its marks
                speaker, at = self._speaker_of(tok, mentions, marked + found, doc, inside)
                if speaker is None:
                    continue
                found.append(Quote(start, end, text_of(doc)[start:end], "indirect", speaker, tok.lemma_,
                                   sentence_of(tok).text, at))
        for sent in doc.sents:
            according = self._according_to(sent, mentions, marked + found, doc, inside)
            if according is None:
                continue
            sub = self._according_clause(according[2], self.speech)
            if len(sub) < REPORTED_WORDS:
                continue
            start, end = sub[0].idx, sub[-1].idx + len(sub[-1])
            if any(s < end and start < e for s, e in covered + [(q.start, q.end) for q in found]):
                continue  # a quote in marks, or reported speech already found there
            found.append(Quote(start, end, text_of(doc)[start:end], "indirect", according[0], "according to", sent.text, according[1]))
        return found

    @staticmethod
    def _according_clause(according: Token, speech: frozenset[str]) -> list[Token]:
        """What "according to X" vouches for: the clause it hangs from, without the phrase; the
        words before the phrase where it closes the clause ("Trump has admitted to ordering the
        payments, according to prosecutors, but ..."), else those after it, up to a semicolon
        ("According to the embassy, the man died on February 6; Chinese authorities ...")."""
        doc = according.doc
        phrase = {t.i for t in according.subtree} | {t.i for t in doc[according.i + 1].subtree}
        verb = according.head
        while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
            verb = verb.head
        clause = [t for t in verb.subtree if t.i not in phrase]
        # the phrase opens its clause at the start of the sentence or after a conjunction
        # ("..., but, according to his agent, Hunter had undergone surgery"), else closes it
        opens = next((t for t in reversed(doc[verb.sent.start:according.i]) if not t.is_punct), None)
        before = _trimmed([t for t in clause if t.i < according.i])
        if len(before) >= REPORTED_WORDS and opens is not None and opens.dep_ != "cc":
            return before
        if verb.lemma_ in speech and any(c.dep_ == "ccomp" for c in verb.children):
            return []  # "according to Reuters, a source said ...": the speech verb's own quote
        after = [t for t in clause if t.i > max(phrase)]
        semicolon = next((k for k, t in enumerate(after) if t.text == ";"), len(after))
        return _trimmed(after[:semicolon])
