"""`redline_quotes`: direct, partial and indirect quotations, each with its speaker.

Direct and partial quotes are found by their quotation marks (straight, typographic and
guillemets; quotes split around the attribution, running over sentences or paragraphs,
and unbalanced marks closed where the next quote opens). Indirect quotes are the clause
under a speech verb ("Kirby said he does not consider ...") or beside "according to X".
The speaker is the subject of the cue verb, resolved through `doc._.actor_mentions`; a
pronoun goes to the last speaker or person named before it; a quote paragraph with no cue
continues the previous speaker. Where nothing names the speaker, it stays None; a fragment
of one or two words in marks that no one said is a term or irony, not a quote.

textacy's `direct_quotations` was measured as a peer (../shared/notes): it raises on
unbalanced marks and leaves pronouns unresolved, so the matching is done here.

    nlp.add_pipe("redline_quotes")   # after "redline_actors"

The package: `marks` (quotes in marks), `speakers` (who said it), `indirect` (reported
speech); `QuoteFinder` here runs them.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from redline.actors.dictionary import ActorDictionary, cached_dictionary
from redline.coref import Coref
from redline.model import Mention, Quote
from redline.quotes.indirect import MERGE_SHARE, IndirectQuotes
from redline.quotes.marks import (CLOSING, DOUBLE_CLOSERS, OPENING, SENTENCE_END, MarkedQuotes,
                                  quote_spans, text_of)
from redline.quotes.speakers import (AUTHORED_WORDS, DESCRIBED_SPEAKERS, PRONOUNS, STATEMENT_WORDS,
                                     SpeakerFinder, cue_words, reporting_words)
from redline.reading import drop_index

__all__ = ["AUTHORED_WORDS", "CLOSING", "DESCRIBED_SPEAKERS", "DOUBLE_CLOSERS", "MERGE_SHARE", "OPENING",
           "PRONOUNS", "SENTENCE_END", "STATEMENT_WORDS", "IndirectQuotes", "MarkedQuotes", "QuoteFinder",
           "SpeakerFinder", "cue_words", "make_quote_finder", "quote_spans", "text_of"]

TERM_WORDS = 2  # the longest fragment in marks taken for a term when no one is said to have said it

if not Doc.has_extension("quotes"):
    Doc.set_extension("quotes", default=None)


@Language.factory("redline_quotes", default_config={"dictionary": {"@misc": "redline.actor_dictionary.v1", "files": []}})
def make_quote_finder(nlp: Language, name: str, dictionary: ActorDictionary) -> "QuoteFinder":
    return QuoteFinder(dictionary)


class QuoteFinder(MarkedQuotes, IndirectQuotes):
    def __init__(self, dictionary: ActorDictionary | None = None):
        speech, self.framing = cue_words()
        self.speech = speech | reporting_words()
        self.dictionary = dictionary if dictionary is not None else cached_dictionary(())

    def __call__(self, doc: Doc) -> Doc:
        mentions: list[Mention] = doc._.actor_mentions or []
        # Doc.text joins every token on each access: read it once per document.
        doc.user_data["redline_text"] = doc.text
        spans = quote_spans(text_of(doc))
        inside = {i for s, e in spans for i in range(s, e)}
        doc.user_data["redline_coref"] = Coref(doc, mentions, inside, self.dictionary)
        quotes: list[Quote] = []
        for start, end in spans:
            quotes.append(self._marked_quote(doc, start, end, spans, inside, mentions, quotes))
        self._carry_back(doc, quotes)
        # Words in marks that no one is said to have said and that are capitalised like a
        # title or a name (the song “Dark Star”, “Super Tuesday”) are not a quote.
        # Nor is a fragment of one or two words that no one is said to have said: a term or a
        # word used with irony ("a “moderate” risk", "so-called “red tape”").
        quotes = [q for q in quotes if q.speaker is not None or not (
            self._title_like(q.text) or (q.kind == "partial" and len(q.text.split()) <= TERM_WORDS))]
        quotes += self._merged(doc, self._indirect(doc, inside, mentions, quotes), quotes)
        quotes.sort(key=lambda q: q.start)
        doc._.quotes = quotes
        for key in ("redline_text", "redline_mention_at", "redline_coref"):  # caches for this call only
            doc.user_data.pop(key, None)
        drop_index(doc)
        return doc
