"""The plain-text furniture rules, on texts written for these tests."""

from redline.clean import clean_text

ARTICLE = """Politics

Ministers agree to meet again in Vienna next month

VIENNA (Northwind) - Foreign ministers from the two countries met on Tuesday for the first time in a year and agreed to hold further talks.
Northwind
"We have opened a door, but we have not walked through it," one of the ministers told reporters after the meeting.
Opinion
Why the talks in Vienna matter less than they seem
The ministers did not discuss the disputed border, officials said.
Background to the talks
The two governments broke off relations in 2021 after a series of incidents at sea.
ANNA BERG AND TOMAS LIND
Anna Berg and Tomas Lind
Observers said the meeting was a cautious first step.
See also: Five things to know about the border dispute
Reporting by Jan Novak; Editing by Mary Stone
Ministers agree to meet again in Vienna next month
Leave a Reply
Your email address will not be published. Required fields are marked *
Notice: Undefined index: sidebar in /var/www/html/wp-content/themes/news/footer.php on line 12
Most Read
"""


def reasons(result):
    return {r.text: r.reason for r in result.removed}


def test_every_sentence_and_subheading_is_kept():
    result = clean_text(ARTICLE, outlet="Northwind")
    for kept in (
        "Ministers agree to meet again in Vienna next month",
        "VIENNA (Northwind) - Foreign ministers from the two countries met on Tuesday",
        "one of the ministers told reporters after the meeting.",
        "The ministers did not discuss the disputed border, officials said.",
        "Background to the talks",  # a subheading: followed by a paragraph
        "ANNA BERG AND TOMAS LIND",  # all capitals: a subheading, not a caption
        "Observers said the meeting was a cautious first step.",
    ):
        assert kept in result.text


def test_furniture_is_removed_with_its_reason():
    got = reasons(clean_text(ARTICLE, outlet="Northwind"))
    assert got["Politics"] == "section-label"
    assert got["Northwind"] == "outlet-name"
    assert got["Opinion"] == "section-label"
    assert got["Why the talks in Vienna matter less than they seem"] == "related-teaser"
    assert got["Anna Berg and Tomas Lind"] == "caption-names"
    assert got["See also: Five things to know about the border dispute"] == "related-link"
    assert got["Reporting by Jan Novak; Editing by Mary Stone"] == "wire-credit"
    assert got["Leave a Reply"] == "comment-box"
    assert got["Your email address will not be published. Required fields are marked *"] == "comment-box"
    assert got["Notice: Undefined index: sidebar in /var/www/html/wp-content/themes/news/footer.php on line 12"] == "server-error"
    assert got["Most Read"] == "navigation"


def test_headline_is_title_and_its_repeat_at_the_foot_is_removed():
    result = clean_text(ARTICLE)
    assert result.title == "Ministers agree to meet again in Vienna next month"
    assert result.text.count("Ministers agree to meet again in Vienna next month") == 1
    assert any(r.reason == "repeated-title" for r in result.removed)


def test_dateline_source_counts_as_outlet_name_without_metadata():
    assert reasons(clean_text(ARTICLE))["Northwind"] == "outlet-name"


def test_removed_lines_keep_their_input_order_and_position():
    result = clean_text(ARTICLE)
    lines = ARTICLE.split("\n")
    assert [r.seq for r in result.removed] == sorted(r.seq for r in result.removed)
    for r in result.removed:
        assert lines[r.seq].strip() == r.text


def test_hard_wrapped_paragraph_is_joined():
    raw = "Talks resumed on Monday after the two delegations\nagreed on an agenda for the week.\n"
    assert clean_text(raw).text == "Talks resumed on Monday after the two delegations agreed on an agenda for the week."


def test_short_headline_above_first_paragraph_stays():
    raw = "Talks Resume Today\n\nThe delegations returned to the table on Monday after a week of silence.\n"
    result = clean_text(raw)
    assert result.text.startswith("Talks Resume Today")
    assert result.removed == []


def test_outlet_repeated_lines_are_removed_only_when_given():
    raw = "A slogan of the outlet\n\nThe ceasefire held through the night, the monitors said in their report.\n"
    assert "A slogan of the outlet" in clean_text(raw).text
    result = clean_text(raw, outlet_repeated={"a slogan of the outlet"})
    assert "A slogan of the outlet" not in result.text
    assert result.removed[0].reason == "outlet-repeated"


def test_shape_rules_can_be_switched_off_for_extracted_html():
    raw = "World\n\nBig Headline Here Today Now\n\nA sentence that is long enough to count as prose here.\nDiscuss this\n"
    assert "World" in clean_text(raw, shape_rules=False).text
    assert "World" not in clean_text(raw).text


def test_cleaning_is_idempotent():
    once = clean_text(ARTICLE, outlet="Northwind").text
    twice = clean_text(once, outlet="Northwind").text
    assert twice == once


def test_bullets_are_dropped_but_their_text_kept():
    raw = "Key points\n\n• The talks resumed on Monday\n• Both sides agreed to meet again\n\nThe talks resumed on Monday in Vienna, officials said.\n"
    text = clean_text(raw).text
    assert "•" not in text and "Both sides agreed to meet again" in text


def test_user_furniture_file_adds_reasons(tmp_path):
    from redline.clean import load_furniture_rules

    extra = tmp_path / "mine.yaml"
    extra.write_text("reasons:\n  donation-ask:\n    - 'support (our|independent) journalism.*'\n")
    raw = "Support independent journalism today\n\nThe envoy arrived in Doha on Sunday, officials said.\n"
    assert "Support independent" in clean_text(raw, shape_rules=False).text
    result = clean_text(raw, rules=load_furniture_rules([extra]), shape_rules=False)
    assert [(r.text, r.reason) for r in result.removed] == [("Support independent journalism today", "donation-ask")]


def test_a_very_short_article_is_kept_whole():
    # No line is long enough to look like prose: before, every line went as trailing furniture.
    c = clean_text("Russia attacked Ukraine.\n\n\n\nChina met Iran.\n\nShare this")
    assert c.text == "Russia attacked Ukraine.\n\nChina met Iran."
    assert [r.reason for r in c.removed] == ["share-prompt"]
