.PHONY: demo test install bench

# Install what is needed, load the synthetic demo program into SQLite, serve it on :8000.
demo:
	scripts/demo.sh

# Install what is needed and run the whole suite (lint, types, checks, tests) on PostgreSQL.
test:
	scripts/test.sh

install:
	scripts/install.sh test

bench:
	.venv/bin/python bench/caseload.py
	.venv/bin/python bench/safety_notify.py 200
	.venv/bin/python bench/record_download.py
