#!/usr/bin/env bash
# Stop exactly what start.sh started: the processes named by the pid files under $REALBENCH_DIR/pids
# (each checked against its command line, then its whole process group), nothing else.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

py="$REALBENCH_DIR/env/bin/python"
stop_proc() {  # stop_proc NAME MARKER
	local name=$1 marker=$2 pid
	if ! pid="$(running_pid "$name" "$marker")"; then
		rm -f "$(pidfile "$name")"
		return 0
	fi
	say "stopping $name (pid $pid and its process group)"
	kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 1 40); do
		kill -0 -- "-$pid" 2>/dev/null || break
		sleep 0.5
	done
	if kill -0 -- "-$pid" 2>/dev/null; then
		say "$name did not stop in 20 s; killing its process group"
		kill -KILL -- "-$pid" 2>/dev/null || true
	fi
	rm -f "$(pidfile "$name")"
}

[ -d "$REALBENCH_DIR/pids" ] || { say "nothing to stop (no $REALBENCH_DIR/pids)"; exit 0; }
stop_proc schedule "$py -m frappe.utils.bench_helper frappe schedule"
stop_proc worker "$py -m frappe.utils.bench_helper frappe worker"
stop_proc web "127.0.0.1:$REALBENCH_PORT"
stop_proc redis-queue "$REALBENCH_DIR/config/redis-queue.conf"
stop_proc redis-cache "$REALBENCH_DIR/config/redis-cache.conf"
say "stopped"
