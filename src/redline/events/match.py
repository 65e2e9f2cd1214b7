"""Match: does a rule of data/events.yaml fit the words around its trigger (particle, object, complement)?"""

from __future__ import annotations

from spacy.tokens import Token

from redline.events.rules import Rule
from redline.events.syntax import MODALS_FUTURE, MODIFIER_LABELS, PLACE_LABELS, noun_phrase
from redline.lang import words as _language_words

WORDS = _language_words("events")

MILITARY_WORDS = WORDS.set("military_words")


class RuleMatcher:
    """The rule stage of `coder: rules`: a trigger's rule fits only with its particle, object and complement."""

    def _rule_fits(self, tok: Token, rule: Rule, by_token) -> bool:
        children = list(tok.children)
        if rule.active_only and any(c.dep_ in ("auxpass", "nsubjpass", "agent") for c in children):
            return False
        if rule.particle and rule.nominal:
            # "went on strike", "remained on alert": the noun is the state its subject is in
            if not (tok.dep_ == "pobj" and tok.head.lower_ == rule.particle):
                return False
        elif rule.particle:
            # "called on China", "pulled out of", "hand over": right after the verb or its object
            near = {c.lower_ for c in children if c.dep_ in ("prt", "prep", "agent", "dative") and c.i - tok.i <= 3}
            following = tok.doc[tok.i + 1].lower_ if tok.i + 1 < len(tok.doc) else ""
            if rule.particle not in near and following != rule.particle:
                return False
        objects = [c for c in children if c.dep_ in ("dobj", "obj", "nsubjpass")]
        if rule.nominal:
            objects = [c for c in children if c.dep_ in ("compound", "amod")] + [tok]
        object_tokens = [t for o in objects for t in noun_phrase(o, MODIFIER_LABELS)]
        object_words = {t.lower_ for t in object_tokens} | {t.lemma_.lower() for t in object_tokens}
        if rule.object_not & object_words:
            return False  # "did not provide details": not aid
        if rule.object_words and not (rule.object_words & object_words or
                                      any(" " in w and w in " ".join(t.lower_ for t in object_tokens)
                                          for w in rule.object_words)):
            return False
        if rule.complement:
            # "called the vote a sham": the parser makes "sham" a predicate or a second object
            second_objects = [c.i for c in children if c.dep_ == "dobj"][1:]
            called = {t.lemma_.lower() for c in children
                      if c.dep_ in ("oprd", "xcomp", "ccomp", "attr") or c.i in second_objects for t in c.subtree}
            if not rule.complement & called:
                return False
        if rule.mentions:
            around = {t.lower_ for c in children if c.dep_ in ("nsubj", "nsubjpass", "dobj") for t in c.subtree}
            if not rule.mentions & around:
                return False
        if rule.requires_modifier:
            mods = {c.lower_ for c in children if c.dep_ in ("amod", "compound", "nmod", "poss")} | \
                   {c.lemma_.lower() for c in children if c.dep_ in ("amod", "compound", "nmod", "poss")}
            if not rule.requires_modifier & mods:
                return False
        if rule.requires_joint:
            subject = [c for c in (tok.head.children if rule.nominal else children) if c.dep_ == "nsubj"]
            joint = any(c.lower_ in ("joint", "combined", "bilateral") for c in tok.subtree) or \
                any(c.lower_ in ("joint", "combined") for o in objects for c in o.subtree) or \
                any(s.conjuncts or any(c.conjuncts for c in s.children if c.dep_ in ("amod", "compound"))
                    for s in subject)
            if not joint:
                return False
        if rule.requires_future and not any(
                a.lower_ in MODALS_FUTURE | {"would"} for c in children if c.dep_ == "ccomp" for a in c.children if a.dep_ == "aux"):
            return False
        if rule.object_kind:
            obj = objects[0] if objects and not rule.nominal else None
            actors = self._actors_of(obj, by_token) if obj is not None else []
            kinds = {a.kind for a in actors}
            is_place = obj is not None and (obj.ent_type_ in PLACE_LABELS or obj.text in self.d.capitals
                                            or obj.text in self.d.country_names)
            ok = {
                "person": "person" in kinds,
                "actor": bool(actors),
                "thing": obj is not None and not actors,
                "none": obj is None,
                "place": is_place,
                "actor_or_place": bool(actors) or is_place,
                "place_or_person": is_place or "person" in kinds,
                "forces": obj is None or bool(MILITARY_WORDS & {t.lower_ for t in obj.subtree}),
                "nonmaterial": obj is not None and not self._mode(tok, self.rules.types["AID"].modes),
                "clause": any(c.dep_ == "ccomp" for c in children),
            }.get(rule.object_kind, True)
            if not ok:
                return False
        return True
