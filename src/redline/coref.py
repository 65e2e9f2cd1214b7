"""Who a phrase refers to, within one article: one bounded coreference step for quotes.

Built once per Doc from the actor mentions (`doc._.actor_mentions`), in one pass over the
tokens. It answers, for a token that names, describes or stands for someone:

- a name: the mention over it, or a surname alone or a title and surname ("Mr. Vance",
  "Vance", "Reed-Vance") after the full name appeared earlier (accents folded), else the one
  person of the actor dictionary with that surname (its index, shared with transcripts); the
  surname of a full name the dictionary took for a body ("Michael Bloomberg") is the person;
- a subject phrase: the actor named anywhere in its flat phrase ("study co-author Ana Ruiz",
  "the agency's director, Ana Ruiz");
- a definite description ("the professor", "the party"): the latest actor introduced with
  that word around its name ("professor Ana Ruiz", "Ana Ruiz, a professor at ...") or in
  its name ("the Green Party");
- a pronoun (he, she, they are not resolved): the latest person who was the subject of a
  sentence, walking back a few sentences, the subject of the main clause first, skipping
  people of the other gender where the text shows it (Mr./Ms./Mrs. before the name, or a
  he/she already resolved to them).

Every walk is bounded: a few sentences back, a fixed number of references back.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import TYPE_CHECKING

from spacy.tokens import Doc, Token

from redline.model import Actor, ActorId, Mention

if TYPE_CHECKING:
    from redline.actors.dictionary import ActorDictionary
from redline.reading import sentence_of
from redline.words import fold
from redline.lang import words as _language_words

WORDS = _language_words("quotes")

# Honorifics and titles that may stand before a surname; the first two sets show gender.
MALE_TITLES = WORDS.set("male_titles")
FEMALE_TITLES = WORDS.set("female_titles")
TITLES = MALE_TITLES | FEMALE_TITLES | WORDS.set("titles_more")
# Nouns that describe a body, not a person: "the company said" is the body named last.
BODY_NOUNS = WORDS.set("body_nouns")
PRONOUN_GENDER = WORDS.map("pronoun_gender")
SUBJECT_DEPS = WORDS.list("subject_deps")
SENTENCES_BACK = 4     # how far back a pronoun or a sentence's subject is looked for
REFERENCES_BACK = 60   # how many references back a description or a name is looked for
PHRASE_TOKENS = 20     # the largest subject phrase searched for a name


@dataclass
class Reference:
    start: int       # character offsets
    end: int
    actor: Actor
    subject: bool    # the subject of its clause
    main: bool       # ... of its sentence's main clause


class Coref:
    """The references of one article, in text order, with the indexes that answer each
    question without rescanning the article."""

    def __init__(self, doc: Doc, mentions: list[Mention], inside: set[int] = frozenset(),
                 dictionary: "ActorDictionary | None" = None):
        self.doc = doc
        self.dictionary = dictionary  # its surname index names a lone surname the text never gave in full
        self.inside = inside
        self.gender: dict[Actor, str] = {}
        self.roles: dict[Actor, set[str]] = {}   # words that introduced or describe the actor
        self._at: dict[int, Mention] = {}        # token start -> mention over it
        for m in mentions:
            for i in range(m.start, m.end):
                self._at.setdefault(i, m)
        self.refs: list[Reference] = []
        self._untagged: dict[str, Actor] = {}  # name -> the person a lone proper noun names
        self._replaced: dict[int, Actor] = {}  # mention start -> the article's person it is
        self._names: dict[str, str] = {}  # folded last word -> the first full name ending in it
        self._build(mentions)
        self._starts = [r.start for r in self.refs]

    # -- building ------------------------------------------------------------------------------
    def _build(self, mentions: list[Mention]) -> None:
        doc = self.doc
        people = sorted((m for m in mentions if m.actor.kind == "person"), key=lambda m: m.end)
        by_surname: dict[str, Actor] = {}
        at = 0
        extra: dict[int, tuple[int, int, Actor, str]] = {}  # token i -> a name found by its surname
        run: list[Token] = []
        for tok in doc:
            # Runs of capitalised proper nouns ("Chris Early"), for a surname NER left untagged
            if tok.pos_ == "PROPN" and tok.text[:1].isupper() and tok.is_alpha and tok.idx not in self.inside:
                run.append(tok)
            else:
                if len(run) >= 2:
                    self._names.setdefault(fold(run[-1].text), " ".join(t.text for t in run[-4:]))
                run = []
            while at < len(people) and people[at].end <= tok.idx:
                words = people[at].actor.name.split()
                if len(words) > 1:
                    by_surname[fold(words[-1])] = people[at].actor
                    by_surname.setdefault(fold(people[at].text.split()[-1]), people[at].actor)
                at += 1
            m = self._at.get(tok.idx)
            if m is not None and m.start == tok.idx and m.end <= tok.idx + len(tok) and m.actor.kind == "organisation" \
                    and tok.ent_type_ == "PERSON" and tok.ent_iob_ == "I" and tok.idx not in self.inside:
                # "Michael Bloomberg", "Tim Cook": the surname of a person's full name that the
                # dictionary knows as a body; the person, and later "Bloomberg" alone too.
                first = tok.i
                while first > 0 and doc[first].ent_iob_ == "I":
                    first -= 1
                person = self._person_named(doc[first:tok.i + 1].text)
                by_surname[fold(tok.text)] = person
                self._replace(m, person)
                continue
            if m is not None and m.start == tok.idx and len(m.text.split()) == 1 and m.actor.kind != "state":
                # "Vance" or "Ibanez" after "Harriet Vance" / "Tomás Ibáñez" in this article is
                # that person, whatever a dictionary or NER made of the single word.
                mine = by_surname.get(fold(m.text))
                if mine is not None and mine != m.actor and m.method in ("dictionary", "fuzzy", "ner", "surname"):
                    self._replace(m, mine)
                continue
            if m is not None or not tok.text[:1].isupper():
                continue
            # "Reed-Vance" is three tokens; a surname is looked up with its hyphenated parts
            text, last = tok.text, tok.i
            if tok.i + 2 < len(doc) and doc[tok.i + 1].text == "-" and doc[tok.i + 2].text[:1].isupper():
                text, last = tok.text + "-" + doc[tok.i + 2].text, tok.i + 2
            actor = by_surname.get(fold(text))
            if actor is None and last != tok.i:
                actor, last = by_surname.get(fold(tok.text)), tok.i
            if actor is None:
                unnamed = self._untagged_name(tok)
                if unnamed is not None:
                    extra[tok.i] = (tok.idx, tok.idx + len(tok), unnamed, tok.text)
                continue
            prev = doc[tok.i - 1] if tok.i > 0 else None
            titled = prev is not None and prev.lower_ in TITLES
            # A capitalised word alone is a name only as a proper noun, a subject or after a title
            if not (tok.pos_ == "PROPN" or tok.dep_ in SUBJECT_DEPS or titled):
                continue
            extra[tok.i] = (tok.idx, doc[last].idx + len(doc[last]), actor, doc[tok.i:last + 1].text)
        refs: list[tuple[int, int, Actor, Token]] = []
        for m in mentions:
            span = doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is not None and len(span):
                refs.append((m.start, m.end, self._replaced.get(m.start, m.actor), span.root))
        for i, (s, e, actor, text) in extra.items():
            refs.append((s, e, actor, doc[i]))
            mention = Mention(s, e, text, actor, "surname")
            for j in range(s, e):
                self._at.setdefault(j, mention)
        refs.sort(key=lambda r: r[0])
        for n, (s, e, actor, head) in enumerate(refs):
            # "Ana Ruiz, the president of the union,": an apposition to a named person is that
            # person, not whoever else "the president" would describe
            owner = self._at.get(head.head.idx) if head.dep_ == "appos" else None
            if owner is not None and owner.actor.kind == "person" and owner.actor != actor and owner.start < s:
                refs[n] = (s, e, owner.actor, head)
                same = Mention(s, e, doc[head.left_edge.i:head.i + 1].text, owner.actor, "appos")
                for j in range(s, e):
                    self._at[j] = same
        for s, e, actor, head in refs:
            subject = head.dep_ in SUBJECT_DEPS or (head.dep_ in ("compound", "appos") and head.head.dep_ in SUBJECT_DEPS)
            verb = head.head if head.dep_ in SUBJECT_DEPS else head.head.head
            main = subject and verb.dep_ in ("ROOT", "conj")
            self.refs.append(Reference(s, e, actor, subject, main))
            if actor.kind == "person":
                self._note_person(head, actor)

    def _replace(self, m: Mention, actor: Actor) -> None:
        replaced = Mention(m.start, m.end, m.text, actor, "surname")
        for j in range(m.start, m.end):
            self._at[j] = replaced
        self._replaced[m.start] = actor

    def _person_named(self, name: str) -> Actor:
        return self._untagged.setdefault(name, Actor(ActorId.person(name), name, "person"))

    def _untagged_name(self, tok: Token) -> Actor | None:
        """"Maróth pointed out ...": a proper noun no one tagged, as the subject of a verb, is
        a person, under the full name an earlier run of proper nouns gave it."""
        if not (tok.pos_ == "PROPN" and tok.dep_ in SUBJECT_DEPS and tok.is_alpha and tok.ent_type_ in ("", "PERSON")
                and tok.head.pos_ in ("VERB", "AUX") and tok.idx not in self.inside):
            return None
        if any(c.dep_ == "compound" for c in tok.children) or tok.lower_ in TITLES:
            return None  # a longer name NER left untagged: the actors' business
        name = self._names.get(fold(tok.text))
        if name is None and self.dictionary is not None:
            # "Kirby said" in a text that never gives the full name: the one person of the
            # dictionary with that surname (several: left as the text has it)
            known = self.dictionary.people_by_surname(tok.text)
            if len(known) == 1 and known[0].name != tok.text:
                return self._untagged.setdefault(known[0].name, self.dictionary.person_actor(known[0], getattr(self.doc._, "published", None)))
        return self._person_named(name or tok.text)

    def _note_person(self, head: Token, actor: Actor) -> None:
        """Gender from a title before the name; role words from the phrase around it."""
        doc = self.doc
        first = head
        while first.i > 0 and doc[first.i - 1].pos_ == "PROPN" and doc[first.i - 1].ent_type_ == head.ent_type_ and head.i - first.i < 4:
            first = doc[first.i - 1]
        before = doc[first.i - 1] if first.i > 0 else None
        if before is not None and actor not in self.gender:
            if before.lower_ in MALE_TITLES:
                self.gender[actor] = "m"
            elif before.lower_ in FEMALE_TITLES:
                self.gender[actor] = "f"
        words = self.roles.setdefault(actor, set())
        if len(words) > 24:
            return
        # "archbishop Ana Ruiz", "study co-author Ana Ruiz": nouns right before the name
        i = first.i - 1
        while i >= 0 and first.i - i <= 4 and doc[i].pos_ in ("NOUN", "PROPN", "ADJ") and doc[i].idx not in self._at:
            if doc[i].pos_ == "NOUN" or doc[i].lower_ in TITLES:  # "Governor Ana Ruiz" -> "the governor"
                words.add(doc[i].lemma_.casefold() if doc[i].pos_ == "NOUN" else doc[i].lower_)
            i -= 1
        # "Ana Ruiz, a professor at ...": the head noun of an apposition
        for child in head.children:
            if child.dep_ == "appos" and child.pos_ == "NOUN":
                words.add(child.lemma_.casefold())
        if head.dep_ == "appos" and head.head.pos_ == "NOUN":  # "the agency's director, Ana Ruiz"
            words.add(head.head.lemma_.casefold())

    # -- questions -----------------------------------------------------------------------------
    def mention_at(self, tok: Token) -> Mention | None:
        return self._at.get(tok.idx)

    def phrase_actor(self, subject: Token, kinds: tuple[str, ...] = ("person",)) -> tuple[Actor, int] | None:
        """The actor a subject phrase names: its head, else a name attached to the head
        ("study co-author Ana Ruiz", "the agency's director, Ana Ruiz"), else the first name
        further inside the phrase ("a protester using the name Lin"). With organisations and
        states among `kinds`, an owner counts too ("the ministry's letter")."""
        m = self.mention_at(subject)
        if m is not None:
            return m.actor, m.start
        for tok in subject.children:
            if tok.dep_ == "appos" and tok.pos_ == "PROPN" and tok.idx not in self._at and tok.idx not in self.inside:
                # "the president of the league, Jamel Msallem, said": a name no one tagged
                words = [t for t in tok.lefts if t.dep_ == "compound" and t.pos_ == "PROPN"] + [tok]
                if all(t.is_alpha and t.text[:1].isupper() for t in words) and tok.ent_type_ in ("", "PERSON"):
                    return self._person_named(" ".join(t.text for t in words)), words[0].idx
        for tok in subject.children:
            # the owner ("Ana Ruiz's statement") only for writings, whose words are their author's
            deps = ("compound", "appos", "nmod", "poss") if len(kinds) > 1 else ("compound", "appos", "nmod")
            if tok.dep_ in deps and tok.idx not in self.inside:
                m = self.mention_at(tok)
                if m is not None and (m.actor.kind in kinds or (
                        tok.dep_ == "appos" and subject.pos_ == "NOUN" and m.actor.kind == "organisation"
                        and m.actor.country is None and m.actor.sector is None)):
                    # (a name NER took for an organisation, in apposition to a role, is the
                    # person in that role: "the head of the federation, Teodor Valsk")
                    return m.actor, m.start
        for n, tok in enumerate(subject.subtree):
            if n >= PHRASE_TOKENS:
                break
            if tok.i == subject.i or tok.idx in self.inside or tok.text in ("(", ")"):
                continue
            m = self.mention_at(tok)
            if m is not None and m.actor.kind in kinds and tok.pos_ == "PROPN":
                return m.actor, m.start
        return None

    def full_name(self, word: str) -> str | None:
        """The full name an earlier run of proper nouns gave this surname ("Early" → "Chris Early")."""
        return self._names.get(fold(word))

    def description(self, noun: Token) -> tuple[Actor, int] | None:
        """"the professor", "the party": the latest actor introduced with that word."""
        word = noun.lemma_.casefold()
        k = bisect_left(self._starts, noun.idx)
        window = [r for r in self.refs[max(0, k - REFERENCES_BACK):k] if r.start not in self.inside]
        for r in reversed(window):
            if word in self.roles.get(r.actor, ()) or (r.actor.role and word in r.actor.role.casefold().split()):
                return r.actor, noun.idx
            if r.actor.kind != "person" and word in fold(r.actor.name).split():
                return r.actor, noun.idx
        if word in BODY_NOUNS and noun.tag_ == "NN":
            # "the company said": the organisation that was last the subject of a sentence
            for r in reversed(window):
                if r.actor.kind == "organisation" and r.subject:
                    return r.actor, noun.idx
        return None

    def pronoun(self, pron: Token, last_speaker: tuple[Actor, int] | None = None) -> Actor | None:
        """"he said": the latest person who was a subject before it, the main clause's subject
        first in each sentence, walking back a few sentences; of the pronoun's gender where
        that is known. The last speaker counts as a subject where they were named."""
        gender = PRONOUN_GENDER.get(pron.lower_)
        k = bisect_left(self._starts, pron.idx)
        sent = sentence_of(pron)
        for _ in range(SENTENCES_BACK):
            if sent.start == 0:
                break
            sent = sentence_of(self.doc[sent.start - 1])
        lower = sent.start_char
        candidates = [r for r in self.refs[max(0, k - REFERENCES_BACK):k]
                      if (r.actor.kind == "person" or self._name_like(r)) and r.start >= lower and r.start not in self.inside]
        if last_speaker is not None and last_speaker[1] is not None and lower <= last_speaker[1] < pron.idx:
            candidates.append(Reference(last_speaker[1], last_speaker[1], last_speaker[0], True, True))
            candidates.sort(key=lambda r: r.start)
        fits = [r for r in candidates if not gender or self.gender.get(r.actor, gender) == gender]
        chosen = None
        # By sentence, latest first: the main clause's subject, then any subject.
        for r in reversed(fits):
            if not r.subject:
                continue
            rsent = sentence_of(self.doc[self._token_index(r.start)])
            in_sent = [x for x in fits if rsent.start_char <= x.start < min(rsent.end_char, pron.idx) and x.subject]
            mains = [x for x in in_sent if x.main]
            chosen = (mains or in_sent or [r])[-1]
            break
        if chosen is None and fits:
            chosen = fits[-1]
        if chosen is None and last_speaker is not None and (not gender or self.gender.get(last_speaker[0], gender) == gender):
            return last_speaker[0]
        if chosen is not None and gender:
            self.gender.setdefault(chosen.actor, gender)
        return chosen.actor if chosen else None

    @staticmethod
    def _name_like(r: Reference) -> bool:
        """A single proper name that NER took for an organisation and nothing else knows
        ("Sanders said in his stream"): it may be a person, as a subject."""
        a = r.actor
        return (r.subject and a.kind == "organisation" and a.country is None and a.sector is None
                and ActorId.parse(a.id).is_organisation and len(a.name.split()) == 1)

    def _token_index(self, char: int) -> int:
        span = self.doc.char_span(char, char + 1, alignment_mode="expand")
        return span.start if span is not None else 0

    def sentence_subject(self, sent) -> tuple[Actor, int] | None:
        """The person or body a sentence is about: its main clause's subject, resolved."""
        root = sent.root
        subjects = [c for c in root.children if c.dep_ in SUBJECT_DEPS and c.idx not in self.inside]
        if not subjects:
            return None
        subject = subjects[0]
        if subject.lower_ in ("he", "she"):
            actor = self.pronoun(subject)
            return (actor, subject.idx) if actor else None
        found = self.phrase_actor(subject)
        if found is None and subject.pos_ == "NOUN" and any(c.lower_ == "the" for c in subject.lefts):
            found = self.description(subject)
        return found

    def subject_before(self, char: int, sent) -> tuple[Actor, int] | None:
        """Who the words before a colon are about: walking back from it within its sentence
        (at most PHRASE_TOKENS * 4 tokens), the first verb outside quotes whose subject names or
        stands for an actor ("The court also ruled on Monday, finding that …: “…”")."""
        doc = self.doc
        span = doc.char_span(sent.start_char, char, alignment_mode="contract")
        if span is None:
            return None
        for n, tok in enumerate(reversed(span)):
            if n >= PHRASE_TOKENS * 4:
                break
            if tok.pos_ not in ("VERB", "AUX") or tok.idx in self.inside:
                continue
            for subject in (c for c in tok.children if c.dep_ in SUBJECT_DEPS and c.idx not in self.inside):
                if subject.lower_ in ("he", "she"):
                    actor = self.pronoun(subject)
                    found = (actor, subject.idx) if actor else None
                else:
                    found = self.phrase_actor(subject, kinds=("person", "organisation", "state"))
                    if found is None and subject.pos_ == "NOUN" and any(c.lower_ == "the" for c in subject.lefts):
                        found = self.description(subject)
                if found is not None:
                    return found
        return None
