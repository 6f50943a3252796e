# Sourced by the API scripts (api-fuzz.sh, python-client.sh): starts the debug binary
# `make test` already built on the embedded defaults (SQLite in a temporary directory)
# on a free port, stops it and removes the directory on exit, and sets `base`,
# `agent_token` (the demo agent's) and `admin_token` (the first admin's). Extra
# environment for the server is whatever the caller exported before sourcing.
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
