#!/bin/sh
# http.sh -- `casebank serve` on loopback under wrk over CASES demo cases (default 1,000,000): requests per second
# and p99 latency of a two-dimension statistics request and of reading one case (with its identifying details,
# audited).  Goals: >= 5,000 statistics requests/s and >= 3,000 case reads/s on a 2-core machine, p99 < 20 ms.
#   usage: sh bench/http.sh            (needs wrk: apt-get install wrk)
#          CASES=100000 DURATION=10s CONNS=16 SERVE_THREADS=8 sh bench/http.sh
#          DB=postgresql:///casebank?host=/run/postgresql CASEBANK_KEY_FILE=/path/master.key sh bench/http.sh
#                                         (PostgreSQL: an empty database, filled on first use)
#          PG=1 CASES=100000 sh bench/http.sh
#                                         (PostgreSQL on a throwaway cluster, scripts/pg-cluster.sh, durable as a
#                                          deployment runs it: fsync, synchronous_commit, full_page_writes on)
# On PostgreSQL the server's durability settings are printed with the figures: with synchronous_commit off
# an audited read waits for its entry's commit but not for its flush to disk, which a deployment would not do.
# CONNS: wrk connections (default 64); SERVE_THREADS: the server's store handles (--threads, default 32 here);
# PAUSE_MS: each connection's pause in the third run, the case reads below saturation (default 17).
# Case reads wait for their audit entry's durable commit: one writer commits every entry queued while the
# previous fsync ran (one fsync per group), so they are bound by fsync latency with few connections and by
# processor time with many; sessions are checked without writing (last_seen is written by the same writer).
# Not part of `make check`.  Data is generated into bench/data/ on first use and reused.
set -eu
cd "$(dirname "$0")/.."
CASES=${CASES:-1000000}
DURATION=${DURATION:-20s}
CONNS=${CONNS:-64}
SERVE_THREADS=${SERVE_THREADS:-32}
PORT=${PORT:-18917}
pgdir=
if [ "${PG:-}" = 1 ]; then
	pgdir=$(CBPG_FSYNC=on sh scripts/pg-cluster.sh start)
	trap 'sh scripts/pg-cluster.sh stop "$pgdir"' EXIT INT TERM
	psql -X -q "host=$pgdir user=casebank dbname=postgres" -c "CREATE DATABASE casebank"
	DB="postgresql:///casebank?host=$pgdir&user=casebank"
	export CASEBANK_KEY_FILE="$pgdir/master.key"
	rm -f "bench/data/http-pg-$CASES.done"
fi
DB=${DB:-bench/data/http-$CASES.db}
case $DB in
postgresql://* | postgres://*) done_file=bench/data/http-pg-$CASES.done ;;
*) done_file=$DB.done ;;
esac
PW=bench-password-1
command -v wrk >/dev/null || { echo "http.sh: wrk is missing: apt-get install wrk" >&2; exit 1; }
command -v curl >/dev/null || { echo "http.sh: curl is missing: apt-get install curl" >&2; exit 1; }
[ -x ./casebank ] || make casebank
mkdir -p bench/data
if [ ! -f "$done_file" ]; then
	[ "$done_file" != "$DB.done" ] || rm -f "$DB" "$DB"-* "$DB".*
	./casebank init "$DB"
	./casebank demo "$DB" --cases "$CASES"
	./casebank release "$DB" >/dev/null # statistics are answered from releases only
	case $DB in # the load's dirty pages written out now, not by a checkpoint in the middle of the timed runs
	postgresql://* | postgres://*) psql -X -q "$DB" -c CHECKPOINT ;;
	esac
	touch "$done_file"
fi
# accounts: a manager (reads cases of every office) and an analyst (statistics)
for u in bench-manager:manager bench-analyst:analyst; do
	name=${u%%:*}
	echo "$PW" | ./casebank user add "$DB" "$name" --role "${u#*:}" >/dev/null 2>&1 ||
		./casebank user list "$DB" | grep -q "^$name	" || { echo "http.sh: cannot add $name" >&2; exit 1; }
done

if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then
	echo "http.sh: something already listens on port $PORT: PORT=... sh bench/http.sh" >&2; exit 1
fi
# wrk connects from one address: allow it every connection (the default is 32 per address)
./casebank serve "$DB" --listen "127.0.0.1:$PORT" --threads "$SERVE_THREADS" --per-address 256 \
	2>bench/data/http-serve.log &
srv=$!
stop() {
	kill $srv 2>/dev/null; wait $srv 2>/dev/null || true
	[ -z "$pgdir" ] || sh scripts/pg-cluster.sh stop "$pgdir"
}
trap stop EXIT INT TERM
url=http://127.0.0.1:$PORT
i=0
until curl -s -o /dev/null "$url/api/codebook"; do
	kill -0 $srv 2>/dev/null || { echo "http.sh: the server stopped: see bench/data/http-serve.log" >&2; exit 1; }
	i=$((i + 1)); [ $i -lt 600 ] || { echo "http.sh: the server did not start" >&2; exit 1; }; sleep 0.5
done

# one case id, through the API itself
jar=bench/data/http-cookies.txt
curl -s -c "$jar" -H 'Content-Type: application/json' -d "{\"user\": \"bench-manager\", \"password\": \"$PW\"}" \
	"$url/api/login" >/dev/null
id=$(curl -s -b "$jar" "$url/api/cases?per_page=1&page=1000" | sed -n 's/.*"case_id":"\([A-Z2-7]*\)".*/\1/p')
rm -f "$jar"
[ -n "$id" ] || { echo "http.sh: no case id" >&2; exit 1; }

STATS='/api/stats?by=year,gender&where=year%20>=%202010%20and%20year%20<=%202020'
run() { # label path user [pause_ms]
	echo "== $1: GET $2 ($CONNS connections, $DURATION)"
	wrk -t2 -c"$CONNS" -d"$DURATION" --latency -s bench/http.lua "$url" -- "$2" "$3" "$PW" "${4:-0}" |
		grep -E "RESULT|Non-2xx"
}
echo "casebank serve, $CASES cases, $(nproc) processors, $SERVE_THREADS store handles"
case $DB in
postgresql://* | postgres://*)
	set -- $(psql -X -At "$DB" -c "SHOW fsync" -c "SHOW synchronous_commit" -c "SHOW full_page_writes" \
		2>/dev/null || echo ? ? ?)
	durable="not durable: a deployment keeps them on"
	[ "$1 $2 $3" = "on on on" ] && durable=durable
	echo "PostgreSQL: fsync $1, synchronous_commit $2, full_page_writes $3 ($durable)" ;;
esac
# the same question again and again: answered from the cache of rendered statistics after the first time
run "statistics (2 dimensions)" "$STATS" bench-analyst
run "read one case (audited)" "/api/cases/$id" bench-manager
# the latency goal at the throughput goal: latency at saturation only measures the queue, so the same reads
# again with each connection pausing PAUSE_MS between an answer and its next request (17 ms with 64
# connections: about 3,000 a second); the RESULT line says the rate reached
PAUSE_MS=${PAUSE_MS:-17}
run "read one case (audited), each connection pausing $PAUSE_MS ms" "/api/cases/$id" bench-manager "$PAUSE_MS"
echo "goals: statistics >= 5000 rps, case reads >= 3000 rps, p99 < 20 ms (at about 3000 rps: the paced run)"
