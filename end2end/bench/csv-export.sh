#!/usr/bin/env bash
# The history's CSV export of 1,000,000 messages (default; ROWS=n for another count):
# rows written straight into a fresh SQLite database, then one `Accept: text/csv`
# download as an admin, timed, its lines counted and the server's peak memory read.
set -euo pipefail
cd "$(dirname "$0")/../.."
rows=${ROWS:-1000000}
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export NOTIFY_CONFIG="$dir/none.toml" NOTIFY_DATA_DIR="$dir" NOTIFY_DATABASE__URL="sqlite://$dir/notify.db"
export NOTIFY_AUTH__TOKEN_SECRET=bench-secret-0123456789abcdef-0123456789 LEPTOS_SITE_ADDR=127.0.0.1:$port
export LEPTOS_SITE_ROOT="$PWD/target/site" RUST_LOG=warn
server=
serve() {
  ./target/release/agent-notify serve >/dev/null 2>&1 &
  server=$!
  for _ in $(seq 200); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && return; sleep 0.1; done
  echo "the server did not start" >&2
  exit 1
}
trap 'kill $server 2>/dev/null; rm -rf "$dir"' EXIT
serve # creates the database
kill $server; wait $server 2>/dev/null || true
python3 - "$dir/notify.db" "$rows" <<'PY'
import sqlite3, sys, time, uuid
db, rows = sys.argv[1], int(sys.argv[2])
start = int(time.time() * 1000) - rows * 10
con = sqlite3.connect(db)
con.executemany(
    "INSERT INTO notifications (uuid, channel, status, to_e164, template_id, template_name, call_id,"
    " agent_id, group_id, body, parameters, created_at, updated_at, expects_reply)"
    " VALUES (?, 'sms', 'delivered', ?, 't_sms_thanks', 'Thanks for calling', ?, 'demo-agent',"
    " 'demo', 'Thank you for calling.', '[]', ?, ?, 1)",
    ((str(uuid.uuid4()), "+9198%08d" % (i % 100000000), "c-%d" % (i // 3),
      start + i * 10, start + i * 10 + 900) for i in range(rows)))
con.commit()
PY
serve
token=$(./target/release/agent-notify token admin --id admin)
idle=$(awk '/VmRSS/ {print $2}' /proc/$server/status)
started=$(date +%s.%N)
lines=$(curl -fsS -H "Authorization: Bearer $token" -H "Accept: text/csv" \
  "http://127.0.0.1:$port/api/v1/notifications" | wc -l)
ended=$(date +%s.%N)
peak=$(awk '/VmHWM/ {print $2}' /proc/$server/status)
python3 - "$rows" "$lines" "$started" "$ended" "$idle" "$peak" <<'PY'
import sys
rows, lines, started, ended, idle, peak = sys.argv[1:]
seconds = float(ended) - float(started)
print(f"CSV export of {int(rows):,} messages: {int(lines) - 1:,} rows + header in {seconds:.1f} s "
      f"({(int(lines) - 1) / seconds:,.0f} rows/s); server RSS idle {int(idle) / 1024:.1f} MiB, "
      f"peak {int(peak) / 1024:.1f} MiB")
PY
[ "$lines" -eq $((rows + 1)) ]
