"""Write a corpus of hostile and broken input files, with what Redline must do with each.

    python tests/data/bad/make_bad_inputs.py [FOLDER] [--big]

Each file gets either a one-line error naming it (`error`: a piece of the expected problem)
or is stored (`stored`: a piece of the text it must hold, and of the note it must get).
`--big` adds the 50 MB article. The texts are written for Redline; none is copied.
The files are generated, not committed: the folder `files/` beside this script is ignored by git.
"""

from __future__ import annotations

import gzip
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).parent

STORY = (
    "Foreign ministers from Brazil and South Africa met in Geneva on Tuesday to discuss grain "
    "shipments across the Black Sea, a spokesperson for the Brazilian delegation said.\n\n"
    "The two ministers agreed to meet again next month, the spokesperson added.\n"
)
FRENCH = (
    "Les ministres des affaires étrangères se sont réunis mardi à Genève pour discuter des "
    "livraisons de céréales, a déclaré un porte-parole de la délégation.\n"
)
RUSSIAN = (
    "Министры иностранных дел встретились во вторник в Женеве, чтобы обсудить поставки зерна, "
    "сообщил представитель делегации. Переговоры продолжатся в следующем месяце.\n"
)
ARABIC = "التقى وزراء الخارجية في جنيف يوم الثلاثاء لمناقشة شحنات الحبوب، وفق ما قاله متحدث باسم الوفد.\n"


@dataclass
class BadInput:
    name: str
    error: str | None = None   # a piece of the one-line error the file must get
    stored: str | None = None  # a piece of the text the stored article must hold
    note: str | None = None    # a piece of the note the run must print for it
    language: str | None = None  # the language it must be stored with, when not English


def page(body: str, head: str = "<title>Grain talks</title>") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


def paragraphs(text: str) -> str:
    return "".join(f"<p>{p}</p>" for p in text.split("\n\n"))


def cases(big: bool = False) -> list[tuple[BadInput, bytes]]:
    """(what must happen, the file's bytes) for each hostile input."""
    utf8 = STORY.encode("utf-8")
    western = STORY.replace("Geneva", "Genève").replace("spokesperson", "porte-parole (spokesperson)")
    found = [
        (BadInput("empty.txt", error="empty file"), b""),
        (BadInput("whitespace-only.txt", error="empty file"), b" \n\t\r\n   \n"),
        (BadInput("picture-named-txt.txt", error="binary file, not text"),
         b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8),
        (BadInput("latin-1.txt", stored="met in Genève on Tuesday", note="read as cp1252"), western.encode("latin-1")),
        (BadInput("mixed-encodings.txt", stored="Genève", note="mixed encodings"),
         western.encode("utf-8").replace("Genève".encode(), "Genève".encode("latin-1"))
         + "The ministers’ aides — both of them — stayed on.\n".encode("utf-8")),
        (BadInput("utf-16-bom.txt", stored="met in Geneva on Tuesday"), STORY.encode("utf-16")),
        (BadInput("utf-16-no-bom.txt", stored="met in Geneva on Tuesday", note="read as UTF-16"), STORY.encode("utf-16-le")),
        (BadInput("utf-16-be-no-bom.txt", stored="met in Geneva on Tuesday", note="read as UTF-16"), STORY.encode("utf-16-be")),
        (BadInput("windows-1251-russian.txt", stored="Министры", note="read as cp1251", language="ru"),
         RUSSIAN.encode("cp1251")),
        (BadInput("french.txt", stored="Genève", language="fr"), FRENCH.encode()),
        (BadInput("arabic-right-to-left.txt", stored="جنيف", language="ar"), ARABIC.encode()),
        (BadInput("english-with-rtl-names.txt", stored="the envoy Mohammed bin Abdulrahman"),
         ("Qatar's foreign minister, \u202bمحمد بن عبدالرحمن\u202c, met the envoy Mohammed bin Abdulrahman "
          "\u200fin Doha on Sunday, officials said.\n").encode()),
        (BadInput("control-and-zero-width.txt", stored="Brazil and South Africa met in Geneva"),
         STORY.replace("Brazil", "Bra\u200bzil").replace("Africa", "Af\u00adrica").replace("met", "\x07met")
         .replace("Geneva", "Gen\ufeffeva\x1b").encode()),
        (BadInput("nul-in-text.txt", stored="Brazil and South Africa"),
         # A stray NUL deep in a long text: neither binary nor UTF-16.
         (STORY * 200).encode()[:20000] + b"\x00" + utf8),
        (BadInput("one-giant-line.txt", error="over the limit of 300,000 (max_article_chars)"),
         (STORY.replace("\n", " ") * 3000).encode()),
        (BadInput("one-giant-word.txt", error="over the limit of 300,000 (max_article_chars)"), b"A" * 2_000_000),
        (BadInput("long-but-allowed.txt", stored="grain shipments"), (STORY * 200).encode()),
        (BadInput("deeply-nested.html", error="no article text found"),
         page("<div>" * 50_000 + paragraphs(STORY) + "</div>" * 50_000).encode()),
        (BadInput("truncated.html", stored="met in Geneva on Tuesday"),
         page(paragraphs(STORY)).encode()[:-40]),
        (BadInput("scripts-only.html", error="no article text found"),
         page("<script>document.write('x')</script><style>p{}</style>",
              "<script src='a.js'></script>").encode()),
        (BadInput("not-really-html.html", error="no article text found"), b"<<<>>><</>/<>\x01\x02<!--"),
        (BadInput("gzip-bomb.html.gz", error="decompresses to more than"),
         gzip.compress(b"<p>" + b"A" * 120_000_000, compresslevel=9)),
        (BadInput("cut-short.html.gz", error="truncated gzip file"), gzip.compress(page(paragraphs(STORY)).encode())[:50]),
        (BadInput("not-gzip.html.gz", error="corrupt gzip data"), b"plain text with a .gz name"),
        (BadInput("records.jsonl", stored="met in Geneva"), "\n".join([
            json.dumps({"id": "bad-jsonl-good", "text": STORY, "outlet": "Wire"}),
            "{this is not json",
            json.dumps(["a list, not an object"]),
            json.dumps({"id": "", "text": STORY}),
            json.dumps({"id": "no-body"}),
            json.dumps({"id": "bad-date", "text": STORY, "published": "next Tuesday"}),
            json.dumps({"id": "extra", "text": STORY, "colour": "red"}),
            '{"id": "cut-off", "text": "The ministers',
        ]).encode()),
    ]
    if big:
        found.append((BadInput("fifty-megabytes.txt", error="over the limit of 300,000 (max_article_chars)"),
                      (STORY * (50_000_000 // len(utf8) + 1)).encode()[:50_000_000]))
    return found


# Problems the lines of records.jsonl must get, besides its one good record.
JSONL_ERRORS = [
    "records.jsonl:2: invalid JSON", "records.jsonl:3: a line must hold a JSON object",
    "records.jsonl:4: missing or empty `id`", "records.jsonl:5: article no-body: no `text` or `html`",
    "records.jsonl:6: published 'next Tuesday' is not an ISO date", "records.jsonl:7: unknown field(s) colour",
    "records.jsonl:8: invalid JSON",
]

# Manifests that cannot be used: (file name, content, a piece of the error, does it stop the run).
MANIFESTS = [
    ("manifest-extra-column.csv", "id,file,outlet,colour\na,latin-1.txt,Wire,red\n", "unknown manifest column(s) colour", True),
    ("manifest-more-values.csv", "id,file,outlet\na,latin-1.txt,Wire,extra\n", "more values than columns", True),
    ("manifest-no-header.csv", "", "empty manifest (no header row)", True),
    ("manifest-bad-rows.csv",
     "id,file,outlet,published\nm1,french.txt,Wire,31/12/2023\nm2,gone.txt,Wire,2023-01-01\n,,Wire,\n",
     "published '31/12/2023' is not an ISO date", False),
]


def write(folder: Path, big: bool = False) -> list[BadInput]:
    """Write the files into `folder` (and `expected.json`); return what must happen to each."""
    (folder / "corpus").mkdir(parents=True, exist_ok=True)
    expected = []
    for case, data in cases(big):
        (folder / "corpus" / case.name).write_bytes(data)
        expected.append(case)
    for name, text, _, _ in MANIFESTS:
        (folder / name).write_text(text.replace(",latin", ",corpus/latin").replace(",french", ",corpus/french"), encoding="utf-8")
    (folder / "expected.json").write_text(json.dumps([asdict(c) for c in expected], indent=1, ensure_ascii=False))
    return expected


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    target = Path(args[0]) if args else HERE / "files"
    made = write(target, big="--big" in sys.argv)
    print(f"{len(made)} inputs and {len(MANIFESTS)} manifests written to {target}")
