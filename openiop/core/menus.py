"""The main menu of each role, in one place (docs/permissions.md, "Menus").

A role's menu lists only pages that role can open: `core/tests/test_menus.py` opens every
entry as a persona of each role and checks each against the authorisation matrix, so an entry
a role cannot open (403, 404) fails there. Pages a role may open but has no daily use for (an
administrator's empty caseload) are left out.

To add a page, add one `Item` to the roles that use it; the URL must be in the matrix first.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from openiop.accounts.models import User


@dataclass(frozen=True)
class Item:
    label: str | Promise
    url_name: str
    # View names (or "namespace:" prefixes) of the pages that belong to this entry, besides
    # its own: the entry is marked as where the user is (aria-current) on them.
    section: tuple[str, ...] = ()
    # For entries that depend on more than the role (a flag on the account).
    only_if: Callable[[User], bool] | None = None

    def is_current(self, view_name: str) -> bool:
        if view_name == self.url_name:
            return True
        return any(
            view_name.startswith(prefix) if prefix.endswith(":") else view_name == prefix
            for prefix in self.section
        )


@dataclass(frozen=True)
class Link:
    label: str | Promise
    url: str
    # "page" on the entry's own page, "true" elsewhere in its section, "" otherwise.
    current: str


SECURITY = Item(_("Security"), "mfa_index", section=("mfa_",))
CASELOAD = Item(_("Caseload"), "participants:caseload", section=("participants:",))
INTAKE = Item(_("Intake"), "intake:referrals", section=("intake:",))
PIPELINE = Item(_("Intake pipeline"), "intake:pipeline", section=("intake:targets",))
SCHEDULE = Item(_("Schedule"), "scheduling:index", section=("scheduling:",))
VIDEO = Item(_("Video sessions"), "telehealth:sessions", section=("telehealth:",))
MESSAGES = Item(_("Messages"), "messaging:inbox", section=("messaging:",))
PEER_SPACE = Item(_("Peer space"), "community:index", section=("community:",))
ALERTS = Item(_("Safety alerts"), "safety:alerts", section=("safety:alert",))
RECORD_REQUESTS = Item(_("Record requests"), "access_requests:list", section=("access_requests:",))
OUTCOMES = Item(
    _("Program outcomes"),
    "outcomes:dashboards",
    section=("outcomes:dashboard", "outcomes:dashboard_export"),
)
MY_TASKS = Item(_("My tasks"), "messaging:my_tasks", section=("messaging:team",))
CASE_REVIEW = Item(
    _("Case review"), "messaging:case_review_index", section=("messaging:case_review",)
)
# Privacy officers are a flag on a member of staff, whatever their role.
PRIVACY_REPORT = Item(
    _("Emergency access report"),
    "participants:emergency_access_report",
    only_if=lambda user: user.privacy_officer,
)

MENUS: dict[str, tuple[Item, ...]] = {
    User.Role.PARTICIPANT: (
        Item(_("My safety plan"), "safety:my_plan"),
        Item(_("Today"), "home"),
        Item(_("My week"), "scheduling:my_week"),
        Item(_("My plan"), "careplans:my_plan"),
        Item(_("Messages"), "messaging:mine", section=("messaging:",)),
        Item(_("Questionnaires"), "assessments:mine"),
        PEER_SPACE,
        Item(_("My consents"), "consent:mine"),
        Item(_("Settings"), "portal:settings"),
    ),
    User.Role.GUARDIAN: (
        Item(_("Family portal"), "home"),
        SECURITY,
    ),
    User.Role.CLINICIAN: (
        Item(_("My work"), "home"),
        CASELOAD,
        MESSAGES,
        MY_TASKS,
        CASE_REVIEW,
        SCHEDULE,
        VIDEO,
        ALERTS,
        PEER_SPACE,
        PRIVACY_REPORT,
        SECURITY,
    ),
    User.Role.INTAKE_COORDINATOR: (
        INTAKE,
        PIPELINE,
        CASELOAD,
        MY_TASKS,
        SCHEDULE,
        RECORD_REQUESTS,
        PRIVACY_REPORT,
        SECURITY,
    ),
    User.Role.PROGRAM_DIRECTOR: (
        Item(_("My work"), "home", section=("core:team_worklist",)),
        CASELOAD,
        MESSAGES,
        MY_TASKS,
        CASE_REVIEW,
        INTAKE,
        PIPELINE,
        SCHEDULE,
        VIDEO,
        ALERTS,
        Item(_("Safety board"), "safety:boards", section=("safety:board", "safety:rota")),
        RECORD_REQUESTS,
        OUTCOMES,
        Item(_("Measures"), "outcomes:schedules_index", section=("outcomes:schedules",)),
        Item(_("Program setup"), "programs:index", section=("programs:",)),
        Item(_("Operations board"), "core:board_index", section=("core:board",)),
        Item(_("Billing"), "billing:index", section=("billing:",)),
        PEER_SPACE,
        PRIVACY_REPORT,
        SECURITY,
    ),
    User.Role.ADMINISTRATOR: (
        Item(_("Administration"), "home"),
        Item(_("Accounts"), "admin:accounts_user_changelist", section=("admin:",)),
        OUTCOMES,
        PRIVACY_REPORT,
        SECURITY,
    ),
}


def items_for(user: User) -> list[Item]:
    """The menu entries of the user's role (none for someone signed out)."""
    if not user.is_authenticated:
        return []
    return [item for item in MENUS.get(user.role, ()) if item.only_if is None or item.only_if(user)]


def menu_for(user: User, view_name: str) -> list[Link]:
    """The user's menu as links, the one for `view_name` marked current. No queries."""
    links = []
    for item in items_for(user):
        current = ""
        if view_name == item.url_name:
            current = "page"
        elif item.is_current(view_name):
            current = "true"
        links.append(Link(item.label, reverse(item.url_name), current))
    return links
