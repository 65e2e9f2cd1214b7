"""Made-up copies of a real article, to measure the copy finder (tests and bench/stories.py).

Three kinds, each from one seeded random generator so a run can be repeated:

- `copy`: the wire text reprinted by another site: a new headline, furniture lines, the last
  paragraph cut;
- `rewrite`: a spun copy: sentences reordered inside paragraphs, a third of the common
  newsroom words swapped for synonyms, a paragraph dropped;
- `translated`: what a machine translation back into English does: synonyms, articles
  dropped, "X said" turned round, sentences reordered.
"""

from __future__ import annotations

import itertools
import random
import re
from typing import Callable

# Common newsroom words and what a rewrite or a translation makes of them.
SYNONYMS: dict[str, list[str]] = {
    "said": ["stated", "declared", "noted"], "says": ["states", "notes"], "told": ["informed"],
    "announced": ["declared", "unveiled"], "warned": ["cautioned"], "agreed": ["consented"],
    "meeting": ["talks", "session"], "talks": ["negotiations", "discussions"],
    "president": ["head of state", "leader"], "government": ["administration", "authorities"],
    "officials": ["authorities", "representatives"], "official": ["representative"],
    "country": ["nation", "state"], "countries": ["nations", "states"],
    "people": ["persons", "individuals"], "week": ["seven days"], "month": ["four weeks"],
    "company": ["firm", "business"], "companies": ["firms", "businesses"],
    "deal": ["agreement", "accord"], "agreement": ["deal", "accord"], "plan": ["scheme", "proposal"],
    "big": ["large", "major"], "large": ["big", "sizeable"], "small": ["little", "minor"],
    "important": ["significant", "key"], "new": ["fresh", "latest"], "first": ["initial"],
    "began": ["started", "commenced"], "begin": ["start"], "start": ["begin"],
    "help": ["assist", "aid"], "helped": ["assisted", "aided"], "use": ["employ", "utilise"],
    "used": ["employed", "utilised"], "show": ["demonstrate", "reveal"], "showed": ["demonstrated", "revealed"],
    "increase": ["rise", "growth"], "increased": ["rose", "grew"], "decrease": ["decline", "drop"],
    "however": ["yet", "nevertheless"], "also": ["additionally", "too"], "about": ["around", "roughly"],
    "many": ["numerous", "several"], "often": ["frequently"], "quickly": ["rapidly", "swiftly"],
    "because": ["since", "as"], "after": ["following"], "before": ["prior to"], "during": ["throughout"],
    "report": ["account"], "reported": ["recounted", "stated"], "asked": ["requested"], "ask": ["request"],
    "buy": ["purchase"], "bought": ["purchased"], "sell": ["market"], "need": ["require"],
    "needed": ["required"], "think": ["believe"], "believe": ["think"], "want": ["wish"],
    "wanted": ["wished"], "make": ["create"], "made": ["created"], "find": ["discover"],
    "found": ["discovered"], "get": ["obtain"], "got": ["obtained"], "keep": ["retain"],
    "leave": ["depart"], "left": ["departed"], "killed": ["slain"], "attack": ["assault", "strike"],
    "attacks": ["assaults", "strikes"], "city": ["town"], "team": ["squad", "group"],
    "result": ["outcome"], "results": ["outcomes"], "problem": ["issue"], "problems": ["issues"],
    "home": ["residence"], "house": ["residence"], "car": ["vehicle"], "job": ["position"],
    "study": ["research"], "researchers": ["scientists"], "scientists": ["researchers"],
    "doctor": ["physician"], "doctors": ["physicians"], "children": ["kids"], "child": ["kid"],
}
KINDS = ("copy", "rewrite", "translated")
FURNITURE = ["Advertisement", "Share this article", "Read more: the latest headlines", "Sign up for our newsletter",
             "Follow us on social media", "Related coverage", "Comments (0)"]
WORD = re.compile(r"[A-Za-z]+")


def _paragraphs(text: str) -> list[list[str]]:
    from redline.stories.copies import SENTENCE_BREAK

    paras = [p for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
    return [[s.strip() for s in SENTENCE_BREAK.split(p) if s and s.strip()] for p in paras]


def _join(paras: list[list[str]]) -> str:
    return "\n\n".join(" ".join(p) for p in paras if p)


def _swap(sentence: str, rng: random.Random, rate: float) -> str:
    def repl(m: re.Match) -> str:
        word = m.group(0)
        options = SYNONYMS.get(word.lower())
        if not options or rng.random() > rate:
            return word
        new = rng.choice(options)
        return new.capitalize() if word[0].isupper() else new
    return WORD.sub(repl, sentence)


def _drop_articles(sentence: str, rng: random.Random, rate: float) -> str:
    return re.sub(r"\b(?:the|a|an) ", lambda m: "" if rng.random() < rate else m.group(0), sentence)


def _turn_said(sentence: str) -> str:
    # "Peskov said the deal ..." -> "According to Peskov, the deal ..."
    return re.sub(r"^([A-Z][\w.-]*(?: [A-Z][\w.-]*){0,2}) said (?:that )?", r"According to \1, ", sentence)


def make_variant(text: str, kind: str, seed: int = 0) -> str:
    rng = random.Random(f"{kind}:{seed}")
    paras = _paragraphs(text)
    if kind == "copy":
        if len(paras) > 3:
            paras = paras[:-1]
        head = [[rng.choice(FURNITURE)], ["Breaking: " + " ".join(paras[0])[:120]]]
        body = paras[1:] if len(paras) > 1 else paras
        middle = len(body) // 2
        return _join(head + body[:middle] + [[rng.choice(FURNITURE)]] + body[middle:] + [[rng.choice(FURNITURE)]])
    if kind not in ("rewrite", "translated"):
        raise ValueError(f"unknown variant kind {kind!r}")
    if len(paras) > 4:
        del paras[rng.randrange(1, len(paras))]
    out = []
    for para in paras:
        para = list(para)
        if len(para) > 2:
            tail = para[1:]
            rng.shuffle(tail)
            para = para[:1] + tail
        sentences = []
        for s in para:
            s = _swap(s, rng, 0.35 if kind == "rewrite" else 0.5)
            if kind == "translated":
                s = _drop_articles(_turn_said(s), rng, 0.4)
            sentences.append(s)
        out.append(sentences)
    return _join(out)


def variants_found(texts: dict[str, str], kind: str, seed: Callable[[str], int]) -> int:
    """How many texts a fresh CopyFinder links back from a `kind` variant of them."""
    from redline.stories.copies import CopyFinder

    found = 0
    for key, text in texts.items():
        finder = CopyFinder()
        finder.add(key, text)
        link = finder.add("variant", make_variant(text, kind, seed=seed(key)))
        found += bool(link and link.derived_from == key)
    return found


def false_links(texts: dict[str, str], pairs: list[tuple[str, str]]) -> int:
    """How many pairs of different articles a fresh CopyFinder links as copies."""
    from redline.stories.copies import CopyFinder

    linked = 0
    for a, b in pairs:
        finder = CopyFinder()
        finder.add(a, texts[a])
        linked += finder.add(b, texts[b]) is not None
    return linked


def pairs_within(groups: dict[str, str], items) -> list[tuple[str, str]]:
    """Every pair of `items` that `groups` (item -> group) puts in one group."""
    members: dict[str, list[str]] = {}
    for item in items:
        if item in groups:
            members.setdefault(groups[item], []).append(item)
    return [p for keys in members.values() for p in itertools.combinations(sorted(keys), 2)]

