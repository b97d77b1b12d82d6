"""A separate process that screens texts, for the cross-process rule-version test.

Started by the test with the test database and the shared cache in its environment. It reads
commands on stdin, ``<expected action> <text>``, screens the text until the result has the
expected action (or 15 s pass), and answers ``<action> <seconds waited>``.
"""

import os
import sys
import time

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from apps.moderation.screening import Surface, screen_text

    print("ready", screen_text(surface=Surface.NOTE, text="warm-up").action, flush=True)
    for line in sys.stdin:
        expected, text = line.rstrip("\n").split(" ", 1)
        started = time.monotonic()
        while True:
            action = screen_text(surface=Surface.NOTE, text=text).action
            waited = time.monotonic() - started
            if action == expected or waited > 15:
                break
            time.sleep(0.05)
        print(action, f"{waited:.2f}", flush=True)


if __name__ == "__main__":
    main()
