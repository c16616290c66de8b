# Shared settings and helpers for the real-bench scripts (sourced, not run).
# Every setting can be overridden from the environment; docs/realbench.md lists them.

# The checkout these scripts belong to: the app installed on the bench is THIS checkout.
REALBENCH_CHECKOUT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"

if [ "$(id -u)" = 0 ]; then
	: "${REALBENCH_DIR:=/srv/tuktuk-realbench}"
else
	: "${REALBENCH_DIR:=$HOME/tuktuk-realbench}"
fi
: "${FRAPPE_SRC:=https://github.com/frappe/frappe}"
: "${FRAPPE_BRANCH:=version-15}"
: "${AIR_DATEPICKER_SRC:=https://github.com/frappe/air-datepicker}"
: "${REALBENCH_PYTHON:=$(command -v /usr/bin/python3.11 || command -v python3.11 || command -v python3)}"
: "${REALBENCH_SITE:=tuktuk.realbench}"
: "${REALBENCH_TEST_SITE:=tuktuk-tests.realbench}"
: "${REALBENCH_ADMIN_PASSWORD:=realbench-admin}"
: "${REALBENCH_PORT:=8800}"
: "${REALBENCH_REDIS_CACHE_PORT:=13800}"
: "${REALBENCH_REDIS_QUEUE_PORT:=11800}"
: "${REALBENCH_DB_HOST:=127.0.0.1}"
: "${REALBENCH_DB_PORT:=3306}"
: "${REALBENCH_DB_ROOT_USER:=root}"
: "${REALBENCH_GUNICORN_WORKERS:=2}"
# The app folder apps/tuktuk_management points at: this checkout (the default), or, with REALBENCH_ORIGINAL=1,
# a checkout of the ORIGINAL app of the same name (yudamedia/tuktuk-management), for making upgrade test data
# on a bench of its own (tests/upgrade/make_dump.sh; docs/upgrading.md). Never both on one bench: one package.
: "${REALBENCH_APP_SRC:=$REALBENCH_CHECKOUT}"
: "${REALBENCH_ORIGINAL:=}"

export REALBENCH_DIR FRAPPE_SRC FRAPPE_BRANCH AIR_DATEPICKER_SRC REALBENCH_PYTHON REALBENCH_SITE REALBENCH_TEST_SITE \
	REALBENCH_ADMIN_PASSWORD REALBENCH_PORT REALBENCH_REDIS_CACHE_PORT REALBENCH_REDIS_QUEUE_PORT REALBENCH_DB_HOST \
	REALBENCH_DB_PORT REALBENCH_DB_ROOT_USER REALBENCH_GUNICORN_WORKERS REALBENCH_APP_SRC REALBENCH_ORIGINAL

REALBENCH_FACTS="$REALBENCH_DIR/realbench.json"
REALBENCH_APP=tuktuk_management

# A clean PATH: the bench env first, then the bench's own yarn, then the system. Nothing from the caller
# (a pyenv shim or a virtualenv of the checkout must not shadow the bench env's python).
realbench_path() {
	echo "$REALBENCH_DIR/env/bin:$REALBENCH_DIR/node/node_modules/.bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
}

say() { printf '\033[1mrealbench:\033[0m %s\n' "$*" >&2; }
die() { printf 'realbench: ERROR: %s\n' "$*" >&2; exit 1; }

# A MariaDB database name derived from a site name: rb_ + the name with every non-alphanumeric as _.
db_name_for() { echo "rb_$(echo "$1" | tr -c 'A-Za-z0-9\n' '_')"; }

# What `bench <frappe command>` runs (bench's frappe_cmd): the bench env's python -m frappe.utils.bench_helper
# frappe ARGS, in sites/. Run as the caller (root here): the bench CLI itself refuses root unless it can drop
# to a frappe_user, and such a user could not read a checkout inside a 0700 folder (CI's mktemp -d).
frappe_cmd() {
	(cd "$REALBENCH_DIR/sites" && env PATH="$(realbench_path)" "$REALBENCH_DIR/env/bin/python" -m frappe.utils.bench_helper frappe "$@")
}

mysql_root() {
	local client
	client="$(command -v mariadb || command -v mysql)" || die "no mariadb/mysql client"
	"$client" -h"$REALBENCH_DB_HOST" -P"$REALBENCH_DB_PORT" -u"$REALBENCH_DB_ROOT_USER" "$@"
}

# pid-file helpers: a pid counts only while its process is alive AND its command line holds a marker,
# so a stale pid file whose number was reused by another process is never mistaken for ours.
pidfile() { echo "$REALBENCH_DIR/pids/$1.pid"; }
running_pid() {  # running_pid NAME MARKER -> prints the pid when NAME runs
	local f pid
	f="$(pidfile "$1")"
	[ -f "$f" ] || return 1
	pid="$(cat "$f")"
	[ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$2" || return 1
	echo "$pid"
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---- sites ----------------------------------------------------------------------------------------------------
site_db_ok() {  # the site folder and its database both exist
	local db; db="$(db_name_for "$1")"
	[ -f "$REALBENCH_DIR/sites/$1/site_config.json" ] && mysql_root -N -e "select 1 from \`$db\`.tabDefaultValue limit 1" >/dev/null 2>&1
}

site_setup() {  # site_setup COMMAND SITE ARGS: realbench/site_setup.py in the bench env, in sites/
	(cd "$REALBENCH_DIR/sites" && env PATH="$(realbench_path)" "$REALBENCH_DIR/env/bin/python" "$REALBENCH_CHECKOUT/realbench/site_setup.py" "$@")
}

# ensure_site SITE [fresh]: make SITE (database rb_<site>) unless it exists (or always with "fresh"), set what
# the setup wizard would, then install the app on it, or migrate it when the app is already installed.
ensure_site() {
	local site=$1 fresh=${2:-} db
	db="$(db_name_for "$site")"
	if [ -n "$fresh" ] || ! site_db_ok "$site"; then
		say "new site $site (database $db on $REALBENCH_DB_HOST:$REALBENCH_DB_PORT)"
		# new-site asks for the MariaDB root password even when it is empty: getpass reads the empty line
		# from stdin once there is no controlling terminal (setsid).
		printf '\n' | setsid -w "$REALBENCH_CHECKOUT/realbench/bench" \
			new-site "$site" --db-name "$db" --db-root-username "$REALBENCH_DB_ROOT_USER" \
			--no-mariadb-socket --admin-password "$REALBENCH_ADMIN_PASSWORD" --force
	fi
	frappe_cmd --site "$site" set-config allow_tests True --parse
	if [ -n "$REALBENCH_ORIGINAL" ]; then
		# The original app's install imports its standard Dashboard Charts as fixtures, which Frappe refuses
		# outside developer mode ("Cannot edit Standard charts"): its fleets installed it that way.
		frappe_cmd --site "$site" set-config developer_mode 1 --parse
	fi
	site_setup prepare "$site"
	# A module list cached in Redis by earlier commands makes install-app create none of the app's DocTypes.
	frappe_cmd --site "$site" clear-cache
	if [ "$(site_setup app-installed "$site" | tail -1)" != 1 ]; then
		say "installing $REALBENCH_APP on $site"
		frappe_cmd --site "$site" install-app "$REALBENCH_APP"
	else
		say "migrating $site to this checkout"
		frappe_cmd --site "$site" migrate
	fi
}
