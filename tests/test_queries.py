"""The read side (redline.queries, through redline.app and the CLI): what a user names is checked
against what exists, every list says when it is cut, and prints as JSON or CSV."""

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient

from redline.app import Redline
from redline.config import Settings
from redline.errors import UnknownValue
from tests.conftest import EXAMPLES, ROOT


@pytest.mark.parametrize("args, message", [
    (("events", "--country", "Russia"), "unknown country 'Russia': use ISO3, e.g. RUS"),
    (("events", "--country", "XYZ"), "unknown country 'XYZ': use ISO3"),
    (("events", "--type", "ATTACK"), "unknown event type 'ATTACK': one of ACCUSE, AGREE, AID, ASSAULT"),
    (("events", "--type", "assualt"), "did you mean ASSAULT"),
    (("quotes", "--speaker", "Blinkin"), "unknown speaker 'Blinkin': did you mean Antony Blinken?"),
    (("quotes", "--kind", "straight"), "unknown quote kind 'straight': one of direct, partial, indirect, statement, question"),
    (("actors", "--country", "Rusia"), "unknown country 'Rusia': use ISO3, e.g. RUS"),
    (("timeline", "--actor", "Russia"), "unknown country 'Russia': use ISO3, e.g. RUS"),
    (("timeline", "--story", "s-nope"), "unknown story 's-nope': see `redline stories` for the ids"),
    (("outlets", "--story", "s-nope"), "unknown story 's-nope'"),
    (("articles", "--outlet", "Meridian"), "unknown outlet 'Meridian': did you mean Meridian Wire?"),
    (("quotes", "--outlet", "Meridian"), "unknown outlet 'Meridian': did you mean Meridian Wire?"),
    (("events", "--outlet", "meridian wire"), "unknown outlet 'meridian wire': did you mean Meridian Wire?"),
    (("events", "--since", "2023-13-01"), "unknown date '2023-13-01': a date as YYYY-MM-DD"),
    (("events", "--status", "denied"), "unknown status 'denied': one of asserted, alleged"),
    (("dyad", "Russia", "UKR"), "unknown country 'Russia'"),
    (("dyad", "RUS:XYZ", "UKR"), "unknown sector 'XYZ': one of"),
])
def test_an_unknown_name_is_an_error_with_the_closest_choices(run_cli, example_db, args, message):
    result = run_cli(*args, "--db", example_db)
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: ") and message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_known_name_in_another_case_is_read(run_cli, example_db):
    lower = run_cli("events", "--country", "rus", "--json", "--limit", "500", "--db", example_db)
    upper = run_cli("events", "--country", "RUS", "--json", "--limit", "500", "--db", example_db)
    assert lower.exit_code == 0 and json.loads(lower.stdout) == json.loads(upper.stdout) != []


@pytest.fixture(scope="module")
def api(example_db):
    from redline.web import create_app

    return TestClient(create_app(example_db, Settings(db=str(example_db))))


@pytest.mark.parametrize("cli_args, api_path, params", [
    (("quotes", "--outlet", "Meridian Wire"), "/api/quotes", {"outlet": "Meridian Wire"}),
    (("events", "--all", "--outlet", "Meridian Wire"), "/api/events", {"outlet": "Meridian Wire"}),
    (("events", "--all", "--since", "2023-01-01", "--until", "2023-07-18"), "/api/events",
     {"since": "2023-01-01", "until": "2023-07-18"}),
    (("events", "--all", "--country", "RUS", "--country", "UKR"), "/api/events", {"country": ["RUS", "UKR"]}),
    (("events", "--status", "alleged", "--status", "reported"), "/api/events", {"status": ["alleged", "reported"]}),
    (("events", "--all", "--min-confidence", "0.7"), "/api/events", {"min_confidence": "0.7"}),
    (("events",), "/api/events", {"status": "asserted"}),  # the CLI's default
])
def test_a_cli_list_filters_as_the_web_api_does(run_cli, example_db, api, cli_args, api_path, params):
    def ids(*args):
        result = run_cli(*args, "--json", "--limit", "1000", "--db", example_db)
        assert result.exit_code == 0, result.output
        return {r["id"] for r in json.loads(result.stdout)}

    listed = ids(*cli_args)
    answer = api.get(api_path, params={**params, "limit": 200})
    assert answer.status_code == 200 and answer.json()["total"] <= 200
    assert listed == {r["id"] for r in answer.json()["items"]}
    assert listed and listed < ids(cli_args[0], *(["--all"] if cli_args[0] == "events" else []))  # the filter kept some, not all


def test_a_briefing_on_an_unknown_actor_is_not_written(run_cli, example_db, tmp_path):
    result = run_cli("brief", "--actor", "XX", "-o", tmp_path / "b.html", "--db", example_db)
    assert result.exit_code == 2 and "unknown country 'XX'" in result.output
    assert not (tmp_path / "b.html").exists()


@pytest.mark.parametrize("command", ["articles", "actors", "quotes", "events", "stories", "timeline"])
def test_every_list_says_when_it_is_cut_and_prints_json_and_csv(run_cli, example_db, command):
    whole = run_cli(command, "--json", "--limit", "1000", "--db", example_db)
    records = json.loads(whole.stdout)
    assert whole.exit_code == 0 and len(records) > 1 and "showing" not in whole.output
    cut = run_cli(command, "--limit", "1", "--db", example_db)
    assert cut.exit_code == 0 and f"showing 1 of {len(records)} (use --limit)" in cut.stderr
    as_json = run_cli(command, "--json", "--limit", "1", "--db", example_db)
    assert len(json.loads(as_json.stdout)) == 1  # the note goes to stderr: stdout stays JSON
    page = run_cli(command, "--json", "--limit", "2", "--offset", "1", "--db", example_db)
    assert json.loads(page.stdout) == records[1:3]
    assert f"showing 2-{1 + len(records[1:3])} of {len(records)} (use --limit and --offset)" in page.stderr
    as_csv = run_cli(command, "--csv", "--limit", "1000", "--db", example_db)
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert len(rows) == len(records) and set(rows[0]) == set(records[0])


def test_outlets_as_json(run_cli, example_db):
    result = run_cli("outlets", "--json", "--db", example_db)
    tables = json.loads(result.stdout)
    assert set(tables) == {"coverage", "terms", "tone"} and tables["coverage"]


def test_a_file_that_is_not_a_redline_database_is_one_line(run_cli):
    result = run_cli("articles", "--db", ROOT / "README.md")
    assert result.exit_code == 2
    assert result.output == "error: " + str(ROOT / "README.md") + ": not a Redline database (not a DuckDB file)\n"


def test_ingest_refuses_a_watch_rule_file_as_event_rules(run_cli, tmp_path):
    result = run_cli("ingest", EXAMPLES / "corpus" / "txt", "--rules", EXAMPLES / "watch.yaml", "--db", tmp_path / "x.duckdb")
    assert result.exit_code == 2 and "this is a file of watch rules, not event rules" in result.output
    assert len(result.output.strip().splitlines()) == 1 and not (tmp_path / "x.duckdb").exists()


def test_the_help_of_show_actors_reads_well(run_cli):
    help_text = " ".join(run_cli("show", "--help").output.replace("│", " ").split())
    assert "Mark each actor mention in the text with what it resolved to" in help_text
    assert "text: ." not in help_text


def test_the_library_and_the_web_api_check_alike(example_db):
    with pytest.raises(UnknownValue, match="unknown country 'Russia': use ISO3, e.g. RUS"):
        Redline(Settings(db=str(example_db))).events(country="Russia")
    client = TestClient(__import__("redline.web", fromlist=["create_app"]).create_app(example_db, Settings(db=str(example_db))))
    answer = client.get("/api/happenings", params={"actor": "Russia"})
    assert answer.status_code == 400 and answer.json() == {"detail": "unknown country 'Russia': use ISO3, e.g. RUS"}
    assert client.get("/api/happenings", params={"actor": "rus"}).json()["total"] > 0
