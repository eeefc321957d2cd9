#!/bin/sh
# deps.sh -- installs the Debian packages casebank needs (gettext's msgfmt compiles po/*.po; iso-codes has the
# country names in each language), if any are missing, and the browser tests' npm packages (tests/web:
# playwright-core, which drives Debian's chromium and never downloads a browser; the ODK form engines
# @getodk/web-forms and enketo-core, enketo-transformer with its native libxslt binding, esbuild to bundle the
# engines for the page, axe-core).
# As root it runs apt-get; otherwise it prints the one apt-get line to run and fails.
#   sh scripts/deps.sh         what building and `make demo` need (libpq, the PostgreSQL client library, is linked)
#   sh scripts/deps.sh test    and what the tests need: postgresql-15 (their throwaway clusters: initdb, pg_ctl)
set -eu
PKGS="gcc make pkg-config libsqlite3-dev libpq-dev libsodium-dev libjansson-dev libcmocka-dev libmicrohttpd-dev
      libxlsxwriter-dev libgmp-dev libssl-dev libxml2-dev clang libclang-rt-14-dev sqlite3 chromium nodejs
      gettext iso-codes g++ python3"
[ "${1:-}" = test ] && PKGS="$PKGS postgresql-15"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
web_modules() {
	# up to date when the lock file is the one installed from (npm ci leaves no such mark of its own)
	cmp -s tests/web/package-lock.json tests/web/node_modules/.casebank-lock 2>/dev/null && return 0
	# Debian's nodejs comes without npm (NodeSource's includes it): only then the npm package.
	if ! command -v npm >/dev/null 2>&1; then
		[ "$(id -u)" -eq 0 ] || { echo "casebank: npm missing; run as root: apt-get install -y npm" >&2; exit 1; }
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm
	fi
	echo "casebank: installing the browser tests' npm packages (tests/web)"
	# Scripts apart: libxslt (enketo-transformer's XSLT in Node) links against node1-libxmljsmt-myh's module,
	# which npm neither builds nor orders first, so both are built here one after the other (g++, python3).
	npm ci --prefix tests/web --no-audit --no-fund --ignore-scripts
	npm rebuild --prefix tests/web node1-libxmljsmt-myh
	npm rebuild --prefix tests/web libxslt
	cp tests/web/package-lock.json tests/web/node_modules/.casebank-lock
}
if [ -z "$missing" ]; then
	web_modules
	exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
	echo "casebank: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends $missing
else
	echo "casebank: missing packages; run as root:" >&2
	echo "  apt-get install -y$missing" >&2
	exit 1
fi
web_modules
