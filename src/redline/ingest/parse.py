"""Parsing in the ingest: `analyse` runs the spaCy pipeline over a batch of article texts
(here or in a worker process), `analyse_one` one article, component by component, within
its time limit (`time_limit`); what comes back (`Findings`, `Failed`, `Parsed`); and
`die_with_parent`, which ends a worker whose ingest is gone."""

from __future__ import annotations

import datetime as dt
import os
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from redline.errors import describe
from redline.nlp import doc_sentences, doc_terms, load_pipeline


def die_with_parent(parent: int) -> None:
    """In a worker process: exit when the process that started it is gone (killed, even with
    SIGKILL), instead of parsing on as an orphan. On Linux the kernel sends the signal; elsewhere
    a thread watches the parent."""
    try:
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()
    if os.getppid() != parent:  # it died before the signal was asked for
        os._exit(1)


# What the NLP stages find in one article: sentences, terms, mentions, quotes, events (all picklable).
Findings = tuple[list, list[str], list[dict], list[dict], list[dict]]


@dataclass(frozen=True)
class Failed:
    """A stage that failed on one article (picklable, to come back from a worker process)."""

    stage: str
    problem: str


class ArticleTimeout(Exception):
    pass


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise ArticleTimeout in the block after `seconds`. Needs the main thread (a signal): in
    other threads (a web app's, a Dask worker's) the block runs without a limit."""
    if not seconds or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):
        raise ArticleTimeout(f"took longer than {seconds:g} s (max_article_seconds)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# An article's findings (or the stage that failed on it), with the wall and CPU seconds it took.
Parsed = tuple["Findings | Failed", float, float]


def analyse(texts: list[tuple[str, "dt.date | None"]], pipeline_key: tuple) -> list[Parsed]:
    """Run the spaCy pipeline with Redline's components over a batch of article texts.

    Called in this process, or in a worker process (the pipeline is loaded once per process).
    Each article goes through the components one by one, so that an exception names the
    component it came from and fails that article alone."""
    *key, seconds = pipeline_key
    nlp = load_pipeline(*key)
    out = []
    for text, published in texts:
        wall, cpu = time.perf_counter(), time.process_time()
        found = analyse_one(nlp, text, published, seconds)
        out.append((found, time.perf_counter() - wall, time.process_time() - cpu))
    return out


def analyse_one(nlp, text: str, published: "dt.date | None", seconds: float | None = None) -> Findings | Failed:
    stage = "tokenizer"
    try:
        with time_limit(seconds):
            doc = nlp.make_doc(text)
            doc._.published = published
            for stage, component in nlp.pipeline:
                doc = component(doc)
            stage = "findings"
            return (doc_sentences(doc), doc_terms(doc), [m.as_record() for m in doc._.actor_mentions],
                    [q.as_record() for q in doc._.quotes], [e.as_record() for e in doc._.events])
    except Exception as err:  # any stage, any article: it fails alone
        return Failed(stage, err.args[0] if isinstance(err, ArticleTimeout) else describe(err))
