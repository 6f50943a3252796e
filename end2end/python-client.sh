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

. end2end/serve.sh

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
