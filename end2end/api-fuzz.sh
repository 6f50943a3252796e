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
examples=${FUZZ_EXAMPLES:-20}
seed=${FUZZ_SEED:-1}

# /metrics then needs a credential like every other operation (the document says so).
export NOTIFY_OPS__TOKEN="fuzz-ops-token-$(date +%s%N)"
. end2end/serve.sh

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
