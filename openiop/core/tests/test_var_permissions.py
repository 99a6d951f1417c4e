import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

from openiop.telehealth.janus_config import JanusConfig, write_config


def modes_under(root: Path) -> dict[str, str]:
    """`{relative path: octal mode}` of root and everything below it, symlinks aside."""
    found = {".": oct(stat.S_IMODE(root.stat().st_mode))}
    for path in sorted(root.rglob("*")):
        if not path.is_symlink():
            found[str(path.relative_to(root))] = oct(stat.S_IMODE(path.stat().st_mode))
    return found


def run_manage(var_dir: Path, *argv: str) -> None:
    env = {**os.environ, "OPENIOP_MODE": "development", "OPENIOP_VAR_DIR": str(var_dir)}
    for name in ("DATABASE_URL", "OPENIOP_TESTING", "SECRET_KEY", "REDIS_URL"):
        env.pop(name, None)
    subprocess.run(
        [sys.executable, "manage.py", *argv],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
        # A usual shell umask: the files must be private because of OpenIOP, not the caller.
        umask=0o022,
    )


class VarPermissionsTestCase(SimpleTestCase):
    def test_everything_the_demo_creates_under_var_is_private(self):
        with tempfile.TemporaryDirectory() as parent:
            var_dir = Path(parent) / "var"
            run_manage(var_dir, "migrate", "--verbosity", "0")
            fill_cache = "from django.core.cache import cache; cache.set('k', 1)"
            run_manage(var_dir, "shell", "-c", fill_cache)
            modes = modes_under(var_dir)
            for name in ("openiop.sqlite3", "secret_key", "encryption_keys"):
                self.assertIn(name, modes)
            self.assertTrue(any(name.startswith("cache/") for name in modes), modes)
            for name, mode in modes.items():
                with self.subTest(name=name):
                    is_dir = (var_dir / name).is_dir()
                    self.assertEqual(mode, "0o700" if is_dir else "0o600")

    def test_the_janus_folder_is_private_whatever_the_umask(self):
        config = JanusConfig(
            admin_key="a" * 32, token_secret="t" * 40, library_dir="/usr/lib/janus"
        )
        previous = os.umask(0o022)
        try:
            with tempfile.TemporaryDirectory() as parent:
                folder = Path(parent) / "janus"
                write_config(config, folder)
                modes = modes_under(folder)
        finally:
            os.umask(previous)
        self.assertEqual(modes["."], "0o700")
        self.assertEqual(modes["janus.plugin.videoroom.jcfg"], "0o600")
        self.assertEqual(modes["janus.jcfg"], "0o600")
