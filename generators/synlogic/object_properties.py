"""Object properties: a set of items, a sequence of transformations, one question at the end.

Each item has a distinct noun plus a colour, a size and a material. Transformations act on
every item matching a filter ("every small red item is painted blue", "... is thrown away",
"... gets an identical copy", "... grows one size", "... is remade in glass"). The question
asks for a count or for one item's property after all of them; exact simulation answers it.
Copies are identical and every rule acts on whole filters, so all copies of a noun stay
alike and "the cup" keeps one meaning.

Property questions are planned before the items are drawn: the attribute and the answer come
from the problem index, evenly spread (so each label keeps its share in any run of problems),
and whether the asked item kept its starting value is drawn at that value's fair share, 1/k;
instances are redrawn until some item fits the plan.
"""

from __future__ import annotations

from random import Random
from typing import Literal

from pydantic import Field

from generators.balanced import GOLDEN
from generators.base import (
    ANSWER_INSTRUCTION,
    AnswerFormatError,
    Instance,
    Solution,
    Task,
    TaskConfig,
)
from generators.canonical import digest, first_seen
from generators.synlogic.normalize import normalize_text, parse_number
from generators.wordlists import load_words
from schemas.records import Problem

ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "size": ("small", "medium", "large"),
    "colour": ("red", "blue", "green", "yellow", "white", "black"),
    "material": ("wooden", "metal", "glass", "plastic", "stone"),
}
SYNONYMS = {"wood": "wooden", "metallic": "metal", "big": "large", "medium-sized": "medium"}
MATERIAL_NOUN = {"wooden": "wood"}
ACTIONS = ("paint", "remove", "copy", "grow", "shrink", "remake")
Item = dict  # {"noun", "colour", "size", "material", "count"}
Plan = tuple[str, str, bool]  # the asked attribute, its final value, whether it is unchanged
_ATTEMPTS = 10_000


class ObjectPropertiesConfig(TaskConfig):
    items: int = Field(default=5, ge=2, le=30, description="distinct items at the start")
    transformations: int = Field(default=3, ge=1, le=15, description="rules applied in order")
    filter_size: Literal[1, 2] = Field(default=1, description="attributes a rule's filter names")


def describe_filter(filt: dict[str, str]) -> str:
    return " ".join(filt[a] for a in ATTRIBUTES if a in filt)


def matches(item: Item, filt: dict[str, str]) -> bool:
    return all(item[a] == v for a, v in filt.items())


def rule_text(rule: dict) -> str:
    what = f"Every {describe_filter(rule['filter'])} item"
    return {
        "paint": f"{what} is painted {rule.get('value')}.",
        "remove": f"{what} is thrown away.",
        "copy": f"{what} gets an identical copy added to the set.",
        "grow": f"{what} grows one size (large items stay large).",
        "shrink": f"{what} shrinks one size (small items stay small).",
        "remake": f"{what} is remade in {MATERIAL_NOUN.get(rule.get('value'), rule.get('value'))} "
        "(keeping colour and size).",
    }[rule["action"]]


def apply(items: list[Item], rule: dict) -> list[Item]:
    """The items after ``rule``; touched items are new dicts, the input is left as it was."""
    sizes = ATTRIBUTES["size"]
    out = []
    for item in items:
        if not matches(item, rule["filter"]):
            out.append(item)
            continue
        action, new = rule["action"], dict(item)
        if action == "remove":
            continue
        if action == "paint":
            new["colour"] = rule["value"]
        elif action == "remake":
            new["material"] = rule["value"]
        elif action == "copy":
            new["count"] *= 2
        else:
            step = 1 if action == "grow" else -1
            new["size"] = sizes[min(max(sizes.index(item["size"]) + step, 0), len(sizes) - 1)]
        out.append(new)
    return out


def live(items: list[Item]) -> int:
    return sum(item["count"] for item in items)


def spread(index: int) -> float:
    """A point of [0, 1) from a Weyl sequence: the points of any run of indices, or of every
    n-th index, fill each interval in proportion to its length far more evenly than random
    draws, so shares cut from it stay fair in every level of a build."""
    return index * GOLDEN % 1.0


def plan_question(rng: Random, index: int) -> Plan | None:
    """None for a count question (half the indices), else the property question's plan: an
    attribute and a final value evenly by index, unchanged from the start at a 1/k share."""
    point = spread(index) * 2
    if point < 1:
        return None
    names = list(ATTRIBUTES)
    attribute, point = names[int((point - 1) * len(names))], (point - 1) * len(names) % 1
    values = ATTRIBUTES[attribute]
    return attribute, values[int(point * len(values))], rng.random() < 1 / len(values)


class ObjectProperties(Task[ObjectPropertiesConfig]):
    name = "object_properties"
    version = "1.1.0"
    description = "Items with colour, size and material under a sequence of rules; count or ask."
    Config = ObjectPropertiesConfig
    LEVELS = {
        1: {"items": 3, "transformations": 1, "filter_size": 1},
        2: {"items": 4, "transformations": 2, "filter_size": 1},
        3: {"items": 5, "transformations": 3, "filter_size": 1},
        4: {"items": 6, "transformations": 4, "filter_size": 1},
        5: {"items": 7, "transformations": 5, "filter_size": 2},
        6: {"items": 8, "transformations": 6, "filter_size": 2},
        7: {"items": 9, "transformations": 7, "filter_size": 2},
        8: {"items": 10, "transformations": 8, "filter_size": 2},
        9: {"items": 12, "transformations": 9, "filter_size": 2},
        10: {"items": 14, "transformations": 10, "filter_size": 2},
    }

    def generate(self, config: ObjectPropertiesConfig, rng: Random, index: int) -> Instance:
        plan = plan_question(rng, index)
        for _ in range(_ATTEMPTS):
            start, rules, items = self._draw(config, rng)
            question = self._question(rng, plan, start, items)
            if question is not None:
                break
        else:
            raise RuntimeError(f"no instance fits {plan} in {_ATTEMPTS} attempts")
        payload = {"items": start, "rules": rules, "question": question}
        prompt = self._prompt(rng, payload)
        return Instance(prompt=prompt, answer=self._solve(payload)[0], payload=payload)

    def _draw(
        self, config: ObjectPropertiesConfig, rng: Random
    ) -> tuple[list[Item], list[dict], list[Item]]:
        """Random starting items, the rules and the items after them."""
        nouns = rng.sample(load_words("object_properties_items"), config.items)
        start = [
            {"noun": n, **{a: rng.choice(vals) for a, vals in ATTRIBUTES.items()}, "count": 1}
            for n in nouns
        ]
        items, rules = start, []
        while len(rules) < config.transformations:
            rule = self._random_rule(rng, items, config)
            after = apply(items, rule)
            if not after or live(after) > 4 * config.items:
                continue
            rules.append(rule)
            items = after
        return start, rules, items

    def _question(
        self, rng: Random, plan: Plan | None, start: list[Item], items: list[Item]
    ) -> dict | None:
        """A question following ``plan`` (a count question when None), or None when no item
        fits it."""
        if plan is None:
            filt = self._random_filter(rng, rng.choice([start, items]), rng.randint(0, 2))
            return {"kind": "count", "filter": filt}
        attribute, value, unchanged = plan
        before = {item["noun"]: item[attribute] for item in start}
        fits = [
            item["noun"]
            for item in items
            if item[attribute] == value and (before[item["noun"]] == value) == unchanged
        ]
        if not fits:
            return None
        return {"kind": "property", "noun": rng.choice(fits), "attribute": attribute}

    @staticmethod
    def _random_filter(rng: Random, items: list[Item], size: int) -> dict[str, str]:
        """A filter naming ``size`` attributes, usually matching one of ``items``."""
        model = rng.choice(items)
        chosen = sorted(rng.sample(list(ATTRIBUTES), size), key=list(ATTRIBUTES).index)
        return {a: model[a] if rng.random() < 0.8 else rng.choice(ATTRIBUTES[a]) for a in chosen}

    def _random_rule(self, rng: Random, items: list[Item], config: ObjectPropertiesConfig) -> dict:
        size = rng.randint(1, config.filter_size)
        rule: dict = {
            "action": rng.choice(ACTIONS),
            "filter": self._random_filter(rng, items, size),
        }
        if rule["action"] == "paint":
            rule["value"] = rng.choice(ATTRIBUTES["colour"])
        elif rule["action"] == "remake":
            rule["value"] = rng.choice(ATTRIBUTES["material"])
        return rule

    @staticmethod
    def _prompt(rng: Random, payload: dict) -> str:
        items = [
            f"- a {item['size']} {item['colour']} {item['material']} {item['noun']}"
            for item in payload["items"]
        ]
        rules = [f"{i}. {rule_text(rule)}" for i, rule in enumerate(payload["rules"], 1)]
        intro = rng.choice(
            [
                "A shelf holds these items:",
                "A collection starts with the following items:",
                "Here is a set of items, each with a size, a colour and a material:",
            ]
        )
        middle = rng.choice(
            [
                "Then these changes happen, in order:",
                "The following rules are applied one after another:",
                "Now apply these transformations in the order given:",
            ]
        )
        q = payload["question"]
        if q["kind"] == "count":
            what = describe_filter(q["filter"])
            question = rng.choice(
                [
                    f"How many {what} items are in the set at the end?".replace("  ", " "),
                    f"At the end, how many {what} items are there?".replace("  ", " "),
                ]
            )
            form = "Count every copy separately. Answer with a single whole number."
        else:
            attribute = q["attribute"]
            question = rng.choice(
                [
                    f"What {attribute} is the {q['noun']} at the end?",
                    f"After all the changes, what is the {attribute} of the {q['noun']}?",
                ]
            )
            options = ", ".join(ATTRIBUTES[attribute])
            form = f"Answer with one word, one of: {options}."
        return "\n".join(
            [intro, *items, "", middle, *rules, "", question, form, ANSWER_INSTRUCTION]
        )

    @staticmethod
    def _solve(payload: dict) -> tuple[str, list[str], int]:
        """Answer, trace lines and effort (items visited over all rules)."""
        items, lines, effort = payload["items"], [], 0

        def state(items: list[Item]) -> str:
            return "; ".join(
                f"{item['size']} {item['colour']} {item['material']} {item['noun']}"
                + (f" x{item['count']}" if item["count"] > 1 else "")
                for item in items
            )

        for i, rule in enumerate(payload["rules"], 1):
            effort += live(items)
            hit = [item["noun"] for item in items if matches(item, rule["filter"])]
            items = apply(items, rule)
            touched = ", ".join(hit) if hit else "nothing"
            lines.append(f"Rule {i} ({rule_text(rule)}) affects: {touched}.")
            lines.append(f"  Now {live(items)} items: {state(items)}.")
        q = payload["question"]
        if q["kind"] == "count":
            hits = [item for item in items if matches(item, q["filter"])]
            answer = str(live(hits))
            effort += live(items)
            what = describe_filter(q["filter"]) or "all"
            lines.append(f"Counting {what} items, copies included: {answer}.")
        else:
            item = next(item for item in items if item["noun"] == q["noun"])
            answer = item[q["attribute"]]
            lines.append(f"The {q['noun']} ends up {answer}.")
        return answer, lines, effort

    def solve(self, problem: Problem) -> Solution:
        answer, lines, effort = self._solve(problem.payload)
        return Solution(answer=answer, reasoning="\n".join(lines), stats={"effort": effort})

    def question_kind(self, problem: Problem) -> str:
        """A count, or the value of one attribute (each has its own values)."""
        question = problem.payload["question"]
        return question["kind"] if question["kind"] == "count" else question["attribute"]

    def labels(self, problem: Problem) -> tuple[str, ...] | None:
        question = problem.payload["question"]
        return ATTRIBUTES[question["attribute"]] if question["kind"] == "property" else None

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        guesses = super().trivial_answers(problem)
        question = problem.payload["question"]
        if question["kind"] == "property":
            start = {item["noun"]: item[question["attribute"]] for item in problem.payload["items"]}
            guesses["the starting value"] = start[question["noun"]]
        return guesses

    def structural_key(self, problem: Problem) -> str:
        """Items and question with the nouns renamed in order of appearance."""
        p = problem.payload
        rank = first_seen(item["noun"] for item in p["items"])
        items = [{**item, "noun": rank[item["noun"]]} for item in p["items"]]
        question = dict(p["question"])
        if "noun" in question:
            question["noun"] = rank[question["noun"]]
        return digest([items, p["rules"], question])

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        q, expected = problem.payload["question"], problem.answer
        if q["kind"] == "count":
            given = parse_number(answer)
            if given == int(expected):
                return 1.0, "correct"
            return 0.0, f"expected {expected}, got {given}"
        word = normalize_text(answer)
        word = SYNONYMS.get(word, word)
        if word not in ATTRIBUTES[q["attribute"]]:
            raise AnswerFormatError(f"{answer.strip()[:40]!r} is not a {q['attribute']}")
        if word == expected:
            return 1.0, "correct"
        return 0.0, f"expected {expected}, got {word}"
