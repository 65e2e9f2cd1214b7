"""Quotes in quotation marks: finding the marked spans in the text (`quote_spans`), and
for each one its kind (direct or partial), its cue and its speaker, from the sentence
around it or its neighbours."""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from redline.coref import Coref
from redline.model import Quote
from redline.quotes.speakers import SpeakerFinder
from redline.reading import sentence_of
from redline.lang import words as _language_words

WORDS = _language_words("quotes")

OPENING = {"“": "”", "„": "”", "«": "»", "‘": "’"}
CLOSING = {"”", "»", "’"}
DOUBLE_CLOSERS = {'"', "”", "»"}
# Words that tie a cue after a quote to a quote of its own: "“…,” to which Putin replied, “…”".
LINKING_WORDS = WORDS.set("linking_words")
SENTENCE_END = re.compile(r"[.!?…][\"'”’»]*\s*$")


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


class MarkedQuotes(SpeakerFinder):
    """The quotes in marks, for `QuoteFinder`."""

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
            # the verb nearest above the fragment first: "X said Putin hailed the “new
            # frontier”" is Putin's fragment, not X's
            above = {a.i: n for n, a in enumerate(first.root.ancestors)}
            cues.sort(key=lambda c: above.get(c.i, len(above)))
        for cue_tok in cues:
            speaker, speaker_at = self._speaker_of(cue_tok, mentions, earlier, doc, inside)
            cue = cue_tok.lemma_
            if speaker is not None:
                break
        if speaker is not None:
            pass
        elif (according := self._according_to(sent, mentions, earlier, doc, inside)) is not None:
            speaker, speaker_at, _ = according
            cue = "according to"
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
    def _title_like(quoted: str) -> bool:
        """“Dark Star”, “Super Tuesday”: every word capitalised, a title or a name."""
        words = re.findall(r"[^\W\d_][\w'’-]*", quoted)
        capitalised = [w for w in words if w[:1].isupper()]
        # small words ("of", "and", "the") may stay in lower case inside a title
        return (len(capitalised) >= 2 and len(words) <= 8 and not re.search(r"[.!?]\W*\S", quoted)
                and all(w[:1].isupper() or len(w) <= 3 for w in words))


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

        def introduces_another(t: Token) -> bool:
            # A quote opens a few words after the cue, in the same sentence, and the cue is
            # tied to this quote only by a relative or a conjunction ("to which Putin replied").
            # "“A,” he said, “B.”" and "“A,” says Early. “B.”" attribute both halves.
            nxt = next((s for s, _ in spans if t.idx < s < sent_end), None)
            if nxt is None or len(re.findall(r"\w+", text[t.idx + len(t):nxt])) > 4:
                return False
            if re.search(r"[.!?]", text[t.idx + len(t):nxt]):
                return False
            return bool(LINKING_WORDS & set(re.findall(r"\w+", text[end:t.idx].casefold())))

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
            # a fragment that closes its sentence ("talked about how the series has been
            # underestimated “up 'til now.” During the premiere, “I felt ...”") leads on as a quote does
            closes = q.kind == "partial" and re.match(r"\W*\s", text_of(doc)[q.end:start] + " ") is not None \
                and re.search(r"[.!?]", text_of(doc)[q.start:q.end + 3]) is not None
            if q.speaker is not None and (q.kind == "direct" or opens_paragraph or closes):
                between = text_of(doc)[q.end:start]
                # Only the quote just before, with nothing between but its own attribution
                # ("“…,” Blinken told the committee. “…”") or a few words.
                attribution = q.speaker_start is not None and q.end <= q.speaker_start < start
                if len(re.findall(r"\w+", between)) <= 6 or (attribution and "\n" not in between):
                    return q.speaker, q.speaker_start, None
            break
        return None, None, None
