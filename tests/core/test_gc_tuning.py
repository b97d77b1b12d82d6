"""The server processes' garbage-collector settings (config/gc_tuning.py)."""

import gc

import pytest

from config import gc_tuning


@pytest.fixture
def restored_gc():
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_start_up_objects_are_frozen_and_young_collections_wait(restored_gc, monkeypatch) -> None:
    monkeypatch.delenv("GC_TUNING", raising=False)
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    assert gc_tuning.tune_for_server() is True
    assert gc.get_freeze_count() > 10_000  # Django, the URL map, the models
    assert gc.get_threshold() == (
        gc_tuning.YOUNG_THRESHOLD,
        gc_tuning.MIDDLE_THRESHOLD,
        gc_tuning.OLD_THRESHOLD,
    )


def test_off_keeps_the_defaults(restored_gc, monkeypatch) -> None:
    monkeypatch.setenv("GC_TUNING", "off")
    gc.unfreeze()
    before = gc.get_threshold()
    assert gc_tuning.tune_for_server() is False
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


def test_the_entry_points_tune_the_process(restored_gc) -> None:
    import config.asgi  # noqa: F401  (imported once per process: tuning ran at import)

    assert gc.get_threshold()[0] == gc_tuning.YOUNG_THRESHOLD
