#!/bin/sh
# layers.sh -- checks the layering of src/ (docs/hacking.md, "Layers"): a file never includes a header of a
# higher layer, and SQLite is used only inside src/store/, where all the SQL lives.  Run by `make test` and
# `make check` (as one test of their count) and on its own: `sh scripts/layers.sh`.  Prints each breach as
# file:line and what it breaks; exits 1 when there is any.
#
#   util < codebook < crypto < store < care < access < (stats, io) < (http, cli)
#
# Rooms of one rank (stats and io, http and cli) may include each other's headers.
set -u
cd "$(dirname "$0")/.." || exit 2

rank() {
	case "$1" in
	util) echo 0 ;; codebook) echo 1 ;; crypto) echo 2 ;; store) echo 3 ;; care) echo 4 ;; access) echo 5 ;;
	stats | io) echo 6 ;; http | cli) echo 7 ;; *) echo -1 ;;
	esac
}

# Files allowed to use SQLite outside src/store/, each with its reason (none now: src/stats/index_build.c was
# the last, until the store's scan interface, store/scan.h, replaced its SELECT).
SQLITE_ALLOWED=""

bad=0
for f in $(find src -name '*.[ch]' | sort); do
	room=$(echo "$f" | cut -d/ -f2)
	own=$(rank "$room")
	if [ "$own" -lt 0 ]; then
		echo "$f: in no layer (src/$room/ is not in scripts/layers.sh)"
		bad=1
		continue
	fi
	# #include "room/file.h" of a higher rank
	out=$(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[a-z]*/' "$f" | while IFS= read -r line; do
		inc=$(echo "$line" | sed 's/^[0-9]*:[^"]*"\([a-z]*\)\/.*/\1/')
		r=$(rank "$inc")
		if [ "$r" -gt "$own" ]; then
			echo "$f:${line%%:*}: $room includes $inc/, a higher layer"
		fi
	done)
	if [ -n "$out" ]; then
		echo "$out"
		bad=1
	fi
	if [ "$room" != store ] && grep -q 'sqlite3' "$f"; then
		case " $SQLITE_ALLOWED " in
		*" $f "*) ;;
		*)
			grep -n 'sqlite3' "$f" | head -n 3 | sed "s|^|$f:|; s|$|  (SQLite outside src/store/)|"
			bad=1
			;;
		esac
	fi
done
if [ "$bad" -eq 0 ]; then
	echo "layers: every file of src/ keeps to its layer; SQLite only in src/store/"
	echo "[  PASSED  ] 1 test(s)."
else
	echo "[  FAILED  ] 1 test(s)."
fi
exit "$bad"
