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


READ_KEYS = (
    "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings');"
    "from django.conf import settings; print(settings.OPENIOP_AUDIT_KEYS['demo'])"
)


class DemoKeysTestCase(SimpleTestCase):
    def test_processes_starting_at_once_read_one_whole_demo_key(self):
        """The demo's web workers and task worker start together on a fresh var/: each must
        read the same complete key (one used to read the file before its writer filled it)."""
        with tempfile.TemporaryDirectory() as folder:
            env = {**os.environ, "OPENIOP_MODE": "development", "OPENIOP_VAR_DIR": folder}
            for name in ("DATABASE_URL", "OPENIOP_TESTING", "SECRET_KEY", "OPENIOP_AUDIT_KEY"):
                env.pop(name, None)
            processes = [
                subprocess.Popen(
                    [sys.executable, "-c", READ_KEYS],
                    cwd=settings.BASE_DIR,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for _ in range(6)
            ]
            results = [process.communicate(timeout=120) for process in processes]
            self.assertEqual([p.returncode for p in processes], [0] * 6, results)
            keys = {out.strip() for out, _ in results}
            self.assertEqual(len(keys), 1)
            self.assertGreaterEqual(len(keys.pop()), 32)
            # No draft is left behind.
            self.assertFalse([n for n in os.listdir(folder) if n.startswith(".")])
