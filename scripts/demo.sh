#!/usr/bin/env bash
# Load the demo into the embedded SQLite database and serve it at http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh demo
# var/ holds the database, keys and logs with participants' data: this user's alone (0700/0600),
# including what an older demo left there.
umask 077
mkdir -p var
chmod -R u+rwX,go= var
unset DATABASE_URL
export OPENIOP_MODE=development
.venv/bin/python manage.py compile_translations --verbosity 0
# Static files as production serves them: hashed names, gzip and brotli, immutable caching
# (docs/performance.md), collected into var/staticfiles.
export OPENIOP_COLLECTED_STATIC=1
.venv/bin/python manage.py collectstatic --noinput --verbosity 0
.venv/bin/python manage.py migrate --verbosity 0
.venv/bin/python manage.py load_demo "$@"

# Video: Janus with OpenIOP's own configuration (never the stock /etc/janus one), its two
# secrets generated once under var/.
for name in janus-admin-key janus-token-secret; do
  [ -s "var/$name" ] || (umask 077; .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))' > "var/$name")
done
export JANUS_ADMIN_KEY_FILE=var/janus-admin-key JANUS_TOKEN_SECRET_FILE=var/janus-token-secret
background_pids=()
trap 'for pid in "${background_pids[@]}"; do kill "$pid" 2>/dev/null || true; done' EXIT

# The background worker sends session reminders (to the console in the demo).
.venv/bin/python manage.py db_worker > var/worker.log 2>&1 &
background_pids+=($!)
echo "The background worker is running; its log is var/worker.log"

# The safety net under the escalation ladder: each deadline is also a queued job, but a lost
# job must never leave an alert where it is, so the sweep runs every minute (cron or a systemd
# timer in production: docs/safety.md).
(while true; do
  .venv/bin/python manage.py escalate_overdue >> var/worker.log 2>&1 || true
  # Session check-ins for everyone who attended a session that has just ended (docs/feedback.md).
  .venv/bin/python manage.py assign_session_check_ins >> var/worker.log 2>&1 || true
  sleep 60
done) &
background_pids+=($!)

# Scheduled questionnaires: the sweep assigns what fell due and reminds (docs/outcomes.md).
(while true; do
  .venv/bin/python manage.py assign_measures >> var/worker.log 2>&1 || true
  sleep 300
done) &
background_pids+=($!)

if command -v janus >/dev/null; then
  .venv/bin/python manage.py run_janus > var/janus.log 2>&1 &
  background_pids+=($!)
  echo "Janus (video) is running with var/janus/; its log is var/janus.log"
  .venv/bin/python manage.py load_video_demo || true
else
  echo "Janus is not installed: video sessions are unavailable in this demo." >&2
fi
echo
echo "Current code for a staff login: .venv/bin/python manage.py demo_code EMAIL"
echo "Serving OpenIOP at http://127.0.0.1:8000 (Ctrl-C stops it)"
# Access lines without query strings or referrers, which could carry an address typed in a search.
.venv/bin/gunicorn config.wsgi --bind 127.0.0.1:8000 --workers 2 --access-logfile - \
  --access-logformat '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s'
