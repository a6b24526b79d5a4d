"""The seeded phrase bank ASTRO traces are written from.

Each part of a trace has several templates; reflections are composed from an opener, a
core and a closer in one of several shapes, some of which restate what failed, so a
thousand traces rarely repeat a reflection. Templates are ``str.format`` strings over
``state``, ``move`` and ``why`` (what failed, as :meth:`Environment.failure` says it).
"""

from __future__ import annotations

from dataclasses import dataclass
from random import Random


@dataclass(frozen=True)
class Phrasings:
    """Alternative sentences for each part of an ASTRO trace; the seeded rng picks one."""

    opening: tuple[str, ...]
    step: tuple[str, ...]
    dead_end: tuple[str, ...]
    wrong_finish: tuple[str, ...]
    reflection_openers: tuple[str, ...]
    reflection_cores: tuple[str, ...]
    reflection_closers: tuple[str, ...]
    backtrack: tuple[str, ...]
    backtrack_to_start: tuple[str, ...]
    closing: tuple[str, ...]

    def reflection(self, rng: Random, why: str) -> str:
        """One reflection sentence, of a randomly chosen shape."""
        opener = rng.choice(self.reflection_openers)
        core = rng.choice(self.reflection_cores)
        closer = rng.choice(self.reflection_closers)
        shape = rng.randrange(4)
        if shape == 0:
            return f"{opener} {core}"
        if shape == 1:
            return f"{core} {closer}"
        if shape == 2:
            return f"{opener} {core} {closer}"
        return f"{opener} Since {why}, {_lower_first(core)}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


DEFAULT_PHRASINGS = Phrasings(
    opening=(
        "Let me work through this step by step, starting from: {state}.",
        "I'll build the answer one decision at a time. At the start we have: {state}.",
        "Starting point: {state}. Let me proceed carefully.",
        "We begin with {state}. I'll try moves and check each one.",
        "First, the situation: {state}. Let me look for a way through.",
    ),
    step=(
        "Next, {move}. Now we have: {state}.",
        "Let me try {move}, which gives: {state}.",
        "I'll take {move}; that leaves: {state}.",
        "Suppose {move}. Then the situation is: {state}.",
        "Going with {move} gives {state}.",
        "If {move}, we get {state}.",
        "Trying {move} now. Result: {state}.",
    ),
    dead_end=(
        "This is a dead end: {why}.",
        "I'm stuck at {state}: {why}.",
        "Nothing works from here, since {why}.",
        "That cannot continue — {why}.",
        "We are blocked at {state}, because {why}.",
    ),
    wrong_finish=(
        "This finishes at {state}, but {why}.",
        "Everything is decided ({state}), yet {why}.",
        "That is a complete attempt, and it fails: {why}.",
        "So the result would be {state}; however, {why}.",
        "This does not solve it: {why}.",
    ),
    reflection_openers=(
        "But wait.",
        "Hold on.",
        "Hmm.",
        "Wait a moment.",
        "Let me pause here.",
        "Hmm, that's not right.",
        "Okay, step back.",
        "Let me reconsider.",
        "That's a problem.",
        "Let me be careful.",
        "Not so fast.",
        "Hmm, let me think again.",
        "Something went wrong.",
        "Let me check myself.",
        "Wait.",
        "Let me reflect on this.",
    ),
    reflection_cores=(
        "Are we solving the problem correctly so far?",
        "Is this really leading to a correct solution?",
        "Which earlier choice caused this?",
        "The mistake must be in one of the recent choices.",
        "This path cannot be repaired by continuing it.",
        "Was the last branch a sensible choice at all?",
        "I should question the choice that led here.",
        "Continuing along this line will not help.",
        "The earlier decision looked good, but it does not hold up.",
        "Something in this branch is wrong.",
        "Let me verify the reasoning up to this point.",
        "Maybe I committed too early.",
        "It seemed close, but close is not enough.",
        "I need a different choice higher up.",
        "This attempt does not satisfy every requirement.",
        "Where exactly did it go wrong?",
        "The branch I picked was tempting but misleading.",
        "There has to be a better option earlier on.",
        "I should retrace my steps.",
        "That branch is ruled out now.",
        "Let me find where the reasoning broke.",
        "Is there a choice I dismissed too quickly?",
        "This is a good moment to double-check.",
        "I was too hasty with that move.",
    ),
    reflection_closers=(
        "Let me go back.",
        "Backtracking is the way forward.",
        "Better to undo it.",
        "I'll revise that choice.",
        "Time to try another branch.",
        "So that choice has to go.",
        "Let me rethink it.",
        "I'll retreat a little.",
        "A different move is needed.",
        "Let me correct course.",
        "I'll start that part over.",
        "Let me look again.",
    ),
    backtrack=(
        "Let me go back to where we had {state} and try something other than {move}.",
        "So I'll return to {state}; {move} was the wrong choice there.",
        "Back to {state}: instead of {move}, another option is needed.",
        "I'll undo back to {state} and not repeat {move}.",
        "Returning to the point with {state}, choosing differently from {move}.",
        "Let me revisit {state} — this time without {move}.",
    ),
    backtrack_to_start=(
        "Let me start over from {state}, this time not beginning with {move}.",
        "Back to the beginning ({state}); {move} was the wrong first step.",
        "I'll restart from {state} and open with something other than {move}.",
    ),
    closing=(
        "This reaches the goal: {state}. The answer checks out.",
        "Everything is consistent now: {state}. That solves it.",
        "Finally we arrive at {state}, which is a correct solution.",
        "And that works: {state}. Every requirement is met.",
        "That completes it with {state}, and it checks out.",
    ),
)
