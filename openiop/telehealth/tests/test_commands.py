import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import override_settings

from openiop.testing import BaseTestCase


class WriteJanusConfigTests(BaseTestCase):
    def test_it_writes_the_folder_from_settings(self):
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        out = StringIO()
        with override_settings(JANUS_WS_PORT=18188, JANUS_MEDIA_IP="10.1.2.3"):
            call_command("write_janus_config", dir=str(folder), stdout=out)
        self.assertIn(f"-F {folder} -C {folder}/janus.jcfg", out.getvalue())
        ws = (folder / "janus.transport.websockets.jcfg").read_text()
        self.assertIn("ws_port = 18188", ws)
        core = (folder / "janus.jcfg").read_text()
        self.assertIn('interface = "10.1.2.3"', core)

    def test_it_refuses_to_run_without_secrets(self):
        with override_settings(TELEHEALTH_ENABLED=False), self.assertRaises(CommandError):
            call_command("write_janus_config", dir="/nonexistent", stdout=StringIO())
