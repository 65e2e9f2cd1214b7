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
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from redline.actors.component import Mention
from redline.actors.dictionary import Actor, cached_dictionary, slug

if not Doc.has_extension("quotes"):
    Doc.set_extension("quotes", default=None)

OPENING = {"“": "”", "„": "”", "«": "»", "‘": "’"}
CLOSING = {"”", "»", "’"}
PRONOUNS = {"he", "she", "him", "her"}
SENTENCE_END = re.compile(r"[.!?…][\"'”’»]*\s*$")


@dataclass
class Quote:
    start: int
    end: int
    text: str
    kind: str                   # direct | partial | indirect
    speaker: Actor | None
    cue: str | None
    sentence: str
    speaker_start: int | None = None  # where the speaker is named (or referred to)

    def as_record(self) -> dict:
        return {
            "speaker": self.speaker.as_record() if self.speaker else None,
            "speaker_id": self.speaker.id if self.speaker else None,
            "speaker_kind": self.speaker.kind if self.speaker else None,
            "text": self.text, "kind": self.kind, "cue": self.cue,
            "start": self.start, "end": self.end, "sentence": self.sentence,
        }


@lru_cache(maxsize=1)
def cue_words() -> tuple[frozenset[str], frozenset[str]]:
    data = yaml.safe_load(resources.files("redline.data").joinpath("quotes.yaml").read_text(encoding="utf-8"))
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
                else:
                    spans.append((open_at, pos))
                    open_at = closer = None
            elif ch in CLOSING and open_at is not None and ch == closer:
                spans.append((open_at, pos))
                open_at = closer = None
        if open_at is not None:  # a quote running on to the next paragraph ends with this one
            spans.append((open_at, offset + len(paragraph)))
        offset += len(paragraph) + 1
    return [(s, e) for s, e in spans if re.search(r"\w", text[s:e])]


@Language.factory("redline_quotes", default_config={})
def make_quote_finder(nlp: Language, name: str) -> "QuoteFinder":
    return QuoteFinder()


class QuoteFinder:
    def __init__(self):
        self.speech, self.framing = cue_words()
        self.dictionary = cached_dictionary(())

    def __call__(self, doc: Doc) -> Doc:
        mentions: list[Mention] = doc._.actor_mentions or []
        spans = quote_spans(doc.text)
        inside = {i for s, e in spans for i in range(s, e)}
        quotes: list[Quote] = []
        for start, end in spans:
            quotes.append(self._marked_quote(doc, start, end, spans, inside, mentions, quotes))
        self._carry_back(doc, quotes)
        quotes += self._indirect(doc, inside, mentions, quotes)
        quotes.sort(key=lambda q: q.start)
        doc._.quotes = quotes
        return doc

    # -- quotes in marks -------------------------------------------------------------------------
    def _marked_quote(self, doc, start, end, spans, inside, mentions, earlier) -> Quote:
        first = doc.char_span(start, end, alignment_mode="expand")
        sent = first[0].sent if first is not None and len(first) else doc[0].sent
        quoted = doc.text[start:end]
        sent_text = doc.text[sent.start_char:sent.end_char]
        outside_words = len(re.findall(r"\w+", re.sub(r"[“\"„«‘].*?([”\"»’]|$)", " ", sent_text)))
        opens_sentence = start - 1 <= sent.start_char or doc.text[max(sent.start_char, start - 3):start - 1].strip() in (":", ",", "")
        whole = bool(SENTENCE_END.search(quoted.rstrip(", "))) or len(quoted.split()) >= 0.5 * len(sent_text.split())
        after_colon = doc.text[:start - 1].rstrip().endswith(":")
        # A quote that starts in lower case is a fragment worked into the writer's sentence.
        starts_upper = quoted[:1].isupper() or not quoted[:1].isalpha()
        kind = "direct" if after_colon or (starts_upper and (whole or opens_sentence)) else "partial"
        speaker, speaker_at, cue = None, None, None
        cue_tok = self._cue_in(sent, inside, framing=kind == "partial")
        if cue_tok is not None:
            speaker, speaker_at = self._speaker_of(cue_tok, mentions, earlier, doc)
            cue = cue_tok.lemma_
        elif (according := self._according_to(sent, mentions)) is not None:
            (speaker, speaker_at), cue = according, "according to"
        elif kind == "direct":
            speaker, speaker_at, cue_tok = self._neighbour_attribution(doc, sent, inside, mentions, earlier, start)
            cue = cue_tok.lemma_ if cue_tok is not None else None
        return Quote(start, end, quoted, kind, speaker, cue, sent_text, speaker_at)

    @staticmethod
    def _carry_back(doc: Doc, quotes: list[Quote]) -> None:
        """A direct quote with no speaker, right before one that has one (nothing but space and
        marks between, as when a quote is left unclosed), is the same speaker's."""
        for this, following in zip(reversed(quotes[:-1]), reversed(quotes[1:])):
            if this.speaker is None and this.kind == "direct" and following.speaker is not None:
                if not re.search(r"\w", doc.text[this.end:following.start]):
                    this.speaker, this.speaker_start, this.cue = following.speaker, following.speaker_start, following.cue

    def _cue_in(self, sent: Span, inside: set[int], framing: bool = False) -> Token | None:
        words = self.speech | self.framing if framing else self.speech
        for tok in sent:
            if tok.pos_ in ("VERB", "AUX") and tok.lemma_ in words and tok.idx not in inside:
                return tok
            if tok.lower_ == "quoted" and tok.idx not in inside:  # "quoted X as saying"
                return tok
        return None

    def _neighbour_attribution(self, doc, sent, inside, mentions, earlier, start):
        """A quote sentence with no cue: "X said:" before it, "he said." after it, or the
        previous quote's speaker when this one continues it."""
        prev_sent = doc[sent.start - 1].sent if sent.start > 0 else None
        if prev_sent is not None and prev_sent.text.rstrip().endswith(":"):
            cue = self._cue_in(prev_sent, inside)
            if cue is not None:
                speaker, at = self._speaker_of(cue, mentions, earlier, doc)
                return speaker, at, cue
        next_sent = doc[sent.end].sent if sent.end < len(doc) else None
        if next_sent is not None and len(next_sent) <= 8:
            cue = self._cue_in(next_sent, inside)
            if cue is not None and not any(t.idx in inside for t in next_sent):
                speaker, at = self._speaker_of(cue, mentions, earlier, doc)
                return speaker, at, cue
        for q in reversed(earlier):
            if q.kind == "direct" and q.speaker is not None:
                between = doc.text[q.end:start]
                # Only the quote just before, with nothing between but its own attribution
                # ("“…,” Blinken told the committee. “…”") or a few words.
                attribution = q.speaker_start is not None and q.end <= q.speaker_start < start
                if len(re.findall(r"\w+", between)) <= 6 or (attribution and "\n" not in between):
                    return q.speaker, q.speaker_start, None
            break
        return None, None, None

    # -- speakers --------------------------------------------------------------------------------
    def _speaker_of(self, cue: Token, mentions, earlier, doc) -> tuple[Actor | None, int | None]:
        if cue.lower_ == "quoted":  # "The newspaper quoted Alexander Gabov ... as saying"
            subjects = [c for c in cue.children if c.dep_ in ("dobj", "obj")]
        else:
            subjects = [c for c in cue.children if c.dep_ in ("nsubj", "nsubjpass")]
        if not subjects and cue.dep_ in ("conj", "advcl", "xcomp") and cue.head is not cue:
            subjects = [c for c in cue.head.children if c.dep_ in ("nsubj", "nsubjpass")]
        if not subjects:
            return None, None
        subject = subjects[0]
        if subject.lower_ in PRONOUNS:
            return self._pronoun_referent(subject, mentions, earlier, doc), subject.idx
        if subject.pos_ == "PRON":
            return None, None
        actor = self._actor_at(subject, mentions)
        return actor, subject.idx

    @staticmethod
    def _mention_at(tok: Token, mentions: list[Mention]) -> Mention | None:
        for m in mentions:
            if m.start <= tok.idx < m.end:
                return m
        return None

    def _actor_at(self, subject: Token, mentions: list[Mention]) -> Actor | None:
        """The actor the subject phrase names: its head's mention, else a described speaker."""
        m = self._mention_at(subject, mentions)
        if m:
            return m.actor
        sector = self.dictionary.sector_of(subject.text)
        if not sector:
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
                break
        first = subject.left_edge.i + (1 if subject.left_edge.dep_ == "det" else 0)
        role = subject.doc[first:subject.i + 1].text  # "US State Department spokesman"
        return Actor(f"anon:{country or '-'}:{sector}:{slug(role)}", role, "person", country, sector, role)

    @staticmethod
    def _pronoun_referent(pronoun: Token, mentions: list[Mention], earlier: list[Quote], doc: Doc) -> Actor | None:
        """"he told reporters": the last person quoted, unless another person has since been
        the subject of a sentence; with no one quoted yet, the last person named."""
        before = pronoun.idx
        last_speaker = next((q for q in reversed(earlier) if q.speaker and q.speaker.kind == "person" and q.start < before), None)
        since = last_speaker.start if last_speaker else -1
        for m in reversed(mentions):
            if m.actor.kind != "person" or m.end > before or m.start < since:
                continue
            token = doc.char_span(m.start, m.end, alignment_mode="expand").root
            if last_speaker is None or token.dep_ in ("nsubj", "nsubjpass"):
                return m.actor
        return last_speaker.speaker if last_speaker else None

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
                sub = sorted(clause.subtree, key=lambda t: t.i)
                while sub and (sub[0].dep_ == "mark" or sub[0].is_punct or sub[0].is_space):
                    sub.pop(0)
                while sub and (sub[-1].is_punct or sub[-1].is_space):
                    sub.pop()
                if len(sub) < 3:
                    continue
                start, end = sub[0].idx, sub[-1].idx + len(sub[-1])
                quoted_chars = sum(1 for i in range(start, end) if i in inside)
                if quoted_chars > 0.5 * (end - start):
                    continue  # a direct quote, found by its marks
                speaker, at = self._speaker_of(tok, mentions, marked + found, doc)
                if speaker is None:
                    continue
                found.append(Quote(start, end, doc.text[start:end], "indirect", speaker, tok.lemma_,
                                   tok.sent.text, at))
        for sent in doc.sents:
            according = self._according_to(sent, mentions)
            if according is None or any(q.start >= sent.start_char and q.end <= sent.end_char for q in found):
                continue
            tokens = [t for t in sent if not t.is_punct]
            start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
            if any(s <= start < e for s, e in covered):
                continue
            found.append(Quote(start, end, doc.text[start:end], "indirect", according[0], "according to", sent.text, according[1]))
        return found
