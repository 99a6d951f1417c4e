#!/usr/bin/env bash
# The whole check, as CI runs it: lint, types, migrations, deploy checks, then the suite on
# a real PostgreSQL and a real Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh test
mkdir -p var
# The Spanish catalogue, compiled in pure Python (pytest's conftest does it too).
.venv/bin/python manage.py compile_translations

DATABASE_URL=$(scripts/postgres.sh start)
export DATABASE_URL
trap 'scripts/postgres.sh stop' EXIT

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy .
echo "== import layers"
.venv/bin/lint-imports --no-cache
echo "== migrations"
DATABASE_URL=sqlite:///var/migrations-check.sqlite3 .venv/bin/python manage.py makemigrations --check --dry-run
echo "== check --deploy (production settings)"
OPENIOP_MODE=production \
  SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
  OPENIOP_AUDIT_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))')" \
  OPENIOP_ENCRYPTION_KEYS="$(.venv/bin/python -c 'from openiop.lib.crypto import new_entry; print(new_entry("k1"))')" \
  ALLOWED_HOSTS=openiop.example.org \
  DOCUMENTS_SCANNER=openiop.documents.scan.clamd \
  DJANGO_ALLOW_ASYNC_UNSAFE= \
  .venv/bin/python manage.py check --deploy --fail-level WARNING
echo "== pytest"
# The weak-link video test runs after the rest, in a pytest process of its own: it passes
# alone and beside CPU burners, but in the same process as the 2,400 tests before it it failed
# twice on December 1 (docs/video.md, "Weak links"). Same test, same real Janus and Chromium.
WEAK_LINK=openiop/telehealth/tests/test_weak_link_live.py
.venv/bin/pytest --deselect "$WEAK_LINK" "$@"
if [ $# -eq 0 ]; then
  echo "== pytest (weak link, own process)"
  .venv/bin/pytest "$WEAK_LINK"
fi

# The time-sensitive apps again, as if now were each moment that has bitten calendar code
# (openiop/testing_clock.py): Sunday 23:30 in the program's zone (already Monday in UTC),
# the hour after New York springs forward, and New Year's Eve 23:30 (already 1 January in
# UTC, in ISO week 53). `-p` moves the clock before Django is set up. A test that freezes its
# own clock is unaffected; the 1,000 replayed reminder faults (frozen) and the authorisation
# matrix (no dates) would add minutes for nothing.
FROZEN_NOWS=(2026-12-06T23:30:00-05:00 2027-03-14T03:30:00-04:00 2026-12-31T23:30:00-05:00)
TIME_SENSITIVE=(
  openiop/lib openiop/accounts openiop/participants openiop/assessments
  openiop/safety/tests/test_alerts.py openiop/safety/tests/test_ladder.py
  openiop/safety/tests/test_rota.py openiop/safety/tests/test_rota_views.py
  openiop/safety/tests/test_board.py openiop/safety/tests/test_plans.py
  openiop/intake openiop/scheduling openiop/telehealth openiop/tests/test_browser.py
  openiop/careplans/tests/test_reviews.py openiop/core/tests/test_worklist.py
  openiop/notes/tests/test_progress.py openiop/discharge/tests/test_actions.py
  openiop/consent/tests/test_actions.py openiop/consent/tests/test_access_requests.py
  openiop/consent/tests/test_releases.py openiop/consent/tests/test_invitations.py
  openiop/outcomes openiop/feedback openiop/portal
  --deselect openiop/scheduling/tests/test_reminders.py::RandomisedFaultTestCase
  # Browser walks whose logic does not read the clock (the break-the-glass one waits for a
  # fresh TOTP code), and those that travel to their own moment in setUp (the replayed clock
  # cannot reach them): once, in the main run, is enough.
  --deselect openiop/intake/tests/test_browser_duplicates.py
  --deselect openiop/participants/tests/test_break_glass_browser.py
  --deselect openiop/portal/tests/test_portal_browser.py
  --deselect openiop/outcomes/tests/test_progress_browser.py
  --deselect openiop/outcomes/tests/test_schedules_browser.py
  --deselect openiop/scheduling/tests/test_browser.py
  --deselect openiop/scheduling/tests/test_browser_licensure.py
  -m "not janus"
)
for now in "${FROZEN_NOWS[@]}"; do
  echo "== pytest --frozen-now=$now"
  .venv/bin/python -m pytest -p openiop.testing_clock --frozen-now="$now" -q "${TIME_SENSITIVE[@]}"
done

# What the install and the suite leave behind must be ignored by .gitignore, never shown as
# untracked. CI (a fresh clone) fails on it; a working copy with new files only warns.
untracked=$(git status --porcelain --untracked-files=all 2>/dev/null | grep '^??' || true)
if [ -n "$untracked" ]; then
  echo "Untracked files after install and tests (ignore them in .gitignore or commit them):" >&2
  echo "$untracked" >&2
  if [ -n "${CI:-}" ]; then exit 1; fi
fi
