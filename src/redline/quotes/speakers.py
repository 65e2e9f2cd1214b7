"""Who said it: the speaker of a cue verb, a pronoun's or a statement's referent, an
unnamed speaker described by role, "according to X", and the subject governing a fragment
in marks. `SpeakerFinder` is the part of `QuoteFinder` that `marks` and `indirect` build on."""

from __future__ import annotations

from functools import lru_cache

from spacy.tokens import Doc, Span, Token

from redline.actors.dictionary import ActorDictionary
from redline.coref import SENTENCES_BACK, TITLES, Coref
from redline import schemas
from redline.model import Actor, ActorId, Mention, Quote
from redline.reading import sentence_of
from redline.lang import words as _language_words

WORDS = _language_words("quotes")

PRONOUNS = WORDS.set("pronouns")
# Subjects that stand for whoever issued them: "the statement said".
STATEMENT_WORDS = WORDS.set("statement_words")
# Writings whose words are their author's: "her tweet read", "the ministry's letter said".
AUTHORED_WORDS = STATEMENT_WORDS | WORDS.set("authored_words_more")
# Anonymous speakers described rather than named: "an insurgent source", "people familiar with ...".
DESCRIBED_SPEAKERS = WORDS.set("described_speakers")


@lru_cache(maxsize=1)
def cue_words() -> tuple[frozenset[str], frozenset[str]]:
    data = schemas.shipped("quotes.yaml", "quotes")
    return frozenset(data["speech"]), frozenset(data["framing"])


@lru_cache(maxsize=1)
def reporting_words() -> frozenset[str]:
    """Verbs by which a source makes a finding known ("Reuters reported ..."): quote cues
    beside `cue_words`' speech verbs, which events read without them."""
    return frozenset(schemas.shipped("quotes.yaml", "quotes").get("reporting") or ())


@lru_cache(maxsize=1)
def person_roles() -> frozenset[str]:
    return frozenset(schemas.shipped("quotes.yaml", "quotes").get("person_roles") or ())



class SpeakerFinder:
    """Speaker finding for `QuoteFinder` (which sets the cue words and the dictionary)."""
    speech: frozenset[str]
    framing: frozenset[str]
    dictionary: ActorDictionary

    def _governing_subject(self, fragment: Span, mentions, earlier, doc, inside) -> tuple[Actor | None, int | None]:
        """The subject of the nearest verb above the fragment (a few steps up, within its
        sentence) that names or stands for an actor."""
        tok = fragment.root
        for _ in range(6):
            if tok.head.i == tok.i:
                break
            tok = tok.head
            if tok.pos_ not in ("VERB", "AUX") or tok.idx in inside:
                continue
            subjects = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass") and c.idx not in inside]
            if not subjects:
                continue
            subject = subjects[0]
            if subject.lower_ in PRONOUNS:
                return self._pronoun_referent(subject, mentions, earlier, doc, inside), subject.idx
            if subject.pos_ == "PRON" and subject.lower_ != "they":
                return None, None
            if subject.lower_ == "they":
                return None, None
            actor = self._actor_at(subject, mentions)
            if actor is not None and not ActorId.parse(actor.id).is_anonymous:
                return actor, subject.idx
            # "the toll was “unfair”": not an actor; the verb above may have one
        return None, None


    def _speaker_of(self, cue: Token, mentions, earlier, doc, inside: set[int] = frozenset()) -> tuple[Actor | None, int | None]:
        if cue.lower_ == "quoted":  # "The newspaper quoted Alexander Gabov ... as saying"
            subjects = [c for c in cue.children if c.dep_ in ("dobj", "obj")]
        else:
            subjects = [c for c in cue.children if c.dep_ in ("nsubj", "nsubjpass")]
            # "Gutierrez was described by the bishops as “…”", "was announced by the WHO":
            # the speaker of a passive cue is its agent, not its subject
            agents = [o for c in cue.children if c.dep_ == "agent" for o in c.children if o.dep_ == "pobj"]
            if agents and any(c.dep_ == "nsubjpass" for c in subjects) or agents and not subjects:
                subjects = agents[:1]
        if not subjects and self._after_quote(cue):
            # "“…,” said a protester using the pseudonym Katya": the parser often takes the
            # speaker of an inverted attribution for the verb's object.
            subjects = [c for c in cue.children if c.i > cue.i and (c.dep_ in ("dobj", "obj", "attr", "npadvmod") or (
                c.dep_ == "advmod" and self._inverted_name(c)))][:1]
        if not subjects and cue.dep_ == "ROOT":
            # "the president of the league, Jamel Msallem, said": the name right before a
            # speech verb left without a subject (the parser hung it on an earlier noun)
            before = next((t for t in reversed(doc[max(0, cue.i - 3):cue.i]) if not t.is_punct), None)
            if before is not None and before.pos_ == "PROPN" and before.idx not in inside:
                subjects = [before]
        if not subjects and cue.dep_ in ("conj", "advcl", "xcomp", "ccomp"):
            # "..., adding that ...", "saying he trusted ...": the subject of the speech verb it
            # hangs from, else of the nearest verb with a subject.
            # A conjoined cue ("said … and called it …") shares the speech verb's subject; a
            # participle ("which Putin welcomed, saying …") the nearest verb's.
            chain = list(cue.ancestors)[:8]
            if cue.tag_ == "VBG" and cue.i > 0 and doc[cue.i - 1].text == ",":
                # "..., which Putin welcomed, saying it ...": the verb right before the comma
                # (a relative clause's), wherever the parser hung the participle
                before = [t for t in doc[sentence_of(cue).start:cue.i] if t.pos_ in ("VERB", "AUX")]
                chain = [t for t in before[-1:] if t.dep_ == "relcl"] + chain
            speech_heads = [a for a in chain if a.lemma_ in self.speech and a.idx not in inside] if cue.dep_ == "conj" else []
            for a in (speech_heads[:1] or chain):
                subjects = [c for c in a.children if c.dep_ in ("nsubj", "nsubjpass") and c.idx not in inside]
                if subjects:
                    break
        subjects = [c for c in subjects if c.idx not in inside]
        if not subjects:
            return None, None
        coref: Coref = doc.user_data["redline_coref"]
        # "said study co-author Ana Ruiz": of two subjects, the one that names someone
        subject = next((c for c in subjects if coref.phrase_actor(c) is not None), subjects[0])
        # who frames words ("critics called the rules “red tape”") is a speaker only when named
        return self._speaker_named_by(subject, mentions, earlier, doc, inside, speech=cue.lemma_ in self.speech)

    def _speaker_named_by(self, subject: Token, mentions, earlier, doc, inside: set[int] = frozenset(),
                          speech: bool = True) -> tuple[Actor | None, int | None]:
        """Who the words naming a speaker stand for: the subject of a speech verb, or the noun of
        "according to" ("according to him", "according to the official")."""
        coref: Coref = doc.user_data["redline_coref"]
        if subject.lower_ in PRONOUNS:
            return self._pronoun_referent(subject, mentions, earlier, doc, inside), subject.idx
        if self._role_of_someone_named(subject, coref):
            # "The Biden administration official further stated", "the Wooster professor
            # added": the person the text was just about, found as for a pronoun before the
            # phrase (not a name inside it)
            found = self._pronoun_referent(subject.left_edge, mentions, earlier, doc, inside)
            if found is not None:
                return found, subject.idx
        if subject.lemma_.casefold() in AUTHORED_WORDS:
            # "her tweet read", "the ministry's statement said": the author named in the phrase
            found = coref.phrase_actor(subject, kinds=("person", "organisation", "state"))
            if found is not None:
                return found[0], subject.idx
            for tok in subject.subtree:  # "the decree signed by the Pope", "a statement from the king"
                if tok.dep_ == "pobj" and tok.head.lower_ in ("by", "from") and tok.pos_ == "PROPN" and tok.idx not in inside:
                    actor = self._actor_at(tok, mentions)
                    if actor is not None:
                        return actor, tok.idx
        if subject.lemma_ in STATEMENT_WORDS and subject.tag_ == "NNS" and not any(
                c.dep_ in ("det", "poss") for c in subject.children):
            # "reports said", "according to official statements": a source described, not
            # the body that spoke last
            return self._described_actor(subject, mentions, None, True), subject.idx
        if subject.lower_ == "it" or subject.lemma_ in STATEMENT_WORDS:
            # "the statement said", "it said": the body that spoke last
            return self._body_referent(subject, mentions, earlier), subject.idx
        if subject.pos_ == "PRON" and coref.mention_at(subject) is None:
            return None, None  # (a name the tagger took for a pronoun stays a name: "WHO said")
        actor = self._actor_at(subject, mentions, speech)
        return actor, subject.idx

    def _role_of_someone_named(self, subject: Token, coref: Coref) -> bool:
        """"the official", "the Wooster professor": a definite description, in the singular, by
        a person's role (a title, a rank of roles.yaml, or quotes.yaml's person_roles), that names no one itself, matches no one
        introduced with that word, and follows no unnamed "an official" it could mean."""
        if not (subject.pos_ == "NOUN" and subject.tag_ == "NN" and subject.idx not in coref.inside
                and any(c.dep_ == "det" and c.lower_ == "the" for c in subject.children)):
            return False
        word = subject.lemma_.casefold()
        if not (word in TITLES or word in person_roles() or self.dictionary.rank_of(word)):
            return False
        named = coref.phrase_actor(subject)
        # a name before the role is whom the person works for or with, not the person ("the
        # Wooster professor", "the Biden administration official")
        if coref.mention_at(subject) is not None or (named is not None and named[1] > subject.idx) \
                or coref.description(subject) is not None:
            return False
        sent = sentence_of(subject)
        for _ in range(SENTENCES_BACK):
            if sent.start == 0:
                break
            sent = sentence_of(subject.doc[sent.start - 1])
        return not any(t.lemma_.casefold() == word and any(c.lower_ in ("a", "an") for c in t.children)
                       for t in subject.doc[sent.start:subject.i])

    @staticmethod
    def _after_quote(cue: Token) -> bool:
        """The cue comes right after a closing quotation mark ("“…,” said Ana Ruiz")."""
        text = cue.doc.user_data.get("redline_text") or cue.doc.text
        return text[max(0, cue.idx - 4):cue.idx].rstrip().rstrip(",").endswith(('"', "”", "’", "»"))

    @staticmethod
    def _inverted_name(subject: Token) -> bool:
        """A capitalised word after its speech verb, mid-sentence, that the tagger did not take
        for a proper noun ("“…,” says Early"): a name."""
        return (subject.i > subject.head.i and subject.is_alpha and subject.text[:1].isupper()
                and not subject.is_sent_start and subject.pos_ in ("ADV", "ADJ", "NOUN", "VERB")
                and not any(c.dep_ == "det" for c in subject.children))

    @staticmethod
    def _mention_at(tok: Token, mentions: list[Mention]) -> Mention | None:
        """The first mention over this token: looked up by character, from an index built once
        per call (scanning the mentions for each token made long articles quadratic)."""
        index = tok.doc.user_data.get("redline_mention_at")
        if index is None:
            index = tok.doc.user_data["redline_mention_at"] = {}
            for m in mentions:
                for i in range(m.start, m.end):
                    index.setdefault(i, m)
        return index.get(tok.idx)

    def _actor_at(self, subject: Token, mentions: list[Mention], speech: bool = False) -> Actor | None:
        """The actor the subject phrase names: its head's mention, else a described speaker
        (with `speech`, the subject of a speech verb, also one described in the plural or by
        an owner)."""
        coref: Coref | None = subject.doc.user_data.get("redline_coref")
        m = coref.mention_at(subject) if coref else self._mention_at(subject, mentions)
        if m:
            return m.actor
        found = coref.phrase_actor(subject) if coref else None
        if found is not None:  # "study co-author Ana Ruiz", "Mr. Vance"
            return found[0]
        if coref and subject.pos_ == "NOUN" and any(c.lower_ == "the" for c in subject.lefts):
            found = coref.description(subject)  # "the professor", "the party"
            if found is not None:
                return found[0]
        for child in subject.children:  # "China's ambassador to Britain Liu Xiaming"
            if child.dep_ in ("appos", "compound") and child.pos_ == "PROPN" and child.i > subject.i:
                m = self._mention_at(child, mentions)
                if m and m.actor.kind == "person":
                    return m.actor
        if (subject.pos_ == "PROPN" or self._inverted_name(subject)) and subject.text[:1].isupper() \
                and not self.dictionary.country_of_word(subject.text):
            # A name no one tagged, as the subject of a speech verb ("“…,” says Vance"): the
            # person of that name, by the full name given earlier where there is one.
            words = [t for t in subject.lefts if t.dep_ == "compound" and t.pos_ == "PROPN" and t.i >= subject.i - 3]
            name = " ".join([t.text for t in words] + [subject.text])
            name = (coref.full_name(subject.text) if coref and not words else None) or name
            if name.isalpha() or " " in name or "-" in name:
                return Actor(ActorId.person(name), name, "person")
        sector = self.dictionary.sector_of(subject.text)
        # "One of the children said", "two of the protesters": a part of a group described
        partitive = subject.pos_ == "NUM" and any(c.dep_ == "prep" and c.lower_ == "of" for c in subject.children)
        # a noun phrase that names no one describes its speaker: with an article ("a grain
        # broker"), an owner ("his office", "Nadia Cruz's office") or in the plural ("backers of
        # tariffs", "event organizers"); not what a passive reports ("no deaths were reported")
        described = partitive or subject.lemma_.casefold() in DESCRIBED_SPEAKERS or (
            subject.pos_ == "NOUN" and subject.lemma_.casefold() not in AUTHORED_WORDS and (
                (speech and subject.dep_ != "nsubjpass" and (subject.tag_ == "NNS" or any(c.dep_ == "poss" for c in subject.lefts)))
                or any(c.dep_ == "det" and c.lower_ in ("a", "an", "the", "one", "another") for c in subject.lefts)))
        if partitive or (not sector and not described):
            for child in subject.children:  # "one of the ministers"
                if child.dep_ == "prep":
                    for obj in child.children:
                        m = self._mention_at(obj, mentions)
                        if m:
                            return m.actor
            if not partitive:
                return None
        return self._described_actor(subject, mentions, sector, described)

    def _described_actor(self, subject: Token, mentions, sector: str | None, described: bool) -> Actor:
        """"a senior adviser to President Zelenskyy", "a grain broker in Geneva": an unnamed
        speaker described by role; their country from an actor named inside the phrase."""
        country = None
        for tok in subject.subtree:
            m = self._mention_at(tok, mentions)
            if m and m.actor.country:
                country = m.actor.country
                sector = sector if sector and not described else (m.actor.sector or sector)
                break
        # without the article or an owner's pronoun: "his office" is an office
        first = subject.left_edge.i + (1 if subject.left_edge.dep_ == "det" or subject.left_edge.tag_ == "PRP$" else 0)
        last = subject.i
        if described:  # "people familiar with the talks", "two people briefed on the talks"
            for tok in subject.subtree:
                if tok.i > subject.i and tok.i - subject.i <= 8 and not tok.is_punct:
                    last = max(last, tok.i)
                elif tok.i > subject.i:
                    break
        role = subject.doc[first:last + 1].text  # "US State Department spokesman"
        return Actor(ActorId.anonymous(country, sector, role), role, "person", country, sector, role)

    @staticmethod
    def _pronoun_referent(pronoun: Token, mentions: list[Mention], earlier: list[Quote], doc: Doc,
                          inside: set[int] = frozenset()) -> Actor | None:
        """"he told reporters": the latest person who was the subject of a sentence (the
        last person quoted counts where they were named), of the pronoun's gender where the
        text shows it; see `redline.coref`."""
        coref: Coref | None = doc.user_data.get("redline_coref")
        if coref is not None:
            last = next((q for q in reversed(earlier) if q.speaker and q.speaker.kind == "person" and q.start < pronoun.idx), None)
            return coref.pronoun(pronoun, (last.speaker, last.speaker_start) if last else None)
        before = pronoun.idx
        last_speaker = next((q for q in reversed(earlier) if q.speaker and q.speaker.kind == "person" and q.start < before), None)
        since = last_speaker.start if last_speaker else -1
        quoted = [(q.start, q.end) for q in earlier if q.kind != "indirect"]
        for m in reversed(mentions):
            if m.actor.kind != "person" or m.end > before or m.start < since:
                continue
            if m.start in inside or any(s <= m.start < e for s, e in quoted):
                continue  # a name inside someone's quote is not who is speaking
            token = doc.char_span(m.start, m.end, alignment_mode="expand").root
            if last_speaker is None or token.dep_ in ("nsubj", "nsubjpass"):
                return m.actor
        return last_speaker.speaker if last_speaker else None

    @staticmethod
    def _body_referent(subject: Token, mentions: list[Mention], earlier: list[Quote]) -> Actor | None:
        """"it said", "the statement said": the organisation or state that last spoke, else
        the last one named."""
        for q in reversed(earlier):
            if q.speaker is not None and q.speaker.kind != "person" and q.start < subject.idx:
                return q.speaker
        for m in reversed(mentions):
            if m.actor.kind != "person" and m.end <= subject.idx:
                return m.actor
        return None

    def _according_to(self, sent: Span, mentions, earlier, doc, inside: set[int] = frozenset()
                      ) -> tuple[Actor, int, Token] | None:
        """The source of "according to X" (with its place and the word "according"), found as a speech verb's subject is; else, where X is a
        noun phrase that names no one, the source as the text describes it ("according to
        reports", "according to his agent", "according to evidence presented at trial")."""
        for tok in sent:
            if tok.lower_ == "according" and tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].lower_ == "to":
                objs = [c for c in tok.doc[tok.i + 1].children if c.dep_ == "pobj" and c.idx not in inside]
                if not objs:
                    continue
                actor, at = self._speaker_named_by(objs[0], mentions, earlier, doc, inside)
                if actor is None and objs[0].pos_ in ("NOUN", "PROPN"):
                    actor = self._described_actor(objs[0], mentions, self.dictionary.sector_of(objs[0].text), True)
                    at = objs[0].idx
                if actor is not None:
                    return actor, at, tok
        return None
