"""One way to move state: a transition table per machine and one function that applies it.

Every state machine in the platform (moderation cases, strikes and appeals, payment intents,
payouts, creator comment states, and the product machines built on top) is declared as a
``Machine``: a name, the field that holds the state, and a table ``{(state, action): new_state}``.
``Machine.move`` checks one action against the table and sets the new state on the object; the
caller holds the object's row lock (``select_for_update``) and saves it in the same transaction,
so two concurrent moves cannot both pass the check. A move the table does not allow raises
``IllegalTransition`` (409, code ``<machine>.illegal_transition``) naming the current state, and
writes nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from apps.core.errors import Conflict


class IllegalTransition(Conflict):
    """The action is not allowed from the object's current state (HTTP 409)."""

    def __init__(self, message: str, *, code: str, state: str, action: str) -> None:
        super().__init__(message, code=code)
        self.state = state
        self.action = action


@dataclass(frozen=True)
class Machine:
    """A state machine: ``transitions[(state, action)]`` is the state the action leads to.

    ``repeatable`` lists actions whose repeat from their target state is allowed and changes
    nothing (e.g. hiding a hidden comment): ``move`` then returns the state unchanged.
    """

    name: str
    transitions: Mapping[tuple[str, str], str]
    states: tuple[str, ...]
    field: str = "status"
    repeatable: frozenset[str] = dataclasses.field(default_factory=frozenset)

    def __post_init__(self) -> None:
        known = set(self.states)
        for (state, _action), target in self.transitions.items():
            if state not in known or target not in known:
                raise ValueError(f"{self.name}: transition {state!r} -> {target!r} names no state")

    @property
    def code(self) -> str:
        return f"{self.name}.illegal_transition"

    @property
    def actions(self) -> tuple[str, ...]:
        """Every action the machine knows, in declaration order."""
        return tuple(dict.fromkeys(action for _state, action in self.transitions))

    def sources(self, action: str) -> frozenset[str]:
        """The states from which ``action`` is allowed (for set-based guards in SQL)."""
        return frozenset(state for state, act in self.transitions if act == action)

    def targets(self, action: str) -> frozenset[str]:
        return frozenset(to for (_state, act), to in self.transitions.items() if act == action)

    def allows(self, state: str, action: str) -> bool:
        return (state, action) in self.transitions or self._is_repeat(state, action)

    def _is_repeat(self, state: str, action: str) -> bool:
        return action in self.repeatable and state in self.targets(action)

    def next_state(self, state: str, action: str) -> str:
        """The state ``action`` leads to from ``state``, or ``IllegalTransition``."""
        target = self.transitions.get((state, action))
        if target is not None:
            return target
        if self._is_repeat(state, action):
            return state
        label = self.name.replace("_", " ")
        raise IllegalTransition(
            f"This {label} is {state}; '{action}' is not allowed from that state.",
            code=self.code,
            state=state,
            action=action,
        )

    def move(self, obj: Any, action: str) -> tuple[str, str]:
        """Apply ``action`` to ``obj`` (whose row lock the caller holds); returns (from, to).

        Only the attribute is set: the caller saves it with the rest of its writes, inside the
        transaction that holds the lock.
        """
        current = getattr(obj, self.field)
        target = self.next_state(current, action)
        setattr(obj, self.field, target)
        return current, target

    def pairs(self) -> Iterable[tuple[str, str]]:
        """Every (state, action) pair, legal or not: what a table-driven test walks."""
        for state in self.states:
            for action in self.actions:
                yield state, action
