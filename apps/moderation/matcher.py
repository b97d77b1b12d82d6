"""Keyword screening: the rules compiled into one Aho-Corasick automaton per process.

The automaton is built from the active rules and labelled with the rule-set version read from
the shared cache just before the rules were loaded. Every rule save or delete bumps that version
when its transaction commits; each process compares its label with the cache at most every
``MODERATION_RULES_CHECK_SECONDS`` and rebuilds when they differ, so an operator's edit reaches
every process within seconds, without a restart, at the cost of one cache read per interval.

Matching runs on the normalised text (see ``normalize.py``). The fast path (normalise with three
C-level passes, walk the automaton) decides most texts; only a text with a candidate hit is
normalised again character by character, to check whole-word rules and to map hits back to the
original characters for masking.
"""

import logging
import re
import threading
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

from apps.moderation.models import SURFACE_FIELDS, KeywordRule
from apps.moderation.normalize import (
    NUMERAL_DIGITS,
    Normalized,
    at_word_boundaries,
    contact_view,
    is_latin_word_char,
    normalize,
    normalize_with_offsets,
)
from apps.moderation.screening_types import Action, Hit, ScreeningResult, Surface

logger = logging.getLogger(__name__)

VERSION_KEY = "moderation:rules:version"
SURFACE_BITS = {str(surface): 1 << index for index, surface in enumerate(Surface.values)}
ACTION_RANK = {Action.ALLOW: 0, Action.MASK: 1, Action.REVIEW: 2, Action.BLOCK: 3}
CONTACT_CATEGORY = "contact"


@dataclass(frozen=True, slots=True)
class RuleEntry:
    """What the automaton stores for one rule."""

    rule_id: int | None
    term: str  # as the operator wrote it
    key: str  # the normalised term the automaton matches
    category: str
    action: str
    surfaces: int  # bit set of SURFACE_BITS
    whole_word: bool


def surface_bits(surfaces: Iterable[str]) -> int:
    bits = 0
    for surface in surfaces:
        bits |= SURFACE_BITS[surface]
    return bits


class CompiledRules:
    """An immutable automaton over normalised terms; replaced whole when the rules change."""

    def __init__(self, entries: Iterable[RuleEntry], version: int | None = None) -> None:
        self.version = version
        # Set when built inside a transaction that changed rules and has not committed: such an
        # automaton is trusted only inside that transaction (it may roll back).
        self.provisional_in: weakref.ref | None = None
        by_key: dict[str, list[RuleEntry]] = {}
        for entry in entries:
            if entry.key:
                by_key.setdefault(entry.key, []).append(entry)
        self.rule_count = sum(len(group) for group in by_key.values())
        self.automaton: ahocorasick.Automaton | None = None
        if by_key:
            automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
            for key, group in by_key.items():
                automaton.add_word(key, tuple(group))
            automaton.make_automaton()
            self.automaton = automaton

    def candidates(self, normalized: str, surface_bit: int) -> list[tuple[int, int, RuleEntry]]:
        """Every (start, end, rule) occurrence in a normalised text, for one surface."""
        if self.automaton is None:
            return []
        found = []
        for last, group in self.automaton.iter(normalized):
            for entry in group:
                if entry.surfaces & surface_bit:
                    found.append((last - len(entry.key) + 1, last + 1, entry))
        return found


# --- The rule-set version in the shared cache -----------------------------------------------


def rules_version() -> int:
    """The current rule-set version; created on first use (and after a cache flush)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return int(version)


def bump_rules_version() -> None:
    """Tell every process the rules changed. Call after the change has committed."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # missing (first use, or the cache was flushed): any new value will do
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)
    _state.dirty_in = None
    _state.checked_at = float("-inf")  # this process looks again at its next screening


def rules_changed() -> None:
    """Called by the rule services inside their transaction.

    The transaction itself screens with its own changes at once; other processes hear of them
    when it commits (the version bump). Should it roll back, whatever this process compiled
    inside it is discarded (see ``CompiledRules.provisional_in``).
    """
    outermost = _outermost_atomic()
    with _state.lock:
        _state.dirty_in = weakref.ref(outermost) if outermost is not None else None
        _state.compiled = None  # rebuilt at the next screening, with this change
    transaction.on_commit(bump_rules_version)


# --- The process's compiled rules -------------------------------------------------------------


class _State:
    def __init__(self) -> None:
        self.compiled: CompiledRules | None = None
        self.checked_at = float("-inf")
        self.dirty_in: weakref.ref | None = None  # the open transaction that changed rules
        self.lock = threading.Lock()


_state = _State()


def _outermost_atomic() -> object | None:
    return connection.atomic_blocks[0] if connection.in_atomic_block else None


def load_entries() -> list[RuleEntry]:
    """The active rules as automaton entries, in one query."""

    fields = ("id", "term", "normalized_term", "category", "action", "whole_word")
    surface_fields = tuple(SURFACE_FIELDS.values())
    entries = []
    for row in KeywordRule.objects.filter(is_active=True).values_list(*fields, *surface_fields):
        rule_id, term, key, category, action, whole_word, *flags = row
        bits = surface_bits(s for s, on in zip(SURFACE_FIELDS, flags, strict=True) if on)
        entries.append(RuleEntry(rule_id, term, key, category, action, bits, whole_word))
    return entries


def rebuild(version: int | None = None) -> CompiledRules:
    """Compile the active rules now and make them this process's automaton."""
    if version is None:
        version = _read_version()
    compiled = CompiledRules(load_entries(), version)  # rules read after the version
    dirty = _state.dirty_in() if _state.dirty_in is not None else None
    if dirty is not None and dirty is _outermost_atomic():
        compiled.provisional_in = _state.dirty_in
    _state.compiled = compiled
    _state.checked_at = time.monotonic()
    return compiled


def reset() -> None:
    """Forget the compiled rules; the next screening rebuilds them from the database."""
    with _state.lock:
        _state.compiled = None
        _state.dirty_in = None
        _state.checked_at = float("-inf")


def _read_version() -> int | None:
    try:
        return rules_version()
    except Exception:  # a cache outage must not stop writes: keep the rules we have
        logger.warning("moderation: cannot read the rule-set version", exc_info=True)
        return None


def current_rules() -> CompiledRules:
    """This process's automaton, rebuilt when the shared version moved (checked every N s)."""
    compiled = _state.compiled
    now = time.monotonic()
    if compiled is not None and compiled.provisional_in is not None:
        owner = compiled.provisional_in()
        if owner is None or owner is not _outermost_atomic():  # its transaction is over
            with _state.lock:
                return rebuild(_read_version())
    elif compiled is not None and now - _state.checked_at < settings.MODERATION_RULES_CHECK_SECONDS:
        return compiled
    version = _read_version()
    if compiled is not None and (version is None or version == compiled.version):
        _state.checked_at = now
        return compiled
    with _state.lock:
        compiled = _state.compiled
        if compiled is not None and compiled.version == version and version is not None:
            _state.checked_at = now
            return compiled
        return rebuild(version)


# --- Contact details ------------------------------------------------------------------------

WECHAT_TRIGGERS = (
    r"(?:微信|威信|薇信|徽信|魏信|维信|微x|微v|v信|wx|vx|weixin|wechat|weichat|加v|wxid)"
)
WECHAT_ID_TAIL = r"(?:号|id|账号)?(?:是|为|搜|加|添加)?"
_ONE = "1一幺壹"
_THREE_TO_NINE = "3-9三叁四肆五伍六陆七柒拐八捌九玖勾"
_DIGIT = "0-9" + "".join(NUMERAL_DIGITS)
# On the normalised text itself, Chinese numerals included: no translation on the fast path.
PHONE_PRECHECK = re.compile(f"[{_ONE}][{_THREE_TO_NINE}][{_DIGIT}]{{9}}")
WECHAT_PRECHECK = re.compile(WECHAT_TRIGGERS + WECHAT_ID_TAIL + r"[a-z][a-z0-9]{5}")
PHONE_ANYWHERE = re.compile(r"(?=(1[3-9][0-9]{9}))")
WECHAT_RE = re.compile(f"({WECHAT_TRIGGERS})({WECHAT_ID_TAIL})([a-z][a-z0-9]*)")
WECHAT_ID_JOINERS = frozenset("_-")
WECHAT_ID_LENGTH = range(6, 21)  # WeChat ids: 6 to 20 characters, starting with a letter


def _contact_precheck(view: str) -> bool:
    return bool(PHONE_PRECHECK.search(view) or WECHAT_PRECHECK.search(view))


def _digit_edge(view: str, normalized: Normalized, index: int) -> bool:
    """Whether ``index`` is a number boundary: text edge, a separator, or a non-digit."""
    if index <= 0 or index >= len(view):
        return True
    return normalized.separated[index] or not view[index - 1].isdigit() or not view[index].isdigit()


def _contact_spans(original: str, normalized: Normalized) -> list[tuple[int, int, str]]:
    """Phone numbers and WeChat ids as normalised (start, end, kind) spans."""
    view = contact_view(normalized.text)
    spans = []
    for match in PHONE_ANYWHERE.finditer(view):
        start, end = match.start(1), match.end(1)
        if not _digit_edge(view, normalized, end):
            continue
        if _digit_edge(view, normalized, start):
            spans.append((start, end, "phone number"))
        elif view[max(0, start - 2) : start] == "86" and _digit_edge(view, normalized, start - 2):
            spans.append((start - 2, end, "phone number"))
    for match in WECHAT_RE.finditer(view):
        start = match.start()
        if start > 0 and not normalized.separated[start] and is_latin_word_char(view[start - 1]):
            continue  # "wx" inside a Latin word ("wxwidgets") is not a trigger
        id_start = match.start(3)
        id_end = id_start + 1
        while id_end < match.end(3):
            if normalized.separated[id_end]:
                between = original[normalized.offsets[id_end - 1] + 1 : normalized.offsets[id_end]]
                if not set(between) <= WECHAT_ID_JOINERS:
                    break  # a space or other punctuation ends the id
            id_end += 1
        if id_end - id_start not in WECHAT_ID_LENGTH:
            continue
        glued = (
            match.end(2) == id_start
            and not normalized.separated[id_start]
            and is_latin_word_char(view[id_start - 1])
        )
        if glued and not any(char.isdigit() for char in view[id_start:id_end]):
            continue  # "wxwidgets": a Latin trigger glued to a plain word is just a word
        spans.append((start, id_end, "WeChat id"))
    return spans


# --- Screening --------------------------------------------------------------------------------


def _strongest(actions: Iterable[str]) -> str:
    return max(actions, key=ACTION_RANK.__getitem__, default=Action.ALLOW)


def screen(*, surface: str, text: str) -> ScreeningResult:
    """Screen one text for one surface against the process's compiled rules."""
    if not text:
        return ScreeningResult(action=Action.ALLOW, text=text)
    compiled = current_rules()
    fast = normalize(text)
    candidates = compiled.candidates(fast, SURFACE_BITS[surface])
    check_contact = surface in settings.MODERATION_CONTACT_SURFACES
    if not candidates and not (check_contact and _contact_precheck(fast)):
        return ScreeningResult(action=Action.ALLOW, text=text)

    normalized = normalize_with_offsets(text)
    found: list[tuple[int, int, Hit]] = []
    for start, end, entry in candidates:
        if entry.whole_word and not at_word_boundaries(normalized, start, end):
            continue
        action = entry.action
        if surface == Surface.USERNAME and action == Action.MASK:
            action = Action.BLOCK  # a username cannot carry asterisks: masking refuses it
        o_start, o_end = normalized.original_span(start, end)
        hit = Hit(entry.rule_id, entry.term, entry.category, action, o_start, o_end)
        found.append((start, end, hit))
    if check_contact:
        contact_action = settings.MODERATION_CONTACT_ACTION
        for start, end, kind in _contact_spans(text, normalized):
            o_start, o_end = normalized.original_span(start, end)
            found.append(
                (start, end, Hit(None, kind, CONTACT_CATEGORY, contact_action, o_start, o_end))
            )
    if not found:
        return ScreeningResult(action=Action.ALLOW, text=text)

    found.sort(key=lambda item: (item[2].start, item[2].end))
    action = _strongest(hit.action for _, _, hit in found)
    stored = text
    if action != Action.BLOCK:
        chars = list(text)
        for start, end, hit in found:
            if hit.action == Action.MASK:
                for index in range(start, end):
                    chars[normalized.offsets[index]] = "*"
        stored = "".join(chars)
    return ScreeningResult(action=action, text=stored, hits=tuple(hit for _, _, hit in found))
