"""Articles without a title are shown by the first words of their text, never by a long id."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from redline.config import Settings
from redline.web import create_app

HASH = "9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a0c2e4f6a8b0d2f4e6a8c0e"
TEXT = ("Ministers from both countries said on Tuesday that the talks on the border crossings would resume next "
        "month in Vienna, after a pause of more than a year. Officials described the atmosphere as businesslike.")


def test_untitled_article_is_shown_by_its_first_words(run_cli, tmp_path, db):
    records = tmp_path / "untitled.jsonl"
    records.write_text(json.dumps({"id": HASH, "outlet": "Vienna Courier", "published": "2023-05-09", "text": TEXT}) + "\n",
                       encoding="utf-8")
    assert run_cli("ingest", records, "--db", db, "--quiet").exit_code == 0
    client = TestClient(create_app(db, Settings(db=str(db))))
    opening = "Ministers from both countries said on Tuesday that the talks on the…"  # 12 words
    home = client.get("/").text
    assert f">{opening}</a>" in home and f">{HASH}</a>" not in home
    article = client.get(f"/articles/{HASH}").text
    assert f"<h1>{opening}</h1>" in article
