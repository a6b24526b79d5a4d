"""Object counting: a short story of things owned, gained and lost; count one or two categories.

"I have two violins, a piano and three cats. Then I sell one violin. How many musical
instruments do I have?" The items come from a shipped word list with categories
(``generators/data/object_counting_items.txt``); the answer is an exact tally, unique by
construction. Tallies of several quantities pile up in the middle of their range, where a
constant guess would often win, so the tally is drawn first, uniformly from a quarter to twice
the usual initial count of the asked items (the rarer smallest tallies would cost too many
redraws), and stories are redrawn until one has it (a few dozen times at most, then the
closest is kept).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from random import Random
from typing import Any, ClassVar

from pydantic import Field, model_validator

from generators.base import ANSWER_INSTRUCTION, Instance, Solution, Task, TaskConfig
from generators.canonical import digest, first_seen

# The number words the answer normaliser reads, so the story and the answers agree.
from generators.synlogic.normalize import SMALL_NUMBERS as _NUMBER_WORDS
from generators.synlogic.normalize import parse_number
from generators.wordlists import load_words
from schemas.records import Problem

CATEGORY_NAMES = {
    "instrument": "musical instruments",
    "animal": "animals",
    "fruit": "fruits",
    "vegetable": "vegetables",
    "furniture": "pieces of furniture",
    "vehicle": "vehicles",
}


@dataclass(frozen=True)
class Item:
    category: str
    singular: str
    plural: str

    def amount(self, count: int) -> str:
        """'a violin', 'an oboe', 'three violins'."""
        if count == 1:
            article = "an" if self.singular[0] in "aeiou" else "a"
            return f"{article} {self.singular}"
        return f"{_NUMBER_WORDS[count]} {self.plural}"


def items() -> dict[str, list[Item]]:
    """The shipped items grouped by category, in file order."""
    grouped: dict[str, list[Item]] = {key: [] for key in CATEGORY_NAMES}
    for line in load_words("object_counting_items"):
        category, singular, plural = line.split("|")
        grouped[category].append(Item(category, singular, plural))
    return grouped


def item_categories() -> dict[str, str]:
    """Each shipped item's singular → its category."""
    return {i.singular: c for c, members in items().items() for i in members}


@dataclass(frozen=True)
class Voice:
    """First person ("I buy", "do I have") or a named person ("Ann buys", "does Ann have")."""

    subject: str
    third: bool

    def verb(self, base: str) -> str:
        if not self.third:
            return base
        return base[:-1] + "ies" if base.endswith("y") and base[-2] not in "aeiou" else base + "s"

    @property
    def have(self) -> str:
        return "has" if self.third else "have"

    @property
    def obj(self) -> str:
        return self.subject if self.third else "me"


# Events: (verb, sign); gains may add a new kind of item or more of one already owned.
_GAINS = ("buy", "find", "win")
_LOSSES = ("sell", "lose", "give away")
_GIFTS = ("a friend gives {obj}", "a neighbour gives {obj}", "for a birthday, {obj} gets")


class ObjectCountingConfig(TaskConfig):
    """Knobs: how many kinds of item and categories, how many later changes, quantities."""

    n_items: int = Field(default=3, ge=2, le=24, description="kinds of item in the first list")
    n_categories: int = Field(
        default=2, ge=2, le=len(CATEGORY_NAMES), description="categories the items come from"
    )
    n_events: int = Field(default=0, ge=0, le=20, description="later gains and losses")
    max_quantity: int = Field(default=3, ge=1, le=12, description="largest quantity per mention")
    n_asked: int = Field(default=1, ge=1, le=2, description="categories the question counts")

    @model_validator(mode="after")
    def _consistent(self) -> ObjectCountingConfig:
        if self.n_items < self.n_categories:
            raise ValueError("n_items must be at least n_categories (one item per category)")
        if self.n_asked >= self.n_categories:
            raise ValueError("n_asked must be below n_categories, so some items are distractors")
        return self


def _level(items_: int, cats: int, events: int, quantity: int, asked: int) -> dict[str, Any]:
    return {
        "n_items": items_,
        "n_categories": cats,
        "n_events": events,
        "max_quantity": quantity,
        "n_asked": asked,
    }


LEVELS: dict[int, dict[str, Any]] = {
    1: _level(3, 2, 0, 3, 1),
    2: _level(4, 2, 0, 4, 1),
    3: _level(5, 3, 1, 5, 1),
    4: _level(6, 3, 2, 5, 1),
    5: _level(7, 4, 3, 6, 1),
    6: _level(8, 4, 4, 7, 1),
    7: _level(9, 5, 5, 8, 2),
    8: _level(10, 5, 6, 9, 2),
    9: _level(12, 6, 7, 10, 2),
    10: _level(14, 6, 9, 12, 2),
}

_TALLY_TRIES = 30


def _tally_bound(config: ObjectCountingConfig) -> int:
    """About twice the usual initial count of the asked items: the drawn tallies' range."""
    asked_share = config.n_items * config.n_asked * config.max_quantity
    return max(2, asked_share // config.n_categories)


_QUESTIONS = (
    "How many {what} {do} {subject} have now?",
    "Counting everything, how many {what} {do} {subject} have at the end?",
    "In total, how many {what} {do} {subject} own now?",
)
_FORMATS = (
    "Answer with a single number.",
    "Give the count as one number (digits or words).",
    "Your answer is just the number.",
)


class ObjectCounting(Task[ObjectCountingConfig]):
    """Tally the items of the asked categories through a story of gains and losses."""

    name: ClassVar[str] = "object_counting"
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = (
        "A story lists items with quantities across categories, then gains and losses; count "
        "the items of one or two categories. The answer is a number."
    )
    Config: ClassVar[type[TaskConfig]] = ObjectCountingConfig
    LEVELS: ClassVar[dict[int, dict[str, Any]]] = LEVELS

    def generate(self, config: ObjectCountingConfig, rng: Random, index: int) -> Instance:
        bound = _tally_bound(config)
        target = rng.randint(max(1, bound // 4), bound)
        best = self._story(config, rng)
        for _ in range(_TALLY_TRIES - 1):
            if int(best.answer) == target:
                break
            story = self._story(config, rng)
            if abs(int(story.answer) - target) < abs(int(best.answer) - target):
                best = story
        return best

    def _story(self, config: ObjectCountingConfig, rng: Random) -> Instance:
        pool = items()
        categories = rng.sample(sorted(pool), config.n_categories)
        asked = categories[: config.n_asked]
        chosen = [rng.choice(pool[c]) for c in categories]  # every category appears
        others = [i for c in categories for i in pool[c] if i not in chosen]
        chosen += rng.sample(others, config.n_items - len(chosen))
        rng.shuffle(chosen)
        owned = {item: rng.randint(1, config.max_quantity) for item in chosen}
        steps: list[dict[str, Any]] = [
            {"item": i.singular, "change": n, "text": ""} for i, n in owned.items()
        ]
        voice = self._voice(rng)
        first = ", ".join(item.amount(n) for item, n in list(owned.items())[:-1])
        last = list(owned.items())[-1]
        opening = f"{voice.subject} {voice.have} {first} and {last[0].amount(last[1])}."
        sentences = [opening]
        unowned = [i for c in categories for i in pool[c] if i not in owned]
        for _ in range(config.n_events):
            sentence, item, change = self._event(config, rng, voice, owned, unowned)
            owned[item] = owned.get(item, 0) + change
            sentences.append(sentence)
            steps.append({"item": item.singular, "change": change, "text": sentence})
        what = " and ".join(CATEGORY_NAMES[c] for c in asked)
        question = rng.choice(_QUESTIONS).format(
            what=what, do="does" if voice.third else "do", subject=voice.subject
        )
        answer = sum(n for item, n in owned.items() if item.category in asked)
        prompt = "\n".join(
            [" ".join(sentences), "", question, rng.choice(_FORMATS), ANSWER_INSTRUCTION]
        )
        payload = {"steps": steps, "asked": asked, "subject": voice.subject}
        return Instance(prompt=prompt, answer=str(answer), payload=payload)

    def _voice(self, rng: Random) -> Voice:
        if rng.random() < 0.5:
            return Voice("I", third=False)
        return Voice(rng.choice(load_words("names")), third=True)

    def _event(
        self,
        config: ObjectCountingConfig,
        rng: Random,
        voice: Voice,
        owned: dict[Item, int],
        unowned: list[Item],
    ) -> tuple[str, Item, int]:
        """One gain or loss sentence, the item it changes and by how much."""
        held = [item for item, n in owned.items() if n > 0]
        if held and rng.random() < 0.45:
            item = rng.choice(held)
            count = rng.randint(1, min(owned[item], config.max_quantity))
            amount = item.amount(count) if count > 1 else f"one {item.singular}"
            verb = rng.choice(_LOSSES)
            words = verb.split(" ", 1)
            verb = " ".join([voice.verb(words[0]), *words[1:]])
            return f"Then {voice.subject} {verb} {amount}.", item, -count
        count = rng.randint(1, config.max_quantity)
        if unowned and rng.random() < 0.5:
            item = unowned.pop(rng.randrange(len(unowned)))
            amount = item.amount(count)
        else:
            item = rng.choice(list(owned))
            noun = item.singular if count == 1 else item.plural
            amount = f"{_NUMBER_WORDS[count]} more {noun}" if count > 1 else f"another {noun}"
        if rng.random() < 0.4:
            giver = rng.choice(_GIFTS).format(obj=voice.obj)
            return f"After that, {giver} {amount}.", item, count
        return f"Later {voice.subject} {voice.verb(rng.choice(_GAINS))} {amount}.", item, count

    def solve(self, problem: Problem) -> Solution:
        category_of = item_categories()
        asked = problem.payload["asked"]
        names = " and ".join(CATEGORY_NAMES[c] for c in asked)
        lines = [f"Count the {names}; other things do not count.", "First list:"]
        total = 0
        for step in problem.payload["steps"]:
            if step["text"]:
                lines.append(f'"{step["text"]}"')
            item, change = step["item"], step["change"]
            category = category_of[item]
            sign = f"{change:+d}"
            if category in asked:
                total += change
                lines.append(f"  {item} ({category}): {sign} → running total {total}")
            else:
                lines.append(f"  {item} ({category}): not counted (total stays {total})")
        lines.append(f"So the answer is {total}.")
        return Solution(
            answer=str(total),
            reasoning="\n".join(lines),
            stats={"effort": len(problem.payload["steps"]), "total": total},
        )

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        everything = str(sum(step["change"] for step in problem.payload["steps"]))
        return {**super().trivial_answers(problem), "count everything": everything}

    def structural_key(self, problem: Problem) -> str:
        """Per step: which item (by first mention), whether it counts, and the change."""
        p = problem.payload
        rank, category = first_seen(step["item"] for step in p["steps"]), item_categories()
        return digest(
            [
                [rank[step["item"]], category[step["item"]] in p["asked"], step["change"]]
                for step in p["steps"]
            ]
        )

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        given = parse_number(answer)
        if given == Fraction(problem.answer):
            return 1.0, f"correct: {problem.answer}"
        return 0.0, f"wrong: {given} is not the count"
