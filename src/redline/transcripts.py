"""`redline_transcripts`: a transcript's turns become statements of their speakers.

Briefings, gaggles, press calls and interviews are published as speaker-labelled turns
("MR. KIRBY:  Thank you.", "Q    Good to see you."). In such a text each labelled turn is a
quote of kind `statement` whose speaker is the label resolved to an actor (the person the text
or the dictionary names with that surname; "THE PRESIDENT" the holder of the office in the
speakers' country on the day), each "Q" turn a quote of kind `question` with no speaker (the
reporters are not named), kept as the context of the answer after it. An event told in a turn
is the speaker's account: what the speaker's own side did stays `asserted`, what others did
becomes `alleged`, attributed to the speaker (the gold guidelines' convention for briefings).

A text is a transcript when `min_turns` paragraphs open with a label (lang/en/transcripts.yaml);
news articles that quote one line of an exchange do not reach it.

    nlp.add_pipe("redline_transcripts")   # after "redline_events"
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import Counter

from spacy.language import Language
from spacy.tokens import Doc

from redline.actors.dictionary import ActorDictionary
from redline.words import fold
from redline.model import Actor, ActorId, Quote
from redline.turns import TURNS_KEY, Turn, doc_turns, label_name



class Speakers:
    """Labels resolved to actors, for one document."""

    def __init__(self, dictionary: ActorDictionary, mentions: list, published: dt.date | None):
        self.d = dictionary
        self.published = published
        # People the text names in full ("Mr. John Kirby"); the labels themselves ("KIRBY") are
        # not mentions of anyone yet.
        self.people = Counter(m.actor for m in mentions if m.actor.kind == "person" and len(m.actor.name.split()) > 1)

    def by_surname(self, surname: str) -> Actor | None:
        key = fold(surname)
        named = [(n, a) for a, n in self.people.items() if fold(a.name.split()[-1]) == key or fold(a.name) == key]
        if named:
            return max(named, key=lambda x: x[0])[1]
        people = self.d.people_by_surname(surname)
        if len(people) == 1:
            return self.d.person_actor(people[0], self.published)
        return None

    def by_role(self, role: str, countries: Counter) -> Actor | None:
        """"THE PRESIDENT": the holder of that office, on the day, in the country of the other
        speakers (a briefing's hosts); else the person the text most often names with that role."""
        rank = self.d.rank_of(role.casefold())
        if rank and countries:
            person = self.d.holder(countries.most_common(1)[0][0], rank, self.published)
            if person is not None:
                return self.d.person_actor(person, self.published)
        holders = [(n, a) for a, n in self.people.items() if a.role and fold(a.role) == fold(role)]
        return max(holders, key=lambda x: x[0])[1] if holders else None

    def resolve(self, labels: list[str]) -> dict[str, Actor | None]:
        out: dict[str, Actor | None] = {}
        roles = []
        for label in dict.fromkeys(labels):
            name, role = label_name(label)
            if name is None:
                roles.append((label, role))
                continue
            out[label] = self.by_surname(name) or Actor(ActorId.person(name), name, "person", role=role)
        countries = Counter(a.country for a in out.values() if a is not None and a.country)
        for label, role in roles:
            out[label] = self.by_role(role, countries) if role else None
        return out


class TranscriptReader:
    def __init__(self, dictionary: ActorDictionary):
        self.d = dictionary

    def __call__(self, doc: Doc) -> Doc:
        turns = doc_turns(doc)
        doc.user_data.pop(TURNS_KEY, None)  # found for the paragraph component and this one only
        if not turns:
            return doc
        speakers = Speakers(self.d, doc._.actor_mentions or [], doc._.published).resolve(
            [t.label for t in turns if t.label])
        statements = []
        for turn in turns:
            speaker = speakers.get(turn.label) if turn.label else None
            text = doc.text[turn.text_start:turn.end]
            first = doc.char_span(turn.text_start, turn.end, alignment_mode="expand")
            sentence = next(iter(first.sents)).text if first is not None and len(first) else text
            statements.append(Quote(turn.text_start, turn.end, text, "statement" if turn.label else "question",
                                    speaker, turn.label or "Q", sentence, speaker_start=turn.start))
        doc._.quotes = sorted((doc._.quotes or []) + statements, key=lambda q: (q.start, -q.end))
        self._attribute_events(doc, turns, speakers)
        return doc

    @staticmethod
    def _attribute_events(doc: Doc, turns: list[Turn], speakers: dict[str, Actor | None]) -> None:
        """What others did, told in a turn, is the speaker's claim; what the speaker's side did is theirs."""
        starts = [t.start for t in turns]
        for event in doc._.events or []:
            n = bisect_right(starts, event.start) - 1
            if n < 0 or event.start >= turns[n].end or event.attributed_to is not None or event.modality != "asserted":
                continue
            speaker = speakers.get(turns[n].label) if turns[n].label else None
            # An event with no source ("we condemn ...", the coder left it open) stays the speaker's own.
            if speaker is None or not event.source:
                continue
            if not (speaker.country and any(a.country == speaker.country for a in event.source)):
                event.modality, event.attributed_to = "alleged", speaker


@Language.factory("redline_transcripts", default_config={"dictionary": {"@misc": "redline.actor_dictionary.v1", "files": []}})
def make_transcript_reader(nlp: Language, name: str, dictionary: ActorDictionary) -> TranscriptReader:
    return TranscriptReader(dictionary)
