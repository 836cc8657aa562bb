#!/usr/bin/env bash
# A streaming replica of the local PostgreSQL primary (127.0.0.1:5432) on
# 127.0.0.1:5433, and a PgBouncer in transaction mode in front of the primary
# on 127.0.0.1:6432: what tests/aidtracker/test_replicas.py and the suite's
# run through the pooler need (.ci/run calls it; run it by hand to develop).
#
# Idempotent: a replica that exists and replicates is started if stopped and
# otherwise left alone; one that is not a replica of this primary is made
# again. Never restarts the primary: it only adds one replication line to its
# pg_hba.conf and reloads it. Loopback only, trust authentication, as the
# primary here. Needs root (pg_createcluster, runuser).
set -euo pipefail

PGVER=${PGVER:-$(ls /etc/postgresql | sort -n | tail -1)}
PRIMARY_PORT=${PRIMARY_PORT:-5432}
REPLICA_PORT=${REPLICA_PORT:-5433}
POOLER_PORT=${POOLER_PORT:-6432}
POOLER_DIR=${POOLER_DIR:-/tmp/aidtracker-pgbouncer}
REPLICA=replica
SLOT=aidtracker_replica
DATA=/var/lib/postgresql/$PGVER/$REPLICA
psql_primary() { psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -Atq "$@"; }
psql_replica() { psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -d postgres -Atq "$@"; }

if [ "${1:-}" = remove ]; then
    # Everything this script made, and nothing else.
    if [ -s "$POOLER_DIR/pgbouncer.pid" ]; then kill "$(cat "$POOLER_DIR/pgbouncer.pid")" 2>/dev/null || true; fi
    rm -rf "$POOLER_DIR"
    pg_dropcluster --stop "$PGVER" "$REPLICA" 2>/dev/null || true
    psql_primary -c "SELECT pg_drop_replication_slot('$SLOT') FROM pg_replication_slots WHERE slot_name = '$SLOT'" >/dev/null
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
if ! command -v pgbouncer >/dev/null 2>&1 && [ ! -x /usr/sbin/pgbouncer ]; then
    apt-get update -qq
    apt-get install -y -qq pgbouncer >/dev/null
fi

# --- The primary must allow streaming replication (defaults on 15; checked,
# never changed here: that would need a restart).
[ "$(psql_primary -c 'SHOW wal_level')" != minimal ] || { echo "wal_level=minimal on the primary: no replica possible" >&2; exit 1; }
[ "$(psql_primary -c 'SHOW max_wal_senders')" -gt 0 ] || { echo "max_wal_senders=0 on the primary" >&2; exit 1; }
HBA=$(psql_primary -c 'SHOW hba_file')
if ! grep -Eq '^host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$HBA"; then
    echo "host replication all 127.0.0.1/32 trust" >>"$HBA"
    # A reload (not a restart) applies pg_hba.conf; connected sessions go on.
    psql_primary -c 'SELECT pg_reload_conf()' >/dev/null
fi

# --- The replica cluster.
replica_ok() {
    pg_isready -q -h 127.0.0.1 -p "$REPLICA_PORT" \
        && [ "$(psql_replica -c 'SELECT pg_is_in_recovery()')" = t ] \
        && [ "$(psql_replica -c 'SELECT system_identifier FROM pg_control_system()')" \
             = "$(psql_primary -c 'SELECT system_identifier FROM pg_control_system()')" ] \
        && streaming
}
streaming() {
    for _ in $(seq 20); do
        [ "$(psql_replica -c 'SELECT status FROM pg_stat_wal_receiver')" = streaming ] && return 0
        sleep 1
    done
    return 1
}
if pg_lsclusters -h | awk -v v="$PGVER" -v n="$REPLICA" '$1==v && $2==n' | grep -q .; then
    if ! pg_isready -q -h 127.0.0.1 -p "$REPLICA_PORT"; then
        pg_ctlcluster --skip-systemctl-redirect "$PGVER" "$REPLICA" start || true
        for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p "$REPLICA_PORT" && break; sleep 1; done
    fi
    if ! replica_ok; then
        echo "cluster $PGVER/$REPLICA is not a replica of the primary: making it again" >&2
        pg_ctlcluster --skip-systemctl-redirect "$PGVER" "$REPLICA" stop -m immediate 2>/dev/null || true
        pg_dropcluster "$PGVER" "$REPLICA" || rm -rf "/etc/postgresql/$PGVER/$REPLICA" "$DATA"
    fi
fi
if ! pg_lsclusters -h | awk -v v="$PGVER" -v n="$REPLICA" '$1==v && $2==n' | grep -q .; then
    pg_createcluster "$PGVER" "$REPLICA" -p "$REPLICA_PORT" >/dev/null
    conf=/etc/postgresql/$PGVER/$REPLICA/conf.d/aidtracker-replica.conf
    {
        # A hot standby needs at least the primary's values of these.
        for setting in max_connections max_worker_processes max_locks_per_transaction \
                       max_prepared_transactions max_wal_senders; do
            echo "$setting = $(psql_primary -c "SHOW $setting")"
        done
        echo "listen_addresses = '127.0.0.1'"
        echo "hot_standby = on"
        # Tests pause replay on purpose; queries on the replica are never
        # cancelled for it (a long query only delays replay).
        echo "max_standby_streaming_delay = -1"
    } >"$conf"
    # Loopback only, trust, like the primary here.
    printf '%s\n' "local all all peer" "host all all 127.0.0.1/32 trust" \
        "host replication all 127.0.0.1/32 trust" >"/etc/postgresql/$PGVER/$REPLICA/pg_hba.conf"
    # The slot keeps the primary's WAL until the replica has it (a busy
    # primary recycles segments within seconds). It also keeps WAL while the
    # replica is down: `scripts/pg_replica_and_pooler.sh remove` drops it.
    psql_primary -c "SELECT pg_drop_replication_slot('$SLOT') FROM pg_replication_slots WHERE slot_name = '$SLOT'" >/dev/null
    rm -rf "$DATA"
    install -d -o postgres -g postgres -m 700 "$DATA"
    # -R writes primary_conninfo and standby.signal: a streaming standby.
    runuser -u postgres -- pg_basebackup -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres \
        -D "$DATA" -R -X stream -c fast -C -S "$SLOT"
    pg_ctlcluster --skip-systemctl-redirect "$PGVER" "$REPLICA" start
    for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p "$REPLICA_PORT" && break; sleep 1; done
fi
# Replay may have been left paused by an interrupted test.
psql_replica -c 'SELECT pg_wal_replay_resume()' >/dev/null
replica_ok || { echo "the replica on port $REPLICA_PORT does not replicate" >&2; exit 1; }

# --- PgBouncer in transaction mode, a process of its own with its own files.
mkdir -p "$POOLER_DIR"
chown postgres: "$POOLER_DIR"
cat >"$POOLER_DIR/pgbouncer.ini" <<EOF
[databases]
* = host=127.0.0.1 port=$PRIMARY_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $POOLER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $POOLER_DIR/userlist.txt
admin_users = postgres
pool_mode = transaction
max_client_conn = 400
default_pool_size = 40
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
logfile = $POOLER_DIR/pgbouncer.log
pidfile = $POOLER_DIR/pgbouncer.pid
EOF
echo '"postgres" ""' >"$POOLER_DIR/userlist.txt"
chown postgres: "$POOLER_DIR"/*
if [ -s "$POOLER_DIR/pgbouncer.pid" ] && kill -0 "$(cat "$POOLER_DIR/pgbouncer.pid")" 2>/dev/null; then
    # Ours runs already: let it read the configuration again.
    kill -HUP "$(cat "$POOLER_DIR/pgbouncer.pid")"
else
    # -d: a daemon of its own; never as root.
    runuser -u postgres -- pgbouncer -d "$POOLER_DIR/pgbouncer.ini"
    for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p "$POOLER_PORT" && break; sleep 0.5; done
fi
[ "$(psql -h 127.0.0.1 -p "$POOLER_PORT" -U postgres -d postgres -Atc 'SELECT 1')" = 1 ] \
    || { echo "PgBouncer on port $POOLER_PORT does not answer" >&2; exit 1; }
echo "replica on 127.0.0.1:$REPLICA_PORT, PgBouncer (transaction mode) on 127.0.0.1:$POOLER_PORT"
