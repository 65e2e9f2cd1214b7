"""The spaCy pipeline Redline runs on English article text.

One Doc per article, so later components (actors, quotes, events) see the whole article;
paragraph breaks are made sentence boundaries before the parser runs, because otherwise a
headline merges into the first sentence (see ../shared/notes/nlp-backbone.md).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Callable, Iterable, Iterator

import numpy
import spacy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from redline.store import Sentence

# "WASHINGTON (Reuters) -", "MOSCOW/KYIV, March 3 (AP) —": the dateline opening a paragraph.
DATELINE = re.compile(r"[A-Z][A-Z .,/'’-]{1,60}(?:,[^()\n]{1,30})?\s*\([^()\n]{2,40}\)\s*[-–—]+")


@Language.component("redline_paragraphs")
def mark_paragraph_starts(doc: Doc) -> Doc:
    """Sentence starts the parser must keep: each paragraph starts one, a dateline never does.

    Written as one array (`Doc.from_array`): setting `Token.is_sent_start` one token at a time
    re-checks the whole Doc on every call, which made long articles quadratic."""
    if len(doc) < 2:
        return doc
    text = doc.text  # built anew from the tokens on each access
    starts = numpy.zeros((len(doc), 1), dtype="int64")  # 1: starts one, -1: does not, 0: the parser decides
    for i in [0] + [t.i + 1 for t in doc[:-1] if "\n" in t.text or "\n" in t.whitespace_]:
        if i >= len(doc) or doc[i].is_space:
            continue
        starts[i, 0] = 1
        m = DATELINE.match(text, doc[i].idx)
        span = doc.char_span(m.start(), m.end(), alignment_mode="expand") if m else None
        if span is not None:
            starts[span.start + 1:min(span.end + 1, len(doc)), 0] = -1
    doc.from_array([SENT_START], starts.astype("uint64"))  # spaCy reads -1 back from its two's complement
    return doc


def pipeline_key(settings) -> tuple:
    """What `load_pipeline` needs from the settings (hashable, picklable: worker processes get it)."""
    return (settings.spacy_model, tuple(settings.actor_files), tuple(settings.rule_files), settings.event_typer_drop,
            settings.coder, settings.event_typer_min)


@lru_cache(maxsize=4)
def load_pipeline(name: str, actor_files: tuple[str, ...] = (), rule_files: tuple[str, ...] = (),
                  event_typer_drop: float | None = None, coder: str = "typer",
                  event_typer_min: float = 0.3) -> Language:
    """Load an installed spaCy pipeline by name or path, with Redline's components added; with
    `event_typer_drop`, the trained typer checks the coded events (see redline.events.typer);
    `coder` and `event_typer_min` choose what decides that a word is an event."""
    import redline.actors  # noqa: F401 - registers the redline_actors factory
    import redline.events  # noqa: F401 - registers the redline_events factory
    import redline.quotes  # noqa: F401 - registers the redline_quotes factory

    try:
        nlp = spacy.load(name)
    except OSError as err:
        raise RuntimeError(
            f"spaCy pipeline {name!r} is not installed (set `spacy_model` in redline.yaml "
            f"to an installed pipeline): {err}"
        ) from None
    before = "parser" if "parser" in nlp.pipe_names else None
    nlp.add_pipe("redline_paragraphs", before=before) if before else nlp.add_pipe("redline_paragraphs", first=True)
    nlp.add_pipe("redline_actors", config={"actor_files": list(actor_files)})
    nlp.add_pipe("redline_quotes", config={"actor_files": list(actor_files)})
    nlp.add_pipe("redline_events", config={"rule_files": list(rule_files), "actor_files": list(actor_files),
                                           "coder": coder, "min_probability": event_typer_min})
    if event_typer_drop is not None:
        import redline.events.typer  # noqa: F401 - registers the redline_event_typer factory

        nlp.add_pipe("redline_event_typer", config={"drop_no_event": event_typer_drop})
    # Load now what the components load on first use (place names, date parsing): no article
    # pays for it, and `max_article_seconds` counts parsing only.
    nlp("Russia attacked Ukraine in Kyiv on March 3, 2021, officials said.")
    return nlp


def make_docs(nlp: Language, articles: Iterable[tuple[str, "dt.date | None"]]) -> Iterator[Doc]:
    """Unparsed Docs carrying their publication date, for `nlp.pipe` (roles are dated)."""
    for text, published in articles:
        doc = nlp.make_doc(text)
        doc._.published = published
        yield doc


class DocIndex:
    """Sentences and entities of one parsed Doc, indexed once.

    `Token.sent` walks the document from its start on every call, and `Doc.ents` and
    `Span.ents` build every entity of the document on every access: asked once per trigger
    or mention, either makes a long article quadratic. Built on first use, after the parser
    and NER have run (Redline's components never change sentences or entities)."""

    def __init__(self, doc: Doc):
        # What a component works out once per sentence for all its triggers, by key (a long
        # sentence has many triggers); dropped with the index.
        self.memo: dict = {}
        self.sents = list(doc.sents)
        self.sent_of = [0] * len(doc)
        for n, sent in enumerate(self.sents):
            self.sent_of[sent.start:sent.end] = [n] * (sent.end - sent.start)
        self.ents = list(doc.ents)
        self.ent_of = [-1] * len(doc)
        self.sent_ents: list[list[Span]] = [[] for _ in self.sents]
        for n, ent in enumerate(self.ents):
            self.ent_of[ent.start:ent.end] = [n] * (ent.end - ent.start)
            self.sent_ents[self.sent_of[ent.start]].append(ent)


INDEX_KEY = "redline_index"


def doc_index(doc: Doc) -> DocIndex:
    """The Doc's index; each Redline component drops it when done (`drop_index`), so that it
    never outlives the component's call (a user's later component may change the Doc)."""
    index = doc.user_data.get(INDEX_KEY)
    if index is None:
        index = doc.user_data[INDEX_KEY] = DocIndex(doc)
    return index


def drop_index(doc: Doc) -> None:
    doc.user_data.pop(INDEX_KEY, None)


def sentence_of(token: Token) -> Span:
    """The sentence of a token (from the Doc's index, not `Token.sent`)."""
    index = doc_index(token.doc)
    return index.sents[index.sent_of[token.i]]


def sentence_ents(sent: Span) -> list[Span]:
    """The entities that start in a sentence (`Span.ents` scans the whole Doc for them)."""
    index = doc_index(sent.doc)
    return index.sent_ents[index.sent_of[sent.start]] if len(sent) else []


def once_per_sentence(sent: Span, what, work: Callable[[], object]):
    """What `work` finds in a sentence, worked out once for all the triggers or mentions in it."""
    memo = doc_index(sent.doc).memo
    key = (what, sent.start)
    if key not in memo:
        memo[key] = work()
    return memo[key]


def in_subtree(token: Token, other: Token) -> bool:
    """Is `other` in `token`'s subtree (`token` itself included)? In constant time, from the
    order in which a walk of the sentence's tree enters and leaves each token (made once per
    sentence): walking the subtree, or `other`'s ancestors, for every pair made long sentences
    quadratic."""
    sent = sentence_of(token)
    enter, leave = once_per_sentence(sent, "tree walk", lambda: _tree_walk(sent))
    return other.i in enter and enter[token.i] <= enter[other.i] < leave[token.i]


def _tree_walk(sent: Span) -> tuple[dict[int, int], dict[int, int]]:
    enter: dict[int, int] = {}
    leave: dict[int, int] = {}
    clock = 0
    for root in (t for t in sent if t.head.i == t.i or not sent.start <= t.head.i < sent.end):
        stack = [(root, False)]
        while stack:  # (no recursion: a sentence's tree can be thousands of words deep)
            node, done = stack.pop()
            if done:
                leave[node.i] = clock
                continue
            if node.i in enter:  # (a token reached twice: only a broken parse has one)
                continue
            enter[node.i] = clock
            clock += 1
            stack.append((node, True))
            stack.extend((c, False) for c in reversed(list(node.children)) if sent.start <= c.i < sent.end)
    return enter, leave


def entity_at(token: Token) -> Span | None:
    """The entity a token is part of, if any."""
    index = doc_index(token.doc)
    n = index.ent_of[token.i]
    return index.ents[n] if n >= 0 else None


def climb(token: Token) -> Iterator[tuple[Token, Token]]:
    """(child, head) from a token up to its root, one step at a time: at most as many steps as
    the Doc has tokens, whatever the parse (a loop in a hand-made or broken parse ends too)."""
    child = token
    for _ in range(len(token.doc)):
        head = child.head
        if head.i == child.i:
            return
        yield child, head
        child = head


def first_conjunct(token: Token) -> Token:
    """The first word of the coordination a word is in: "Chinese" in "US and Chinese officials"
    gives "US"."""
    first = token
    for child, head in climb(token):
        if child.dep_ != "conj":
            break
        first = head
    return first


CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ"})


def doc_terms(doc: Doc) -> list[str]:
    """The lemmas that say what an article is about (story clustering's vocabulary)."""
    return [t.lemma_.lower() for t in doc if t.pos_ in CONTENT_POS and t.is_alpha and not t.is_stop and len(t) > 2]


def doc_sentences(doc: Doc) -> list[Sentence]:
    """Sentences with character offsets into the text, surrounding white space left out."""
    out = []
    for sent in doc.sents:
        text = sent.text
        stripped = text.strip()
        if not stripped:
            continue
        start = sent.start_char + (len(text) - len(text.lstrip()))
        out.append(Sentence(start, start + len(stripped), stripped))
    return out
