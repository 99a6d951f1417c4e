from __future__ import annotations

from collections.abc import Iterator

import pytest

from .lab import VideoLab, netns_available


@pytest.fixture(scope="module")
def lab() -> Iterator[VideoLab]:
    """A real Janus in a private network namespace, shared by one test module."""
    reason = netns_available()
    if reason:
        pytest.skip(reason)
    with VideoLab() as video_lab:
        yield video_lab
