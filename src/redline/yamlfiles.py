"""Reading Redline's YAML data files (shipped in redline/data/, or the user's own)."""

from __future__ import annotations

import re
from importlib import resources

import yaml


class WordsLoader(yaml.SafeLoader):
    """YAML 1.1 reads on/off/yes/no as booleans; in Redline's word lists they are words
    ("impose sanctions on", "call off", "no indication"). Only true/false stay booleans."""


WordsLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
WordsLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def read_yaml(text: str):
    return yaml.load(text, Loader=WordsLoader)  # noqa: S506 - a SafeLoader subclass


def shipped(name: str, folder: str = "redline.data"):
    """A data file shipped with Redline (in redline/data, or `folder`), parsed."""
    return read_yaml(resources.files(folder).joinpath(name).read_text(encoding="utf-8")) or {}
