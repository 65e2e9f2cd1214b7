"""Articles of hostile sentences for the event coder and the parse: each kind once brought a
run down, or could make a walk over the parse unbounded or the cost of an article grow faster
than its length. Generated, deterministic; written for Redline, copied from nowhere.

    python tests/data/hostile_sentences.py FILE.jsonl
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

QUANTITIES = ["Most", "Some", "Many", "Thousands", "Hundreds", "Dozens", "Two", "One", "Half", "Members", "A third",
              "Scores", "Millions", "Part", "A number", "The majority", "Groups"]
PRONOUNS = ["them", "us", "it", "those", "these", "theirs"]
VERBS = ["agreed", "denied it", "protested in Moscow", "said they would attack them", "accused them of lying",
         "met them in Geneva", "refused to meet them", "were arrested by them"]
COUNTRIES = ["Russia", "Ukraine", "France", "Germany", "China", "Japan", "India", "Brazil", "Turkey", "Iran", "Israel",
             "Egypt", "Kenya", "Nigeria", "Mexico", "Canada", "Poland", "Italy", "Spain", "Greece", "Sweden", "Norway",
             "Chile", "Peru", "Qatar", "Syria", "Iraq", "Jordan", "Lebanon", "Serbia"]


def quantities_of_pronouns() -> str:
    """"Most of them agreed.": the words a quantity is of are the words of its own subject."""
    lines = [f"{q} of {p} {v}." for q, p, v in itertools.product(QUANTITIES, PRONOUNS, VERBS)]
    return "\n\n".join(" ".join(lines[i:i + 6]) for i in range(0, len(lines), 6))


def nested_quantities(depth: int = 150) -> str:
    """"Most of some of many of ... of them agreed."""
    return " ".join(f"{QUANTITIES[i % len(QUANTITIES)]} of" for i in range(depth)) + " them agreed to meet."


def long_coordination(conjuncts: int = 300) -> str:
    names = [COUNTRIES[i % len(COUNTRIES)] for i in range(conjuncts)]
    return (", ".join(names[:-1]) + f" and {names[-1]} met in Geneva on Monday and accused "
            + ", ".join(reversed(names[:-1])) + f" and {names[0]} of attacking them.")


def nested_relative_clauses(depth: int = 120) -> str:
    """"The envoy who met the minister who visited the official who ... said it would attack them.\""""
    roles = ["envoy", "minister", "official", "general", "diplomat", "spokesman"]
    verbs = ["met", "visited", "accused", "praised", "criticised", "thanked"]
    clause = " ".join(f"the {roles[i % len(roles)]} of {COUNTRIES[i % len(COUNTRIES)]} who {verbs[i % len(verbs)]}"
                      for i in range(depth))
    return f"{clause.capitalize()} the president said they would attack them."


def of_chain(depth: int = 400) -> str:
    """A right-branching phrase as deep as a sentence can make one."""
    return "Leaders of " + " of ".join(f"the members of the allies of {COUNTRIES[i % len(COUNTRIES)]}"
                                       for i in range(depth)) + " condemned it."


def sentence_of_tokens(tokens: int = 2000) -> str:
    """One sentence of about `tokens` tokens: clauses joined without a full stop."""
    clauses, count = [], 0
    for i in itertools.count():
        a, b = COUNTRIES[i % len(COUNTRIES)], COUNTRIES[(i * 7 + 3) % len(COUNTRIES)]
        clause = f"{a} accused {b} of attacking its ships near the border on Monday"
        clauses.append(clause)
        count += len(clause.split()) + 1
        if count >= tokens:
            break
    return ", and ".join(clauses) + "."


def repeated_paragraphs(times: int = 400) -> str:
    paragraph = ("Russia said it would respond if Ukraine attacked the bridge again, and Kyiv said Moscow "
                 "had shelled Kherson on Monday, officials said.")
    return "\n\n".join([paragraph] * times)


def quotes_and_pronouns() -> str:
    """Unclosed, nested and stray quotation marks, and pronouns with nobody before them."""
    parts = ['"He said "she said "they said "it said ' * 40 + 'nothing."',
             "“‘“‘“‘ They attacked them, ’”’”’ he said, “and they will attack them again.",
             "It said it. They said they. He told him she told her it was theirs. " * 60,
             "« Ils » said “ they ” would ‘ attack ’ them " * 50 + "."]
    return "\n\n".join(parts)


KINDS = {
    "quantities-of-pronouns": quantities_of_pronouns,
    "nested-quantities": nested_quantities,
    "long-coordination": long_coordination,
    "nested-relative-clauses": nested_relative_clauses,
    "of-chain": of_chain,
    "sentence-of-2000-tokens": sentence_of_tokens,
    "repeated-paragraphs": repeated_paragraphs,
    "quotes-and-pronouns": quotes_and_pronouns,
}


def records() -> list[dict]:
    return [{"id": f"hostile-{name}", "outlet": "Hostile Wire", "published": "2023-07-19", "text": make()}
            for name, make in KINDS.items()]


def write(path: Path) -> list[dict]:
    found = records()
    path.write_text("".join(json.dumps(r) + "\n" for r in found), encoding="utf-8")
    return found


if __name__ == "__main__":
    write(Path(sys.argv[1]))
