from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openiop.telehealth import actions, queries


class Command(BaseCommand):
    help = (
        "The Janus pool: 'list' the nodes, 'check' them (run every few seconds from a timer: "
        "marks nodes up, down or refusing, measures CPU, re-places the rooms of dead nodes), "
        "'drain NAME' (no new rooms there) or 'undrain NAME'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["list", "check", "drain", "undrain"])
        parser.add_argument("name", nargs="?", help="the node's name (drain, undrain)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action in ("drain", "undrain"):
            if not options["name"]:
                raise CommandError(f"{action} needs the node's name.")
            try:
                actions.set_draining(options["name"], action == "drain", acting_user=None)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        elif action == "check":
            actions.check_nodes()
        for node in queries.node_statuses():
            cpu = "not reported" if node.cpu_percent is None else f"{node.cpu_percent} %"
            self.stdout.write(
                f"{node.name}\t{node.state}\trooms={node.rooms}\t"
                f"participants={node.participants}\tcpu={cpu}\t{node.detail}"
            )
