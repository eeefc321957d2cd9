#!/bin/sh
# deps.sh -- installs the Debian packages casebank needs, if any are missing.
# As root it runs apt-get; otherwise it prints the one apt-get line to run and fails.
set -eu
PKGS="gcc make pkg-config libsqlite3-dev libsodium-dev libjansson-dev libcmocka-dev libmicrohttpd-dev
      libxlsxwriter-dev clang libclang-rt-14-dev sqlite3"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
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
