"""Quote provenance: news quotes graded against their speaker's transcript statements, stored,
kept up to date after ingest, listed, exported, briefed; and on the seeds + the real briefings."""

import json

import pytest

from redline.ingest import ingest
from redline.provenance import update
from redline.provenance.align import align, grade, words
from redline.store import Store
from tests.conftest import SHARED

# Written for these tests, in the shape of a press briefing and of news reports of it.
BRIEFING = (
    "Press Briefing Room\n\n"
    "MS. OKAFOR:\u00a0 Good afternoon. I am joined today by Mr. Daniel Whitcombe, our envoy to the talks.\n\n"
    "MR. WHITCOMBE:\u00a0 Thank you. We have made it very clear to both sides that the corridor has to stay "
    "open through the winter, and we are prepared to send more inspectors to the ports. I would also say "
    "that the shipping companies have been remarkably patient with all of this.\n\n"
    "Q\u00a0 Will the talks resume next week?\n\n"
    "MR. WHITCOMBE:\u00a0 I think they will. The negotiators are due back in Geneva on Tuesday, and we expect "
    "a draft agreement on the inspections before the end of the month.\n\n"
    "MS. OKAFOR:\u00a0 Thank you, everybody.\n"
)
NEWS = (
    "US envoy says grain corridor must stay open\n\n"
    "Daniel Whitcombe, the US envoy to the grain talks, spoke to reporters on Thursday.\n\n"
    "\"The corridor has to stay open through the winter, and we are prepared to send more inspectors to the ports,\" "
    "Whitcombe said.\n\n"
    "\"The negotiators are due back in Geneva ... and we expect a draft agreement on the inspections,\" he added.\n\n"
    "\"The shipping companies have been extremely patient with all of this,\" Whitcombe said.\n\n"
    "\"We will never accept a blockade of the northern harbours by anyone,\" Whitcombe said.\n"
)
EARLIER = (
    "Envoy named for grain talks\n\n"
    "Daniel Whitcombe, the new US envoy to the grain talks, arrived in Istanbul on Monday.\n\n"
    "\"The corridor matters to millions of people who depend on this grain,\" Whitcombe said.\n"
)


def write_corpus(folder, briefing_date="2023-06-01"):
    folder.mkdir(parents=True, exist_ok=True)
    records = [
        {"id": "briefing-1", "kind": "transcript", "published": briefing_date, "outlet": "State Department",
         "title": "Press briefing with Envoy Daniel Whitcombe", "text": BRIEFING},
        {"id": "news-1", "published": "2023-06-02", "outlet": "Harbour Post", "text": NEWS},
        {"id": "news-0", "published": "2023-05-01", "outlet": "Harbour Post", "text": EARLIER},
    ]
    (folder / "corpus.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return folder


def graded(store):
    return {text: (g, src, diff) for text, g, src, diff in store.con.execute(
        """SELECT q.text, p.grade, p.source_article_id, p.diff FROM quotes q JOIN quote_provenance p ON p.quote_id = q.id
           WHERE q.article_id LIKE 'news-%'""").fetchall()}


def by_start(found: dict, opening: str):
    hits = [v for k, v in found.items() if k.lower().startswith(opening.lower())]
    assert len(hits) == 1, (opening, list(found))
    return hits[0]


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory):
    folder = write_corpus(tmp_path_factory.mktemp("provenance-corpus"))
    db = folder / "p.duckdb"
    with Store(db) as store:
        report = ingest([folder / "corpus.jsonl"], store)
        assert not report.errors, report.errors
        update(store)
    return db


def test_quotes_are_graded_against_the_speakers_transcript(corpus_db):
    with Store(corpus_db, read_only=True) as store:
        found = graded(store)
        speakers = store.con.execute("""SELECT DISTINCT q.speaker_id FROM quotes q
                                        WHERE q.kind = 'statement' AND q.speaker_name LIKE '%Whitcombe'""").fetchall()
    assert len(speakers) == 1
    assert by_start(found, "The corridor has to stay open")[:2] == ("verbatim", "briefing-1")
    assert by_start(found, "The negotiators are due back")[:2] == ("trimmed", "briefing-1")
    altered = by_start(found, "The shipping companies")
    assert altered[:2] == ("altered", "briefing-1")
    assert {"op": "replace", "source": "remarkably", "quote": "extremely"} in json.loads(altered[2])
    assert by_start(found, "We will never accept")[:2] == ("not found", None)
    # Said before the briefing: nothing of the speaker to compare it with, so no grade.
    assert by_start(found, "The corridor matters")[0] is None


def test_a_transcript_stored_later_is_found_and_a_replaced_one_regrades(tmp_path):
    folder = write_corpus(tmp_path / "c", briefing_date="2023-06-05")  # after the news: not a source
    db = tmp_path / "p.duckdb"
    with Store(db) as store:
        ingest([folder / "corpus.jsonl"], store)
        update(store)
        assert by_start(graded(store), "The corridor has to stay open")[0] is None
        write_corpus(folder, briefing_date="2023-06-01")  # the briefing's date corrected
        ingest([folder / "corpus.jsonl"], store)
        counts = update(store)
        assert by_start(graded(store), "The corridor has to stay open")[:2] == ("verbatim", "briefing-1")
        # The news quotes dated on or after the new date are graded again; the earlier article's is not.
        assert counts == {"verbatim": 1, "trimmed": 1, "altered": 1, "not found": 1}
        assert sum(update(store).values()) == 0  # nothing new: nothing graded again
        before = graded(store)
        update(store, rebuild=True)
        assert graded(store) == before


def test_export_cli_filter_and_briefing_show_the_grade(corpus_db, run_cli, tmp_path):
    out = tmp_path / "quotes.jsonl"
    assert run_cli("export", "quotes", "--format", "jsonl", "-o", out, "--db", corpus_db).exit_code == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    altered = [r for r in rows if r["provenance"] and r["provenance"]["grade"] == "altered"]
    assert len(altered) == 1 and set(altered[0]["provenance"]) == {"article_id", "start", "end", "similarity", "grade"}
    with Store(corpus_db, read_only=True) as store:
        text = store.con.execute("SELECT text FROM articles WHERE id = 'briefing-1'").fetchone()[0]
    p = altered[0]["provenance"]
    assert text[p["start"]:p["end"]].startswith("the shipping companies have been remarkably patient")
    listed = run_cli("quotes", "--grade", "altered", "--json", "--db", corpus_db)
    items = json.loads(listed.output)
    assert [i["provenance"]["grade"] for i in items] == ["altered"] and items[0]["provenance"]["diff"]
    assert "altered from briefing-1" in run_cli("quotes", "--speaker", "Whitcombe", "--db", corpus_db).output
    bad = run_cli("quotes", "--grade", "alterd", "--db", corpus_db)
    assert bad.exit_code != 0 and "verbatim" in bad.output
    shown = run_cli("provenance", "--show", altered[0]["id"], "--db", corpus_db).output
    assert "remarkably patient" in shown and "'remarkably' -> 'extremely'" in shown


def test_the_briefing_says_how_a_speakers_quotes_compare_with_the_record(corpus_db):
    from redline import queries, render

    with Store(corpus_db, read_only=True) as store:
        lines = render.provenance_lines(queries.provenance_by_speaker(store.con, ["news-1"]), "story")
    assert len(lines) == 1 and lines[0].startswith("1 of 4 Daniel Whitcombe quotes in this story is altered from the transcript")


def test_alignment_grades_each_kind_of_change():
    source = words("So, we have been very clear: the corridor has to stay open through the winter.")
    assert grade(align(source, words("the corridor has to stay open")), "direct") == "verbatim"
    assert grade(align(source, words("we have been clear: the corridor has to stay open")), "direct") == "trimmed"
    assert grade(align(source, words("the corridor must stay open through the winter")), "direct") == "altered"
    assert grade(align(source, words("the corridor had to stay open through the winter")), "indirect") == "paraphrase"
    assert grade(align(source, words("the harbour will close in the spring for repairs")), "direct") is None
    assert grade(align(source, words("We’ve been very clear")), "direct") == "verbatim"  # contractions spelled out alike


# -- the seeds and the White House briefings --------------------------------------------------
@pytest.fixture(scope="module")
def kirby_db(tmp_path_factory):
    if not SHARED.is_dir():
        pytest.skip("../shared is not present (only in the project's CI and dev machines)")
    folder = tmp_path_factory.mktemp("kirby")
    lines = (SHARED / "corpora" / "whitehouse-briefings" / "briefings.jsonl").read_text(encoding="utf-8").splitlines()
    (folder / "briefings.jsonl").write_text("\n".join(
        line for line in lines if json.loads(line)["published"] in ("2023-03-20", "2023-03-21")) + "\n",
        encoding="utf-8")
    db = folder / "k.duckdb"
    with Store(db) as store:
        ingest([folder / "briefings.jsonl", SHARED / "seeds" / "000_f6e4e13b96d5e863.txt"], store,
               manifest=SHARED / "seeds" / "manifest.csv")
        update(store)
    return db


def test_kirbys_quotes_in_the_sputnik_seed_link_to_his_march_2023_briefings(kirby_db):
    with Store(kirby_db, read_only=True) as store:
        found = store.con.execute(
            """SELECT q.text, q.kind, p.grade, p.source_article_id FROM quotes q JOIN quote_provenance p ON p.quote_id = q.id
               WHERE q.article_id = '000_f6e4e13b96d5e863' AND q.speaker_name = 'John Kirby' AND q.kind <> 'indirect'""").fetchall()
    found = {text: (g, source) for text, _, g, source in found}
    # Read in the transcripts: 21 March has "over years now these two countries going — growing
    # closer together" (altered), the "expectations" sentence as said, "China is taking it off the
    # table" (a contraction written out: verbatim), "about to or — or fixing to" (a word dropped);
    # "marriage of convenience" was first said on 20 March.
    expected = {"I think you've seen over the years": ("altered", "wh-2023-03-21-1b4fa309"),
                "I don't think the meeting today": ("verbatim", "wh-2023-03-21-1b4fa309"),
                "We don't think that China's taking": ("verbatim", "wh-2023-03-21-1b4fa309"),
                "We've seen no indication": ("trimmed", "wh-2023-03-21-1b4fa309"),
                "marriage of convenience": ("verbatim", "wh-2023-03-20-d9d7888f")}
    for opening, want in expected.items():
        assert by_start(found, opening) == want, opening


def test_the_api_lists_quotes_by_grade_and_shows_one_beside_its_source(corpus_db):
    from fastapi.testclient import TestClient

    from redline.config import Settings
    from redline.web import create_app

    client = TestClient(create_app(corpus_db, Settings(db=str(corpus_db))))
    page = client.get("/api/quotes", params={"grade": "trimmed"}).json()
    assert page["total"] == 1 and page["items"][0]["provenance"]["grade"] == "trimmed"
    assert client.get("/api/quotes", params={"grade": "fake"}).status_code == 400
    record = client.get(f"/api/quotes/{page['items'][0]['id']}/provenance").json()
    assert record["source"]["article_id"] == "briefing-1" and record["source"]["transcript"]
    assert record["source"]["passage"].startswith("The negotiators are due back in Geneva")
    assert {"op": "delete", "source": "on tuesday", "quote": ""} in record["diff"]


def test_the_web_pages_show_each_quotes_grade_and_the_quote_beside_its_source(corpus_db, tmp_path):
    import shutil

    from fastapi.testclient import TestClient

    from redline.app import Redline
    from redline.config import Settings
    from redline.web import create_app

    # A copy with its stories (the module's database stays as the other tests read it, and no
    # other connection of this process holds the copy while the stories stage writes it).
    db = tmp_path / "stories.duckdb"
    shutil.copy(corpus_db, db)
    Redline(Settings(db=str(db))).update_stories()
    client = TestClient(create_app(db, Settings(db=str(db))))
    listed = client.get("/quotes", params={"grade": "altered"})
    assert listed.status_code == 200 and "shipping companies" in listed.text and "The corridor has to stay" not in listed.text
    link = next(part.split('"')[0] for part in listed.text.split('href="')[1:] if part.split('"')[0].endswith("/provenance"))
    page = client.get(link)
    assert page.status_code == 200
    assert "remarkably patient" in page.text and "extremely patient" in page.text  # said, and as quoted
    assert "<td>remarkably</td><td>extremely</td>" in page.text.replace("\n", "")
    article = client.get("/articles/news-1").text
    assert 'href="/quotes/' in article and ">verbatim</a>" in article and ">not found</a>" in article
    with Store(db, read_only=True) as store:
        story = store.con.execute("SELECT story_id FROM article_stories WHERE article_id = 'news-1'").fetchone()[0]
    assert "Daniel Whitcombe quotes in this story is altered from the transcript" in client.get(f"/stories/{story}").text
