#!/bin/sh
# deps.sh -- installs the Debian packages casebank needs (gettext's msgfmt compiles po/*.po; iso-codes has the
# country names in each language), if any are missing, and the browser tests' one npm
# packages (tests/web: playwright-core, which drives Debian's chromium and never downloads a browser, and
# axe-core, the accessibility checker the tests run in the page).
# As root it runs apt-get; otherwise it prints the one apt-get line to run and fails.
#   sh scripts/deps.sh         what building and `make demo` need (libpq, the PostgreSQL client library, is linked)
#   sh scripts/deps.sh test    and what the tests need: postgresql-15 (their throwaway clusters: initdb, pg_ctl)
set -eu
PKGS="gcc make pkg-config libsqlite3-dev libpq-dev libsodium-dev libjansson-dev libcmocka-dev libmicrohttpd-dev
      libxlsxwriter-dev libgmp-dev libssl-dev libxml2-dev clang libclang-rt-14-dev sqlite3 chromium nodejs
      gettext iso-codes"
[ "${1:-}" = test ] && PKGS="$PKGS postgresql-15"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
web_modules() {
	[ -d tests/web/node_modules/playwright-core ] && [ -d tests/web/node_modules/axe-core ] && return 0
	# Debian's nodejs comes without npm (NodeSource's includes it): only then the npm package.
	if ! command -v npm >/dev/null 2>&1; then
		[ "$(id -u)" -eq 0 ] || { echo "casebank: npm missing; run as root: apt-get install -y npm" >&2; exit 1; }
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm
	fi
	echo "casebank: installing the browser tests' npm packages (tests/web)"
	if [ -f tests/web/package-lock.json ]; then
		npm ci --prefix tests/web --no-audit --no-fund
	else
		npm install --prefix tests/web --no-audit --no-fund
	fi
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
