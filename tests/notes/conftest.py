"""Real media for the notes tests, generated once per session with ffmpeg."""

from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings

from tests.notes.factories import make_video


@pytest.fixture(scope="session")
def video_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("videos")


@pytest.fixture(scope="session")
def short_video(video_dir: Path) -> Path:
    return make_video(video_dir / "short.mp4", seconds=3)


@pytest.fixture(scope="session")
def short_mov(video_dir: Path) -> Path:
    return make_video(video_dir / "short.mov", seconds=3, container="mov")


@pytest.fixture(scope="session")
def sixteen_minute_video(video_dir: Path) -> Path:
    return make_video(video_dir / "sixteen.mp4", seconds=960, fps=1)


@pytest.fixture
def stored_files() -> Callable[[], list[str]]:
    """Every file under MEDIA_ROOT (a fresh directory per test)."""

    def _list() -> list[str]:
        root = Path(settings.MEDIA_ROOT)
        if not root.exists():
            return []
        return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())

    return _list
