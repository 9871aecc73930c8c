#!/usr/bin/env bash
# The AWS emulator (moto's server + emulator/redshift_endpoints/ and emulator/moto_gaps/), on 127.0.0.1.
#
#   npm run emulator -- --seed config/environments.json [--port 0] [options]
#   npm run emulator -- --help                (every option, from emulator/options.json)
#   bash scripts/emulator.sh --setup-only     (create the venv and exit)
#
# Creates .venv/emulator from emulator/requirements.txt when missing or when
# the pinned file changed (its hash is kept in the venv), then runs
# emulator/server.py in the foreground. Set-up messages go to stderr; stdout
# carries the ready line "emulator ready on http://127.0.0.1:<port>".
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv/emulator
REQUIREMENTS=emulator/requirements.txt
STAMP="$VENV/requirements.sha256"
want=$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)

if [[ ! -x "$VENV/bin/python" || "$(cat "$STAMP" 2>/dev/null)" != "$want" ]]; then
  echo "[emulator] installing $REQUIREMENTS into $VENV" >&2
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS" >&2
  echo "$want" > "$STAMP"
fi

if [[ "${1:-}" == "--setup-only" ]]; then
  exit 0
fi
exec "$VENV/bin/python" emulator/server.py "$@"
