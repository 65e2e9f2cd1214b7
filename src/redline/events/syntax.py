"""Reading the dependency parse: noun phrases, subjects, light verbs, the people of a meeting."""

from __future__ import annotations

from spacy.tokens import Token
from redline.lang import words as _language_words

WORDS = _language_words("events")


# Dependency labels that stay inside one noun phrase when collecting an argument's actors.
NP_LABELS = WORDS.set("np_labels")
# The words that say what an object is ("new sanctions", "joint military exercises"), not what
# stands beside it in apposition or coordination.
MODIFIER_LABELS = WORDS.set("modifier_labels")
# Verbs whose object noun is the event itself ("began its invasion", "stepped up attacks").
LIGHT_VERBS = WORDS.set("light_verbs")
# "Tens of thousands of students", "members of the group": the people are in the "of" phrase.
QUANTITY_HEADS = WORDS.set("quantity_heads")
MODALS_FUTURE = WORDS.set("modals_future")
PLACE_LABELS = {"GPE", "LOC", "FAC"}
# How deep one argument's actors are looked for through pronouns, quantities and "of" phrases.
MAX_REFERENCE_DEPTH = 8
THIRD_PERSON = WORDS.set("third_person")
# Nouns that frame a time inside a meeting: "at the end of the talks", "on the sidelines of".
MEETING_FRAMES = WORDS.set("meeting_frames")
MEETING_PREPS = WORDS.set("meeting_preps")


def is_light_verb(verb: Token) -> bool:
    # The tagger's lemma misses some forms ("staged" -> "stag"), so the word itself counts too.
    return verb.lemma_.lower() in LIGHT_VERBS or verb.lower_.removesuffix("d") in LIGHT_VERBS \
        or verb.lower_.removesuffix("s") in LIGHT_VERBS


def noun_phrase(token: Token, labels: set[str] = NP_LABELS) -> list[Token]:
    """The words of a noun phrase without its clauses and long attachments ("the port of Odesa",
    not "... with corn, the first cargo to leave under the agreement")."""
    out, stack = [], [token]
    while stack:
        t = stack.pop()
        out.append(t)
        for c in t.children:
            if c.dep_ in labels or (c.dep_ == "prep" and c.lower_ == "of" and t.i == token.i) or \
                    (c.dep_ == "pobj" and t.dep_ == "prep"):
                stack.append(c)
    return out


def meeting_participants(tok: Token) -> Token | None:
    """The subject of the clause a nominal meeting sits in, through framing nouns and
    non-finite verbs ("X and Y were filmed saying goodbyes at the end of two days of talks")."""
    node, verb = tok, None
    steps = range(len(tok.doc))  # each loop climbs the parse: never more steps than it has tokens
    for _ in steps:
        if not (node.dep_ == "pobj" and node.head.dep_ == "prep" and node.head.lower_ in MEETING_PREPS):
            break
        up = node.head.head
        if up.pos_ in ("VERB", "AUX"):
            verb = up
            break
        if up.lemma_.lower() not in MEETING_FRAMES:
            return None
        node = up
    for _ in steps:
        if verb is None:
            break
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subjects:
            return subjects[0]
        verb = verb.head if verb.dep_ in ("xcomp", "advcl", "conj") and verb.head.i != verb.i else None
    return None


def subject_of(tok: Token) -> Token | None:
    """The subject of a verb, or of the verb it shares one with ("agreed to cooperate")."""
    t, joined = tok, False
    for _ in range(6):
        subj = [c for c in t.children if c.dep_ in ("nsubj", "csubj")]
        if subj and subj[0].tag_ in ("WP", "WDT") and t.dep_ == "relcl":
            # "the Taliban, who have long refused to negotiate": the Taliban -- the noun just
            # before the pronoun, which the parser does not always attach the clause to
            before = subj[0].i - 1
            while before > 0 and subj[0].doc[before].is_punct:
                before -= 1
            antecedent = subj[0].doc[before] if before >= 0 else t.head
            return antecedent if antecedent.pos_ in ("PROPN", "NOUN") else t.head
        if subj:
            return subj[0]
        passive = [c for c in t.children if c.dep_ == "nsubjpass"]
        if passive:
            # passive: the actor is in "by ...", not in a clause above; but a verb joined
            # to a passive one shares its subject ("was indicted ... and will resign")
            return passive[0] if joined else None
        if t.dep_ == "xcomp" and t.i != tok.i or (t.dep_ == "xcomp" and t.head.i != t.i):
            objects = [c for c in t.head.children if c.dep_ in ("dobj", "obj")]
            if objects:  # "urged China not to supply ...": the one urged acts
                return objects[0]
        # "refrained from condemning", "not interested in providing": climb to the verb
        through_object = t.dep_ == "dobj" and t.pos_ == "NOUN" and t.i != tok.i  # "claimed responsibility for ..."
        if (t.dep_ in ("xcomp", "conj", "advcl", "pcomp", "prep", "acomp") or through_object) and t.head.i != t.i:
            if t.dep_ == "prep" and t.head.pos_ in ("VERB", "AUX"):
                objects = [c for c in t.head.children if c.dep_ in ("dobj", "obj")]
                if objects:  # "accused Ukraine of carrying out the attack": Ukraine acts
                    return objects[0]
            joined = t.dep_ == "conj"
            t = t.head
        else:
            return None
    return None
