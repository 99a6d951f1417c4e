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
	.venv/bin/python bench/pages.py
	.venv/bin/python bench/worker_kill.py --backend db
	.venv/bin/python bench/worker_kill.py --backend rq
# Root only (network namespaces), a few minutes each: the Janus fault run and the whole rig.
	.venv/bin/python bench/janus_failover.py
	.venv/bin/python bench/rig.py --video
