"""The spaCy pipeline Redline runs on English article text.

One Doc per article, so later components (actors, quotes, events) see the whole article;
paragraph breaks are made sentence boundaries before the parser runs, because otherwise a
headline merges into the first sentence (see ../shared/notes/nlp-backbone.md).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from importlib import resources
from typing import Iterable, Iterator

import numpy
import spacy
from spacy.attrs import SENT_START
from thinc.api import Config
from spacy.language import Language
from spacy.tokens import Doc

from redline.model import Sentence
from redline.turns import doc_turns

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
    # In a transcript the words after "MR. KIRBY:" start a sentence of their own, not one with the label.
    for turn in doc_turns(doc):
        span = doc.char_span(turn.text_start, turn.text_start + 1, alignment_mode="expand")
        if span is not None and span.start > 0:
            starts[span.start, 0] = 1
    doc.from_array([SENT_START], starts.astype("uint64"))  # spaCy reads -1 back from its two's complement
    return doc


def pipeline_key(settings) -> tuple:
    """What `load_pipeline` needs from the settings (hashable, picklable: worker processes get it)."""
    return (settings.spacy_model, tuple(settings.actor_files), tuple(settings.rule_files), settings.event_typer_drop,
            settings.coder, settings.event_typer_min)


def pipeline_config(actor_files: tuple[str, ...] = (), rule_files: tuple[str, ...] = (), coder: str = "typer",
                    event_typer_min: float = 0.3) -> Config:
    """Redline's components as `pipeline.cfg` lists them, with these settings filled in."""
    text = resources.files("redline").joinpath("pipeline.cfg").read_text(encoding="utf-8")
    return Config().from_str(text, overrides={
        "redline.actor_files": list(actor_files), "redline.rule_files": list(rule_files),
        "redline.coder": coder, "redline.event_typer_min": event_typer_min,
    })


@lru_cache(maxsize=4)
def load_pipeline(name: str, actor_files: tuple[str, ...] = (), rule_files: tuple[str, ...] = (),
                  event_typer_drop: float | None = None, coder: str = "typer",
                  event_typer_min: float = 0.3) -> Language:
    """Load an installed spaCy pipeline by name or path, with Redline's components added as
    `pipeline.cfg` says; with `event_typer_drop`, the trained typer checks the coded events (see
    redline.events.typer); `coder` and `event_typer_min` choose what decides that a word is an event."""
    # Importing the components' modules registers their factories and the shared actor dictionary.
    import redline.actors  # noqa: F401
    import redline.events  # noqa: F401
    import redline.events.typer  # noqa: F401
    import redline.quotes  # noqa: F401
    import redline.transcripts  # noqa: F401 - the last of them

    try:
        nlp = spacy.load(name)
    except OSError as err:
        raise RuntimeError(
            f"spaCy pipeline {name!r} is not installed (set `spacy_model` in redline.yaml "
            f"to an installed pipeline): {err}"
        ) from None
    config = pipeline_config(actor_files, rule_files, coder, event_typer_min)
    for component, section in config["components"].items():
        section = dict(section)
        factory, before = section.pop("factory"), section.pop("before", None)
        if before is not None and before not in nlp.pipe_names:
            before = nlp.pipe_names[0] if nlp.pipe_names else None
        nlp.add_pipe(factory, name=component, config=section, before=before)
    if event_typer_drop is not None:
        nlp.add_pipe("redline_event_typer", config={"drop_no_event": event_typer_drop}, after="redline_events")
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
