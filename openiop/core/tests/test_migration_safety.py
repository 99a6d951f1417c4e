"""Migrations must be safe to run while the previous release still serves (docs/deploy.md).

Several web nodes are upgraded one at a time after `migrate` ran once, so for a while the old
code runs on the new schema. It breaks when a column or table it uses disappears or is renamed,
or when a new NOT NULL column has no database default (the old code's INSERT leaves it out;
Django's `default=` is applied by Python, not by the database). Expand, then contract: add the
column nullable or with `db_default`, ship the code, and drop what is unused a release later in
a migration that says so with `old_code_safe = "why"`.
"""

from typing import Any

from django.db import migrations, models
from django.db.migrations.loader import MigrationLoader
from django.test import SimpleTestCase

# Written before this rule, each shipped together with the code that needed it (installs
# upgraded with the site paused). Never add to this list: mark a new migration instead.
BEFORE_THE_RULE = {
    ("accounts", "0004_user_mobile_phone"),
    ("accounts", "0006_user_privacy_officer"),
    ("accounts", "0007_user_language"),
    ("audit", "0003_keyed_hashes"),
    ("billing", "0003_coverage_version"),
    ("intake", "0003_discharge_episode_end"),
    ("intake", "0005_referral_stage_age_and_targets"),
    ("notes", "0004_note_part2_label"),
    ("programs", "0002_tracks_and_groups"),
    ("programs", "0003_peer_specialists_allowed"),
    ("programs", "0004_program_note_due_hours_program_plan_review_days_and_more"),
    ("programs", "0005_program_part2_program"),
    ("programs", "0006_program_allows_guardians"),
    ("programs", "0007_program_phone"),
    ("programs", "0008_track_level_minimums_and_length"),
    ("safety", "0003_alerttrigger_signal"),
    ("safety", "0005_escalation_ladder"),
    ("safety", "0008_ladder_notice_rounds"),
    ("safety", "0010_crisis_language"),
    ("scheduling", "0005_enrollment_licensure_override"),
    ("telehealth", "0002_assigned_feeds"),
}

DESTRUCTIVE = (
    migrations.RemoveField,
    migrations.DeleteModel,
    migrations.RenameField,
    migrations.RenameModel,
)


def unsafe_operations(migration: Any) -> list[str]:
    """What in this migration the previous release could trip on, in words."""
    if getattr(migration, "old_code_safe", ""):
        return []
    created = {
        op.name.lower() for op in migration.operations if isinstance(op, migrations.CreateModel)
    }
    problems = []
    for op in migration.operations:
        if isinstance(op, DESTRUCTIVE):
            problems.append(f"{type(op).__name__} {op.describe()}")
        elif isinstance(op, migrations.AddField) and op.model_name.lower() not in created:
            field = op.field
            required = not field.many_to_many and not field.null
            if required and field.db_default is models.NOT_PROVIDED:
                problems.append(f"AddField {op.model_name}.{op.name} NOT NULL without db_default")
    return problems


class MigrationSafetyTests(SimpleTestCase):
    def test_every_new_migration_keeps_the_previous_release_working(self):
        loader = MigrationLoader(None, ignore_no_migrations=True)
        found = {}
        for (app, name), migration in loader.disk_migrations.items():
            if not migration.__module__.startswith("openiop.") or (app, name) in BEFORE_THE_RULE:
                continue
            if problems := unsafe_operations(migration):
                found[f"{app}.{name}"] = problems
        self.assertEqual(found, {}, "expand now, contract in a later release (docs/deploy.md)")

    def test_the_list_of_old_migrations_names_only_real_ones(self):
        loader = MigrationLoader(None, ignore_no_migrations=True)
        self.assertLessEqual(BEFORE_THE_RULE, set(loader.disk_migrations))

    def test_the_rule_catches_each_kind_of_unsafe_change(self):
        class Unsafe(migrations.Migration):
            operations = [
                migrations.RemoveField("note", "body"),
                migrations.RenameField("note", "title", "heading"),
                migrations.DeleteModel("Draft"),
                migrations.AddField("note", "kind", models.CharField(max_length=9, default="x")),
            ]

        self.assertEqual(
            unsafe_operations(Unsafe("0099_unsafe", "notes")),
            [
                "RemoveField Remove field body from note",
                "RenameField Rename field title on note to heading",
                "DeleteModel Delete model Draft",
                "AddField note.kind NOT NULL without db_default",
            ],
        )

    def test_expanding_changes_and_marked_contractions_pass(self):
        class Expand(migrations.Migration):
            operations = [
                migrations.CreateModel("Draft", [("id", models.BigAutoField(primary_key=True))]),
                migrations.AddField("draft", "body", models.TextField()),
                migrations.AddField("note", "kind", models.CharField(max_length=9, null=True)),
                migrations.AddField(
                    "note", "flag", models.BooleanField(default=False, db_default=False)
                ),
            ]

        class Contract(migrations.Migration):
            old_code_safe = "note.body unused since release 2027.1"
            operations = [migrations.RemoveField("note", "body")]

        self.assertEqual(unsafe_operations(Expand("0099_expand", "notes")), [])
        self.assertEqual(unsafe_operations(Contract("0100_contract", "notes")), [])
