#!/bin/sh
# pg-cluster.sh -- a throwaway PostgreSQL cluster for the tests and benches: initdb and pg_ctl (Debian
# postgresql-15) in a temporary directory, reachable only on a Unix socket there, trusting local connections.
# PostgreSQL refuses to run as root: as root the cluster belongs to the system user cbtest (made if missing)
# and its programs run through runuser.
#   sh scripts/pg-cluster.sh start [DIR] [extra postgres -c settings...]
#        prints DIR (made with mktemp when not given); connect with host=DIR user=casebank dbname=postgres
#   sh scripts/pg-cluster.sh stop DIR          stops it (immediate) and removes DIR
#   sh scripts/pg-cluster.sh kill DIR          kill -9 of the postmaster, DIR stays (failover tests)
#   sh scripts/pg-cluster.sh standby PRIMARY [sync]
#        a streaming-replication standby of the cluster in PRIMARY (pg_basebackup -R over its socket), in a new
#        directory it prints; returns once the primary sees it streaming.  sync: the primary then waits for it
#        at each commit (synchronous_commit = on, synchronous_standby_names = '*')
#   sh scripts/pg-cluster.sh promote DIR       the standby in DIR becomes a primary (returns once it takes writes)
set -eu
bindir=$(pg_config --bindir 2>/dev/null || true)
[ -x "$bindir/initdb" ] || bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ ! -x "$bindir/initdb" ]; then
	echo "pg-cluster: initdb not found: install postgresql-15 (make deps does)" >&2
	exit 1
fi
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u cbtest -- "$@"; else "$@"; fi
}
cmd=${1:-}
case "$cmd" in
start)
	dir=${2:-}
	[ $# -ge 2 ] && shift 2 || shift $#
	if [ "$(id -u)" -eq 0 ] && ! id cbtest >/dev/null 2>&1; then
		useradd --system --no-create-home --shell /usr/sbin/nologin cbtest 2>/dev/null || id cbtest >/dev/null
	fi
	[ -n "$dir" ] || dir=$(mktemp -d /tmp/cbpg.XXXXXX)
	mkdir -p "$dir"
	[ "$(id -u)" -eq 0 ] && chown cbtest "$dir"
	chmod 0700 "$dir"
	as_owner "$bindir/initdb" -D "$dir/data" -U casebank -A trust -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; exit 1; }
	# the socket only; fsync off: a test cluster is thrown away, and it makes the tests quicker
	{
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$dir'"
		echo "max_connections = 200"
		echo "fsync = ${CBPG_FSYNC:-off}"
		echo "full_page_writes = ${CBPG_FSYNC:-off}"
		echo "synchronous_commit = ${CBPG_FSYNC:-off}"
		echo "shared_buffers = 128MB"
		for kv in "$@"; do echo "$kv"; done
	} | as_owner tee -a "$dir/data/postgresql.conf" >/dev/null
	as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null ||
		{ cat "$dir/server.log" >&2; exit 1; }
	echo "$dir" ;;
stop)
	dir=$2
	# a killed cluster's pg_ctl stop fails (no postmaster): the directory goes all the same
	if [ -f "$dir/data/postmaster.pid" ]; then
		as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$dir" ;;
kill)
	dir=$2
	kill -9 "$(head -n 1 "$dir/data/postmaster.pid")" ;;
standby)
	primary=$2
	dir=$(mktemp -d /tmp/cbpg.XXXXXX)
	[ "$(id -u)" -eq 0 ] && chown cbtest "$dir"
	chmod 0700 "$dir"
	# -R writes standby.signal and primary_conninfo; the name is what synchronous_standby_names matches
	as_owner "$bindir/pg_basebackup" -h "$primary" -U casebank -D "$dir/data" -R -X stream -c fast --no-sync \
		-d "application_name=standby" >"$dir/basebackup.log" 2>&1 || { cat "$dir/basebackup.log" >&2; exit 1; }
	echo "unix_socket_directories = '$dir'" | as_owner tee -a "$dir/data/postgresql.conf" >/dev/null
	as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null ||
		{ cat "$dir/server.log" >&2; exit 1; }
	psql_p() { as_owner "$bindir/psql" -X -q -t -A -h "$primary" -U casebank -d postgres -c "$1"; }
	n=0
	until [ "$(psql_p "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")" -ge 1 ]; do
		n=$((n + 1))
		[ "$n" -lt 600 ] || { echo "pg-cluster: the standby in $dir does not stream" >&2; exit 1; }
		sleep 0.1
	done
	if [ "${3:-}" = sync ]; then
		psql_p "ALTER SYSTEM SET synchronous_commit = on" >/dev/null
		psql_p "ALTER SYSTEM SET synchronous_standby_names = '*'" >/dev/null
		psql_p "SELECT pg_reload_conf()" >/dev/null
	fi
	echo "$dir" ;;
promote)
	dir=$2
	as_owner "$bindir/pg_ctl" -D "$dir/data" -w -t 60 promote >/dev/null ;;
*)
	echo "usage: pg-cluster.sh start [DIR] [setting...] | stop DIR | kill DIR | standby PRIMARY [sync] | promote DIR" >&2
	exit 2 ;;
esac
