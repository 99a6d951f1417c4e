import os

# Playwright's sync API keeps an event loop in the test thread; Django's ORM calls around it
# stay synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
