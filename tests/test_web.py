"""The web app and JSON API: pages, API contract (schemathesis), security, and a real Chromium."""

import json
import shutil
import socket
import sys
import tempfile
import threading
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from redline.config import Settings
from redline.web import create_app
from tests.conftest import served

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
TOKEN = "test-token-0123456789"
PAYLOAD = "<script>window.__xss = 1</script><img src=x onerror=\"window.__xss = 2\">"


@pytest.fixture(scope="module")
def client(example_db):
    settings = Settings(db=str(example_db), watch_rules=str(ROOT / "examples" / "watch.yaml"))
    return TestClient(create_app(example_db, settings))


@pytest.fixture
def writable(example_db, tmp_path):
    db = tmp_path / "copy.duckdb"
    shutil.copy(example_db, db)
    settings = Settings(db=str(db), api_token=TOKEN, max_request_bytes=200_000)
    return TestClient(create_app(db, settings)), db


def test_pages_answer_and_carry_security_headers(client):
    article = client.get("/api/articles", params={"limit": 1}).json()["items"][0]["id"]
    story = client.get("/api/stories").json()["items"][0]["id"]
    for url in ["/", "/search?q=grain", f"/articles/{article}", f"/stories/{story}", "/actors/person:dmitry-peskov",
                "/dyads/RUS/UKR", "/alerts"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert "unsafe-inline" not in response.headers["content-security-policy"].split("script-src")[1].split(";")[0]
        assert response.headers["x-content-type-options"] == "nosniff"
    assert client.get("/articles/nope").status_code == 404
    assert client.get("/stories/nope").status_code == 404


def test_api_pages_and_searches(client):
    first = client.get("/api/articles", params={"limit": 5, "offset": 0}).json()
    second = client.get("/api/articles", params={"limit": 5, "offset": 5}).json()
    assert first["total"] == 16 and len(first["items"]) == 5
    assert not {a["id"] for a in first["items"]} & {a["id"] for a in second["items"]}
    assert client.get("/api/articles", params={"limit": 500}).status_code == 422
    hits = client.get("/api/search", params={"q": "Peskov"}).json()["items"]
    assert hits and any(h["kind"] == "actor" and h["ref"] == "person:dmitry-peskov" for h in hits)
    assert hits == sorted(hits, key=lambda h: -h["score"])
    quotes = client.get("/api/search", params={"q": "Peskov", "kind": "quote"}).json()["items"]
    assert quotes and all(h["kind"] == "quote" for h in quotes)
    article = client.get(f"/api/articles/{hits[0]['ref'] if hits[0]['kind'] != 'actor' else quotes[0]['ref']}").json()
    assert {"text", "mentions", "quotes", "events", "removed", "story_id"} <= set(article)
    alerts = client.get("/api/alerts").json()
    assert alerts["alerts"] and alerts["near_misses"]


def test_writing_needs_the_token_and_stays_small(writable):
    client, _ = writable
    record = {"id": "upload-1", "title": "Grain ships wait", "outlet": "Test Wire", "published": "2023-07-21",
              "text": "Ships waited off Odesa on Friday.\n\nRussia said it would treat ships heading to Ukraine as targets."}
    assert client.post("/api/articles", json=record).status_code == 401
    assert client.post("/api/articles", json=record, headers={"X-Redline-Token": "wrong"}).status_code == 401
    response = client.post("/api/articles", json=record, headers={"X-Redline-Token": TOKEN})
    assert response.status_code == 201 and response.json() == {"id": "upload-1"}
    stored = client.get("/api/articles/upload-1").json()
    assert stored["story_id"] and stored["title"] == "Grain ships wait"
    big = {"text": "x " * 200_000}
    assert client.post("/api/articles", json=big, headers={"X-Redline-Token": TOKEN}).status_code == 413
    form = client.post("/upload", data={"token": "wrong", "text": "Some text here."}, follow_redirects=False)
    assert form.status_code == 401


def test_reading_only_app_refuses_writes_and_cross_origin(client):
    assert client.post("/api/articles", json={"text": "x"}, headers={"X-Redline-Token": "x"}).status_code == 403
    response = client.get("/api/articles", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers
    for path in ["/static/../__init__.py", "/static/%2e%2e/__init__.py", "/static/..%2f..%2fmodel.py"]:
        assert client.get(path).status_code == 404


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    """An article whose title, outlet, text and quotes carry script and HTML injection."""
    from redline.ingest import ingest
    from redline.store import Store
    from redline.stories import rebuild

    folder = tmp_path_factory.mktemp("hostile")
    record = {"id": "hostile", "title": f"Talks {PAYLOAD}", "outlet": f"Evil {PAYLOAD}", "published": "2023-07-20",
              "url": "javascript:window.__xss=3",
              "text": f"Russia accused Ukraine of shelling the port {PAYLOAD}.\n\n"
                      f"\"We will respond {PAYLOAD}\", Dmitry Peskov said on Thursday."}
    (folder / "hostile.jsonl").write_text(json.dumps(record) + "\n")
    db = folder / "hostile.duckdb"
    with Store(db) as store:
        ingest([folder / "hostile.jsonl"], store)
        rebuild(store)
    return db


def test_untrusted_text_is_escaped_in_pages_and_briefing(hostile_db, run_cli, tmp_path):
    client = TestClient(create_app(hostile_db, Settings(db=str(hostile_db))))
    for url in ["/", "/articles/hostile", "/search?q=shelling+port"]:
        body = client.get(url).text
        assert "<script>window.__xss" not in body and "<img src=x" not in body, url
        assert "&lt;script&gt;window.__xss" in body, url
        assert "javascript:window" not in body
    for fmt, name in (("html", "brief.html"), ("md", "brief.md")):
        run_cli("brief", "--actor", "RUS", "-f", fmt, "-o", tmp_path / name, "--db", hostile_db)
        text = (tmp_path / name).read_text()
        assert "<script>window.__xss" not in text and "<img src=x" not in text
        assert "window.__xss=3" not in text  # the javascript: URL is no link, nor printed


@pytest.fixture
def server(request):
    """`redline serve`'s app under uvicorn on 127.0.0.1, for the browser."""
    db = request.getfixturevalue(request.param)
    with served(create_app(db, Settings(db=str(db)))) as url:
        yield url


@pytest.mark.parametrize("server", ["example_db"], indirect=True)
def test_browser_search_article_event_story_chart(server, browser):
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + "/")
    assert "Running stories" in page.content()
    page.fill("input[name=q]", "grain deal Peskov")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("ol.results li.result")
    page.click("li.result.article a")
    page.wait_for_selector("mark.event")
    assert page.locator(".text mark.event").count() >= 1
    page.locator(".text a.event-link").first.click()
    page.wait_for_selector("ol.timeline li")
    page.wait_for_selector("#timeline-chart[data-rendered=true]", timeout=20_000)
    marks = page.locator("#timeline-chart svg .scatterlayer .points path").count()
    assert marks >= 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "story-page.png"), full_page=True)
    assert not errors, errors
    page.close()


@pytest.mark.parametrize("server", ["hostile_db"], indirect=True)
def test_browser_runs_no_injected_script(server, browser, hostile_db, run_cli, tmp_path):
    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for url in ["/", "/articles/hostile", "/search?q=shelling"]:
        page.goto(server + url)
        page.wait_for_load_state("load")
        assert page.evaluate("window.__xss") is None, url
        assert "<script>window.__xss" in page.inner_text("body") or url == "/search?q=shelling"
    brief = tmp_path / "brief.html"
    run_cli("brief", "--actor", "RUS", "-o", brief, "--db", hostile_db)
    page.goto(brief.as_uri())
    page.wait_for_load_state("load")
    assert page.evaluate("window.__xss") is None
    assert page.locator("svg").count() >= 1  # the inlined Plotly drew its charts offline
    assert not dialogs
    page.close()


# The schema is read at import, when no database exists yet: the app reads its file per request,
# so the example database is copied to that path before the first case runs.
API_DB = Path(tempfile.mkdtemp(prefix="redline-api-")) / "api.duckdb"
API_APP = create_app(API_DB, Settings(db=str(API_DB), watch_rules=str(ROOT / "examples" / "watch.yaml")))
schema = schemathesis.openapi.from_asgi("/openapi.json", API_APP)


@pytest.fixture(scope="module")
def api_db(example_db):
    shutil.copy(example_db, API_DB)
    return API_DB


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, api_db):
    # Every check (no 500s; statuses, headers and bodies as documented) but one: a repeated
    # query parameter (?story=a&story=b) is not refused but read as its last value. And valid
    # data is accepted, but for a filter naming what does not exist (an outlet, a country, a
    # story), which is refused with 400 and the closest valid choices, as the CLI refuses it.
    case.call_and_validate(excluded_checks=[negative_data_rejection, positive_data_acceptance],
                           additional_checks=[accepted_unless_unknown])


def accepted_unless_unknown(ctx, response, case):
    if response.status_code == 400 and str(response.json()["detail"]).startswith("unknown "):
        return True
    return positive_data_acceptance(ctx, response, case)


WRITER = """
import sys, time
from redline.store import Store
with Store(sys.argv[1], wait_seconds=10) as store:
    store.con.execute("UPDATE articles SET title = 'Changed while served' WHERE id = 'bsg-2022-07-22-meridian'")
    print("open", flush=True)
    time.sleep(float(sys.argv[2]))  # a writer that takes no turns (not an ingest)
"""


@pytest.mark.parametrize("holds, busy_wait, status", [(1.5, 10.0, 200), (3.0, 0.5, 503)])
def test_a_writer_gets_the_file_while_the_app_serves(example_db, tmp_path, holds, busy_wait, status):
    """The app lets go of its read connection when a writer process asks; requests then wait
    for their turn, and answer 503 with Retry-After only after `busy_wait_seconds`."""
    import subprocess

    db = tmp_path / "copy.duckdb"
    shutil.copy(example_db, db)
    client = TestClient(create_app(db, Settings(db=str(db), busy_wait_seconds=busy_wait)))
    assert client.get("/api/articles").status_code == 200  # the app now holds the file
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(holds)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "open"  # it got the file although the app had it
        waited = client.get("/api/articles/bsg-2022-07-22-meridian")
        assert waited.status_code == status
        if status == 503:
            assert waited.headers["retry-after"]
        else:
            assert waited.json()["title"] == "Changed while served"  # served right after the writer
    finally:
        assert writer.wait(20) == 0


@pytest.mark.parametrize("server", ["example_db"], indirect=True)
def test_no_file_outside_static_over_the_wire(server):
    """Paths sent as-is (httpx and TestClient would tidy the dots away) never reach another file."""
    import http.client
    from urllib.parse import urlsplit

    where = urlsplit(server)
    for path in ["/static/../__init__.py", "/static/%2e%2e/__init__.py", "/static/..%2f..%2fmodel.py",
                 "/static/%2e%2e%2f%2e%2e%2fconfig.py", "/static//etc/passwd", "/static/....//....//etc/passwd",
                 "/vendor/../../pyproject.toml", "/articles/..%2f..%2f..%2fetc%2fpasswd", "/static/%00app.js",
                 "/static/..\\..\\model.py"]:
        conn = http.client.HTTPConnection(where.hostname, where.port, timeout=10)
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        conn.close()
        assert response.status in (400, 404), (path, response.status)
        assert b"import " not in body and b"root:" not in body, path


def test_an_upload_a_stage_fails_on_answers_422_and_is_listed(example_db, tmp_path):
    """spaCy's tokenizer refuses a text over 1,000,000 characters (let through by a higher
    max_article_chars): 422 with the stage and the reason; the failure is kept and shown."""
    db = tmp_path / "copy.duckdb"
    shutil.copy(example_db, db)
    settings = Settings(db=str(db), api_token=TOKEN, max_request_bytes=3_000_000, max_article_chars=2_000_000)
    client = TestClient(create_app(db, settings))
    huge = {"id": "huge", "text": "Turkey and Greece met in Athens on Monday, officials said.\n\n" * 18_000}
    response = client.post("/api/articles", json=huge, headers={"X-Redline-Token": TOKEN})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("tokenizer: ValueError: [E088] Text of length")
    (failure,) = client.get("/api/failures").json()["items"]
    assert (failure["article_id"], failure["stage"]) == ("huge", "tokenizer") and "source_path" not in failure
    home = client.get("/").text
    assert "Articles that failed" in home and "<code>huge</code>" in home
    assert client.get("/api/articles/huge").status_code == 404
    assert client.get("/api/articles").json()["total"] == 16  # nothing else changed


def test_uploads_with_cut_emoji_are_stored_and_a_422_names_no_server_path(writable, tmp_path):
    import subprocess

    client, db = writable
    # "\ud83d" is valid JSON, half an emoji: replaced, as in files (before: a 500 from the id's hash)
    body = b'{"text": "Turkey condemned Russia \\ud83d on Monday, officials said."}'
    response = client.post("/api/articles", content=body, headers={"X-Redline-Token": TOKEN, "content-type": "application/json"})
    assert response.status_code == 201
    stored = client.get(f"/api/articles/{response.json()['id']}").json()
    assert "Russia \ufffd on Monday" in stored["text"]
    # An id a file on the server holds with other content is refused without naming the file.
    source = tmp_path / "server-side" / "wire.jsonl"
    source.parent.mkdir()
    source.write_text(json.dumps({"id": "taken", "text": "Egypt hosted talks in Cairo on Monday, officials said."}) + "\n")
    ingest = [sys.executable, "-m", "redline", "ingest", str(source), "--db", str(db), "--no-stories", "--quiet"]
    assert subprocess.run(ingest, timeout=600).returncode == 0  # another process, as the app serves
    clash = client.post("/api/articles", json={"id": "taken", "text": "Other words entirely, officials said."},
                        headers={"X-Redline-Token": TOKEN})
    assert clash.status_code == 422 and "already stored with other content" in clash.json()["detail"]
    assert str(tmp_path) not in clash.text and "server-side" not in clash.text


def test_ids_with_a_slash_or_a_question_mark_are_reachable(example_db, tmp_path, run_cli):
    db = tmp_path / "ids.duckdb"
    shutil.copy(example_db, db)
    ids = ["wire/2023/07/19/grain", "wire?page=2#top"]
    records = tmp_path / "ids.jsonl"
    records.write_text("".join(json.dumps({"id": i, "published": "2030-01-01", "title": f"Title {n}",
                                           "text": "Turkey condemned Russia on Monday, officials said."}) + "\n"
                               for n, i in enumerate(ids)))
    assert run_cli("ingest", records, "--db", db).exit_code == 0
    client = TestClient(create_app(db, Settings(db=str(db))))
    home = client.get("/").text
    for article_id, href in zip(ids, ["/articles/wire/2023/07/19/grain", "/articles/wire%3Fpage%3D2%23top"]):
        assert f'href="{href}"' in home  # the newest articles, linked with their ids quoted
        assert client.get(href).status_code == 200
        assert client.get("/api" + href).json()["id"] == article_id


def test_search_total_counts_every_page(client):
    first = client.get("/api/search", params={"q": "grain Russia", "limit": 7}).json()
    found, offset = [], 0
    while page := client.get("/api/search", params={"q": "grain Russia", "limit": 7, "offset": offset}).json()["items"]:
        found += page
        offset += 7
    assert first["total"] == len(found) > 7  # before: items on this page plus the offset
    assert len({h["doc_id"] for h in found}) == len(found)


def test_errors_carry_the_security_headers_even_a_500(example_db, tmp_path):
    """A damaged database file makes routes fail inside the app: the 500 is JSON under /api and
    an HTML page elsewhere, with the headers either way."""
    db = tmp_path / "damaged.duckdb"
    db.write_bytes(example_db.read_bytes()[: example_db.stat().st_size // 2])
    client = TestClient(create_app(db, Settings(db=str(db))), raise_server_exceptions=False)
    statuses = set()
    for url in ["/", "/api/articles", "/api/stories", "/api/search?q=grain", "/search?q=grain", "/api/failures",
                "/nowhere", "/api/dyads/RUS/UKR"]:
        response = client.get(url)
        statuses.add(response.status_code)
        assert response.status_code in (200, 404, 500), url
        assert response.headers["x-content-type-options"] == "nosniff" and "frame-ancestors 'none'" in \
            response.headers["content-security-policy"], url
        if response.status_code != 200 and url.startswith("/api/"):
            assert response.headers["content-type"] == "application/json" and "detail" in response.json(), url
        elif response.status_code != 200:
            assert response.headers["content-type"].startswith("text/html"), url
            assert '<p class="error-detail">' in response.text and '<nav aria-label="Main">' in response.text, url
    assert 500 in statuses and 404 in statuses


def _raw_post(base: str, headers: dict, body_chunks) -> tuple[int, dict]:
    """POST over a plain socket, the body sent in chunks until the server answers or closes:
    (status, JSON body)."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as s:
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        s.sendall(f"POST /api/articles HTTP/1.1\r\nHost: {host}\r\n{head}\r\n".encode())
        try:
            for chunk in body_chunks:
                s.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before the body ended
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer.split(b"\r\n\r\n", 1)[1]) < int(
                dict(line.split(": ", 1) for line in answer.split(b"\r\n\r\n")[0].decode().split("\r\n")[1:])
                .get("content-length", "0")):
            data = s.recv(65536)
            if not data:
                break
            answer += data
    status = int(answer.split(b" ", 2)[1])
    return status, json.loads(answer.split(b"\r\n\r\n", 1)[1] or b"null")


def test_body_limits_hold_for_chunked_bodies_before_the_token_is_checked(example_db, tmp_path):
    from bench.loadclient import serving

    db = tmp_path / "limits.duckdb"
    shutil.copy(example_db, db)
    config = tmp_path / "redline.yaml"
    config.write_text(f"api_token: {TOKEN}\nmax_request_bytes: 100000\n")
    record = json.dumps({"text": "word " * 100_000}).encode()  # 500 KB
    chunked = (b"%x\r\n%s\r\n" % (len(record[i:i + 16384]), record[i:i + 16384]) for i in range(0, len(record), 16384))
    with serving(db, "--workers", "1", "--config", str(config)) as base:
        # chunked, no Content-Length, no token: refused for its size, not parsed whole for a 401
        status, body = _raw_post(base, {"Transfer-Encoding": "chunked", "Content-Type": "application/json"},
                                 [*chunked, b"0\r\n\r\n"])
        assert (status, body) == (413, {"detail": "request body over 100000 bytes"})
        status, _ = _raw_post(base, {"Content-Length": str(len(record)), "Content-Type": "application/json"}, [record])
        assert status == 413
        small = json.dumps({"text": "Turkey condemned Russia on Monday."}).encode()
        status, _ = _raw_post(base, {"Content-Length": str(len(small)), "Content-Type": "application/json"}, [small])
        assert status == 401  # within the limit: then the token


def test_reads_are_answered_while_an_upload_is_parsed(example_db, tmp_path):
    """`redline serve --workers 1`: the upload is parsed with no hold on the file; before, every
    read waited for the whole parse (and got its 503 only after busy_wait_seconds)."""
    import httpx

    from bench.loadclient import serving

    db = tmp_path / "busy.duckdb"
    shutil.copy(example_db, db)
    config = tmp_path / "redline.yaml"
    config.write_text(f"api_token: {TOKEN}\n")
    text = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples" / "corpus" / "txt").glob("*.txt")))
    upload = {"id": "long", "text": text * 3}  # a parse of seconds
    with serving(db, "--workers", "1", "--config", str(config)) as base:
        result = {}
        post = threading.Thread(target=lambda: result.update(response=httpx.post(
            f"{base}/api/articles", json=upload, headers={"X-Redline-Token": TOKEN}, timeout=600)))
        post.start()
        during, statuses = 0, []
        while post.is_alive():
            response = httpx.get(f"{base}/api/articles", params={"limit": 1}, timeout=60)
            statuses.append(response.status_code)
            during += post.is_alive()  # answered while the upload was still being parsed or written
        post.join()
    assert result["response"].status_code == 201
    assert set(statuses) == {200} and during >= 3, statuses


def test_an_upload_is_cleaned_with_what_its_outlet_repeats(writable):
    """A line that three stored articles of the outlet carry is furniture in an upload too."""
    client, _ = writable
    record = {"id": "harbour-upload", "outlet": "Harbour Courier", "published": "2023-07-21",
              "text": "Ships left Odesa on Friday, port officials said.\n\nIndependent news from the Black Sea coast since 1998"}
    assert client.post("/api/articles", json=record, headers={"X-Redline-Token": TOKEN}).status_code == 201
    stored = client.get("/api/articles/harbour-upload").json()
    assert stored["text"] == "Ships left Odesa on Friday, port officials said."
    assert [(r["text"], r["reason"]) for r in stored["removed"]] == [
        ("Independent news from the Black Sea coast since 1998", "outlet-repeated")]
