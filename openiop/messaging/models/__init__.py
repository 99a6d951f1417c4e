"""Messaging's models, one module per part (DESIGN.md: `messaging` owns participant ↔ care
team threads, the care team's own threads and tasks, and the weekly case review)."""

from openiop.messaging.models.team import *  # noqa: F403
from openiop.messaging.models.threads import *  # noqa: F403
