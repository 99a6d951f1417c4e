"""Every participant-facing string has a Spanish translation (docs/i18n.md).

Which templates are participant-facing is said in one place, the template itself: its first
line carries `{# audience: participant #}`. This test finds them, reads the messages their
`{% translate %}` and `{% blocktranslate %}` tags would look up (by compiling them with Django's
own template engine, so the message is exactly the one looked up at run time), and fails when
the Spanish catalogue does not translate one. It also fails on any fuzzy entry, and on any
message from Python code (reminders, notices, form labels) left untranslated.
"""

from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.template import engines
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.test import SimpleTestCase
from django.utils import translation
from django.utils.translation import trans_real

from openiop.consent.models import ConsentKind, Disclosure, Purpose, Scope
from openiop.lib.catalogue import compile_tree, parse
from openiop.notes.models import Note
from openiop.participants.models import CareTeamMember
from openiop.scheduling.models import Session

MARKER = "{# audience: participant #}"
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
# A marked template must keep its marker: a template losing it would drop out of this test.
KNOWN_PARTICIPANT_TEMPLATES = {
    "base.html",
    "portal/today.html",
    "scheduling/my_week.html",
    "assessments/respond.html",
    "safety/my_plan.html",
    "includes/crisis_footer.html",
    "telehealth/join.html",
    "telehealth/guest_consent.html",
    "telehealth/guest_waiting.html",
    "telehealth/guest_message.html",
    "releases/_disclosures.html",
}
# Choices whose labels participant pages show (docs/i18n.md): each label is wrapped in
# gettext_lazy and translated.
PARTICIPANT_CHOICES = [
    ConsentKind,
    Purpose,
    Scope,
    Disclosure.Basis,
    Disclosure.Format,
    Note.Kind,
    Session.Kind,
    CareTeamMember.Role,
]


def template_roots() -> list[Path]:
    folders: list[str] = settings.TEMPLATES[0]["DIRS"]  # type: ignore[assignment]
    roots = [Path(folder) for folder in folders]
    roots += [
        Path(config.path) / "templates"
        for config in apps.get_app_configs()
        if config.name.startswith("openiop.")
    ]
    return [root for root in roots if root.is_dir()]


def participant_templates() -> dict[str, Path]:
    found = {}
    for root in template_roots():
        for path in sorted(root.rglob("*.html")):
            first_line = path.read_text(encoding="utf-8").split("\n", 1)[0]
            if MARKER in first_line:
                found[str(path.relative_to(root))] = path
    return found


def _constant(expression) -> str | None:
    if expression is None:
        return None
    value = expression.var
    return str(value.literal if hasattr(value, "literal") else value)


def messages(path: Path) -> set[tuple[str | None, str, str | None]]:
    """(context, msgid, plural msgid) of each translation tag in the template at `path`."""
    engine = engines["django"].engine  # type: ignore[attr-defined]
    template = engine.from_string(path.read_text(encoding="utf-8"))
    nodes: list[Any] = []
    nodes += template.nodelist.get_nodes_by_type(TranslateNode)
    nodes += template.nodelist.get_nodes_by_type(BlockTranslateNode)
    found: set[tuple[str | None, str, str | None]] = set()
    for node in nodes:
        if isinstance(node, TranslateNode):
            variable = node.filter_expression.var
            if getattr(variable, "literal", None) is None:
                continue  # {% translate some_variable %}: the message is chosen elsewhere
            found.add((_constant(node.message_context), str(variable.literal), None))
        else:
            singular = node.render_token_list(node.singular)[0]
            plural = node.render_token_list(node.plural)[0] if node.plural else None
            found.add((_constant(node.message_context), singular, plural))
    return found


def catalogue_key(context: str | None, msgid: str, plural: str | None):
    key = f"{context}\x04{msgid}" if context else msgid
    return (key, 0) if plural else key


class ParticipantTranslationsTestCase(SimpleTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        for root in settings.LOCALE_PATHS:
            compile_tree(Path(root))
        trans_real._translations = {}  # type: ignore[attr-defined]  # read the fresh catalogue

    def test_the_participant_templates_are_marked(self):
        self.assertLessEqual(KNOWN_PARTICIPANT_TEMPLATES, set(participant_templates()))

    def test_every_participant_message_is_translated(self):
        for language in LANGUAGES:
            catalogue = trans_real.translation(language)._catalog  # type: ignore[attr-defined]
            missing = []
            for name, path in participant_templates().items():
                for context, msgid, plural in sorted(messages(path), key=str):
                    if catalogue.get(catalogue_key(context, msgid, plural)) in (None, ""):
                        missing.append(f"{name}: {msgid!r}")
            with self.subTest(language=language):
                self.assertEqual(
                    missing,
                    [],
                    f"Untranslated participant strings: run `manage.py makemessages -l {language}` "
                    "as docs/i18n.md says and translate them in locale/",
                )

    def test_the_choice_labels_participants_read_are_translated(self):
        for language in LANGUAGES:
            catalogue = trans_real.translation(language)._catalog  # type: ignore[attr-defined]
            for choices in PARTICIPANT_CHOICES:
                with translation.override(settings.LANGUAGE_CODE):
                    labels = [str(label) for label in choices.labels]
                missing = [label for label in labels if catalogue.get(label) in (None, "")]
                with self.subTest(language=language, choices=choices.__qualname__):
                    self.assertEqual(missing, [], "Wrap the labels in gettext_lazy and translate")

    def test_the_catalogue_has_no_fuzzy_and_no_untranslated_python_message(self):
        for po in sorted(Path(root) for root in settings.LOCALE_PATHS):
            for path in sorted(po.glob("*/LC_MESSAGES/django.po")):
                entries = parse(path.read_text(encoding="utf-8"))[1:]
                fuzzy = [entry.msgid for entry in entries if entry.fuzzy]
                from_python = [
                    entry.msgid
                    for entry in entries
                    if not entry.translated and any(ref.endswith(".py") for ref in entry.references)
                ]
                with self.subTest(catalogue=str(path)):
                    self.assertEqual(fuzzy, [], "Fuzzy entries: check and confirm each one")
                    self.assertEqual(from_python, [], "Untranslated messages from Python code")
