#!/bin/sh
# bench/stats.sh -- the knowledge bank against sqlite3 and DuckDB, on the same data, in one run.
#
# Data (prepared once into bench/data/, reused): CASES demo cases (default 1,000,000, seed 42) in a casebank
# database, its HTCDS CSV export (coded fields only), and that CSV loaded with `sqlite3 .import` into a
# plain table.  DuckDB loads the same CSV into memory itself (not timed with the queries).
#
# Measured (medians of RUNS, default 21; SQLite's slow GROUP BY runs SQLITE_RUNS times, default RUNS):
#   the table   --by citizenship,exploitation_type --where "year between 2010 and 2020 and gender = Feminine"
#               (consenting cases), casebank with its index resident on one thread, SQLite GROUP BY on the
#               plain table, DuckDB with its default threads
#   the report  casebank's whole standard report against five of its tables in DuckDB
#   the index   build time against sqlite3 stepping a SELECT of the same columns, and bytes per case
# Before timing, every cell's exact count is checked across the three engines; a difference fails the run.
#
#   sh bench/stats.sh                 CASES=10000000 sh bench/stats.sh          RUNS=5 sh bench/stats.sh
set -eu
cd "$(dirname "$0")/.."
CASES=${CASES:-1000000}
RUNS=${RUNS:-21}
SQLITE_RUNS=${SQLITE_RUNS:-$RUNS}
BUILD_RUNS=${BUILD_RUNS:-5}
CB=${CASEBANK_BIN:-./casebank}
data=bench/data
db="$data/stats-$CASES.db"
csv="$data/stats-$CASES.csv"
plain="$data/stats-$CASES.sqlite"
cells="$data/stats-$CASES.cells.csv"
mkdir -p "$data"

make -s casebank build/bench/stats_bench
if [ ! -f "$db.done" ]; then # .done: the demo data was generated to the end
	echo "preparing $db ($CASES demo cases, seed 42)..."
	rm -f "$db" "$db"-* "$db".* "$csv" "$plain"
	"$CB" init "$db" >/dev/null
	"$CB" demo "$db" --cases "$CASES" --seed 42 >/dev/null
	touch "$db.done"
fi
if [ ! -s "$csv" ]; then
	echo "exporting $csv..."
	"$CB" export "$db" --format htcds >"$csv.tmp"
	mv "$csv.tmp" "$csv"
fi
if [ ! -s "$plain" ]; then
	echo "loading $plain with sqlite3 .import..."
	rm -f "$plain.tmp"
	sqlite3 "$plain.tmp" -cmd ".mode csv" ".import $csv cases"
	mv "$plain.tmp" "$plain"
fi
# --no-package-lock: the committed lock file stays as it is (npm rewrites it for this platform otherwise)
npm install --prefix bench --no-audit --no-fund --silent --no-package-lock

out_cb="$data/stats-$CASES.casebank.out"
out_dk="$data/stats-$CASES.duckdb.out"
echo "== casebank and sqlite3 (one thread each)"
# (to a file first: a pipe would hide a failed count check from set -e)
rm -f "$cells"
if ! build/bench/stats_bench --db "$db" --plain "$plain" --cells "$cells" --runs "$RUNS" \
	--sqlite-runs "$SQLITE_RUNS" --build-runs "$BUILD_RUNS" >"$out_cb"; then
	cat "$out_cb"
	echo "stats.sh: the casebank/sqlite3 run failed" >&2
	exit 1
fi
grep -v '^result ' "$out_cb"
echo "== DuckDB"
if ! node bench/duckdb_stats.mjs --csv "$csv" --cells "$cells" --runs "$RUNS" >"$out_dk"; then
	cat "$out_dk"
	echo "stats.sh: the DuckDB run failed" >&2
	exit 1
fi
grep -v '^result ' "$out_dk"

# The summary: medians from the "result NAME MEDIAN MIN MAX" lines, ratios next to their goals.
{ cat "$out_cb" "$out_dk"; echo "result one 1 1 1"; } | awk -v cases="$CASES" '
$1 == "result" { m[$2] = $3 }
function ms(x) { return (x in m) ? sprintf("%.2f ms", m[x]) : "n/a" }
function ratio(what, num, den, goal, cmp,   r, ok) {
	if (!(num in m) || !(den in m) || m[den] <= 0) { printf "  %-44s n/a\n", what; return }
	r = m[num] / m[den]
	ok = cmp == ">=" ? r >= goal : r <= goal
	printf "  %-44s %8.2f   goal %s %s   %s\n", what, r, cmp, goal, ok ? "met" : "MISSED"
}
END {
	printf "\nsummary, %d cases (medians)\n", cases
	printf "  query casebank %s, sqlite3 %s, duckdb %s\n", ms("query.casebank"), ms("query.sqlite"), ms("query.duckdb")
	ratio("duckdb / casebank (query)", "query.duckdb", "query.casebank", 4, ">=")
	ratio("sqlite3 / casebank (query)", "query.sqlite", "query.casebank", 100, ">=")
	printf "  report casebank %s, five tables duckdb %s\n", ms("report.casebank"), ms("five_tables.duckdb")
	ratio("duckdb five tables / casebank whole report", "five_tables.duckdb", "report.casebank", 1, ">=")
	printf "  index build casebank %s, sqlite3 select %s\n", ms("build.casebank"), ms("build.sqlite_select")
	ratio("sqlite3 select / casebank index build", "build.sqlite_select", "build.casebank", 1, ">=")
	ratio("index bytes per case", "index.bytes_per_case", "one", 64, "<=")
}'
