"""Limits of notes' content, shared by the services, the serializers and the creator center."""

TITLE_MAX = 20
BODY_MAX = 1000
COMMENT_MAX = 500
MAX_IMAGES = 18
MAX_BOARDS = 200
MAX_ID = 2**63 - 1  # the largest primary key (bigint)
