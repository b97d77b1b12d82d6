"""apps/core/states.py: the one way every state machine moves (no database needed)."""

from dataclasses import dataclass

import pytest

from apps.core.errors import Conflict
from apps.core.states import IllegalTransition, Machine

DOOR = Machine(
    "door",
    transitions={
        ("closed", "open"): "opened",
        ("opened", "close"): "closed",
        ("closed", "lock"): "locked",
        ("locked", "unlock"): "closed",
    },
    states=("opened", "closed", "locked"),
    field="position",
    repeatable=frozenset({"lock"}),
)


@dataclass
class Door:
    position: str


def test_a_legal_move_sets_the_field_and_returns_from_and_to() -> None:
    door = Door("closed")
    assert DOOR.move(door, "open") == ("closed", "opened")
    assert door.position == "opened"


@pytest.mark.parametrize(("state", "action"), list(DOOR.pairs()))
def test_every_pair_either_moves_as_the_table_says_or_raises_and_leaves_the_object(
    state: str, action: str
) -> None:
    door = Door(state)
    if (state, action) in DOOR.transitions:
        assert DOOR.allows(state, action)
        DOOR.move(door, action)
        assert door.position == DOOR.transitions[(state, action)]
    elif action == "lock" and state == "locked":
        assert DOOR.allows(state, action)  # repeatable: allowed, changes nothing
        assert DOOR.move(door, action) == ("locked", "locked")
    else:
        assert not DOOR.allows(state, action)
        with pytest.raises(IllegalTransition) as refused:
            DOOR.move(door, action)
        assert door.position == state
        error = refused.value
        assert isinstance(error, Conflict) and error.status == 409
        assert (error.code, error.state, error.action) == ("door.illegal_transition", state, action)
        assert f"is {state}" in error.message and f"'{action}'" in error.message


def test_pairs_walk_every_state_against_every_action() -> None:
    pairs = list(DOOR.pairs())
    assert len(pairs) == len(DOOR.states) * len(DOOR.actions) == 12
    assert DOOR.actions == ("open", "close", "lock", "unlock")


def test_sources_and_targets_serve_set_based_guards() -> None:
    assert DOOR.sources("open") == frozenset({"closed"})
    assert DOOR.targets("unlock") == frozenset({"closed"})
    assert DOOR.sources("fly") == frozenset()


def test_a_table_naming_an_unknown_state_is_refused_at_declaration() -> None:
    with pytest.raises(ValueError, match="names no state"):
        Machine("broken", transitions={("a", "go"): "b"}, states=("a",))


def test_the_code_is_the_machine_name() -> None:
    assert Machine("payment_intent", transitions={}, states=("x",)).code == (
        "payment_intent.illegal_transition"
    )
