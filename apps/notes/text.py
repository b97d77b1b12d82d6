"""What a note's text carries: #topics, @mentions, and the folded text that search reads."""

import re

MAX_TOPICS = 10
MAX_MENTIONS = 20
TOPIC_MAX_LENGTH = 30

# "#上海美食", "#OOTD#", and the app's own "#上海美食[话题]#" form.
TOPIC_PATTERN = re.compile(r"#([\w·\-]{1,30})(?:\[话题\])?#?")
# Usernames follow Django's validator: letters, digits and @ . + - _
MENTION_PATTERN = re.compile(r"(?<![\w.@+\-])@([\w.+\-]{1,150})")


def topic_key(name: str) -> str:
    """The lookup key of a topic: case-folded, so #OOTD and #ootd are one topic."""
    return name.casefold()[:TOPIC_MAX_LENGTH]


def parse_topics(body: str) -> list[str]:
    """Topic names in order of first appearance, at most MAX_TOPICS, one per key."""
    names: list[str] = []
    keys: set[str] = set()
    for match in TOPIC_PATTERN.finditer(body):
        name = match.group(1).strip("_-·")[:TOPIC_MAX_LENGTH]
        if not name or topic_key(name) in keys:
            continue
        keys.add(topic_key(name))
        names.append(name)
        if len(names) == MAX_TOPICS:
            break
    return names


def parse_mentions(body: str) -> list[str]:
    """Mentioned usernames (case-folded), in order, at most MAX_MENTIONS."""
    seen: list[str] = []
    for match in MENTION_PATTERN.finditer(body):
        username = match.group(1).rstrip(".").casefold()
        if username and username not in seen:
            seen.append(username)
        if len(seen) == MAX_MENTIONS:
            break
    return seen


def search_document(*, title: str, body: str, topics: list[str]) -> str:
    """Title, body and topic names, case-folded with whitespace collapsed: what search reads."""
    return search_term("\n".join([title, body, " ".join(topics)]))


def search_term(query: str) -> str:
    """A query or document in the one form both are compared in."""
    return " ".join(query.split()).casefold()
