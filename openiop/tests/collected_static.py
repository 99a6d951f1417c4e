"""A live test server that serves static files as production does.

Django's StaticLiveServerTestCase reads static files from the source folders, uncompressed and
under their own names. The page-weight test must weigh what participants download, so this
server collects the files once per test process (`collectstatic` with whitenoise's
CompressedManifestStaticFilesStorage: hashed names, a .gz and a .br beside each) and lets
whitenoise serve them, with their caching headers, as in production.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any, ClassVar

from django.core.management import call_command
from django.test import override_settings

_collected: Path | None = None


def collected_settings(root: Path) -> dict[str, Any]:
    from django.conf import settings

    storages = dict(settings.STORAGES)
    storages["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
    return {
        "COLLECTED_STATIC": True,
        "STATIC_ROOT": root,
        "STORAGES": storages,
        "WHITENOISE_USE_FINDERS": False,
        "WHITENOISE_AUTOREFRESH": False,
        "WHITENOISE_MAX_AGE": 3600,
        # The live server's media handler serves files under MEDIA_URL from MEDIA_ROOT, which
        # unset are "" and the working folder: /static/css/app.css would come from static/.
        "MEDIA_URL": "/media/",
    }


def collected_root() -> Path:
    """A folder of collected static files, made on first use in this process."""
    global _collected
    if _collected is None:
        root = Path(tempfile.mkdtemp(prefix="openiop-static-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        with override_settings(**collected_settings(root)):
            # The admin's files are many and never on a participant's page: leaving them out
            # saves most of the time brotli takes.
            call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=["admin"])
        _collected = root
    return _collected


def _no_static_handler(application: Any) -> Any:
    """Hand /static/ requests to the app, where whitenoise's middleware serves them."""
    return application


class CollectedStaticServer:
    """Mix in before a LiveServerTestCase subclass (BrowserTestCase, say)."""

    static_handler = staticmethod(_no_static_handler)
    _collected_settings: ClassVar[override_settings]

    @classmethod
    def setUpClass(cls) -> None:
        cls._collected_settings = override_settings(**collected_settings(collected_root()))
        cls._collected_settings.enable()
        # Class cleanups run after tearDownClass: the live server is down by then.
        cls.addClassCleanup(cls._collected_settings.disable)  # type: ignore[attr-defined]
        super().setUpClass()  # type: ignore[misc]
