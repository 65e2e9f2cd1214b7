"""Rule files checked against a schema as they are read: event rules, actor dictionaries,
furniture patterns, quote cues and watch rules, shipped or the user's.

The first problem in a file is one error naming the file, the line and the valid choices;
a file of another kind (watch rules given as event rules) is told apart by its shape:

    rules.yaml:12: unknown key 'requires_taget' (did you mean 'requires_target'?)
    watch.yaml: this is a watch-rules file, not event rules (use it with `redline watch` or `serve --rules`)

The schemas: `redline.schemas.events` (event rules), `redline.schemas.files` (the others).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml

from redline.schemas.check import RuleFileError, Spec, compose, construct
from redline.schemas.events import EVENTS
from redline.schemas.files import ACTORS, FURNITURE, LANGUAGE_WORDS, QUOTES, TRANSCRIPTS, WATCH

# kind -> (schema, what it is called, where it is used)
KINDS: dict[str, tuple[Spec, str, str]] = {
    "events": (EVENTS, "event rules", "`redline ingest --rules` or the setting rule_files"),
    "actors": (ACTORS, "an actor dictionary", "`redline ingest --actors` or the setting actor_files"),
    "furniture": (FURNITURE, "furniture patterns", "`redline ingest --furniture`"),
    "quotes": (QUOTES, "quote cues", "lang/en/quotes.yaml"),
    "transcripts": (TRANSCRIPTS, "transcript label words", "lang/en/transcripts.yaml"),
    "words": (LANGUAGE_WORDS, "language words", "src/redline/lang/en/words.yaml"),
    "watch": (WATCH, "watch rules", "`redline watch`, `serve --rules` or the setting watch_rules"),
}

# The top-level keys that tell each kind of file apart (watch rules: a list, or `rules:`).
MARKS = {kind: set(spec.keys) for kind, (spec, _, _) in KINDS.items() if kind != "watch"}
MARKS["watch"] = {"rules"}


def kind_of(node: yaml.Node | None) -> str | None:
    """Which kind of rule file a composed document looks like, if any."""
    if isinstance(node, yaml.SequenceNode):
        return "watch"
    if not isinstance(node, yaml.MappingNode):
        return None
    keys = {str(k.value) for k, _ in node.value}
    found = [kind for kind, marks in MARKS.items() if keys & marks]
    return found[0] if len(found) == 1 else None


def parse(text: str, kind: str, file: str):
    """The data of a rule file of `kind`, checked; RuleFileError (a ValueError) on the first problem."""
    spec, _, _ = KINDS[kind]
    node = compose(text, file)
    if node is None:
        return None
    found = kind_of(node)
    if found and found != kind:
        _, name, use = KINDS[found]
        raise RuleFileError(file, None, f"this is a file of {name}, not {KINDS[kind][1]} (use it with {use})")
    spec.check(node, "", file)
    return construct(node)


def read(path: str | Path, kind: str):
    """A user's rule file of `kind`, read and checked."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RuleFileError(str(path), None, f"{KINDS[kind][1]}: file not found") from None
    except (OSError, UnicodeDecodeError) as err:
        raise RuleFileError(str(path), None, f"cannot read {KINDS[kind][1]} ({err})") from None
    return parse(text, kind, str(path))


# The kinds of shipped file that hold a language's words: they are in redline/lang/en/.
LANGUAGE_KINDS = ("quotes", "transcripts", "furniture", "words")


def shipped(name: str, kind: str, language: str = "en"):
    """A rule file shipped with Redline, read and checked (an empty file is {}): in redline/data,
    or, for the words of a language, in redline/lang/<language> (see redline.lang)."""
    folder = ("lang", language) if kind in LANGUAGE_KINDS else ("data",)
    text = resources.files("redline").joinpath(*folder, name).read_text(encoding="utf-8")
    return parse(text, kind, "/".join(("src/redline", *folder, name))) or {}


def check_files(**files_by_kind) -> None:
    """Check every file given by kind (`events=[...]`, `actors=[...]` ...): RuleFileError on the first problem."""
    for kind, files in files_by_kind.items():
        for path in files or ():
            read(path, kind)


__all__ = ["KINDS", "LANGUAGE_KINDS", "RuleFileError", "check_files", "kind_of", "parse", "read", "shipped"]
