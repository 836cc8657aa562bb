#!/usr/bin/env bash
# Load test on PostgreSQL with 1,000,000 surgeries: 16 signed-in users on
# the overview, a region dashboard, a list and the summary API, once with
# the cache disabled and once enabled; during the cached run 100,000 rows
# are imported and the dashboards must show them right after the commit.
#
#   bench/load_test.sh                 # everything, about 5 minutes once the data exists
#
# Loopback only (127.0.0.1), bounded in time. Environment:
#   BENCH_DB        database name (default aidtracker_load; created if missing)
#   BENCH_DURATION  length of each run (default 60s)
#   BENCH_CONCURRENCY  concurrent users (default 16)
#   BENCH_ROWS      surgeries in the database (default 1000000)
#   BENCH_IMPORT    rows imported during the cached run (default 100000; 0 = none)
#   BENCH_MODES     which runs (default "uncached cached")
#   BENCH_CACHE     cache of the cached run: redis (default: a private
#                   redis-server on a free loopback port, shared by the
#                   workers, as in production) or locmem (per worker)
#   GUNICORN_WORKERS, GUNICORN_THREADS (default: gunicorn.conf.py's, one
#                   process per core with 8 threads each)
#   PYTHON          the project's Python (default .venv/bin/python)
#   BENCH_STEADY_STATS  1 (default): locust's statistics start when the last
#                   user has signed in (16 password hashes at once are not
#                   page traffic); the warm-up before is reported apart and
#                   its errors still count. 0: from the first request.
# Locust is a benchmark tool, not a dependency of the application: it is
# installed (pinned) into its own virtualenv, bench/.venv, on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

LOCUST_VERSION=2.47.0
PYTHON=${PYTHON:-.venv/bin/python}
DB=${BENCH_DB:-aidtracker_load}
DURATION=${BENCH_DURATION:-60s}
NUSERS=${BENCH_CONCURRENCY:-16}
ROWS=${BENCH_ROWS:-1000000}
IMPORT_ROWS=${BENCH_IMPORT:-100000}
PGHOST=127.0.0.1 PGPORT=5432 PGUSER=${PGUSER:-postgres}
export DATABASE_URL="postgres://${PGUSER}@${PGHOST}:${PGPORT}/${DB}"
export DJANGO_DEBUG=0 DJANGO_ALLOWED_HOSTS=127.0.0.1 DJANGO_CONN_MAX_AGE=60 DJANGO_LOG_LEVEL=ERROR
# Plain HTTP on loopback, no TLS proxy in front: no redirect to https, cookies
# over http.
export DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_SECURE_COOKIES=0
export DJANGO_SECRET_KEY=${DJANGO_SECRET_KEY:-$($PYTHON -c 'import secrets; print(secrets.token_urlsafe(60))')}
OUT=bench/out/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
export DJANGO_STATIC_ROOT="$PWD/$OUT/static"
export DJANGO_MEDIA_ROOT="$PWD/$OUT/media"

say() { printf '\n== %s\n' "$*"; }

if [ ! -x bench/.venv/bin/locust ]; then
    say "installing locust $LOCUST_VERSION into bench/.venv (benchmarks only)"
    python3 -m venv bench/.venv
    bench/.venv/bin/pip install --quiet "locust==$LOCUST_VERSION"
fi

say "database $DB"
psql -h $PGHOST -U "$PGUSER" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1 \
    || psql -h $PGHOST -U "$PGUSER" -d postgres -qc "CREATE DATABASE $DB"
$PYTHON manage.py migrate --noinput -v0
have=$(psql -h $PGHOST -U "$PGUSER" -d "$DB" -tAc "SELECT count(*) FROM outcomes_surgery")
if [ "$have" -lt "$ROWS" ]; then
    say "generating $ROWS surgeries (once; the database is kept for later runs)"
    $PYTHON manage.py generate_data --surgeries "$ROWS"
fi
# Each cached run imports 100,000 surgeries (refs LOAD-...): take those of
# earlier runs out again, so that every run starts from the generated rows.
stale=$(psql -h $PGHOST -U "$PGUSER" -d "$DB" -tAc "SELECT count(*) FROM outcomes_surgery WHERE ref LIKE 'LOAD-%'")
if [ "$stale" -gt 0 ]; then
    say "removing the $stale surgeries that earlier runs imported"
    psql -h $PGHOST -U "$PGUSER" -d "$DB" -qc "DELETE FROM outcomes_surgery WHERE ref LIKE 'LOAD-%'" \
        -c "DELETE FROM outcomes_historicalsurgery WHERE ref LIKE 'LOAD-%'"
    $PYTHON manage.py rebuild_rollups
fi
psql -h $PGHOST -U "$PGUSER" -d "$DB" -qc "VACUUM ANALYZE"
printf 'surgeries: %s\n' "$(psql -h $PGHOST -U "$PGUSER" -d "$DB" -tAc "SELECT to_char(count(*), 'FM9,999,999') FROM outcomes_surgery")"
# Prints BENCH_USERS=user:password,... and BENCH_REGIONS=code,... for locust.
eval "$($PYTHON bench/prepare.py "$NUSERS" bench-password-0123)"
export BENCH_USERS BENCH_REGIONS
$PYTHON manage.py collectstatic --noinput -v0

PORT=$($PYTHON -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
SERVER_PID=
REDIS_PID=
stop_server() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=; fi
}
trap 'stop_server; [ -z "$REDIS_PID" ] || kill "$REDIS_PID" 2>/dev/null || true' EXIT

start_server() {  # $1 = label; other settings from the environment
    GUNICORN_BIND=127.0.0.1:$PORT GUNICORN_ACCESS_LOG= \
        GUNICORN_LOG_LEVEL=warning $PYTHON -m gunicorn --config gunicorn.conf.py \
        >"$OUT/gunicorn-$1.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do
        curl -fsS "$BASE/healthz" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    echo "gunicorn did not start; see $OUT/gunicorn-$1.log" >&2
    exit 1
}

cpu_ticks() { awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8}' /proc/stat; }
busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat; }

run_load() {  # $1 = label
    local total0 busy0
    total0=$(cpu_ticks); busy0=$(busy_ticks)
    $PYTHON bench/cpu_share.py snapshot "$OUT/$1_procs.json"
    BENCH_STEADY_OUT="$OUT/$1_steady.json" BENCH_STEADY_STATS=${BENCH_STEADY_STATS:-1} /usr/bin/time -f '%U %S %e' -o "$OUT/$1_locust_time.txt" \
        bench/.venv/bin/locust -f bench/locustfile.py --headless -u "$NUSERS" -r "$NUSERS" -t "$DURATION" \
        --host "$BASE" --only-summary --csv "$OUT/$1" --exit-code-on-error 0 >"$OUT/locust-$1.log" 2>&1 || true
    # Machine CPU during the run (all processes, every user of the machine)
    # and locust's own share of it: is the load generator the bottleneck?
    echo "$(( $(cpu_ticks) - total0 )) $(( $(busy_ticks) - busy0 ))" >"$OUT/$1_cpu.txt"
    $PYTHON bench/report.py "$1" "$OUT/$1_stats.csv"
    echo "$1: CPU-seconds by process: $($PYTHON bench/cpu_share.py report "$OUT/$1_procs.json" "$DB")"
}

MODES=${BENCH_MODES:-uncached cached}
if [[ " $MODES " == *" uncached "* ]]; then
say "run 1: cache disabled (DJANGO_CACHE_DISABLED=1), $NUSERS users, $DURATION"
DJANGO_CACHE_DISABLED=1 start_server uncached
run_load uncached | tee "$OUT/summary-uncached.txt"
stop_server
fi

import_status=0
if [[ " $MODES " == *" cached "* ]]; then

if [ "${BENCH_CACHE:-redis}" = redis ] && command -v redis-server >/dev/null; then
    RPORT=$($PYTHON -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    redis-server --port "$RPORT" --bind 127.0.0.1 --save "" --appendonly no --maxmemory 256mb \
        --maxmemory-policy allkeys-lru >"$OUT/redis.log" 2>&1 &
    REDIS_PID=$!
    export CACHE_URL=redis://127.0.0.1:$RPORT/0
    sleep 0.5
else
    export CACHE_URL=locmem://
fi
say "run 2: cache enabled ($CACHE_URL), $NUSERS users, $DURATION, importing $IMPORT_ROWS rows meanwhile"
DJANGO_CACHE_DISABLED=0 start_server cached
first_user=${BENCH_USERS%%,*}
$PYTHON bench/prime.py "$BASE" "${first_user%%:*}" "${first_user#*:}" "$BENCH_REGIONS"
IMPORT_PID=
if [ "$IMPORT_ROWS" -gt 0 ]; then
    first_region=${BENCH_REGIONS%%,*}
    ( sleep 10; $PYTHON bench/import_during_load.py "$BASE" "${first_user%%:*}" "${first_user#*:}" \
        "$first_region" "$IMPORT_ROWS" "$OUT/import" ) >"$OUT/import.log" 2>&1 &
    IMPORT_PID=$!
fi
run_load cached | tee "$OUT/summary-cached.txt"
if [ -n "$IMPORT_PID" ]; then
    wait "$IMPORT_PID" || import_status=$?
    cat "$OUT/import.log"
fi
stop_server
fi

say "targets (shared 2-core machine)"
if [ -f "$OUT/uncached_stats.csv" ] && [ -f "$OUT/cached_stats.csv" ]; then
    $PYTHON bench/report.py --targets "$OUT/uncached_stats.csv" "$OUT/cached_stats.csv" || true
fi
[ "$import_status" -eq 0 ] || { echo "import during load: FAILED"; exit 1; }
echo "files: $OUT"
