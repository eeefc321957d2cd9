#!/bin/sh
# odk.sh -- the ODK server under load (issue 16): N encrypted registrations (1,000) posted by CLIENTS (16)
# concurrent clients to `casebank serve`, each form built as ODK Collect builds it, every fourth one sent twice
# (its answer "lost") and any failed one retried: all must be stored, none twice.  Submissions per second,
# RSA decryption and signature check included.  Peer: the same number of plain case creations through the
# JSON API (a session each, no encryption) by as many clients against the same server.  RUNS (3) of each,
# alternating; medians and the ratio.  Goal: >= 200 submissions/s.
set -eu
cd "$(dirname "$0")/.."
N=${N:-1000}
CLIENTS=${CLIENTS:-16}
RUNS=${RUNS:-3}
make -s casebank build/bench/odk_bench
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT INT TERM
db=$dir/odk.db
./casebank init "$db" >/dev/null
echo "bench-caseworker-pw" | ./casebank user add "$db" fieldworker --role caseworker --site MD-CHISINAU >/dev/null
port=$((20000 + $$ % 20000))
./casebank serve "$db" --listen 127.0.0.1:$port 2>"$dir/serve.log" &
pid=$!
for i in $(seq 100); do
	grep -q "casebank: serving" "$dir/serve.log" && break
	sleep 0.1
done
odk=""
api=""
status=0
for r in $(seq "$RUNS"); do
	out=$(build/bench/odk_bench "$db" $port fieldworker bench-caseworker-pw "$N" "$CLIENTS" "$r" odk) || status=1
	echo "$out" | grep -v '^result'
	odk="$odk $(echo "$out" | awk '/^result/ {print $3}')"
	out=$(build/bench/odk_bench "$db" $port fieldworker bench-caseworker-pw "$N" "$CLIENTS" "$r" api) || status=1
	echo "$out" | grep -v '^result'
	api="$api $(echo "$out" | awk '/^result/ {print $3}')"
done
med() { echo "$@" | tr ' ' '\n' | grep . | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
mo=$(med $odk)
ma=$(med $api)
echo "median: ODK encrypted submissions $mo/s, plain API case creations $ma/s, ratio odk/api $(echo "$mo $ma" | awk '{printf "%.2f", $1/$2}')"
echo "goal: >= 200 submissions/s: $(echo "$mo" | awk '{print ($1 >= 200) ? "met" : "NOT met"}')"
exit $status
