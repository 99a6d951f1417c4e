"""The pure-Python .po reader and .mo writer (openiop/lib/catalogue.py)."""

import gettext
import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from unittest import TestCase, skipUnless

from openiop.lib.catalogue import compile_entries, compile_file, is_current, parse

SAMPLE = r"""# A header comment
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#: templates/a.html
msgid "Hello"
msgstr "Hola"

#: templates/a.html
msgid ""
"A long message that "
"goes on"
msgstr ""
"Un mensaje largo que "
"sigue"

msgctxt "verb"
msgid "Sign"
msgstr "Firmar"

msgid "One question"
msgid_plural "%(n)s questions"
msgstr[0] "Una pregunta"
msgstr[1] "%(n)s preguntas"

#, fuzzy
msgid "Maybe"
msgstr "Quizás"

msgid "Not yet"
msgstr ""

msgid "Quote \"me\"\n"
msgstr "Cíteme \"así\"\n"

#~ msgid "Old"
#~ msgstr "Viejo"
"""


PROJECT_PO = Path(__file__).resolve().parents[3] / "locale" / "es" / "LC_MESSAGES" / "django.po"


def translations(content: bytes) -> gettext.GNUTranslations:
    return gettext.GNUTranslations(io.BytesIO(content))


class CatalogueTestCase(TestCase):
    def test_parse_reads_every_kind_of_entry(self):
        entries = {entry.key: entry for entry in parse(SAMPLE)}
        long = entries["A long message that goes on"]
        self.assertEqual(long.msgstr, {0: "Un mensaje largo que sigue"})
        self.assertEqual(entries["verb\x04Sign"].msgstr, {0: "Firmar"})
        self.assertEqual(entries["One question\x00%(n)s questions"].msgstr[1], "%(n)s preguntas")
        self.assertTrue(entries["Maybe"].fuzzy)
        self.assertFalse(entries["Not yet"].translated)
        self.assertEqual(entries["Hello"].references, ["templates/a.html"])
        self.assertNotIn("Old", entries)

    def test_the_mo_holds_what_msgfmt_would_keep(self):
        catalogue = translations(compile_entries(parse(SAMPLE)))
        self.assertEqual(catalogue.gettext("Hello"), "Hola")
        long = catalogue.gettext("A long message that goes on")
        self.assertEqual(long, "Un mensaje largo que sigue")
        self.assertEqual(catalogue.pgettext("verb", "Sign"), "Firmar")
        plural = catalogue.ngettext("One question", "%(n)s questions", 3)
        self.assertEqual(plural, "%(n)s preguntas")
        self.assertEqual(catalogue.gettext('Quote "me"\n'), 'Cíteme "así"\n')
        # Fuzzy and untranslated entries fall back to the English, as with msgfmt.
        self.assertEqual(catalogue.gettext("Maybe"), "Maybe")
        self.assertEqual(catalogue.gettext("Not yet"), "Not yet")

    @skipUnless(shutil.which("msgfmt"), "GNU gettext is not installed")
    def test_the_project_catalogue_compiles_as_msgfmt_compiles_it(self):
        po = PROJECT_PO
        with tempfile.TemporaryDirectory() as folder:
            ours = compile_file(Path(shutil.copy(po, folder)))
            theirs = Path(folder) / "gnu.mo"
            subprocess.run(["msgfmt", "-o", str(theirs), str(po)], check=True)
            mine = translations(ours.read_bytes())._catalog  # type: ignore[attr-defined]
            gnu = translations(theirs.read_bytes())._catalog  # type: ignore[attr-defined]
        # msgfmt rewrites the header (it drops POT-Creation-Date); every message must match.
        mine.pop("")
        gnu.pop("")
        self.assertEqual(mine, gnu)

    def test_compile_file_rewrites_only_a_stale_mo(self):
        with tempfile.TemporaryDirectory() as folder:
            po = Path(folder) / "django.po"
            po.write_text(SAMPLE, encoding="utf-8")
            self.assertFalse(is_current(po))
            mo = compile_file(po)
            self.assertTrue(is_current(po))
            written = mo.stat().st_mtime_ns
            os.utime(po)  # a newer time alone (a checkout) is not a change
            compile_file(po)
            self.assertEqual(mo.stat().st_mtime_ns, written)
            po.write_text(SAMPLE.replace("Hola", "Buenas"), encoding="utf-8")
            self.assertFalse(is_current(po))
            self.assertEqual(translations(compile_file(po).read_bytes()).gettext("Hello"), "Buenas")
