#!/usr/bin/env bash
# Release bundle sizes of the browser side (wasm, js, css): raw, gzip -9 and brotli -q 11.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v brotli >/dev/null || { echo "installing brotli"; apt-get install -y -q brotli >/dev/null; }
# A release build of the front end only needs the wasm profile (flags: .cargo/config.toml).
cargo leptos build --release --frontend-only --precompress >/dev/null
printf '%-28s %10s %10s %10s\n' file raw gzip brotli
total=(0 0 0)
for f in target/site/pkg/agent-notify.wasm target/site/pkg/agent-notify.js target/site/pkg/agent-notify.css; do
  raw=$(stat -c %s "$f"); gz=$(gzip -9 -c "$f" | wc -c); br=$(brotli -q 11 -c "$f" | wc -c)
  printf '%-28s %10d %10d %10d\n' "$(basename "$f")" "$raw" "$gz" "$br"
  total=($((total[0] + raw)) $((total[1] + gz)) $((total[2] + br)))
done
printf '%-28s %10d %10d %10d\n' total "${total[@]}"
