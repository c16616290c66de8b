#!/usr/bin/env bash
# The real-bench tier as CI runs it (.ci/run, after `make test`):
#   no bench built on this machine -> one line `real-bench tier skipped: <reason>`, exit 0;
#   a bench built                  -> re-sync it to THIS checkout (make realbench), start it, run
#                                     `make test-realbench`; any failure there fails CI.
# Processes it started are stopped at the end; a bench that was already running is left running (restarted
# by the re-sync, so it serves this checkout's code).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if [ ! -f "$REALBENCH_FACTS" ] || [ ! -x "$REALBENCH_DIR/env/bin/python" ] || [ ! -f "$REALBENCH_DIR/apps/frappe/pyproject.toml" ]; then
	echo "real-bench tier skipped: no bench built at $REALBENCH_DIR (make realbench builds one; see docs/realbench.md)"
	exit 0
fi

started=$(date +%s)
was_running=""
running_pid web "127.0.0.1:$REALBENCH_PORT" >/dev/null && was_running=1
if [ -z "$was_running" ]; then
	trap '"$REALBENCH_CHECKOUT/realbench/stop.sh" || true' EXIT
fi
say "real-bench tier: re-syncing the bench at $REALBENCH_DIR to $REALBENCH_CHECKOUT"
make -C "$REALBENCH_CHECKOUT" --no-print-directory realbench
make -C "$REALBENCH_CHECKOUT" --no-print-directory realbench-start
status=0
make -C "$REALBENCH_CHECKOUT" --no-print-directory test-realbench || status=$?
say "real-bench tier: $(( $(date +%s) - started )) s (re-sync, start, tests)"
exit $status
