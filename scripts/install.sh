#!/usr/bin/env bash
# Install what OpenIOP needs on a Debian machine: system packages (when root), uv, and the
# locked Python environment in .venv. Usage: scripts/install.sh demo|test
set -euo pipefail
cd "$(dirname "$0")/.."
purpose="${1:-demo}"

# Debian packages. Chromium and PostgreSQL are for the test suite only.
packages=(python3 python3-venv ca-certificates)
if [ "$purpose" = "test" ]; then
  packages+=(postgresql chromium fonts-dejavu-core)
fi
# Packages named in scripts/packages-<purpose>.txt (one a line) are added by each app's needs.
if [ -f "scripts/packages-$purpose.txt" ]; then
  while read -r name; do [ -n "$name" ] && [ "${name:0:1}" != "#" ] && packages+=("$name"); done \
    < "scripts/packages-$purpose.txt"
fi
missing=()
for name in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q "install ok installed" || missing+=("$name")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # Some packages start services with their stock configuration; OpenIOP runs its own
    # (Janus with its own configuration; pgbouncer only inside the tests, on a private port).
    if command -v systemctl >/dev/null; then
      for service in janus pgbouncer; do
        systemctl stop "$service" 2>/dev/null || true
        systemctl disable "$service" 2>/dev/null || true
      done
    fi
  else
    echo "Please install these Debian packages (as root): ${missing[*]}" >&2
    exit 1
  fi
fi

# A Janus service running with Debian's stock configuration listens on every address with
# default secrets and demo rooms; OpenIOP runs Janus with its own configuration instead.
if command -v systemctl >/dev/null && systemctl is-active --quiet janus 2>/dev/null; then
  if [ "$(id -u)" = "0" ]; then
    systemctl stop janus && systemctl disable janus 2>/dev/null || true
    echo "Stopped the stock janus service (OpenIOP starts Janus with its own configuration)."
  else
    echo "Warning: the stock janus service is running; stop it (systemctl stop janus)." >&2
  fi
fi

# uv, from PyPI, in a private tools folder when the machine has none.
if command -v uv >/dev/null; then
  UV=$(command -v uv)
else
  if [ ! -x .tools/bin/uv ]; then
    python3 -m venv .tools
    .tools/bin/pip install --quiet uv
  fi
  UV=.tools/bin/uv
fi

# Never let uv download a Python: the machine's own 3.11 is the one the lock was made for.
export UV_PYTHON_DOWNLOADS=never
"$UV" sync --frozen --quiet --python python3.11
