#!/bin/sh
# bench/duplicates.sh -- duplicate detection: precision, recall and time of `casebank duplicates` on demo data
# with planted duplicates, against an exact-match check in sqlite3 on the same people.
#
# The data: CASES demo cases (default 100,000) and a share RATE (default 0.05) of them registered again by
# `casebank demo --duplicates` with realistic errors (typos, names written in Cyrillic, swapped names, a
# missing part, a one-digit date slip).  The demo writes the true pairs to a file; nothing in the database
# says which cases are copies.  casebank compares sealed Bloom-filter encodings (CLKs) within blocks of keyed
# tokens, at its default threshold.  The peer: the same cases exported with their identifiers (plain text:
# only here, in bench/data) and imported into sqlite3, where a self-join finds pairs with the same first
# name, last name and birth date, case folded -- the exact check a database without linkage would do.
# Runs alternate; medians are printed, then precision and recall of both against the true pairs.
# Goals: precision and recall >= 0.95, and 100,000 cases checked in under 30 s.
#
#   sh bench/duplicates.sh            CASES=20000 RUNS=5 sh bench/duplicates.sh
set -eu
cd "$(dirname "$0")/.."
CASES=${CASES:-100000}
RATE=${RATE:-0.05}
RUNS=${RUNS:-3}
CB=${CASEBANK_BIN:-./casebank}
data=bench/data
mkdir -p "$data"
db="$data/dups-$CASES.db"
truth="$data/dups-$CASES.truth"
csv="$data/dups-$CASES.csv"
peer="$data/dups-peer-$CASES.db"
if [ ! -s "$truth" ] || [ ! -s "$db" ]; then
	echo "preparing $db ($CASES demo cases, $RATE planted duplicates)..."
	rm -f "$db"* "$truth" "$csv"
	"$CB" init "$db" >/dev/null
	"$CB" demo "$db" --cases "$CASES" --seed 7 --duplicates "$RATE" --truth "$truth"
fi
if [ ! -s "$csv" ] || [ ! -s "$peer" ]; then
	"$CB" export "$db" --format htcds --with-identifiers >"$csv.tmp"
	mv "$csv.tmp" "$csv"
	rm -f "$peer"
	sqlite3 "$peer" -cmd ".mode csv" ".import $csv cases"
fi
echo "data: $("$CB" list "$db" | wc -l) cases, $(wc -l <"$truth") planted duplicates"

peer_sql="SELECT a.x_case_id, b.x_case_id FROM cases a JOIN cases b
 ON lower(a.prs_FirstName) = lower(b.prs_FirstName) AND lower(a.prs_SecondName) = lower(b.prs_SecondName)
 AND a.prs_Birthdate = b.prs_Birthdate AND a.prs_Birthdate <> '' AND a.x_case_id < b.x_case_id;"

now() { date +%s.%N; }
calc() { awk "BEGIN { print $1 }"; }
cb_times=""
sq_times=""
i=1
while [ "$i" -le "$RUNS" ]; do
	t0=$(now)
	"$CB" duplicates "$db" >"$data/dups-cb.pairs" 2>/dev/null
	t1=$(now)
	sqlite3 -separator ' ' "$peer" "$peer_sql" >"$data/dups-sq.pairs"
	t2=$(now)
	cb=$(calc "$t1 - $t0")
	sq=$(calc "$t2 - $t1")
	printf 'run %d: casebank duplicates %.2f s, sqlite3 exact self-join %.2f s\n' "$i" "$cb" "$sq"
	cb_times="$cb_times $cb"
	sq_times="$sq_times $sq"
	i=$((i + 1))
done
median() { printf '%s\n' $1 | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
# precision and recall of a pairs file (two case ids first in each line, any order) against the truth
score() {
	awk 'FNR == NR { t[$1 " " $2] = 1; t[$2 " " $1] = 1; n++; next }
	     { if (($1 " " $2) in t) tp++; p++ }
	     END { printf "%d pairs, precision %.3f, recall %.3f\n", p, p ? tp / p : 0, n ? tp / n : 0 }' "$truth" "$1"
}
awk '{ print $1, $3 }' "$data/dups-cb.pairs" >"$data/dups-cb.ids"
mc=$(median "$cb_times")
ms=$(median "$sq_times")
printf 'median: casebank %.2f s, sqlite3 exact %.2f s (ratio casebank/sqlite3 %.2f)\n' "$mc" "$ms" "$(calc "$mc / $ms")"
printf 'casebank duplicates (default threshold): %s\n' "$(score "$data/dups-cb.ids")"
printf 'sqlite3 exact match:                     %s\n' "$(score "$data/dups-sq.pairs")"
