"""Space reasoning on a tree: containers nested inside one another, one relation asked.

Statements such as "the red box is directly inside the blue crate" describe a rooted tree;
the question asks how many links separate two containers, how deeply one is nested, which
is the innermost container holding two others, or whether one is (at any depth) inside
another. Every answer is computed exactly from the parent links, so it is unique.
"""

from __future__ import annotations

from random import Random
from typing import Literal

from pydantic import Field, model_validator

from generators.balanced import balanced_choice
from generators.base import (
    ANSWER_INSTRUCTION,
    AnswerFormatError,
    Instance,
    Solution,
    Task,
    TaskConfig,
)
from generators.synlogic.normalize import normalize_text, parse_number
from generators.wordlists import load_words
from schemas.records import Problem

Kind = Literal["distance", "depth", "common", "inside"]
KINDS: tuple[Kind, ...] = ("distance", "depth", "common", "inside")
# (kind, whether y holds x) of each of eight equally likely slots: the kinds equally
# often, and every other "inside" question answered yes
_SLOTS: tuple[tuple[Kind, bool], ...] = (
    *((kind, False) for kind in KINDS for _ in range(2) if kind != "inside"),
    ("inside", True),
    ("inside", False),
)
_YES = {"yes", "true", "y"}
_NO = {"no", "false", "n"}


class SpaceReasoningTreeConfig(TaskConfig):
    nodes: int = Field(default=8, ge=3, le=40, description="containers in the tree")
    depth: int = Field(default=3, ge=1, le=12, description="depth of the deepest container")

    @model_validator(mode="after")
    def _room_for_a_branch(self) -> SpaceReasoningTreeConfig:
        if self.nodes < self.depth + 2:
            raise ValueError("nodes must be at least depth + 2")
        return self


def ancestors(parents: list[int | None], node: int) -> list[int]:
    """``node`` and its containers, innermost first, up to the root."""
    chain = [node]
    while (up := parents[chain[-1]]) is not None:
        chain.append(up)
    return chain


class SpaceReasoningTree(Task[SpaceReasoningTreeConfig]):
    name = "space_reasoning_tree"
    version = "1.1.0"
    description = "Nested containers described link by link; find a relation between two."
    Config = SpaceReasoningTreeConfig
    surface_fields = frozenset({"names"})
    LEVELS = {
        1: {"nodes": 4, "depth": 2},
        2: {"nodes": 6, "depth": 3},
        3: {"nodes": 8, "depth": 3},
        4: {"nodes": 10, "depth": 4},
        5: {"nodes": 12, "depth": 5},
        6: {"nodes": 15, "depth": 6},
        7: {"nodes": 18, "depth": 7},
        8: {"nodes": 22, "depth": 8},
        9: {"nodes": 26, "depth": 9},
        10: {"nodes": 30, "depth": 10},
    }

    def generate(self, config: SpaceReasoningTreeConfig, rng: Random, index: int) -> Instance:
        colours, containers = (
            load_words("space_reasoning_tree_colours"),
            load_words("space_reasoning_tree_containers"),
        )
        pairs = rng.sample(range(len(colours) * len(containers)), config.nodes)
        names = [
            f"{colours[p // len(containers)]} {containers[p % len(containers)]}" for p in pairs
        ]
        # A spine 0..depth fixes the depth; the other containers hang below shallower ones.
        parents: list[int | None] = [None, *range(config.depth)]
        depths = list(range(config.depth + 1))
        while len(parents) < config.nodes:
            parent = rng.choice([i for i, d in enumerate(depths) if d < config.depth])
            parents.append(parent)
            depths.append(depths[parent] + 1)
        kind, inside = _SLOTS[balanced_choice(index, len(_SLOTS), salt=0.29)]
        x = config.depth
        if kind == "depth":  # how deep is uniform over 1..depth: no count is a likely guess
            level = rng.randint(1, config.depth)
            x = rng.choice([i for i, d in enumerate(depths) if d == level])
        line = set(ancestors(parents, x))
        if inside:
            y = rng.choice(sorted(line - {x}))
        else:
            y = rng.choice([i for i in range(config.nodes) if i not in line])
        if rng.random() < 0.5 and kind in ("distance", "common"):
            x, y = y, x
        payload = {"names": names, "parents": parents, "kind": kind, "x": x, "y": y}
        prompt = self._prompt(rng, payload)
        return Instance(prompt=prompt, answer=self._solve(payload)[0], payload=payload)

    @staticmethod
    def _prompt(rng: Random, payload: dict) -> str:
        names, parents = payload["names"], payload["parents"]
        templates = [
            "The {child} is directly inside the {parent}.",
            "The {parent} directly holds the {child}.",
            "Directly inside the {parent} sits the {child}.",
        ]
        sentences = [
            rng.choice(templates).format(child=names[c], parent=names[p])
            for c, p in enumerate(parents)
            if p is not None
        ]
        rng.shuffle(sentences)
        intro = rng.choice(
            [
                "Some containers are nested inside one another.",
                "A storeroom holds containers packed inside other containers.",
                "Containers have been packed one inside another.",
            ]
        )
        x, y = names[payload["x"]], names[payload["y"]]
        kind = payload["kind"]
        question, form = {
            "distance": (
                f"How many 'directly inside' links separate the {x} and the {y}?",
                "Answer with a single whole number.",
            ),
            "depth": (
                f"How many containers is the {x} inside, counting every level of nesting?",
                "Answer with a single whole number.",
            ),
            "common": (
                f"What is the innermost container that holds both the {x} and the {y}?",
                "Answer with the container's name, e.g. 'red box'.",
            ),
            "inside": (
                f"Is the {x} inside the {y}, at any depth of nesting?",
                "Answer yes or no.",
            ),
        }[kind]
        note = rng.choice(
            [
                "No other containers are involved, and each container sits in at most one other.",
                "Each container is directly inside at most one other container.",
                "These are all the containers; none sits directly inside two others.",
            ]
        )
        return "\n".join([intro, note, "", *sentences, "", question, form, ANSWER_INSTRUCTION])

    @staticmethod
    def _solve(payload: dict) -> tuple[str, list[str], int]:
        """Answer, trace lines and effort (links followed walking both containers up)."""
        names, parents, kind = payload["names"], payload["parents"], payload["kind"]
        x, y = payload["x"], payload["y"]
        up_x, up_y = ancestors(parents, x), ancestors(parents, y)

        def chain(nodes: list[int]) -> str:
            return " inside ".join(f"the {names[n]}" for n in nodes)

        lines = [f"Walking outwards: {chain(up_x)}.", f"Walking outwards: {chain(up_y)}."]
        effort = len(up_x) + len(up_y) - 2
        if kind == "depth":
            answer = str(len(up_x) - 1)
            lines.append(f"So the {names[x]} is inside {answer} containers.")
            return answer, lines, effort
        if kind == "inside":
            answer = "yes" if y in up_x else "no"
            where = "appears" if y in up_x else "does not appear"
            lines.append(f"The {names[y]} {where} on the {names[x]}'s outward chain: {answer}.")
            return answer, lines, effort
        on_y = set(up_y)
        common = next(n for n in up_x if n in on_y)
        steps = up_x.index(common) + up_y.index(common)
        lines.append(
            f"The first container on both chains is the {names[common]}, "
            f"{up_x.index(common)} + {up_y.index(common)} = {steps} links away."
        )
        answer = names[common] if kind == "common" else str(steps)
        return answer, lines, effort

    def solve(self, problem: Problem) -> Solution:
        answer, lines, effort = self._solve(problem.payload)
        return Solution(answer=answer, reasoning="\n".join(lines), stats={"effort": effort})

    def question_kind(self, problem: Problem) -> str:
        return problem.payload["kind"]

    def labels(self, problem: Problem) -> tuple[str, ...] | None:
        return ("yes", "no") if problem.payload["kind"] == "inside" else None

    def answer_space(self, problem: Problem) -> int:
        """yes/no; a depth of 1..D or a distance of 1..2D in a tree of depth D; else one of
        the containers."""
        kind, parents = problem.payload["kind"], problem.payload["parents"]
        tree_depth = max(len(ancestors(parents, node)) for node in range(len(parents))) - 1
        if kind == "depth":
            return tree_depth
        if kind == "distance":
            return 2 * tree_depth
        return super().answer_space(problem) or len(problem.payload["names"])

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        guesses = super().trivial_answers(problem)
        p = problem.payload
        if p["kind"] == "common":
            guesses["the outermost container"] = p["names"][p["parents"].index(None)]
        return guesses

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        kind, expected = problem.payload["kind"], problem.answer
        if kind in ("distance", "depth"):
            given = parse_number(answer)
            if given == int(expected):
                return 1.0, "correct"
            return 0.0, f"expected {expected}, got {given}"
        text = normalize_text(answer)
        if kind == "inside":
            if text not in _YES | _NO:
                raise AnswerFormatError(f"{answer.strip()[:40]!r} is not yes or no")
            given = "yes" if text in _YES else "no"
        else:
            given = text.removeprefix("the ").removesuffix(" container")
            if given not in problem.payload["names"]:
                raise AnswerFormatError(f"{answer.strip()[:40]!r} is not a container's name")
        if given == expected:
            return 1.0, "correct"
        return 0.0, f"expected {expected}, got {given}"
