#!/bin/sh
# bench/pg.sh -- casebank on PostgreSQL against PostgreSQL's own bulk paths, on the same data, in one run, on a
# throwaway cluster (scripts/pg-cluster.sh, fsync as configured there: CBPG_FSYNC=on for durable figures).
#
#   import   `casebank import URI FILE.csv` (HTCDS export of CASES demo cases) against `psql \copy` of the same
#            CSV into a plain table of text columns: ratio copy/import (goal >= 0.5)
#   index    `casebank stats URI --by year --exact` (opens the store, builds the statistics index from
#            PostgreSQL, answers one table: an upper bound of the build) against `COPY (SELECT the coded
#            columns FROM cases) TO STDOUT`: ratio build/copy (goal <= 2)
# Medians of RUNS (default 3).      CASES=100000 RUNS=3 sh bench/pg.sh
set -eu
cd "$(dirname "$0")/.."
CASES=${CASES:-100000}
RUNS=${RUNS:-3}
CB=${CASEBANK_BIN:-./casebank}
make -s casebank
work=$(mktemp -d /tmp/cbbench.XXXXXX)
dir=$(sh scripts/pg-cluster.sh start)
trap 'sh scripts/pg-cluster.sh stop "$dir"; rm -rf "$work"' EXIT
export CASEBANK_KEY_FILE="$work/master.key"
conn="host=$dir user=casebank"
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

"$CB" init "$work/src.db" >/dev/null
"$CB" demo "$work/src.db" --cases "$CASES" --seed 42 >/dev/null
"$CB" export "$work/src.db" --format htcds >"$work/cases.csv"
cols=$(head -n 1 "$work/cases.csv" | tr ',' '\n' | sed 's/.*/"&" text/' | paste -sd,)

: >"$work/imp"; : >"$work/copy"
for r in $(seq "$RUNS"); do
	psql -X -q "$conn dbname=postgres" -c "DROP DATABASE IF EXISTS b$r" -c "CREATE DATABASE b$r" 2>/dev/null
	uri="postgresql:///b$r?host=$dir&user=casebank"
	"$CB" init "$uri" >/dev/null
	t0=$(now); "$CB" import "$uri" "$work/cases.csv" --format htcds >/dev/null; t1=$(now)
	echo "$t1 - $t0" | bc >>"$work/imp"
	psql -X -q "$conn dbname=b$r" -c "CREATE TABLE plain($cols)"
	t0=$(now); psql -X -q "$conn dbname=b$r" -c "\\copy plain FROM '$work/cases.csv' WITH (FORMAT csv, HEADER true)"; t1=$(now)
	echo "$t1 - $t0" | bc >>"$work/copy"
done
imp=$(median <"$work/imp"); cp=$(median <"$work/copy")
printf 'import of %s cases: casebank %.2f s, psql \\copy %.2f s, ratio %.3f (goal >= 0.5)\n' "$CASES" "$imp" "$cp" \
	"$(echo "$cp / $imp" | bc -l)"

uri="postgresql:///b1?host=$dir&user=casebank"
sel=$(psql -X -At "$conn dbname=b1" -c "SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position)
	FROM information_schema.columns WHERE table_name = 'cases'
	AND column_name NOT IN ('seq', 'version', 'created_at', 'updated_at', 'fingerprint', 'pii')")
: >"$work/build"; : >"$work/copyout"
for r in $(seq "$RUNS"); do
	t0=$(now); "$CB" stats "$uri" --by year --exact >/dev/null; t1=$(now)
	echo "$t1 - $t0" | bc >>"$work/build"
	t0=$(now); psql -X -q "$conn dbname=b1" -c "COPY (SELECT $sel FROM cases) TO STDOUT" >/dev/null; t1=$(now)
	echo "$t1 - $t0" | bc >>"$work/copyout"
done
b=$(median <"$work/build"); c=$(median <"$work/copyout")
printf 'index from PostgreSQL: casebank %.0f ms (open, build, one table), COPY TO STDOUT %.0f ms, ratio %.2f (goal <= 2)\n' \
	"$(echo "$b * 1000" | bc)" "$(echo "$c * 1000" | bc)" "$(echo "$b / $c" | bc -l)"
