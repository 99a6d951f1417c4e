"""The care team's coordination around one participant: team threads, tasks, mentions, and the
program's weekly case review (issue 15, Build 2)."""

__all__: list[str] = []
