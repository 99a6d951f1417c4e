"""Participant ↔ care team threads and their messages (issue 15, Build 1)."""

__all__: list[str] = []
