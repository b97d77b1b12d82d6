"""Account health from strikes (posting restrictions are computed here)."""


def ensure_can_post(user: object) -> None:
    return None
