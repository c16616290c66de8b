#!/usr/bin/env bash
# Put the benchmark-only fixture app (benchmarks/fixture_app: tuktuk_bench) on the real bench's SERVED site,
# once: a .pth file in the bench env pointing at this checkout's fixture_app (no pip), the app in
# sites/apps.txt, `install-app` on $REALBENCH_SITE only (never on the test site), and the bench's processes
# restarted when anything changed (the web workers read .pth files when they start).
# Remove it with: bench --site $REALBENCH_SITE uninstall-app tuktuk_bench; delete the .pth and the apps.txt line.
set -euo pipefail
. "$(dirname "$0")/../realbench/lib.sh"
B="$REALBENCH_DIR"
fixture="$REALBENCH_CHECKOUT/benchmarks/fixture_app"
changed=
site_packages="$("$B/env/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
if [ "$(cat "$site_packages/tuktuk_bench.pth" 2>/dev/null)" != "$fixture" ]; then
	echo "$fixture" > "$site_packages/tuktuk_bench.pth"
	changed=1
fi
grep -qx tuktuk_bench "$B/sites/apps.txt" || { echo tuktuk_bench >> "$B/sites/apps.txt"; changed=1; }
if ! "$REALBENCH_CHECKOUT/realbench/bench" --site "$REALBENCH_SITE" list-apps 2>/dev/null | grep -q tuktuk_bench; then
	say "installing the benchmark fixture app tuktuk_bench on $REALBENCH_SITE"
	"$REALBENCH_CHECKOUT/realbench/bench" --site "$REALBENCH_SITE" install-app tuktuk_bench
	changed=1
fi
if [ -n "$changed" ]; then
	"$REALBENCH_CHECKOUT/realbench/stop.sh"
	"$REALBENCH_CHECKOUT/realbench/start.sh"
fi
