#!/bin/sh
# Stack smoke test: gunicorn on loopback against PostgreSQL, a Celery worker
# and beat against Redis, an HTTP request that enqueues a task, and proof in
# the database that the worker ran it and that beat scheduled work.
#
# Uses a database of its own (jinmyaku_smoke) on $SMOKE_PG (default: the
# local trust-auth server) and Redis database 15.
set -eu
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PG=${SMOKE_PG:-postgres://postgres@127.0.0.1:5432}
DB=jinmyaku_smoke
PORT=${SMOKE_PORT:-8765}
WORK=$(mktemp -d)
PIDS=""

export DEBUG=false
export SECRET_KEY="smoke-test-secret-$(date +%s)-not-for-production-use-0123456789"
export ALLOWED_HOSTS=127.0.0.1
export SITE_URL="http://127.0.0.1:$PORT"
export SECURE_SSL_REDIRECT=false
export DATABASE_URL="$PG/$DB"
export CELERY_BROKER_URL=${SMOKE_REDIS:-redis://127.0.0.1:6379/15}
export EMAIL_HOST=127.0.0.1
export STATIC_ROOT="$WORK/static"
export JINMYAKU_VAR_DIR="$WORK/var"

cleanup() {
    for pid in $PIDS; do kill "$pid" 2>/dev/null || true; done
    sleep 1
    for pid in $PIDS; do kill -9 "$pid" 2>/dev/null || true; done
    psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
    [ -n "${SMOKE_KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

fail() {
    echo "[smoke] FAILED: $1" >&2
    for log in "$WORK"/*.log; do echo "--- $log"; tail -40 "$log"; done >&2
    exit 1
}

echo "[smoke] preparing database $DB"
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
psql "$PG/postgres" -qc "CREATE DATABASE $DB" >/dev/null
mkdir -p "$JINMYAKU_VAR_DIR"
$PY manage.py migrate --noinput -v 0
$PY manage.py collectstatic --noinput -v 0
DJANGO_SUPERUSER_PASSWORD=smoke-password-42 $PY manage.py createsuperuser --noinput --username smoke --email smoke@example.com

.venv/bin/gunicorn networking.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 >"$WORK/gunicorn.log" 2>&1 &
PIDS="$PIDS $!"
$PY -m celery -A networking worker --loglevel INFO --concurrency 1 --without-gossip --without-mingle >"$WORK/worker.log" 2>&1 &
PIDS="$PIDS $!"
$PY -m celery -A networking beat --loglevel INFO --schedule "$WORK/var/celerybeat-schedule" >"$WORK/beat.log" 2>&1 &
PIDS="$PIDS $!"

i=0
until curl -fsS -o /dev/null -H "X-Forwarded-Proto: https" "http://127.0.0.1:$PORT/healthz"; do
    i=$((i + 1))
    [ $i -lt 60 ] || fail "gunicorn did not answer /healthz"
    sleep 0.5
done
echo "[smoke] gunicorn answers on 127.0.0.1:$PORT"

$PY scripts/smoke_client.py "http://127.0.0.1:$PORT" smoke smoke-password-42 || fail "the job round trip"

completed=$(psql "$PG/$DB" -tAc "SELECT count(*) FROM followups_jobcheck WHERE completed_at IS NOT NULL")
[ "$completed" = "1" ] || fail "expected 1 completed job check in the database, found $completed"
echo "[smoke] database shows the worker's row (completed job checks: $completed)"

i=0
until [ "$(psql "$PG/$DB" -tAc 'SELECT count(*) FROM followups_workerheartbeat')" -ge 1 ]; do
    i=$((i + 1))
    [ $i -lt 60 ] || fail "beat's heartbeat never reached the database"
    sleep 0.5
done
echo "[smoke] beat scheduled the heartbeat and the worker wrote it"
echo "[smoke] OK"
