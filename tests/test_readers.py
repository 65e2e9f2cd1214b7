"""Reading input files: formats, ids, and every kind of bad file."""

import gzip
from pathlib import Path

import pytest

from redline.config import Settings
from redline.errors import InputError
from redline.ingest.readers import RawArticle, article_id_for, discover, read_file

SETTINGS = Settings()
TEXT = "Officials met in Geneva on Monday to discuss the ceasefire, a spokesperson said.\n"


def one(path: Path, settings: Settings = SETTINGS):
    items = list(read_file(path, settings))
    assert len(items) == 1
    return items[0]


@pytest.mark.parametrize("name, expected", [
    ("ab12.html.gz", "ab12"), ("ab12.txt", "ab12"), ("a.b.c.htm", "a.b.c"), ("x.jsonl", "x"), ("v1.2.TXT", "v1.2"),
])
def test_article_id_is_file_name_without_extensions(name, expected):
    assert article_id_for(Path(name)) == expected


def test_discover_walks_folders_and_skips_other_files(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ("a.txt", "sub/b.html", "sub/c.html.gz", "d.jsonl", "notes.md", "manifest.csv", ".hidden.txt"):
        (tmp_path / name).write_text("x")
    files, errors = discover([tmp_path, tmp_path / "missing.txt", tmp_path / "notes.md"])
    assert sorted(f.name for f in files) == ["a.txt", "b.html", "c.html.gz", "d.jsonl"]
    assert [e.problem for e in errors] == [
        "no such file or folder",
        "unsupported file type (expected .txt, .html, .htm, .jsonl, optionally .gz)",
    ]


def test_plain_text_and_utf16(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(TEXT.encode("utf-16"))
    assert one(tmp_path / "a.txt").content == TEXT
    assert one(tmp_path / "b.txt").content == TEXT


@pytest.mark.parametrize("data, text, note", [
    ("Caf\xe9 talks in M\xfcnchen ended.".encode("latin-1"), "Caf\xe9 talks in M\xfcnchen ended.", "read as cp1252"),
    ("Переговоры в Женеве завершились во вторник.".encode("cp1251"), "Переговоры в Женеве завершились во вторник.",
     "read as cp1251"),
    ("Gen\xe8ve ".encode("latin-1") + "and “Zürich”".encode("utf-8"), "Gen\xe8ve and “Zürich”", "1 byte(s) that are not UTF-8"),
    (TEXT.encode("utf-16-le"), TEXT, "no byte-order mark"),
    (TEXT.encode("utf-8"), TEXT, None),
])
def test_encodings_other_than_utf8_are_read_and_noted(tmp_path, data, text, note):
    (tmp_path / "a.txt").write_bytes(data)
    item = one(tmp_path / "a.txt")
    assert item.content == text
    assert (note is None and item.note is None) or note in item.note


def test_gzipped_html(tmp_path):
    (tmp_path / "p.html.gz").write_bytes(gzip.compress(b"<html><body><p>Hi</p></body></html>"))
    item = one(tmp_path / "p.html.gz")
    assert isinstance(item, RawArticle) and item.is_html and item.id == "p"


@pytest.mark.parametrize("name, data, problem", [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b"  \n\t\n", "empty file"),
    ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file, not text (NUL bytes)"),
    ("trunc.html.gz", gzip.compress(b"<html>" + b"x" * 5000)[:40], "truncated gzip file"),
    ("junk.html.gz", b"this is not gzip at all", "corrupt gzip data"),
])
def test_bad_files_give_one_line_errors_naming_the_file(tmp_path, name, data, problem):
    (tmp_path / name).write_bytes(data)
    item = one(tmp_path / name)
    assert isinstance(item, InputError)
    assert problem in item.problem
    assert str(item).startswith(str(tmp_path / name)) and "\n" not in str(item)


def test_size_limits_refuse_large_files_and_gzip_bombs(tmp_path):
    (tmp_path / "bomb.html.gz").write_bytes(gzip.compress(b"<p>" + b"a" * 5_000_000))
    (tmp_path / "big.txt").write_text("word " * 3000)
    small = Settings(max_file_bytes=10_000, max_decompressed_bytes=1_000_000)
    assert "decompresses to more than 1,000,000 bytes" in one(tmp_path / "bomb.html.gz", small).problem
    assert "over the limit of 10,000" in one(tmp_path / "big.txt", small).problem


def test_jsonl_bad_lines_are_errors_and_good_lines_are_read(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text(
        '{"id": "a1", "outlet": "Wire", "published": "2023-01-02", "text": "Body one."}\n'
        '{"id": "a2", "text": \n'
        '["not", "an", "object"]\n'
        '{"text": "no id here"}\n'
        '{"id": "a5", "colour": "red", "text": "x"}\n'
        '{"id": "a6", "title": "only a title"}\n'
        '\n'
        '{"id": "a8", "html": "<p>Body eight.</p>"}\n'
    )
    items = list(read_file(path, SETTINGS))
    good = [i for i in items if isinstance(i, RawArticle)]
    bad = [i for i in items if isinstance(i, InputError)]
    assert [g.id for g in good] == ["a1", "a8"]
    assert good[0].meta == {"outlet": "Wire", "published": "2023-01-02"} and good[1].is_html
    assert [(b.line, b.problem.split(" (")[0]) for b in bad] == [
        (2, "invalid JSON"),
        (3, "a line must hold a JSON object"),
        (4, "missing or empty `id`"),
        (5, "unknown field(s) colour"),
        (6, "article a6: no `text` or `html`"),
    ]
    assert str(bad[0]).startswith(f"{path}:2: ")


def test_lone_surrogates_are_replaced_and_noted(tmp_path):
    # "\ud83d" alone is valid JSON (half an emoji); the tokenizer and DuckDB refuse it.
    path = tmp_path / "cut.jsonl"
    path.write_text('{"id": "cut\\ud83d", "title": "\\udc00", "text": "Talks \\ud83d ended. \\ud83d\\ude00"}\n', encoding="utf-8")
    article = one(path)
    assert (article.id, article.meta["title"], article.content) == ("cut\ufffd", "\ufffd", "Talks \ufffd ended. \U0001f600")
    assert article.note.startswith("3 lone UTF-16 surrogate(s)")
    utf16 = tmp_path / "cut.txt"
    utf16.write_bytes("Talks ended.".encode("utf-16") + b"\x3d\xd8")  # a high surrogate, its pair cut off
    article = one(utf16)
    assert article.content == "Talks ended.\ufffd" and "1 lone UTF-16 surrogate" in article.note
