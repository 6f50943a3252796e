#!/usr/bin/env bash
# Fails when a vendored patch no longer applies: Cargo ignoring a `[patch.crates-io]`
# entry (it only warns), or what a patch exists for coming back into the browser's
# dependency graph. The phone-number fixes are behaviours, each held by a test of
# app/src/domain/phone.rs (vendor/phonenumber/PATCHES.md names them).
set -euo pipefail
cd "$(dirname "$0")/.."

# The browser's graph, as the console bundle builds it (normal dependencies only).
errors=$(mktemp)
trap 'rm -f "$errors"' EXIT
tree=$(cargo tree --locked -p console --target wasm32-unknown-unknown --features csr \
  -e features,no-build,no-dev -i regex 2>"$errors")
warnings=$(cat "$errors")
fail=0
if grep -qi "patch .* was not used" <<<"$warnings"; then
  echo "a [patch.crates-io] entry is not used:"
  grep -i "was not used" <<<"$warnings"
  fail=1
fi
# leptos_config's patch, and phonenumber's 6: regex without its default features (every
# Unicode table, every engine optimisation) in the browser.
for feature in default unicode perf; do
  if grep -q "regex feature \"$feature\"" <<<"$tree"; then
    echo "regex's \"$feature\" feature is back in the browser's graph (vendor/*/PATCHES.md):"
    cargo tree --locked -p console --target wasm32-unknown-unknown --features csr \
      -e features,no-build,no-dev -i regex 2>/dev/null | head -20
    fail=1
  fi
done
# phonenumber's 5: no regex-cache (nor its copy of regex-syntax 0.6) anywhere.
if cargo tree --locked --workspace -i regex-cache >/dev/null 2>&1; then
  echo "regex-cache is back in the dependency graph (vendor/phonenumber/PATCHES.md, 5)"
  fail=1
fi
[ "$fail" = 0 ] && echo "the vendored patches apply: leptos_config's and phonenumber's regex features, no regex-cache"
exit "$fail"
