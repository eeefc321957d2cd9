#!/bin/sh
# bench/import.sh -- casebank import against sqlite3 .import, on the same CSV, in one run.
#
# The data: CASES demo cases (default 1,000,000) exported as HTCDS CSV *with* identifying details, so that
# casebank's import does everything it does in real use: parse, validate against the codebook, derive,
# fingerprint for idempotence, seal identifying details under a fresh key per case, write in WAL mode.
# The peer: the sqlite3 shell's `.import` of the same file into a plain table (no validation, no encryption,
# no indexes).  Runs alternate (casebank, sqlite3, casebank, ...) so that drift of a shared machine hits
# both; the medians and the ratio sqlite3/casebank are printed (>= 1.0 means casebank is at least as fast).
#
#   sh bench/import.sh            CASES=100000 RUNS=5 sh bench/import.sh
set -eu
cd "$(dirname "$0")/.."
CASES=${CASES:-1000000}
RUNS=${RUNS:-3}
CB=${CASEBANK_BIN:-./casebank}
data=bench/data
mkdir -p "$data"
csv="$data/import-$CASES.csv"
if [ ! -s "$csv" ]; then
	echo "preparing $csv ($CASES demo cases)..."
	rm -f "$data/src.db"*
	"$CB" init "$data/src.db" >/dev/null
	"$CB" demo "$data/src.db" --cases "$CASES" --seed 42 >/dev/null
	"$CB" export "$data/src.db" --format htcds --with-identifiers >"$csv.tmp"
	mv "$csv.tmp" "$csv"
	rm -f "$data/src.db"*
fi
echo "data: $csv, $(wc -l <"$csv") lines, $(du -h "$csv" | cut -f1)"

now() { date +%s.%N; }
calc() { awk "BEGIN { print $1 }"; }
cb_times=""
sq_times=""
i=1
while [ "$i" -le "$RUNS" ]; do
	rm -f "$data/cb.db"* "$data/sq.db"
	"$CB" init "$data/cb.db" >/dev/null
	sync
	t0=$(now)
	"$CB" import "$data/cb.db" "$csv" >/dev/null
	t1=$(now)
	sync
	t2=$(now)
	sqlite3 "$data/sq.db" -cmd ".mode csv" ".import $csv cases"
	t3=$(now)
	cb=$(calc "$t1 - $t0")
	sq=$(calc "$t3 - $t2")
	printf 'run %d: casebank %.2f s, sqlite3 %.2f s\n' "$i" "$cb" "$sq"
	cb_times="$cb_times $cb"
	sq_times="$sq_times $sq"
	i=$((i + 1))
done
n=$("$CB" list "$data/cb.db" | wc -l)
echo "casebank stored $((n - 1)) cases; sqlite3 $(sqlite3 "$data/sq.db" 'select count(*) from cases') rows"
median() { printf '%s\n' $1 | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
mc=$(median "$cb_times")
ms=$(median "$sq_times")
printf 'median: casebank %.2f s (%.0f rows/s), sqlite3 .import %.2f s (%.0f rows/s)\n' "$mc" \
	"$(calc "$CASES / $mc")" "$ms" "$(calc "$CASES / $ms")"
printf 'ratio sqlite3/casebank: %.2f (goal >= 1.0)\n' "$(calc "$ms / $mc")"
rm -f "$data/cb.db"* "$data/sq.db"
