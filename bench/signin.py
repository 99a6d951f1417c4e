"""A signed-in, MFA-verified session for the benchmarks' clients (after django.setup())."""

import time
from importlib import import_module
from typing import Any


def session_key_for(user: Any) -> str:
    """Store a session as a full sign-in would leave it, and return its key for the cookie."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from openiop.accounts.mfa import MFA_VERIFIED_SESSION_KEY
    from openiop.accounts.middleware import AUTH_TIME_KEY, LAST_SEEN_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    now = int(time.time())
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "openiop.accounts.backends.AuthenticationBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[MFA_VERIFIED_SESSION_KEY] = True
    store[AUTH_TIME_KEY] = now
    store[LAST_SEEN_KEY] = now
    store.create()
    return store.session_key or ""
