#!/usr/bin/env bash
# Serves the release site with a throwaway data dir and times the widget (widget-load.mjs).
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
secret=bench-secret-0123456789abcdef-0123456789
export NOTIFY_CONFIG="$dir/none.toml" NOTIFY_DATA_DIR="$dir" NOTIFY_DATABASE__URL="sqlite://$dir/notify.db"
export NOTIFY_AUTH__TOKEN_SECRET=$secret LEPTOS_SITE_ADDR=127.0.0.1:$port LEPTOS_SITE_ROOT="$PWD/target/site" RUST_LOG=warn
./target/release/agent-notify serve >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
token=$(./target/release/agent-notify token agent --id demo-agent --group demo)
node end2end/bench/widget-load.mjs "http://127.0.0.1:$port" "$token"
