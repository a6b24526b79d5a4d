"""Node names: single alphanumeric words, unique ignoring case, so that answers can be
tokenised by one linear scan (:func:`generators.graphs.answers.tokens`)."""

from __future__ import annotations

from collections.abc import Sequence
from random import Random

from generators.graphs.fastrand import sample
from generators.wordlists import load_words

TOWNS = [
    "Ashford",
    "Brampton",
    "Carlow",
    "Dunmore",
    "Elmwood",
    "Fairview",
    "Glenwood",
    "Hartley",
    "Ironbridge",
    "Juniper",
    "Kingsley",
    "Lindale",
    "Marlow",
    "Northam",
    "Oakridge",
    "Pinehurst",
    "Queensbury",
    "Redhill",
    "Stanford",
    "Thornbury",
    "Upton",
    "Valemont",
    "Westbury",
    "Yarmouth",
    "Zelham",
    "Ashby",
    "Bexley",
    "Clifton",
    "Denholm",
    "Easton",
    "Felton",
    "Grafton",
    "Halton",
    "Ilford",
    "Jarrow",
    "Kendal",
    "Langley",
    "Milton",
    "Newport",
    "Orwell",
    "Preston",
    "Quorn",
    "Ripley",
    "Selby",
    "Tarvin",
    "Ulverston",
    "Ventnor",
    "Wexford",
    "Yeovil",
    "Alnwick",
    "Barford",
    "Cromer",
    "Dalton",
    "Egham",
    "Filey",
    "Goring",
    "Hexham",
    "Ixworth",
    "Kelso",
    "Ludlow",
]
LETTERS = tuple(chr(ord("A") + i) for i in range(26))
_PAIRS = tuple(a + b for a in LETTERS for b in LETTERS[:9])
_CODES = tuple(f"N{i}" for i in range(1, 200))


def node_names(rng: Random, n: int, scheme: str) -> list[str]:
    """``n`` distinct names in random order from a scheme: ``letters`` (n ≤ 26, else
    two-letter codes), ``towns``, ``people`` or ``codes`` (N1, N2…)."""
    return sample(rng, name_pool(n, scheme), n)


def name_pool(n: int, scheme: str) -> Sequence[str]:
    """The names :func:`node_names` draws ``n`` from."""
    pool: Sequence[str]
    if scheme == "letters":
        pool = LETTERS if n <= 26 else _PAIRS
    elif scheme == "towns":
        pool = TOWNS
    elif scheme == "people":
        pool = load_words("names")
    elif scheme == "codes":
        pool = _CODES[: max(n, 10) * 2]
    else:
        raise ValueError(f"unknown naming scheme {scheme!r}")
    if n > len(pool):
        raise ValueError(f"the {scheme} scheme has only {len(pool)} names, {n} asked")
    return pool
