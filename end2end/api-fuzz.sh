#!/usr/bin/env bash
# Property-based API tests: schemathesis reads the server's own OpenAPI document
# (/api/v1/openapi.json, generated from the code) and sends it generated requests, valid
# and invalid, as an agent and as a signed-in admin. A server error, a response the
# document does not describe (status, content type, headers, body schema), invalid
# input accepted or a missing credential accepted fails the run.
#
# The server is the debug binary `make test` already built, on the embedded defaults
# (SQLite in a temporary directory), on a free port. Bounded: at most FUZZ_EXAMPLES
# cases per operation (default 20), seed FUZZ_SEED (default 1; the summary prints it).
set -euo pipefail
cd "$(dirname "$0")/.."

schemathesis=${SCHEMATHESIS:-target/schemathesis/bin/schemathesis}
binary=${AGENT_NOTIFY_BIN:-target/debug/agent-notify}
examples=${FUZZ_EXAMPLES:-20}
seed=${FUZZ_SEED:-1}

work=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
export LEPTOS_SITE_ADDR="127.0.0.1:$port"
export NOTIFY_DATABASE__URL="sqlite://$work/notify.sqlite"
# /metrics then needs a credential like every other operation (the document says so).
export NOTIFY_OPS__TOKEN="fuzz-ops-token-$(date +%s%N)"

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

checks=not_a_server_error,status_code_conformance,content_type_conformance
checks+=,response_headers_conformance,response_schema_conformance,negative_data_rejection
checks+=,missing_required_header,unsupported_method,ignored_auth

fuzz() {
  local who=$1 token=$2
  shift 2
  echo "== schemathesis as $who (seed $seed, at most $examples cases per operation)"
  "$schemathesis" run "$base/api/v1/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks "$checks" --max-examples "$examples" --seed "$seed" \
    --request-timeout 10 --workers 2 \
    --report junit --report-junit-path "target/schemathesis-report/$who.xml" \
    "$@"
}

mkdir -p target/schemathesis-report
# Everything but the settings, as an agent (webhooks and operations included: they
# ignore the agent's credential and must say so in the document's terms).
fuzz agent "$agent_token" --exclude-path-regex '^/api/v1/admin'
# The settings, the delivery figures and the history's filters as an admin (not the
# sign-out: it would end the run's session).
fuzz admin "$admin_token" --include-path-regex '^/api/v1/(admin|stats$|history/)' --exclude-path-regex '/logout$'
# The sign-out, with a session of its own.
fuzz signout "$("$binary" token admin --id admin 2>/dev/null)" --include-path-regex '/logout$'
