"""`redline_quotes`: direct, partial and indirect quotations, each with its speaker.

Direct and partial quotes are found by their quotation marks (straight, typographic and
guillemets; quotes split around the attribution, running over sentences or paragraphs,
and unbalanced marks closed where the next quote opens). Indirect quotes are the clause
under a speech verb ("Kirby said he does not consider ...") or beside "according to X".
The speaker is the subject of the cue verb, resolved through `doc._.actor_mentions`; a
pronoun goes to the last speaker or person named before it; a quote paragraph with no cue
continues the previous speaker. Where nothing names the speaker, it stays None.

textacy's `direct_quotations` was measured as a peer (../shared/notes): it raises on
unbalanced marks and leaves pronouns unresolved, so the matching is done here.

    nlp.add_pipe("redline_quotes")   # after "redline_actors"
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from redline.actors.dictionary import ActorDictionary, cached_dictionary
from redline.coref import Coref
from redline import schemas
from redline.model import Actor, ActorId, Mention, Quote
from redline.reading import drop_index, sentence_of

if not Doc.has_extension("quotes"):
    Doc.set_extension("quotes", default=None)

OPENING = {"“": "”", "„": "”", "«": "»", "‘": "’"}
CLOSING = {"”", "»", "’"}
DOUBLE_CLOSERS = {'"', "”", "»"}
PRONOUNS = {"he", "she", "him", "her"}
# Subjects that stand for whoever issued them: "the statement said".
STATEMENT_WORDS = {"statement", "communique", "communiqué", "release", "report", "readout"}
# Writings whose words are their author's: "her tweet read", "the ministry's letter said".
AUTHORED_WORDS = STATEMENT_WORDS | {"tweet", "post", "letter", "email", "e-mail", "message", "note", "memo",
                                    "decree", "proclamation", "website", "summary", "ruling", "order"}
# Anonymous speakers described rather than named: "an insurgent source", "people familiar with ...".
DESCRIBED_SPEAKERS = {"source", "sources", "people", "person", "representative", "witness", "witnesses", "aide", "aides"}
# Reported speech that is mostly (by this share of its characters) words in marks is the
# quote in marks (see `_merged`); shorter stretches in marks stay quotes of their own.
MERGE_SHARE = 0.5
SENTENCE_END = re.compile(r"[.!?…][\"'”’»]*\s*$")


@lru_cache(maxsize=1)
def cue_words() -> tuple[frozenset[str], frozenset[str]]:
    data = schemas.shipped("quotes.yaml", "quotes")
    return frozenset(data["speech"]), frozenset(data["framing"])


def quote_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the text inside each pair of quotation marks, paragraph by paragraph."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for paragraph in text.split("\n"):
        open_at: int | None = None
        closer = None
        for i, ch in enumerate(paragraph):
            pos = offset + i
            if ch == "‘" and (open_at is not None or (i + 1 < len(paragraph) and not paragraph[i + 1].isalpha())):
                continue  # only a ‘ that opens a word opens a single quote, and never inside a quote
            if ch == "’" and closer != "’":
                continue  # an apostrophe
            if ch == "’" and i + 1 < len(paragraph) and paragraph[i + 1].isalpha():
                continue  # "don’t" inside a single-quoted passage
            if ch in OPENING:
                if open_at is not None:  # an unbalanced quote: it ends where the next one opens
                    spans.append((open_at, pos))
                open_at, closer = pos + 1, OPENING[ch]
            elif ch == '"':
                if open_at is None:
                    open_at, closer = pos + 1, '"'
                elif closer in DOUBLE_CLOSERS:  # scraped text mixes " with “ ”
                    spans.append((open_at, pos))
                    open_at = closer = None
            elif ch in CLOSING and open_at is not None and (ch == closer or (ch == "”" and closer == '"')):
                spans.append((open_at, pos))
                open_at = closer = None
        if open_at is not None:  # a quote running on to the next paragraph ends with this one
            spans.append((open_at, offset + len(paragraph)))
        offset += len(paragraph) + 1
    return [(s, e) for s, e in spans if re.search(r"\w", text[s:e])]


def text_of(doc: Doc) -> str:
    return doc.user_data.get("redline_text") or doc.text


@Language.factory("redline_quotes", default_config={"actor_files": []})
def make_quote_finder(nlp: Language, name: str, actor_files: list[str]) -> "QuoteFinder":
    # The pipeline's actor dictionary (with the user's actor files), as the actor stage reads it.
    return QuoteFinder(cached_dictionary(tuple(actor_files)))


class QuoteFinder:
    def __init__(self, dictionary: ActorDictionary | None = None):
        self.speech, self.framing = cue_words()
        self.dictionary = dictionary if dictionary is not None else cached_dictionary(())

    def __call__(self, doc: Doc) -> Doc:
        mentions: list[Mention] = doc._.actor_mentions or []
        # Doc.text joins every token on each access: read it once per document.
        doc.user_data["redline_text"] = doc.text
        spans = quote_spans(text_of(doc))
        inside = {i for s, e in spans for i in range(s, e)}
        doc.user_data["redline_coref"] = Coref(doc, mentions, inside)
        quotes: list[Quote] = []
        for start, end in spans:
            quotes.append(self._marked_quote(doc, start, end, spans, inside, mentions, quotes))
        self._carry_back(doc, quotes)
        # Words in marks that no one is said to have said and that are capitalised like a
        # title or a name (the song “Dark Star”, “Super Tuesday”) are not a quote.
        quotes = [q for q in quotes if q.speaker is not None or not self._title_like(q.text)]
        quotes += self._merged(self._indirect(doc, inside, mentions, quotes), quotes)
        quotes.sort(key=lambda q: q.start)
        doc._.quotes = quotes
        for key in ("redline_text", "redline_mention_at", "redline_coref"):  # caches for this call only
            doc.user_data.pop(key, None)
        drop_index(doc)
        return doc

    # -- quotes in marks -------------------------------------------------------------------------
    def _marked_quote(self, doc, start, end, spans, inside, mentions, earlier) -> Quote:
        first = doc.char_span(start, end, alignment_mode="expand")
        sent = sentence_of(first[0] if first is not None and len(first) else doc[0])
        last = sentence_of(first[-1]) if first is not None and len(first) else sent
        # "“A. B. C,” Vindman said.": the attribution is in the sentence where the quote ends.
        region = doc[sent.start:last.end]
        quoted = text_of(doc)[start:end]
        sent_text = text_of(doc)[sent.start_char:sent.end_char]
        opens_sentence = start - 1 <= sent.start_char or text_of(doc)[max(sent.start_char, start - 3):start - 1].strip() in (":", ",", "")
        whole = bool(SENTENCE_END.search(quoted.rstrip(", "))) or len(quoted.split()) >= 0.5 * len(sent_text.split())
        after_colon = text_of(doc)[:start - 1].rstrip().endswith(":")
        # A quote that starts in lower case is a fragment worked into the writer's sentence.
        starts_upper = quoted[:1].isupper() or not quoted[:1].isalpha()
        kind = "direct" if after_colon or (starts_upper and (whole or opens_sentence)) else "partial"
        speaker, speaker_at, cue = None, None, None
        cues = self._cues_near(region, start, end, inside, framing=kind == "partial", spans=spans)
        if kind == "partial" and first is not None and len(first):
            # A fragment in quotes is the words of whoever governs it: "said Russia is “…”",
            # "called it “…”"; a cue elsewhere in the sentence is someone else's.
            # (or, where the parser hung the speech verb from the quoted clause, "she told the
            # court, “they lied”", the cue is a child of the fragment's root)
            cues = [c for c in cues if c in first.root.ancestors or c in first[0].ancestors
                    or (c.head.i == first.root.i and c.dep_ in ("ccomp", "parataxis") and first.root.dep_ == "ROOT")
                    # a parenthetical attribution ("…, Wang said, but “…”") covers its sentence
                    or (c.dep_ == "parataxis" and c.head.dep_ == "ROOT")]
        for cue_tok in cues:
            speaker, speaker_at = self._speaker_of(cue_tok, mentions, earlier, doc, inside)
            cue = cue_tok.lemma_
            if speaker is not None:
                break
        if speaker is not None:
            pass
        elif (according := self._according_to(sent, mentions)) is not None:
            (speaker, speaker_at), cue = according, "according to"
        elif kind == "direct" and cue is None:
            speaker, speaker_at, cue_tok = self._neighbour_attribution(doc, sent, inside, mentions, earlier, start)
            cue = cue_tok.lemma_ if cue_tok is not None else None
        elif kind == "partial" and first is not None and len(first) > 1 and not self._title_like(quoted):
            # "They concluded the deal is “null and void”": a fragment no speech verb governs
            # is the words of the subject of the clause it sits in.
            speaker, speaker_at = self._governing_subject(first, mentions, earlier, doc, inside)
        if speaker is None:
            cue = None
        return Quote(start, end, quoted, kind, speaker, cue, sent_text, speaker_at)

    @staticmethod
    def _merged(indirect: list[Quote], marked: list[Quote]) -> list[Quote]:
        """One quote per stretch of words: reported speech that runs over words in marks
        ("he remained “cautiously optimistic”") is that quote, not a second, overlapping one;
        its speaker goes to the quote in marks where that has none."""
        if not marked:
            return indirect
        starts = [q.start for q in marked]
        kept = []
        for q in indirect:
            k = bisect_right(starts, q.end)
            over = [m for m in marked[max(0, k - 8):k] if m.start < q.end and q.start < m.end]
            share = sum(min(q.end, m.end) - max(q.start, m.start) for m in over) / max(1, q.end - q.start)
            if over and share >= MERGE_SHARE:
                for m in over:
                    if m.speaker is None:
                        m.speaker, m.speaker_start, m.cue = q.speaker, q.speaker_start, q.cue
                continue
            kept.append(q)
        return kept

    @staticmethod
    def _title_like(quoted: str) -> bool:
        """“Dark Star”, “Super Tuesday”: every word capitalised, a title or a name."""
        words = re.findall(r"[^\W\d_][\w'’-]*", quoted)
        capitalised = [w for w in words if w[:1].isupper()]
        # small words ("of", "and", "the") may stay in lower case inside a title
        return (len(capitalised) >= 2 and len(words) <= 8 and not re.search(r"[.!?]\W*\S", quoted)
                and all(w[:1].isupper() or len(w) <= 3 for w in words))

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

    @staticmethod
    def _carry_back(doc: Doc, quotes: list[Quote]) -> None:
        """A direct quote with no speaker, right before one that has one (nothing but space and
        marks between, as when a quote is left unclosed), is the same speaker's."""
        for this, following in zip(reversed(quotes[:-1]), reversed(quotes[1:])):
            if this.speaker is None and this.kind == "direct" and following.speaker is not None:
                between = text_of(doc)[this.end:following.start]
                if not re.search(r"\w", between) and "\n" not in between:
                    this.speaker, this.speaker_start, this.cue = following.speaker, following.speaker_start, following.cue

    def _cues_near(self, region: Span, start: int, end: int, inside: set[int], framing: bool,
                   spans: list[tuple[int, int]] = ()) -> list[Token]:
        """Cues around the quote, closest first: right after it ("“…,” she said"), then before it.
        A cue after the quote that introduces a quote of its own ("“…,” to which Putin replied,
        “…”") belongs to that one."""
        sent_end = sentence_of(region[-1]).end_char
        text = text_of(region.doc)

        def introduces_another(t: Token) -> bool:  # a quote opens a few words after the cue
            nxt = next((s for s, _ in spans if t.idx < s < sent_end), None)
            return nxt is not None and len(re.findall(r"\w+", text[t.idx + len(t):nxt])) <= 4

        cues = [t for t in region if self._is_cue(t, inside, framing)
                and not (t.idx > end and introduces_another(t))]
        return sorted(cues, key=lambda t: t.idx - end if t.idx >= end else (start - t.idx) + 10_000)

    def _is_cue(self, tok: Token, inside: set[int], framing: bool = False) -> bool:
        """A speech verb outside the quotes (or a framing verb, for fragments); "quoted X as saying"."""
        if tok.idx in inside:
            return False
        words = self.speech | self.framing if framing else self.speech
        return tok.lower_ == "quoted" or (tok.pos_ in ("VERB", "AUX") and tok.lemma_ in words)

    def _cue_in(self, sent: Span, inside: set[int], framing: bool = False) -> Token | None:
        return next((tok for tok in sent if self._is_cue(tok, inside, framing)), None)

    def _neighbour_attribution(self, doc, sent, inside, mentions, earlier, start):
        """A quote sentence with no cue: "X said:" before it, "he said." after it, or the
        previous quote's speaker when this one continues it."""
        coref: Coref = doc.user_data["redline_coref"]
        prev_sent = sentence_of(doc[sent.start - 1]) if sent.start > 0 else None
        if prev_sent is not None and prev_sent.text.rstrip().endswith(":"):
            cue = self._cue_in(prev_sent, inside)
            if cue is not None:
                speaker, at = self._speaker_of(cue, mentions, earlier, doc, inside)
                return speaker, at, cue
        colon = text_of(doc)[:start - 1].rstrip().endswith(":")
        if colon or (prev_sent is not None and prev_sent.text.rstrip().endswith(":")):
            # "Ana Ruiz praised the team on Twitter: “…”": whoever the sentence that
            # introduces the quote is about
            intro = sent if colon and sent.start_char < start - 1 else prev_sent
            if intro is not None:
                colon_at = text_of(doc).rfind(":", intro.start_char, start)
                found = (coref.subject_before(colon_at, intro) if colon_at > intro.start_char else None) \
                    or coref.sentence_subject(intro)
                if found is not None:
                    return found[0], found[1], None
        end_sent = sent
        while end_sent.end < len(doc) and any(t.idx in inside for t in end_sent[-3:]):
            end_sent = sentence_of(doc[end_sent.end])  # step past the sentences inside the quote
        next_sent = end_sent if end_sent is not sent else (sentence_of(doc[sent.end]) if sent.end < len(doc) else None)
        same_paragraph = next_sent is not None and "\n" not in text_of(doc)[start:next_sent.start_char]
        if same_paragraph and not any(t.idx in inside for t in next_sent):
            cue = self._cue_in(next_sent, inside)
            # "He Jianxiong, the former ..., said at an event in Washington.": a sentence that
            # only attributes (its verb reports no clause of its own) belongs to the quote.
            if cue is not None and (len(next_sent) <= 8 or not any(c.dep_ == "ccomp" for c in cue.children)):
                speaker, at = self._speaker_of(cue, mentions, earlier, doc, inside)
                return speaker, at, cue
        opens_paragraph = text_of(doc)[max(start - 2, 0):start - 1] in ("\n", "")
        if opens_paragraph and prev_sent is not None and not any(t.idx in inside for t in prev_sent):
            # "Erekat said it was only the latest move ...\n“They wanted us on our knees ...”"
            cue = self._cue_in(prev_sent, inside)
            if cue is not None:
                speaker, at = self._speaker_of(cue, mentions, earlier, doc, inside)
                if speaker is not None:
                    return speaker, at, None
        if prev_sent is not None and not any(t.idx in inside for t in prev_sent) and not text_of(doc)[prev_sent.end_char:start].count("\n") > 3:
            # A sentence that introduces someone else ("Lin left the stage early. “…”") ends the
            # previous speaker's run: the quote is the new person's.
            found = coref.sentence_subject(prev_sent)
            last = next((q for q in reversed(earlier) if q.speaker is not None), None)
            if found is not None and found[0].kind == "person" and (last is None or last.end < prev_sent.start_char):
                return found[0], found[1], None
        for q in reversed(earlier):
            if q.speaker is not None and (q.kind == "direct" or opens_paragraph):
                between = text_of(doc)[q.end:start]
                # Only the quote just before, with nothing between but its own attribution
                # ("“…,” Blinken told the committee. “…”") or a few words.
                attribution = q.speaker_start is not None and q.end <= q.speaker_start < start
                if len(re.findall(r"\w+", between)) <= 6 or (attribution and "\n" not in between):
                    return q.speaker, q.speaker_start, None
            break
        return None, None, None

    # -- speakers --------------------------------------------------------------------------------
    def _speaker_of(self, cue: Token, mentions, earlier, doc, inside: set[int] = frozenset()) -> tuple[Actor | None, int | None]:
        if cue.lower_ == "quoted":  # "The newspaper quoted Alexander Gabov ... as saying"
            subjects = [c for c in cue.children if c.dep_ in ("dobj", "obj")]
        else:
            subjects = [c for c in cue.children if c.dep_ in ("nsubj", "nsubjpass")]
        if not subjects and cue.dep_ in ("conj", "advcl", "xcomp", "ccomp"):
            # "..., adding that ...", "saying he trusted ...": the subject of the speech verb it
            # hangs from, else of the nearest verb with a subject.
            # A conjoined cue ("said … and called it …") shares the speech verb's subject; a
            # participle ("which Putin welcomed, saying …") the nearest verb's.
            chain = list(cue.ancestors)[:8]
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
        if subject.lower_ in PRONOUNS:
            return self._pronoun_referent(subject, mentions, earlier, doc, inside), subject.idx
        if subject.lemma_.casefold() in AUTHORED_WORDS:
            # "her tweet read", "the ministry's statement said": the author named in the phrase
            found = coref.phrase_actor(subject, kinds=("person", "organisation", "state"))
            if found is not None:
                return found[0], subject.idx
        if subject.lower_ == "it" or subject.lemma_ in STATEMENT_WORDS:
            # "the statement said", "it said": the body that spoke last
            return self._body_referent(subject, mentions, earlier), subject.idx
        if subject.pos_ == "PRON":
            return None, None
        actor = self._actor_at(subject, mentions)
        return actor, subject.idx

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

    def _actor_at(self, subject: Token, mentions: list[Mention]) -> Actor | None:
        """The actor the subject phrase names: its head's mention, else a described speaker."""
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
        if subject.pos_ == "PROPN" and subject.text[:1].isupper() and not self.dictionary.country_of_word(subject.text):
            # A name no one tagged, as the subject of a speech verb ("“…,” says Vance"): the
            # person of that name, by the full name given earlier where there is one.
            words = [t for t in subject.lefts if t.dep_ == "compound" and t.pos_ == "PROPN" and t.i >= subject.i - 3]
            name = " ".join([t.text for t in words] + [subject.text])
            name = (coref.full_name(subject.text) if coref and not words else None) or name
            if name.isalpha() or " " in name or "-" in name:
                return Actor(ActorId.person(name), name, "person")
        sector = self.dictionary.sector_of(subject.text)
        described = subject.lemma_.casefold() in DESCRIBED_SPEAKERS or (
            subject.pos_ == "NOUN" and subject.lemma_.casefold() not in AUTHORED_WORDS and any(c.dep_ == "det" and c.lower_ in ("a", "an", "the", "one", "another") for c in subject.lefts))
        if not sector and not described:
            for child in subject.children:  # "one of the ministers"
                if child.dep_ == "prep":
                    for obj in child.children:
                        m = self._mention_at(obj, mentions)
                        if m:
                            return m.actor
            return None
        # "a senior adviser to President Zelenskyy", "a grain broker in Geneva": an unnamed
        # speaker described by role; their country from an actor named inside the phrase.
        country = None
        for tok in subject.subtree:
            m = self._mention_at(tok, mentions)
            if m and m.actor.country:
                country = m.actor.country
                sector = sector if sector and not described else (m.actor.sector or sector)
                break
        first = subject.left_edge.i + (1 if subject.left_edge.dep_ == "det" else 0)
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

    def _according_to(self, sent: Span, mentions) -> tuple[Actor, int] | None:
        for tok in sent:
            if tok.lower_ == "according" and tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].lower_ == "to":
                objs = [c for c in tok.doc[tok.i + 1].children if c.dep_ == "pobj"]
                if objs:
                    actor = self._actor_at(objs[0], mentions)
                    if actor:
                        return actor, objs[0].idx
        return None

    # -- reported speech -----------------------------------------------------------------------------
    def _indirect(self, doc, inside, mentions, marked) -> list[Quote]:
        found: list[Quote] = []
        covered = [(q.start, q.end) for q in marked]
        for tok in doc:
            if tok.pos_ not in ("VERB", "AUX") or tok.lemma_ not in self.speech or tok.idx in inside:
                continue
            if any(c.dep_ == "neg" for c in tok.children):
                continue  # "Russia did not say it would attack": nothing was said
            for clause in (c for c in tok.children if c.dep_ == "ccomp"):
                if any(c.dep_ in ("nsubj", "nsubjpass") and c.tag_ in ("WDT", "WP") for c in clause.children):
                    continue  # "which it said crashed": an aside inside a relative clause
                sub = sorted(clause.subtree, key=lambda t: t.i)
                while sub and (sub[0].dep_ == "mark" or sub[0].is_punct or sub[0].is_space):
                    sub.pop(0)
                while sub and (sub[-1].is_punct or sub[-1].is_space):
                    sub.pop()
                if len(sub) < 3:
                    continue
                # ", while the Arab League condemned ...": a contrast the writer adds, not the speaker
                for child in clause.children:
                    if child.dep_ == "advcl" and child.i > clause.i and any(
                            m.dep_ == "mark" and m.lower_ in ("while", "whereas") for m in child.children):
                        cut = min(t.i for t in child.subtree)
                        sub = [t for t in sub if t.i < cut]
                while sub and (sub[-1].is_punct or sub[-1].is_space):
                    sub.pop()
                if len(sub) < 3:
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
            according = self._according_to(sent, mentions)
            if according is None or any(q.start >= sent.start_char and q.end <= sent.end_char for q in found):
                continue
            tokens = [t for t in sent if not t.is_punct]
            start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
            if any(s <= start < e for s, e in covered):
                continue
            found.append(Quote(start, end, text_of(doc)[start:end], "indirect", according[0], "according to", sent.text, according[1]))
        return found
