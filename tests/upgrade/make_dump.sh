#!/usr/bin/env bash
# Make the upgrade test's data: a site running the ORIGINAL tuktuk_management (yudamedia/tuktuk-management at
# d8a5d6b), filled through the original's own code paths (make_legacy_data.py), dumped as a fleet would back
# it up. Writes, next to this script:
#   data/original_site.sql.gz          the site's database (bench backup), data only
#   data/original_site_config.json     the site's encryption_key (its Password fields are encrypted with it)
#   data/original_site_facts.json      what the original site held, for the test to compare against
# The original's code is never copied into this repository: it is cloned into the bench folder.
#
# It builds (once) a real Frappe v15 bench of its own for the original app (realbench/build.sh with
# REALBENCH_ORIGINAL=1: no Desk assets, one site, developer mode on as the original's install needs), makes
# the site anew, runs the original's sunny_id patch by hand (its install marks it done without running it),
# fills it and backs it up. Settings (environment, all optional):
#   ORIGINAL_SRC     git repository of the original app   (default https://github.com/yudamedia/tuktuk-management)
#   ORIGINAL_COMMIT  the commit the fleets run             (default d8a5d6b07739b4c52445f933fb3cfb2a7dde66c7)
#   REALBENCH_DIR    the bench folder                     (default: <the usual bench folder>-original)
#   REALBENCH_SITE, REALBENCH_PORT, REALBENCH_REDIS_*_PORT, FRAPPE_SRC: as for realbench/build.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd -P)"
checkout="$(cd "$here/../.." && pwd -P)"

: "${ORIGINAL_SRC:=https://github.com/yudamedia/tuktuk-management}"
: "${ORIGINAL_COMMIT:=d8a5d6b07739b4c52445f933fb3cfb2a7dde66c7}"
if [ -z "${REALBENCH_DIR:-}" ]; then
	if [ "$(id -u)" = 0 ]; then REALBENCH_DIR=/srv/tuktuk-realbench-original; else REALBENCH_DIR="$HOME/tuktuk-realbench-original"; fi
fi
: "${REALBENCH_SITE:=original.realbench}"
: "${REALBENCH_PORT:=8801}"
: "${REALBENCH_REDIS_CACHE_PORT:=13801}"
: "${REALBENCH_REDIS_QUEUE_PORT:=11801}"
src="$REALBENCH_DIR/src/tuktuk-management"
export REALBENCH_DIR REALBENCH_SITE REALBENCH_PORT REALBENCH_REDIS_CACHE_PORT REALBENCH_REDIS_QUEUE_PORT
export REALBENCH_ORIGINAL=1 REALBENCH_APP_SRC="$src" REALBENCH_FRESH_SITE=1
. "$checkout/realbench/lib.sh"

mkdir -p "$REALBENCH_DIR/src"
if [ ! -d "$src/.git" ]; then
	say "cloning the original app from $ORIGINAL_SRC"
	git clone -q "$ORIGINAL_SRC" "$src"
fi
# Developer mode makes the original's install write its charts back into the app folder: start clean.
git -C "$src" checkout -q -f "$ORIGINAL_COMMIT"
git -C "$src" clean -q -fdx
say "original app at $(git -C "$src" log --oneline -1)"

"$checkout/realbench/build.sh"
bench="$checkout/realbench/bench"
say "the original's sunny_id patch, by hand (its install marks it done without running it)"
"$bench" --site "$REALBENCH_SITE" execute tuktuk_management.patches.add_sunny_id_field.execute
"$REALBENCH_DIR/env/bin/python" -c 'import freezegun' 2>/dev/null \
	|| "$REALBENCH_DIR/env/bin/python" -m pip install -q 'freezegun~=1.2.2'

mkdir -p "$here/data"
say "filling $REALBENCH_SITE through the original's code paths"
(cd "$REALBENCH_DIR/sites" && env PATH="$(realbench_path)" "$REALBENCH_DIR/env/bin/python" \
	"$here/make_legacy_data.py" "$REALBENCH_SITE" "$here/data/original_site_facts.json")

say "backing up $REALBENCH_SITE"
"$bench" --site "$REALBENCH_SITE" backup
latest="$(ls -t "$REALBENCH_DIR/sites/$REALBENCH_SITE/private/backups/"*-database.sql.gz | head -1)"
cp "$latest" "$here/data/original_site.sql.gz"
"$REALBENCH_DIR/env/bin/python" - "$REALBENCH_DIR/sites/$REALBENCH_SITE/site_config.json" "$here/data/original_site_config.json" <<'PY'
import json, sys
conf = json.load(open(sys.argv[1]))
json.dump({"encryption_key": conf["encryption_key"]}, open(sys.argv[2], "w"), indent=1)
open(sys.argv[2], "a").write("\n")
PY
say "written: $(ls -la "$here/data" | tail -n +4 | awk '{print $9" ("$5" bytes)"}' | tr '\n' ' ')"
