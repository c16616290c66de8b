#!/usr/bin/env bash
# Build (first run) or re-sync (later runs) a REAL Frappe v15 bench in $REALBENCH_DIR with THIS checkout's
# tuktuk_management installed editable, a served site and a throwaway test site. docs/realbench.md tells all.
#
# From nothing: clone Frappe from $FRAPPE_SRC, make env/ (python 3.11 venv, setuptools<81, pip install -e
# apps/frappe), yarn 1.22 into node/, air-datepicker as a local tarball, yarn install, `build --force`,
# the bench's own Redis, two sites on the local MariaDB (databases rb_<site>), the app installed, the manager
# user with API keys, the reference driver DRV-112001, and the facts file $REALBENCH_DIR/realbench.json.
# Again: every built step is kept; the app is re-pointed to this checkout (symlink + pip install -e), both
# sites are migrated, the facts rewritten.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

started=$(date +%s)
B="$REALBENCH_DIR"
export PATH="$(realbench_path)"
export BENCH_DISABLE_UV=1 PIP_DISABLE_PIP_VERSION_CHECK=1

say "bench: $B   checkout: $REALBENCH_CHECKOUT   site: $REALBENCH_SITE   test site: $REALBENCH_TEST_SITE"
case "$REALBENCH_CHECKOUT/" in "$B"/*) die "REALBENCH_DIR ($B) must be outside the checkout";; esac
case "$B/" in "$REALBENCH_CHECKOUT"/*) die "REALBENCH_DIR ($B) must be outside the checkout";; esac

# ---- preflight ------------------------------------------------------------------------------------------
for tool in git node npm redis-server curl; do command -v "$tool" >/dev/null || die "$tool is not installed"; done
[ -x "$REALBENCH_PYTHON" ] || die "no python for the bench env (REALBENCH_PYTHON=$REALBENCH_PYTHON)"
"$REALBENCH_PYTHON" -c 'import sys, venv; assert (3, 10) <= sys.version_info[:2] < (3, 13), sys.version' \
	|| die "$REALBENCH_PYTHON: Frappe v15 needs Python 3.10-3.12 with venv"
node -e 'process.exit(parseInt(process.versions.node) >= 18 ? 0 : 1)' || die "Frappe v15 needs node >= 18"
mysql_root -e "select 1" >/dev/null || die "MariaDB does not answer on $REALBENCH_DB_HOST:$REALBENCH_DB_PORT as $REALBENCH_DB_ROOT_USER (a stopped local one starts with: start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd)"

mkdir -p "$B"/{apps,sites,logs,config,pids,build,artifacts}

# ---- Frappe source ----------------------------------------------------------------------------------------
if [ ! -e "$B/apps/frappe/pyproject.toml" ]; then
	rm -rf "$B/apps/frappe"
	if [ -d "$FRAPPE_SRC" ] && git -C "$FRAPPE_SRC" rev-parse --git-dir >/dev/null 2>&1; then
		if git -C "$FRAPPE_SRC" rev-parse -q --verify "$FRAPPE_BRANCH^{commit}" >/dev/null; then
			say "cloning Frappe $FRAPPE_BRANCH from the local repository $FRAPPE_SRC"
			git clone -q --branch "$FRAPPE_BRANCH" "$FRAPPE_SRC" "$B/apps/frappe"
		else
			say "cloning Frappe (HEAD of $FRAPPE_SRC; it has no $FRAPPE_BRANCH)"
			git clone -q "$FRAPPE_SRC" "$B/apps/frappe"
		fi
	elif [ -d "$FRAPPE_SRC" ]; then
		say "copying Frappe from the directory $FRAPPE_SRC"
		cp -a "$FRAPPE_SRC" "$B/apps/frappe"
	else
		say "cloning Frappe $FRAPPE_BRANCH from $FRAPPE_SRC"
		git clone -q --depth 1 --branch "$FRAPPE_BRANCH" "$FRAPPE_SRC" "$B/apps/frappe"
	fi
fi
frappe_version="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$B/apps/frappe/frappe/__init__.py")"
case "$frappe_version" in 15.*) ;; *) die "apps/frappe is Frappe '$frappe_version', not v15";; esac
say "Frappe $frappe_version ($(git -C "$B/apps/frappe" rev-parse --short HEAD 2>/dev/null || echo 'not a git checkout'))"

# ---- Python env -------------------------------------------------------------------------------------------
stamp_of() { cat "$@" | sha1sum | cut -c1-16; }
if [ ! -x "$B/env/bin/python" ]; then
	say "making the bench env with $REALBENCH_PYTHON"
	"$REALBENCH_PYTHON" -m venv "$B/env"
fi
want="frappe-$(stamp_of "$B/apps/frappe/pyproject.toml")"
if [ "$(cat "$B/env/.realbench-frappe" 2>/dev/null)" != "$want" ]; then
	say "installing Frappe into env (setuptools<81 first: Frappe v15 still imports pkg_resources)"
	"$B/env/bin/python" -m pip install -q --upgrade pip wheel 'setuptools<81'
	"$B/env/bin/python" -m pip install -q -e "$B/apps/frappe"
	echo "$want" >"$B/env/.realbench-frappe"
fi

# ---- the app: THIS checkout (or, REALBENCH_ORIGINAL=1, the original app's checkout), editable -------------
APP_SRC="$(cd "$REALBENCH_APP_SRC" && pwd -P)"
if [ -z "$REALBENCH_ORIGINAL" ] && [ "$APP_SRC" != "$REALBENCH_CHECKOUT" ]; then
	die "REALBENCH_APP_SRC ($APP_SRC) is not this checkout: only a bench made with REALBENCH_ORIGINAL=1 runs another app"
fi
if [ -n "$REALBENCH_ORIGINAL" ] && [ "$APP_SRC" = "$REALBENCH_CHECKOUT" ]; then
	die "REALBENCH_ORIGINAL=1 needs REALBENCH_APP_SRC: a checkout of the original tuktuk_management"
fi
if [ -e "$B/apps/$REALBENCH_APP" ] && [ ! -L "$B/apps/$REALBENCH_APP" ]; then
	die "$B/apps/$REALBENCH_APP is not a symlink; move it away"
fi
say "pointing apps/$REALBENCH_APP at $APP_SRC${REALBENCH_ORIGINAL:+ (the ORIGINAL app)}"
ln -sfn "$APP_SRC" "$B/apps/$REALBENCH_APP"
"$B/env/bin/python" -m pip install -q -e "$B/apps/$REALBENCH_APP"
where="$(cd "$B/sites" && "$B/env/bin/python" -c 'import tuktuk_management, os; print(os.path.realpath(tuktuk_management.__file__))')"
[ "$where" = "$APP_SRC/$REALBENCH_APP/__init__.py" ] || die "the bench imports tuktuk_management from $where, not from $APP_SRC"
printf 'frappe\n%s\n' "$REALBENCH_APP" >"$B/sites/apps.txt"

# ---- common_site_config.json --------------------------------------------------------------------------------
"$B/env/bin/python" - "$B/sites/common_site_config.json" <<PY
import json, os, sys
path = sys.argv[1]
conf = json.load(open(path)) if os.path.exists(path) else {}
conf.update({
	"db_host": "$REALBENCH_DB_HOST", "db_port": $REALBENCH_DB_PORT,
	"redis_cache": "redis://127.0.0.1:$REALBENCH_REDIS_CACHE_PORT",
	"redis_queue": "redis://127.0.0.1:$REALBENCH_REDIS_QUEUE_PORT",
	"redis_socketio": "redis://127.0.0.1:$REALBENCH_REDIS_QUEUE_PORT",
	"webserver_port": $REALBENCH_PORT,
	"socketio_port": 9800,
	"background_workers": 1,
	"file_watcher_port": 6787,
	"live_reload": False,
})
json.dump(conf, open(path, "w"), indent=1, sort_keys=True)
PY

# ---- JS: yarn 1.22, air-datepicker from a local tarball, yarn install, build --------------------------------
# (not for a bench of the original app: it only makes test data from the console, no Desk is served)
if [ -z "$REALBENCH_ORIGINAL" ]; then
if [ ! -x "$B/node/node_modules/.bin/yarn" ]; then
	say "installing yarn 1.22 into $B/node"
	npm install -q --no-audit --no-fund --prefix "$B/node" yarn@1.22.22 >/dev/null
fi
pkg="$B/apps/frappe/package.json"
if grep -q '"air-datepicker": "github:frappe/air-datepicker"' "$pkg"; then
	sha="$(sed -n 's|.*codeload.github.com/frappe/air-datepicker/tar.gz/\([0-9a-f]*\).*|\1|p' "$B/apps/frappe/yarn.lock" | head -1)"
	[ -n "$sha" ] || die "cannot find the air-datepicker commit pinned in apps/frappe/yarn.lock"
	tgz="$B/build/air-datepicker-$sha.tgz"
	if [ ! -s "$tgz" ]; then
		src="$AIR_DATEPICKER_SRC"
		if ! { [ -d "$src" ] && git -C "$src" rev-parse --git-dir >/dev/null 2>&1; }; then
			say "cloning air-datepicker from $src"
			rm -rf "$B/build/air-datepicker.git"
			git clone -q --bare "$src" "$B/build/air-datepicker.git"
			src="$B/build/air-datepicker.git"
		fi
		say "air-datepicker ${sha:0:7} (pinned by Frappe's yarn.lock) as the local tarball $tgz"
		git -C "$src" archive --format=tar.gz --prefix=package/ -o "$tgz.tmp" "$sha"
		mv "$tgz.tmp" "$tgz"
	fi
	say "apps/frappe/package.json: air-datepicker -> file:$tgz (a local change in the bench's Frappe clone)"
	sed -i "s|\"air-datepicker\": \"github:frappe/air-datepicker\"|\"air-datepicker\": \"file:$tgz\"|" "$pkg"
fi
want="yarn-$(stamp_of "$pkg")"
if [ "$(cat "$B/apps/frappe/node_modules/.realbench-yarn" 2>/dev/null)" != "$want" ]; then
	say "yarn install in apps/frappe (a few minutes the first time)"
	(cd "$B/apps/frappe" && yarn install --non-interactive --network-timeout 600000 --check-files)
	echo "$want" >"$B/apps/frappe/node_modules/.realbench-yarn"
fi

fi  # not REALBENCH_ORIGINAL

# The bench's Redis servers are needed from here on (the sites' cache and queue).
"$REALBENCH_CHECKOUT/realbench/start.sh" redis

if [ -z "$REALBENCH_ORIGINAL" ]; then
app_public=""
[ -d "$REALBENCH_CHECKOUT/$REALBENCH_APP/public" ] && app_public=1
want="assets-$(git -C "$B/apps/frappe" rev-parse HEAD 2>/dev/null)-$(stamp_of "$pkg")"
if [ "$(cat "$B/sites/assets/.realbench-build" 2>/dev/null)" != "$want" ] || [ ! -s "$B/sites/assets/assets.json" ]; then
	say "building Desk assets (frappe build --force: no download of prebuilt assets; a few minutes)"
	frappe_cmd build --force
	echo "$want" >"$B/sites/assets/.realbench-build"
elif [ -n "$app_public" ]; then
	say "building the app's assets"
	frappe_cmd build --app "$REALBENCH_APP"
fi
fi  # not REALBENCH_ORIGINAL

# ---- sites (ensure_site: lib.sh) -------------------------------------------------------------------------
ensure_site "$REALBENCH_SITE" "${REALBENCH_FRESH_SITE:-}"
if [ -n "$REALBENCH_ORIGINAL" ]; then
	# A bench of the original app has one site, filled by tests/upgrade/make_dump.sh: no test site, no
	# manager or reference driver of ours, and a facts file saying what it is.
	"$B/env/bin/python" - "$REALBENCH_FACTS" <<PY
import json, sys
json.dump({"original": True, "bench_path": "$B", "app_src": "$APP_SRC", "site": "$REALBENCH_SITE",
	"db_name": "$(db_name_for "$REALBENCH_SITE")", "checkout": "$REALBENCH_CHECKOUT"}, open(sys.argv[1], "w"), indent=1)
PY
	say "bench of the ORIGINAL app ready in $(( $(date +%s) - started )) s (site $REALBENCH_SITE)"
	exit 0
fi
ensure_site "$REALBENCH_TEST_SITE"

say "manager user, API keys, reference driver, scheduler on $REALBENCH_SITE"
facts="$(site_setup finish "$REALBENCH_SITE" \
	"${REALBENCH_MANAGER_USER:-manager@tuktuk.realbench}" "${REALBENCH_MANAGER_PASSWORD:-realbench-Manager-1}" | tail -1)"

"$B/env/bin/python" - "$REALBENCH_FACTS" "$facts" <<PY
import json, sys
path, site_facts = sys.argv[1], json.loads(sys.argv[2])
facts = {
	"bench_path": "$B",
	"checkout": "$REALBENCH_CHECKOUT",
	"bench_cmd": "$REALBENCH_CHECKOUT/realbench/bench",
	"site": "$REALBENCH_SITE",
	"test_site": "$REALBENCH_TEST_SITE",
	"base_url": "http://127.0.0.1:$REALBENCH_PORT",
	"host_header": "$REALBENCH_SITE",
	"site_url": "http://$REALBENCH_SITE:$REALBENCH_PORT",
	"admin_user": "Administrator",
	"admin_password": "$REALBENCH_ADMIN_PASSWORD",
	"db_name": "$(db_name_for "$REALBENCH_SITE")",
	"test_db_name": "$(db_name_for "$REALBENCH_TEST_SITE")",
	"redis_cache": "redis://127.0.0.1:$REALBENCH_REDIS_CACHE_PORT",
	"redis_queue": "redis://127.0.0.1:$REALBENCH_REDIS_QUEUE_PORT",
	"artifacts_dir": "$B/artifacts",
	**site_facts,
}
facts["manager"]["authorization"] = "token {api_key}:{api_secret}".format(**facts["manager"])
with open(path, "w") as f:
	json.dump(facts, f, indent=1)
PY
chmod 600 "$REALBENCH_FACTS"
say "facts written to $REALBENCH_FACTS"
# Running processes still hold the old code: restart them (what `bench restart` does), nothing else.
if running_pid web "127.0.0.1:$REALBENCH_PORT" >/dev/null || running_pid worker "$B/env/bin/python -m frappe.utils.bench_helper frappe worker" >/dev/null; then
	say "restarting the running bench processes so they serve this checkout"
	"$REALBENCH_CHECKOUT/realbench/stop.sh"
	"$REALBENCH_CHECKOUT/realbench/start.sh"
	say "done in $(( $(date +%s) - started )) s (restarted)"
else
	say "done in $(( $(date +%s) - started )) s (start it: make realbench-start)"
fi
