"""The domain types' own rules: the actor id grammar and what counts as a state."""

from __future__ import annotations

from redline.model import ActorId, is_state


def test_actor_ids_are_made_in_one_grammar():
    assert ActorId.state("RUS") == "state:RUS"
    assert ActorId.state("RUS", "GOV") == "state:RUS:GOV"
    assert ActorId.person("Sergei  Lavrov") == "person:sergei-lavrov"
    assert ActorId.body("United Nations") == "org:united-nations"
    assert ActorId.organisation("the Kremlin", "RUS") == "org:RUS:the-kremlin"
    assert ActorId.organisation("Wagner Group", None) == "org:-:wagner-group"
    assert ActorId.group("RUS", "MIL", "troops") == "group:RUS:MIL:troops"
    assert ActorId.ethnic_group(None, "Kurds") == "group:unplaced:CVL:ethnic-kurds"
    assert ActorId.anonymous("USA", "GOV", "State Department spokesman") == "anon:USA:GOV:state-department-spokesman"
    assert ActorId.unidentified("IRQ") == "unidentified:IRQ"


def test_actor_ids_read_back():
    for made in (ActorId.state("RUS", "GOV"), ActorId.person("Putin"), ActorId.group("RUS", "MIL", "troops")):
        assert str(ActorId.parse(made)) == made
    assert ActorId.parse("state:RUS:GOV") == ActorId("state", ("RUS", "GOV"))
    assert ActorId.parse(ActorId.anonymous("USA", "GOV", "official")).is_anonymous
    assert not ActorId.parse(ActorId.person("Anon Ymous")).is_anonymous
    assert ActorId.parse(ActorId.body("NATO")).is_dictionary_body
    seat = ActorId.parse(ActorId.organisation("the Kremlin", "RUS"))
    assert seat.is_organisation and not seat.is_dictionary_body


def test_a_state_is_a_three_letter_code():
    assert is_state("RUS") and is_state("USA")
    assert not is_state("UN") and not is_state("NATO") and not is_state("EU")
    assert not is_state(None) and not is_state("")
