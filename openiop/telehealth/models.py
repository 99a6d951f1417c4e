import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from openiop.lib.phone import PhoneField
from openiop.lib.states import STATE_CHOICES

from . import attendance as presence


class Room(models.Model):
    """The Janus room of one session, created just in time and destroyed at its end."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session_code = models.UUIDField(unique=True)
    # The name of the Janus node holding the room (nodes.configured_nodes()); the whole room,
    # and its breakout room, live on that one node. Changed when the room is re-placed.
    janus_node = models.CharField(max_length=200)
    janus_room_id = models.CharField(max_length=36, unique=True)
    # A private side room (crisis check-in with a co-facilitator), created the first time it
    # is needed; same secret and pin as the main room.
    breakout_janus_room_id = models.CharField(max_length=36, blank=True)
    # Needed to destroy the room, kick someone, or re-create it after a Janus restart.
    secret = models.CharField(max_length=64)
    pin = models.CharField(max_length=32)
    publishers = models.PositiveSmallIntegerField()
    bitrate = models.PositiveIntegerField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # When Janus was last asked who is in the room (actions.check_feeds), to space the checks.
    feeds_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="open") & Q(closed_at__isnull=True))
                | (Q(status="closed") & Q(closed_at__isnull=False)),
                name="room_closed_at_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return f"Room {self.code}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class JanusNode(models.Model):
    """What OpenIOP knows about one Janus server of the pool (configured in settings).

    A row appears the first time a node is checked or chosen. ``state`` is the last check's
    finding; ``draining`` is an operator's decision (no new rooms; live ones finish there).
    """

    class State(models.TextChoices):
        UP = "up", "Healthy"
        DOWN = "down", "Down"
        REFUSING = "refusing", "Refuses rooms"

    name = models.CharField(max_length=40, unique=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.UP)
    # Janus's own words (an error code and reason) or "ok"; never PHI.
    detail = models.CharField(max_length=200, blank=True)
    state_since = models.DateTimeField()
    checked_at = models.DateTimeField(null=True, blank=True)
    draining = models.BooleanField(default=False)
    draining_since = models.DateTimeField(null=True, blank=True)
    # CPU of the Janus process over the last check interval, in % of one core (None: not
    # measurable from here); cpu_ticks/cpu_sampled_at are the previous /proc sample.
    cpu_percent = models.FloatField(null=True, blank=True)
    cpu_ticks = models.BigIntegerField(null=True, blank=True)
    cpu_sampled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Janus node {self.name}"

    @property
    def accepts_rooms(self) -> bool:
        return self.state == self.State.UP and not self.draining


class Attendance(models.Model):
    """One participant at one video session: where they are, the waiting room, minutes."""

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting to be admitted"
        ADMITTED = "admitted", "Admitted"
        REMOVED = "removed", "Removed by the facilitator"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session_code = models.UUIDField()
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="video_attendances"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    # Location gate (CLINICAL.md §4.3): asked before every session, shown to the facilitator.
    location = models.CharField(max_length=200, help_text="Address, or city and state.")
    location_state = models.CharField(max_length=2, choices=STATE_CHOICES)
    callback_phone = PhoneField()
    private_place = models.BooleanField()
    location_confirmed_at = models.DateTimeField()
    waiting_since = models.DateTimeField()
    admitted_at = models.DateTimeField(null=True, blank=True)
    admitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    # "I need help" pressed in the room: shown privately to the facilitators until handled.
    help_requested_at = models.DateTimeField(null=True, blank=True)
    help_acknowledged_at = models.DateTimeField(null=True, blank=True)
    help_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # In the session's private breakout room instead of the group.
    in_breakout = models.BooleanField(default=False)
    # The staff member asked to join them there (a crisis check-in): their room page follows.
    breakout_with = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Muted for everyone by a facilitator (Janus "moderate"), until they allow it again.
    muted_by_facilitator = models.BooleanField(default=False)
    minutes_attended = models.PositiveIntegerField(null=True, blank=True)
    late = models.BooleanField(default=False)
    left_early = models.BooleanField(default=False)
    corrected_minutes = models.PositiveIntegerField(null=True, blank=True)
    correction_reason = models.CharField(max_length=300, blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    corrected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session_code", "participant"], name="one_attendance_per_session"
            ),
            models.CheckConstraint(
                condition=~Q(state="admitted") | Q(admitted_at__isnull=False),
                name="attendance_admitted_has_time",
            ),
            models.CheckConstraint(
                condition=Q(corrected_minutes__isnull=True) | ~Q(correction_reason=""),
                name="attendance_correction_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["session_code", "state"])]

    def __str__(self) -> str:
        return f"Attendance {self.code}"

    @property
    def needs_help(self) -> bool:
        return self.help_requested_at is not None and self.help_acknowledged_at is None

    @property
    def final_minutes(self) -> int | None:
        if self.corrected_minutes is not None:
            return self.corrected_minutes
        return self.minutes_attended


class Feed(models.Model):
    """The Janus publisher id the server assigned to one person in one of a session's rooms.

    Each ticket assigns a fresh id (a reconnect or a second tab gets its own, and the old one
    stops counting). Pages name a video tile by looking its id up here, never by a display
    string a browser sent to Janus; a publisher whose id is not here is removed.
    """

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="feeds")
    breakout = models.BooleanField(default=False)
    # A signed-in person (staff or participant), or a guest invited to the session (no account).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    guest = models.ForeignKey(
        "GuestInvite", on_delete=models.CASCADE, null=True, blank=True, related_name="feeds"
    )
    # Set for participants (staff have no chart here): their short name, remove and mute.
    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Random and unguessable (room ids are strings in OpenIOP's Janus config, so these are too).
    feed_id = models.CharField(max_length=36, unique=True)
    issued_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["room", "breakout", "user"], name="one_feed_per_person_per_room"
            ),
            models.UniqueConstraint(
                fields=["room", "breakout", "guest"], name="one_feed_per_guest_per_room"
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=True, guest__isnull=False)
                | Q(user__isnull=False, guest__isnull=True),
                name="feed_is_a_user_or_a_guest",
            ),
        ]

    def __str__(self) -> str:
        return f"Feed {self.feed_id}"


class PresenceEvent(models.Model):
    """What the participant's browser reported: joined, heartbeat, lost, left."""

    # The same values as attendance.EventKind, which computes minutes from them.
    class Kind(models.TextChoices):
        JOINED = presence.EventKind.JOINED.value, "Joined"
        HEARTBEAT = presence.EventKind.HEARTBEAT.value, "Still connected"
        LOST = presence.EventKind.LOST.value, "Connection lost"
        LEFT = presence.EventKind.LEFT.value, "Left"

    attendance = models.ForeignKey(Attendance, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["attendance", "at"])]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%H:%M:%S}"


class GuestInvite(models.Model):
    """A one-time link for an interpreter, family member or support person to join one
    individual or family session's video room, without an account.

    Only a hash of the link's token is stored: the link is shown once to the clinician (or
    sent once). Consenting on the link's page uses it up and binds it to that browser
    (``used_at``); the guest then waits until a facilitator admits them. A guest never has a
    User or a login: their browser session holds a signed marker for this invitation only.
    """

    class Role(models.TextChoices):
        INTERPRETER = "interpreter", "Interpreter"
        FAMILY = "family", "Family member"
        SUPPORT = "support", "Support person"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session_code = models.UUIDField()
    role = models.CharField(max_length=12, choices=Role.choices)
    # First name only: what everyone in the room sees, with the role ("Maria (interpreter)").
    display_name = models.CharField(max_length=40)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    # The end of the session's join window: the link is no use after it.
    expires_at = models.DateTimeField()
    # SHA-256 of the link's token (hex); the token itself is never stored.
    token_hash = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(null=True, blank=True)
    consented_at = models.DateTimeField(null=True, blank=True)
    admitted_at = models.DateTimeField(null=True, blank=True)
    admitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(consented_at__isnull=True) | Q(used_at__isnull=False),
                name="guest_consent_uses_the_link",
            ),
            models.CheckConstraint(
                condition=Q(admitted_at__isnull=True) | Q(consented_at__isnull=False),
                name="guest_admitted_after_consent",
            ),
        ]
        indexes = [models.Index(fields=["session_code", "created_at"])]

    def __str__(self) -> str:
        return f"Guest invite {self.code}"

    @property
    def label(self) -> str:
        """What the room shows: first name and role, e.g. "Maria (interpreter)"."""
        return f"{self.display_name} ({self.get_role_display().lower()})"

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def status(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.is_expired(now):
            return "expired"
        if self.admitted_at is not None:
            return "admitted"
        if self.consented_at is not None:
            return "waiting"
        return "pending"
