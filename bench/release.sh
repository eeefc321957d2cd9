#!/bin/sh
# bench/release.sh -- the differentially private releases against issue 12's goals: accuracy beside the
# plain Gaussian mechanism and today's cell key method, the time of a release, the time of an answer.
#
# Data (prepared once into bench/data/, reused):
#   CASES demo cases (default 180,000, seed 42): several registration years then have 8,000 to 12,000
#       consenting cases; release_bench picks the three nearest 10,000 (YEARS=2016,2017,2018 chooses).
#   SPEED_CASES demo cases (default 1,000,000, seed 42) with a release of every year made by
#       `casebank release` (default budget, timed once when made), and its HTCDS CSV export for DuckDB.
#
# Measured (bench/release_bench.c says how):
#   utility  mean absolute error per cell against the exact counts at epsilon 1, 2, 4, 8 a year (delta
#            1e-9), REPS fresh releases each (default 5): (a) yearly one-way tables of the 13 factors,
#            (b) the report's factor-by-year-group tables, (c) three-dimension and filtered tables;
#            release, baseline (Gaussian mechanism per table, budget split evenly), cell key
#   speed    cb_synth_release of one year (about 10,000 cases); today's benchmark query (bench/stats.sh's)
#            on the release bank and on the records bank (medians of RUNS, default 21), and in DuckDB on
#            the same data (bench/duckdb_stats.mjs, needs node and npm; SKIP_DUCKDB=1 leaves it out)
#
#   sh bench/release.sh          REPS=3 RUNS=5 sh bench/release.sh          VERBOSE=1 sh bench/release.sh
set -eu
cd "$(dirname "$0")/.."
CASES=${CASES:-180000}
SPEED_CASES=${SPEED_CASES:-1000000}
REPS=${REPS:-5}
RUNS=${RUNS:-21}
YEARS=${YEARS:-}
VERBOSE=${VERBOSE:-}
SKIP_DUCKDB=${SKIP_DUCKDB:-}
CB=${CASEBANK_BIN:-./casebank}
data=bench/data
db="$data/release-$CASES.db"
sdb="$data/release-$SPEED_CASES.db"
csv="$data/release-$SPEED_CASES.csv"
cells="$data/release-$SPEED_CASES.cells.csv"
mkdir -p "$data"

make -s casebank build/bench/release_bench
# demo DB CASES: a database of CASES demo cases, made once (.done: generated to the end)
demo() {
	if [ ! -f "$1.done" ]; then
		echo "preparing $1 ($2 demo cases, seed 42)..."
		rm -f "$1" "$1"-* "$1".*
		"$CB" init "$1" >/dev/null
		"$CB" demo "$1" --cases "$2" --seed 42 >/dev/null
		touch "$1.done"
	fi
}
demo "$db" "$CASES"
demo "$sdb" "$SPEED_CASES"
if [ ! -f "$sdb.released" ]; then
	echo "releasing every year of $sdb (casebank release, default budget)..."
	t0=$(date +%s.%N)
	"$CB" release "$sdb" >/dev/null
	t1=$(date +%s.%N)
	echo "$t0 $t1" | awk '{ printf "%.2f\n", $2 - $1 }' >"$sdb.release-seconds"
	touch "$sdb.released"
	rm -f "$csv"
fi

out_u="$data/release-$CASES.utility.out"
out_s="$data/release-$SPEED_CASES.speed.out"
out_d="$data/release-$SPEED_CASES.duckdb.out"
echo "== utility: releases, baseline and cell key on $db"
set -- --db "$db" --reps "$REPS"
[ -n "$YEARS" ] && set -- "$@" --years "$YEARS"
[ -n "$VERBOSE" ] && set -- "$@" --verbose
# (to a file first: a pipe would hide a failed run from set -e)
if ! build/bench/release_bench "$@" >"$out_u"; then
	cat "$out_u"
	echo "release.sh: the utility run failed" >&2
	exit 1
fi
grep -v '^result ' "$out_u"

echo "== speed: the release bank against the records bank on $sdb"
echo "casebank release of every year of $sdb took $(cat "$sdb.release-seconds") s when it was made"
if ! build/bench/release_bench --speed-db "$sdb" --runs "$RUNS" --cells "$cells" >"$out_s"; then
	cat "$out_s"
	echo "release.sh: the speed run failed" >&2
	exit 1
fi
grep -v '^result ' "$out_s"

: >"$out_d"
if [ -z "$SKIP_DUCKDB" ]; then
	echo "== DuckDB on the same data"
	if [ ! -s "$csv" ]; then
		echo "exporting $csv..."
		"$CB" export "$sdb" --format htcds >"$csv.tmp"
		mv "$csv.tmp" "$csv"
	fi
	# --no-package-lock: the committed lock file stays as it is
	npm install --prefix bench --no-audit --no-fund --silent --no-package-lock
	if ! node bench/duckdb_stats.mjs --csv "$csv" --cells "$cells" --runs "$RUNS" >"$out_d"; then
		cat "$out_d"
		echo "release.sh: the DuckDB run failed" >&2
		exit 1
	fi
	grep -v '^result ' "$out_d"
fi

# The summary: medians from the "result NAME MEDIAN MIN MAX" lines, ratios next to their goals.
cat "$out_s" "$out_d" "$out_u" | awk -v cases="$SPEED_CASES" '
$1 == "result" { m[$2] = $3 }
function ms(x) { return (x in m) ? sprintf("%.2f ms", m[x]) : "n/a" }
function ratio(what, num, den, goal, cmp,   r, ok) {
	if (!(num in m) || !(den in m) || m[den] <= 0) { printf "  %-48s n/a\n", what; return }
	r = m[num] / m[den]
	ok = cmp == ">=" ? r >= goal : r <= goal
	printf "  %-48s %8.2f   goal %s %s   %s\n", what, r, cmp, goal, ok ? "met" : "MISSED"
}
END {
	printf "\nsummary, speed (medians)\n"
	printf "  release of one year (about 10,000 cases)         %s   goal < 10000 ms   %s\n", ms("release"),
		("release" in m) && m["release"] < 10000 ? "met" : "MISSED"
	printf "  query on %d cases: release bank %s, records bank %s, duckdb %s\n", cases,
		ms("query.release"), ms("query.records"), ms("query.duckdb")
	ratio("release bank / records bank (query)", "query.release", "query.records", 1, "<=")
	ratio("duckdb / release bank (query), as bench/stats.sh", "query.duckdb", "query.release", 4, ">=")
}'
