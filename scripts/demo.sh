#!/usr/bin/env bash
# Load the demo into the embedded SQLite database and serve it at http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh demo
mkdir -p var
unset DATABASE_URL
export OPENIOP_MODE=development
.venv/bin/python manage.py migrate --verbosity 0
.venv/bin/python manage.py load_demo "$@"
echo
echo "Current code for a staff login: .venv/bin/python manage.py demo_code EMAIL"
echo "Serving OpenIOP at http://127.0.0.1:8000 (Ctrl-C stops it)"
exec .venv/bin/gunicorn config.wsgi --bind 127.0.0.1:8000 --workers 2 --access-logfile -
