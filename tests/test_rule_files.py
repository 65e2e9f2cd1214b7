"""Rule files (event rules, actor dictionaries, furniture, watch rules) checked against their
schema on load: the first problem is one line naming the file, the line and the valid choices."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline import schemas
from tests.conftest import EXAMPLES

ARTICLE = EXAMPLES / "corpus" / "txt" / "bsg-2022-07-22-meridian.txt"
DATA = Path(schemas.__file__).resolve().parents[1] / "data"
SHIPPED = {
    "events.yaml": "events", "countries.yaml": "actors", "organisations.yaml": "actors", "people.yaml": "actors",
    "leaders.yaml": "actors", "roles.yaml": "actors", "furniture.yaml": "furniture", "quotes.yaml": "quotes",
    "transcripts.yaml": "transcripts", "words.yaml": "words",
}


def one_error(result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_shipped_file_passes_its_schema(name):
    from redline.yamlfiles import shipped

    kind = SHIPPED[name]
    folder = "redline.lang.en" if kind in schemas.LANGUAGE_KINDS else "redline.data"
    assert schemas.shipped(name, kind) == shipped(name, folder)


def test_a_misspelt_key_in_event_rules_is_one_error_with_its_line(run_cli, tmp_path, db):
    rules = tmp_path / "rules.yaml"
    rules.write_text("types:\n  AID:\n    verbs:\n      - {lemma: ship, object: [arms]}\n"
                     "      - lemma: lend\n        requires_taget: true\n", encoding="utf-8")
    line = one_error(run_cli("ingest", ARTICLE, "--rules", rules, "--db", db))
    assert line == f"error: {rules}:6: unknown key 'requires_taget' (did you mean 'requires_target'?)"
    assert not db.exists()  # stopped before anything was stored


def test_an_invalid_value_lists_the_valid_choices(run_cli, tmp_path, db):
    rules = tmp_path / "rules.yaml"
    rules.write_text("types:\n  CONSULT:\n    verbs:\n      - {lemma: greet, object_kind: persn}\n", encoding="utf-8")
    line = one_error(run_cli("ingest", ARTICLE, "--rules", rules, "--db", db))
    assert line.startswith(f"error: {rules}:4: unknown object_kind 'persn' (did you mean 'person'?); valid: ")
    assert "actor, actor_or_place, clause, forces, none, nonmaterial, person, place, place_or_person, thing" in line


@pytest.mark.parametrize("text, expected", [
    ("types:\n  AID:\n    quad: material-coop\n", ":3: quad: unknown quad class 'material-coop' (did you mean 'material-cooperation'?)"),
    ("types:\n  AID:\n    intensity: 12\n", ":3: intensity: 12 is out of range (a number from -10 to 10)"),
    ("types:\n  AID:\n    verbs: ship\n", ":3: verbs: expected a list, got 'ship'"),
    ("types:\n  AID:\n    verbs:\n      - {object: [arms]}\n", ":4: verbs: missing key 'lemma'"),
    ("types:\n  AID:\n    verbs:\n      - {lemma: ship, swap: yes}\n", ":4: swap: expected true or false, got 'yes'"),
    ("negator: [refuse]\n", ":1: unknown key 'negator' (did you mean 'negators'?)"),
    ("types:\n  AID: [ship\n", ":3: not valid YAML"),
])
def test_event_rule_problems(tmp_path, text, expected):
    rules = tmp_path / "rules.yaml"
    rules.write_text(text, encoding="utf-8")
    with pytest.raises(schemas.RuleFileError) as caught:
        schemas.read(rules, "events")
    assert str(caught.value).startswith(f"{rules}{expected}"), str(caught.value)


def test_a_watch_rule_file_given_as_event_rules_is_told_apart(run_cli, tmp_path, db):
    line = one_error(run_cli("ingest", ARTICLE, "--rules", EXAMPLES / "watch.yaml", "--db", db))
    assert line == (f"error: {EXAMPLES / 'watch.yaml'}: this is a file of watch rules, not event rules "
                    "(use it with `redline watch`, `serve --rules` or the setting watch_rules)")


def test_event_rules_given_as_watch_rules_are_told_apart(run_cli, example_db):
    line = one_error(run_cli("watch", DATA / "events.yaml", "--db", example_db))
    assert "this is a file of event rules, not watch rules (use it with `redline ingest --rules`" in line


def test_watch_rules_are_checked_with_lines(run_cli, tmp_path, example_db):
    rules = tmp_path / "watch.yaml"
    rules.write_text("rules:\n  - name: Talks\n    type: CONSULT\n  - name: Strikes\n    type: ASSALT\n", encoding="utf-8")
    line = one_error(run_cli("watch", rules, "--db", example_db))
    assert line.startswith(f"error: {rules}:5: type: unknown event type 'ASSALT' (did you mean 'ASSAULT'?); valid: ")
    rules.write_text("- name: Talks\n  type: consult\n  modality: [asserted, confirmed]\n", encoding="utf-8")
    line = one_error(run_cli("watch", rules, "--db", example_db))
    assert line == (f"error: {rules}:3: unknown modality 'confirmed'; "
                    "valid: alleged, asserted, background, future, hypothetical, reported")
    rules.write_text("- name: Talks\n  type: CONSULT\n  betwen: [USA, CHN]\n", encoding="utf-8")
    assert one_error(run_cli("watch", rules, "--db", example_db)) == \
        f"error: {rules}:3: unknown key 'betwen' (did you mean 'between'?)"


def test_actor_files_are_checked(run_cli, tmp_path, db):
    actors = tmp_path / "actors.yaml"
    actors.write_text('people:\n  - name: "Ion Popescu"\n    roles:\n'
                      '      - {country: MDA, role: Minister, sector: GOVT, from: "2021-08-06"}\n', encoding="utf-8")
    line = one_error(run_cli("ingest", ARTICLE, "--actors", actors, "--db", db))
    assert line.startswith(f"error: {actors}:4: unknown sector 'GOVT' (did you mean 'GOV'?); valid: BUS, CVL")
    actors.write_text("countries:\n  MDA:\n    capitals: [Kishinev]\n    capitols: [Chisinau]\n", encoding="utf-8")
    assert one_error(run_cli("ingest", ARTICLE, "--actors", actors, "--db", db)) == \
        f"error: {actors}:4: unknown key 'capitols' (did you mean 'capitals'?)"
    actors.write_text("people:\n  - name: Ion Popescu\n    roles:\n"
                      "      - {country: MDA, role: Minister, sector: GOV, from: 6 August 2021}\n", encoding="utf-8")
    assert one_error(run_cli("ingest", ARTICLE, "--actors", actors, "--db", db)) == \
        f"error: {actors}:4: from: '6 August 2021' is not an ISO date (YYYY-MM-DD)"


def test_furniture_files_are_checked(run_cli, tmp_path, db):
    furniture = tmp_path / "furniture.yaml"
    furniture.write_text("reasons:\n  promo:\n    - 'subscribe now'\n    - 'sign up (for'\n", encoding="utf-8")
    line = one_error(run_cli("ingest", ARTICLE, "--furniture", furniture, "--db", db))
    assert line.startswith(f"error: {furniture}:4: promo: bad regular expression 'sign up (for' (missing ), ")
    furniture.write_text("reason:\n  promo: ['subscribe now']\n", encoding="utf-8")
    assert one_error(run_cli("ingest", ARTICLE, "--furniture", furniture, "--db", db)) == \
        f"error: {furniture}:1: unknown key 'reason' (did you mean 'reasons'?)"


def test_a_valid_user_rule_file_still_loads(tmp_path):
    from redline.events import load_rules

    rules = tmp_path / "rules.yaml"
    rules.write_text("types:\n  AID:\n    verbs:\n      - {lemma: lend, object: [arms], object_kind: thing}\n", encoding="utf-8")
    assert any(r.object_kind == "thing" for r in load_rules([rules]).verbs["lend"])
