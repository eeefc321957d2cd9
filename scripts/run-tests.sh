#!/bin/sh
# run-tests.sh -- runs test binaries and fuzz targets, keeps each one's output in build/test-logs/, prints a
# line per binary and, last, the combined count as "N passed, N failed" (cmocka's per-binary counts summed;
# a fuzz target counts as one test that passes when it ran FUZZ_SECONDS without finding a crash; the argument
# tests/web runs the browser tests against ./casebank and counts node's "# pass N" and "# fail N"; a script
# such as scripts/layers.sh runs as a test binary does and prints cmocka's summary lines itself).
# After the argument --pg the test binaries that follow run again on PostgreSQL: CASEBANK_TEST_DB=pg, one
# cluster started for the pass (scripts/pg-cluster.sh, CASEBANK_TEST_PG), stopped at the end; only those whose
# sources get their databases from cbt_db (tests/cb_test.h) run, their lines marked "pg", and not those that
# include tests/cb_pg.h themselves (they choose their backends, and ran on PostgreSQL already).
#   usage: FUZZ_SECONDS=20 sh scripts/run-tests.sh build/tests/x/test_y build/san/tests/... build/fuzz/... tests/web
#          sh scripts/run-tests.sh --pg build/tests/x/test_y ...
set -u
logs=build/test-logs
mkdir -p "$logs"
passed=0
failed=0
pg=""
pgdir=""
trap '[ -z "$pgdir" ] || sh scripts/pg-cluster.sh stop "$pgdir"' EXIT
trap 'exit 130' INT TERM
# Whether test binary $1 gets its databases from cbt_db: its source or a header of tests/ it includes (the
# compiler's list, $1.d) calls it, and its source neither includes cb_pg.h nor starts clusters of its own
# with scripts/pg-cluster.sh (those choose their backends and ran on PostgreSQL in the first pass already).
uses_cbt_db() {
	[ -f "$1.d" ] || return 1
	files=$(tr ' \\' '\n\n' <"$1.d" | sed -n 's/:$//; /^tests\/.*\.[ch]$/p' | grep -v '^tests/cb_\(test\|pg\)\.h$' | sort -u)
	src=$(echo "$1" | sed 's|^build/||').c
	[ -n "$files" ] && grep -q 'cbt_db(' $files && ! grep -q '^#include "cb_pg.h"\|scripts/pg-cluster\.sh' "$src"
}
for t in "$@"; do
	if [ "$t" = "--pg" ]; then
		pg="pg "
		if [ -z "$pgdir" ] && ! pgdir=$(sh scripts/pg-cluster.sh start); then
			failed=$((failed + 1)); echo "FAIL pg (scripts/pg-cluster.sh could not start a cluster)"; pgdir=""; break
		fi
		continue
	fi
	name=$(echo "$t" | sed 's|^build/||; s|/|_|g')
	log="$logs/$name.log"
	if [ -n "$pg" ]; then
		uses_cbt_db "$t" || continue
		log="$logs/pg_$name.log"
	fi
	case "$t" in
	tests/web)
		# Until the binary has the server there is nothing to test the pages against.
		if ! ./casebank 2>&1 | grep -q '^  serve '; then echo "SKIP $t (casebank has no serve command)"; continue; fi
		log="$logs/web.log"
		CASEBANK_BIN=./casebank node --test --test-concurrency=1 tests/web/ >"$log" 2>&1
		rc=$?
		p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$log" | tail -n 1)
		f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$log" | tail -n 1)
		p=${p:-0}; f=${f:-0}
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
		passed=$((passed + p)); failed=$((failed + f))
		if [ "$f" -eq 0 ]; then echo "PASS $t ($p tests, screenshots in $logs/web/)"; else echo "FAIL $t (see $log)"; grep -B2 -A30 '^not ok' "$log" | head -n 80; fi
		continue ;;
	build/fuzz/*)
		[ "${FUZZ_SECONDS:-0}" -gt 0 ] || continue
		corpus="build/fuzz-corpus/$(basename "$t")"
		mkdir -p "$corpus"
		seeds="fuzz/corpus/$(basename "$t" | sed 's/^fuzz_//')"
		[ -d "$seeds" ] || seeds=""
		if "$t" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix=build/ "$corpus" $seeds >"$log" 2>&1; then
			passed=$((passed + 1)); echo "PASS $t ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') runs)"
		else
			failed=$((failed + 1)); echo "FAIL $t (see $log)"; tail -n 30 "$log"
		fi
		continue ;;
	build/san/*) bin=build/san/casebank ;;
	*) bin=./casebank ;;
	esac
	if [ -n "$pg" ]; then
		CASEBANK_BIN=$bin CASEBANK_TEST_DB=pg CASEBANK_TEST_PG=$pgdir "$t" >"$log" 2>&1
	else
		CASEBANK_BIN=$bin ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
			"$t" >"$log" 2>&1
	fi
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	p=${p:-0}; f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi # crashed or sanitizer report
	passed=$((passed + p)); failed=$((failed + f))
	if [ "$f" -eq 0 ]; then echo "PASS $pg$t ($p tests)"; else echo "FAIL $pg$t (see $log)"; tail -n 40 "$log"; fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
