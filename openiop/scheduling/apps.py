from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "openiop.scheduling"
    label = "scheduling"
    verbose_name = "Scheduling"

    def ready(self) -> None:
        from openiop.intake.hooks import register_closed_days
        from openiop.participants.access import register_facilitated_participants
        from openiop.programs.hooks import register_upcoming_sessions
        from openiop.scheduling.access import facilitated_participant_ids
        from openiop.scheduling.queries import closed_days, upcoming_booked_sessions

        # Facilitating a group opens its seated members' charts; the chart gate sits below
        # scheduling, so scheduling tells it who those members are.
        register_facilitated_participants(facilitated_participant_ids)
        # Program setup warns before a facilitator leaves a group with booked sessions.
        register_upcoming_sessions(upcoming_booked_sessions)
        # The intake pipeline's business days skip the program's holidays.
        register_closed_days(closed_days)
