"""The checker behind the rule-file schemas: a schema is a tree of the specs below, and a file
is checked node by node as YAML composes it, so that the first problem is reported as one line
with the file, the line and the valid choices:

    rules.yaml:12: unknown key 'requires_taget' (did you mean 'requires_target'?)

A spec is declarative: `Keys({...})` for a mapping with named keys, `MapOf` for a mapping whose
keys are names the file chooses (event types, ISO3 codes), `ListOf`, `Either` (a word or a
mapping), `Choice`, and the scalars `STR`, `BOOL`, `NUMBER`, `INT`, `DATE` and `REGEX`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable

import yaml

from redline.yamlfiles import WordsLoader

TAG = "tag:yaml.org,2002:"


class RuleFileError(ValueError):
    """What is wrong with a rule file: `file:line: problem`, one line."""

    def __init__(self, file: str, line: int | None, problem: str):
        self.file, self.line, self.problem = file, line, problem
        super().__init__(f"{file}:{line}: {problem}" if line else f"{file}: {problem}")


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _shown(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        return "nothing" if node.tag == TAG + "null" else repr(node.value)
    return "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"


def closest(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for a near miss among `choices`, else ''."""
    near = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean {near[0]!r}?)" if near else ""


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == TAG + "null"


class Spec:
    """What a node must be. Its `kind` names it in messages ("a word", "a list of words")."""

    node_type: type = yaml.Node

    def check(self, node: yaml.Node, where: str, file: str) -> None:
        raise NotImplementedError

    def fail(self, node: yaml.Node, where: str, file: str, problem: str | None = None) -> None:
        label = f"{where}: " if where else ""
        raise RuleFileError(file, _line(node), label + (problem or f"expected {self.kind}, got {_shown(node)}"))


@dataclass(frozen=True)
class Scalar(Spec):
    kind: str
    tags: tuple[str, ...]
    test: Callable[[str], str | None] | None = None  # a problem with the value, or None
    node_type = yaml.ScalarNode

    def check(self, node, where, file):
        if not isinstance(node, yaml.ScalarNode) or node.tag.removeprefix(TAG) not in self.tags:
            self.fail(node, where, file)
        problem = self.test(node.value) if self.test else None
        if problem:
            self.fail(node, where, file, problem)


def _regex_problem(value: str) -> str | None:
    try:
        re.compile(value)
    except re.error as err:
        return f"bad regular expression {value!r} ({err})"
    return None


def _date_problem(value: str) -> str | None:
    import datetime as dt

    try:
        dt.date.fromisoformat(value[:10])
    except ValueError:
        return f"{value!r} is not an ISO date (YYYY-MM-DD)"
    return None


STR = Scalar("a word or text", ("str", "int", "float"))
BOOL = Scalar("true or false", ("bool",))
NUMBER = Scalar("a number", ("int", "float"))
INT = Scalar("a whole number", ("int",))
DATE = Scalar("an ISO date (YYYY-MM-DD)", ("str", "timestamp"), _date_problem)
REGEX = Scalar("a regular expression", ("str",), _regex_problem)


@dataclass(frozen=True)
class Range(Spec):
    low: float
    high: float
    node_type = yaml.ScalarNode

    @property
    def kind(self) -> str:
        return f"a number from {self.low:g} to {self.high:g}"

    def check(self, node, where, file):
        NUMBER.check(node, where, file)
        if not self.low <= float(node.value) <= self.high:
            self.fail(node, where, file, f"{node.value} is out of range ({self.kind})")


@dataclass(frozen=True)
class Choice(Spec):
    """One of a fixed set of words (or of a set computed when first needed)."""

    choices: tuple[str, ...] | Callable[[], Iterable[str]]
    what: str = "value"
    upper: bool = False  # compared in upper case ("assault" is ASSAULT)
    node_type = yaml.ScalarNode

    @property
    def valid(self) -> list[str]:
        choices = self.choices() if callable(self.choices) else self.choices
        return sorted(choices)

    @property
    def kind(self) -> str:
        return f"one of {', '.join(self.valid)}"

    def check(self, node, where, file):
        STR.check(node, where, file)
        value = node.value.upper() if self.upper else node.value
        if value not in self.valid:
            self.fail(node, "" if where == self.what else where, file, f"unknown {self.what} {node.value!r}{closest(value, self.valid)}; "
                                         f"valid: {', '.join(self.valid)}")


@dataclass(frozen=True)
class ListOf(Spec):
    item: Spec
    size: int | None = None  # exactly this many items
    node_type = yaml.SequenceNode

    @property
    def kind(self) -> str:
        return "a list" + (f" of {self.size}" if self.size else "")

    def check(self, node, where, file):
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, where, file)
        if self.size is not None and len(node.value) != self.size:
            self.fail(node, where, file, f"expected {self.kind}, got {len(node.value)}")
        for item in node.value:
            self.item.check(item, where, file)


@dataclass(frozen=True)
class Keys(Spec):
    """A mapping with these keys (each with its spec); `required` ones must be there."""

    keys: dict[str, Spec]
    required: tuple[str, ...] = ()
    kind: str = "a mapping"
    node_type = yaml.MappingNode

    def check(self, node, where, file):
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, where, file)
        seen = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            spec = self.keys.get(key)
            if spec is None:
                hint = closest(key, self.keys) or f" (valid keys: {', '.join(self.keys)})"
                raise RuleFileError(file, _line(key_node), f"unknown key {key!r}{hint}")
            seen.add(key)
            if _is_null(value_node) and key not in self.required:
                continue
            spec.check(value_node, key, file)
        missing = [k for k in self.required if k not in seen]
        if missing:
            self.fail(node, where, file, f"missing key {missing[0]!r}")


@dataclass(frozen=True)
class MapOf(Spec):
    """A mapping whose keys the file names (event types, ISO3 codes), each value of one spec."""

    value: Spec
    key: Spec = STR
    kind: str = "a mapping"
    node_type = yaml.MappingNode
    may_be_empty: bool = False  # `RUS:` with nothing under it

    def check(self, node, where, file):
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, where, file)
        for key_node, value_node in node.value:
            self.key.check(key_node, where, file)
            if self.may_be_empty and _is_null(value_node):
                continue
            self.value.check(value_node, str(key_node.value), file)


@dataclass(frozen=True)
class Either(Spec):
    """The first alternative whose node type fits (a word, a list of them, or a mapping)."""

    alternatives: tuple[Spec, ...] = field(default_factory=tuple)
    label: str | None = None  # what it is called in messages, instead of "x or y"

    @property
    def kind(self) -> str:
        return self.label or " or ".join(a.kind for a in self.alternatives)

    def check(self, node, where, file):
        for alternative in self.alternatives:
            if isinstance(node, alternative.node_type):
                alternative.check(node, where, file)
                return
        self.fail(node, where, file)


def pattern(regex: str, kind: str) -> Scalar:
    compiled = re.compile(regex)
    return Scalar(kind, ("str",), lambda v: None if compiled.fullmatch(v) else f"{v!r} is not {kind}")


def compose(text: str, file: str) -> yaml.Node | None:
    """The YAML node tree of `text` (Redline's word-list loader: on/off/yes/no stay words)."""
    loader = WordsLoader(text)
    try:
        return loader.get_single_node()
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        problem = " ".join(str(getattr(err, "problem", None) or err).split())
        raise RuleFileError(file, mark.line + 1 if mark else None, f"not valid YAML ({problem})") from None
    finally:
        loader.dispose()


def construct(node: yaml.Node | None):
    if node is None:
        return None
    loader = WordsLoader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()
