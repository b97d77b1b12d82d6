"""schemathesis hooks for the CI fuzz run (loaded through SCHEMATHESIS_HOOKS by .ci/run).

A schema-valid request that reuses an ``Idempotency-Key`` with another body is refused with 422
by design (docs: "the same key with another body is refused"); the fuzzer draws keys
independently of bodies, so it reuses them. A positive case gets a fresh UUID, as a conforming
client sends; negative cases keep the generated value so malformed keys are still probed, and
tests/core cover the reuse path itself.
"""

import uuid
from typing import Any

import schemathesis

HEADER = "Idempotency-Key"


@schemathesis.hook
def before_call(context: Any, case: Any, **kwargs: Any) -> None:
    headers = case.headers or {}
    meta = getattr(case, "meta", None)
    positive = meta is None or meta.generation.mode.is_positive
    if HEADER in headers and positive:
        headers[HEADER] = str(uuid.uuid4())
