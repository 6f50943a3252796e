#!/usr/bin/env bash
# Runs each argument as a shell command, all at the same time, and prints each one's
# output whole once all have finished (in the order given); fails if any failed. The
# API runs that wait mostly on their servers share the machine this way.
set -uo pipefail
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
pids=()
for i in $(seq 1 $#); do
	bash -c "${!i}" >"$dir/$i.log" 2>&1 &
	pids+=($!)
done
failed=0
for i in $(seq 1 $#); do
	wait "${pids[$((i - 1))]}"
	status=$?
	echo "=== ${!i} (exit $status)"
	cat "$dir/$i.log"
	[ "$status" -eq 0 ] || failed=1
done
exit $failed
