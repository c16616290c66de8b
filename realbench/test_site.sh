#!/usr/bin/env bash
# Make the throwaway test site ($REALBENCH_TEST_SITE) anew: Frappe v15 test cases commit what they write, so
# `run-tests` runs on a site made fresh for the run (new-site --force drops only its own database rb_<site>),
# with what the setup wizard would have set and this checkout's app installed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ -x "$REALBENCH_DIR/env/bin/python" ] || die "no bench at $REALBENCH_DIR (run: make realbench)"
export PATH="$(realbench_path)"
started=$(date +%s)
"$REALBENCH_CHECKOUT/realbench/start.sh" redis
ensure_site "$REALBENCH_TEST_SITE" fresh
say "test site $REALBENCH_TEST_SITE made anew in $(( $(date +%s) - started )) s"
