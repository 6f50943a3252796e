#!/usr/bin/env bash
# An integrator's generated client, against the real server: openapi-python-client
# (the version `make setup-fuzz` installs in target/openapi-client) reads the server's own OpenAPI document
# (/api/v1/openapi.json), generates a Python package, and python-client/calls.py makes
# real calls with it: a number check (both answers), templates, a send read back, an
# error body, and as an admin a template, a group's tab and a CSV opt-out import. The
# generator must report no warning: a warning means part of the API went missing from
# the client.
#
# The server is the debug binary `make test` already built, on the embedded defaults
# (SQLite in a temporary directory), on a free port.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=${OPENAPI_CLIENT_VENV:-target/openapi-client}
binary=${AGENT_NOTIFY_BIN:-target/debug/agent-notify}

work=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
export LEPTOS_SITE_ADDR="127.0.0.1:$port"
export NOTIFY_DATABASE__URL="sqlite://$work/notify.sqlite"

"$binary" serve --print-urls >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "$base/readyz" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.2
done

agent_token=$(sed -n 's/^ *TOKEN=//p' "$work/server.log" | head -n 1)
admin_token=$("$binary" token admin --id admin 2>/dev/null)
[ -n "$agent_token" ] && [ -n "$admin_token" ] || { echo "no tokens"; cat "$work/server.log"; exit 1; }

curl -fsS "$base/api/v1/openapi.json" -o "$work/openapi.json"
# The import's body is a CSV file: the generator is told to treat text/csv as bytes,
# its documented way for a content type it does not know.
printf 'content_type_overrides:\n  text/csv: application/octet-stream\npost_hooks: []\n' >"$work/config.yml"
"$venv/bin/openapi-python-client" generate --path "$work/openapi.json" --config "$work/config.yml" \
  --meta none --output-path "$work/client/agent_notify_api_client" 2>&1 | tee "$work/generate.log"
if grep -qi "warning\|error" "$work/generate.log"; then
  echo "openapi-python-client could not read the whole document (above)"
  exit 1
fi
PYTHONPATH="$work/client" "$venv/bin/python" end2end/python-client/calls.py "$base" "$agent_token" "$admin_token"
