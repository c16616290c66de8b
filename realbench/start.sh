#!/usr/bin/env bash
# Start the bench's processes, each with a pid file under $REALBENCH_DIR/pids and a log under logs/:
#   redis-cache, redis-queue  the bench's own Redis servers (never the shared 6379)
#   web                       gunicorn "frappe.app:application_with_statics()" on 127.0.0.1:$REALBENCH_PORT
#   worker                    `frappe worker` (all queues: the app's B2C payouts run there)
#   schedule                  `frappe schedule` (the scheduler; also enabled on the site by build.sh)
# Usage: start.sh [redis|all]   (default all). Idempotent: what already runs is left as it is.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

what="${1:-all}"
[ -x "$REALBENCH_DIR/env/bin/python" ] || die "no bench at $REALBENCH_DIR (run: make realbench)"
mkdir -p "$REALBENCH_DIR/pids" "$REALBENCH_DIR/logs"

# start_proc NAME MARKER PORT(or -) CMD...: start CMD in its own session (so stop.sh can end its whole
# process group: gunicorn's workers, rq's work horses) unless it already runs.
start_proc() {
	local name=$1 marker=$2 port=$3; shift 3
	local pid
	if pid="$(running_pid "$name" "$marker")"; then
		say "$name already running (pid $pid)"
		return 0
	fi
	if [ "$port" != - ] && port_open "$port"; then
		die "$name: port $port is taken by a process this bench did not start (change REALBENCH_*PORT)"
	fi
	say "starting $name: $*"
	(cd "$REALBENCH_DIR/sites" && exec setsid env PATH="$(realbench_path)" "$@" >>"$REALBENCH_DIR/logs/$name.log" 2>&1 </dev/null) &
	echo $! >"$(pidfile "$name")"
}

wait_port() {  # wait_port NAME PORT: the process of NAME's pid file stays alive until PORT opens
	local pid
	pid="$(cat "$(pidfile "$1")")"
	for _ in $(seq 1 120); do
		port_open "$2" && return 0
		kill -0 "$pid" 2>/dev/null || die "$1 exited; see $REALBENCH_DIR/logs/$1.log"
		sleep 0.5
	done
	die "$1 did not open port $2; see $REALBENCH_DIR/logs/$1.log"
}

redis_conf() {  # redis_conf NAME PORT EXTRA...
	local conf="$REALBENCH_DIR/config/$1.conf"; local name=$1 port=$2; shift 2
	mkdir -p "$REALBENCH_DIR/config"
	{
		echo "# written by realbench/start.sh"
		echo "bind 127.0.0.1"
		echo "port $port"
		echo "daemonize no"
		echo "save \"\""
		echo "appendonly no"
		echo "dir $REALBENCH_DIR/config"
		echo "dbfilename $name.rdb"
		# The config file stays in the process title, so the pid file's process is recognisable as ours.
		echo "proc-title-template \"{title} {listen-addr} {config-file}\""
		for line in "$@"; do echo "$line"; done
	} >"$conf"
	echo "$conf"
}

start_redis() {
	local conf
	conf="$(redis_conf redis-cache "$REALBENCH_REDIS_CACHE_PORT" "maxmemory 256mb" "maxmemory-policy allkeys-lru")"
	start_proc redis-cache "$conf" "$REALBENCH_REDIS_CACHE_PORT" redis-server "$conf"
	conf="$(redis_conf redis-queue "$REALBENCH_REDIS_QUEUE_PORT")"
	start_proc redis-queue "$conf" "$REALBENCH_REDIS_QUEUE_PORT" redis-server "$conf"
	wait_port redis-cache "$REALBENCH_REDIS_CACHE_PORT"
	wait_port redis-queue "$REALBENCH_REDIS_QUEUE_PORT"
}

start_redis
[ "$what" = redis ] && exit 0
[ "$what" = all ] || die "usage: start.sh [redis|all]"

py="$REALBENCH_DIR/env/bin/python"
start_proc web "127.0.0.1:$REALBENCH_PORT" "$REALBENCH_PORT" \
	"$REALBENCH_DIR/env/bin/gunicorn" --chdir "$REALBENCH_DIR/sites" -b "127.0.0.1:$REALBENCH_PORT" \
	-w "$REALBENCH_GUNICORN_WORKERS" -t 120 --graceful-timeout 10 "frappe.app:application_with_statics()"
start_proc worker "$py -m frappe.utils.bench_helper frappe worker" - "$py" -m frappe.utils.bench_helper frappe worker
start_proc schedule "$py -m frappe.utils.bench_helper frappe schedule" - "$py" -m frappe.utils.bench_helper frappe schedule
wait_port web "$REALBENCH_PORT"

# The site answers (Host-based site resolution): /api/method/ping as a guest.
for _ in $(seq 1 60); do
	if out="$(curl -fsS -H "Host: $REALBENCH_SITE" "http://127.0.0.1:$REALBENCH_PORT/api/method/ping" 2>/dev/null)"; then
		say "web answers: $out (http://127.0.0.1:$REALBENCH_PORT, Host: $REALBENCH_SITE)"
		exit 0
	fi
	sleep 1
done
die "http://127.0.0.1:$REALBENCH_PORT/api/method/ping (Host: $REALBENCH_SITE) does not answer; see $REALBENCH_DIR/logs/web.log"
