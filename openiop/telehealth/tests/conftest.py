from __future__ import annotations

from collections.abc import Iterator

import pytest

from .lab import VideoLab, require_lab


@pytest.fixture(scope="module")
def lab() -> Iterator[VideoLab]:
    """A real Janus in a private network namespace, shared by one test module."""
    require_lab()
    with VideoLab() as video_lab:
        yield video_lab
