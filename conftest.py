import os

# Playwright's sync API keeps an event loop in the test thread; Django's ORM calls around it
# stay synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# `--frozen-now=ISO8601` (or OPENIOP_FROZEN_NOW) runs the suite as if now were that instant.
pytest_plugins = ["openiop.testing_clock", "pytester"]


def pytest_configure(config):
    from django.conf import settings

    from openiop.lib.catalogue import compile_tree

    # Pages are tested in Spanish too: the .mo files are generated, never committed.
    for root in settings.LOCALE_PATHS:
        compile_tree(root)

    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        import pytest

        pytest.exit(
            "The test suite runs on PostgreSQL: set DATABASE_URL, or run `make test`.",
            returncode=2,
        )
