"""Family relationships: contract, a rule-by-rule networkx re-derivation of every pair's
relation, label balance, answer spellings."""

from __future__ import annotations

from collections import Counter
from random import Random

import networkx as nx

from generators.graphs import kinship as kin
from generators.graphs.family_relationships import DISTRACTIONS, FamilyRelationships
from generators.hashrandom import words
from tests.contract import contract_tests, problem_at
from tests.test_graphs_support import refuses, score, sweep

TASK = FamilyRelationships()
globals().update(contract_tests(TASK))


def nx_relations(family: kin.Family, x: int, y: int) -> set[str]:
    """Every relation word whose textbook definition holds for x and y, from a networkx
    parent -> child graph and the spouse list (not from chains of steps)."""
    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(family.female)))
    graph.add_edges_from((p, c) for c, pair in enumerate(family.parents) for p in pair)
    spouse, female = family.spouse, family.female

    def parents(v: int) -> set[int]:
        return set(graph.predecessors(v))

    def siblings(a: int, b: int) -> bool:
        return a != b and bool(parents(a)) and parents(a) == parents(b)

    def word(f: str, m: str) -> str:
        return f if female[x] else m

    found = set()
    ups = {1: ("mother", "father"), 2: ("grandmother", "grandfather")}
    ups[3] = ("great-grandmother", "great-grandfather")
    downs = {1: ("daughter", "son"), 2: ("granddaughter", "grandson")}
    downs[3] = ("great-granddaughter", "great-grandson")
    if x in nx.ancestors(graph, y) and nx.shortest_path_length(graph, x, y) in ups:
        found.add(word(*ups[nx.shortest_path_length(graph, x, y)]))
    if y in nx.ancestors(graph, x) and nx.shortest_path_length(graph, y, x) in downs:
        found.add(word(*downs[nx.shortest_path_length(graph, y, x)]))
    if spouse[x] == y:
        found.add(word("wife", "husband"))
    if siblings(x, y):
        found.add(word("sister", "brother"))
    partner_x = [spouse[x]] if spouse[x] >= 0 else []
    partner_y = [spouse[y]] if spouse[y] >= 0 else []
    if any(siblings(a, p) for a in [x, *partner_x] for p in parents(y)):
        found.add(word("aunt", "uncle"))
    if any(siblings(p, b) for b in [y, *partner_y] for p in parents(x)):
        found.add(word("niece", "nephew"))
    if any(siblings(p, q) for p in parents(x) for q in parents(y)):
        found.add("cousin")
    if any(x in parents(s) for s in partner_y):
        found.add(word("mother-in-law", "father-in-law"))
    if any(y in parents(s) for s in partner_x):
        found.add(word("daughter-in-law", "son-in-law"))
    if any(siblings(x, s) for s in partner_y) or any(siblings(s, y) for s in partner_x):
        found.add(word("sister-in-law", "brother-in-law"))
    return found


def test_networkx_rules_agree_on_the_asked_pair():
    for problem in sweep(TASK):
        p = problem.payload
        family = kin.Family.from_payload(p)
        assert nx_relations(family, p["x"], p["y"]) == {problem.answer}


def test_networkx_rules_agree_on_every_pair_of_random_families():
    word = words(Random(11))
    for people, generations in [(8, 3), (14, 4), (25, 5), (32, 5)]:
        for _ in range(3):
            family = kin.grow(word, people, generations, 4)
            n = len(family.female)
            for y in range(n):
                for x in range(n):
                    if x == y:
                        continue
                    expected = nx_relations(family, x, y)
                    assert len(expected) <= 1, (x, y, expected)
                    assert kin.relation(family, x, y) == next(iter(expected), None), (x, y)


def test_relation_words_are_balanced_and_great_needs_four_generations():
    answers = Counter(problem_at(TASK, 5, i).answer for i in range(108))
    assert set(answers) == set(kin.LABELS)
    assert max(answers.values()) <= 7
    shallow = {problem_at(TASK, 2, i).answer for i in range(46)}
    assert not shallow & kin.GREAT and len(shallow) == len(kin.LABELS) - len(kin.GREAT)


def test_every_person_is_named_with_a_gender_word():
    for problem in sweep(TASK, ((1, 3), (10, 3))):
        names = problem.payload["names"]
        assert len({name.casefold() for name in names}) == len(names)
        for name in names:
            assert name in problem.prompt


def test_spellings_pass_and_other_words_fail():
    for problem in sweep(TASK, ((4, 27),)):
        answer = problem.answer
        for text in (answer.upper(), answer.replace("-", " "), f" '{answer}'. "):
            assert score(TASK, problem, text) == 1.0, text
        other = next(label for label in kin.LABELS if label != answer)
        assert score(TASK, problem, other) == 0.0
    problem = problem_at(TASK, 3, 0)
    for text in ("grandma", "the aunt", "relative", "x" * 500, "mother father"):
        assert refuses(TASK, problem, text), text


def _span(word: str) -> int:
    heights = [0]
    for step in word:
        heights.append(heights[-1] + {"P": -1, "C": 1, "S": 0}[step])
    return max(heights) - min(heights)


def test_planted_chains_give_their_word_at_every_size():
    word = words(Random(5))
    for people, generations, max_children in [(6, 3, 2), (8, 3, 3), (14, 4, 3), (32, 5, 4)]:
        for steps, (female, male, _) in kin.KIN.items():
            if _span(steps) > generations - 1:
                continue  # great-... needs four generations
            for x_female in (True, False):
                planted = kin.root(word, steps, x_female, people, generations)
                family = kin.grow_from(word, planted, people, generations, max_children)
                x, y = planted[3], planted[4]
                expected = female if x_female else male
                assert family.female[x] == x_female
                assert kin.relation(family, x, y) == expected, (steps, people)
                assert nx_relations(family, x, y) == {expected}, (steps, people)
                if people >= 14:
                    assert len(family.female) == people


def test_distractor_pairs_are_distinct_sorted_and_each_told_once():
    for level, index in [(10, i) for i in range(6)] + [(3, 0), (3, 1)]:
        problem = problem_at(TASK, level, index)
        names, pairs = problem.payload["names"], problem.payload["distractors"]
        assert len(pairs) == TASK.config_for_level(level).distractors
        assert pairs == sorted(pairs) and all(a < b for a, b in pairs)
        assert len({tuple(pair) for pair in pairs}) == len(pairs)
        told = Counter(
            frozenset((first, second))
            for first in names
            for second in names
            for middle, end in DISTRACTIONS
            if f"\n- {first}{middle}{second}{end}" in problem.prompt
        )
        assert told == Counter(frozenset((names[a], names[b])) for a, b in pairs)


def test_children_of_a_couple_are_listed_in_the_order_of_their_names():
    listed = 0
    for problem in sweep(TASK, ((10, 12),)):
        for line in problem.prompt.splitlines():
            if " children: " in line:
                children = line.split(" children: ")[1].rstrip(".").replace(" and ", ", ")
                names = [child.split(" (")[0] for child in children.split(", ")]
                assert names == sorted(names), line
                listed += 1
    assert listed
