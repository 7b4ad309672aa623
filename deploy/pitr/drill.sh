#!/usr/bin/env bash
# The point-in-time recovery drill, on a throwaway cluster this script makes and removes (never
# the machine's own): load the demo, take a full backup, make a change, note the time, make a
# damaging change, restore to the noted time, and check that the change is there and the damage
# is not. Prints how long each step took; exits non-zero if anything fails. See docs/backups.md.
# Run from anywhere, as root or as postgres; FLASK (default: the checkout's .venv/bin/flask).
# DRILL_DUMP=<file of pg_dump -Fc>: drill on that database (a copy of production's, say)
# instead of a freshly seeded demo.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FLASK=${FLASK:-$ROOT/.venv/bin/flask}
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
export PATH="$PGBIN:$PATH"
command -v pgbackrest >/dev/null || { echo "pgbackrest is not installed: apt-get install -y pgbackrest" >&2; exit 1; }
[ -x "$PGBIN/initdb" ] || { echo "no initdb in $PGBIN (set PGBIN)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/tiaojie-pitr-drill.XXXXXX)
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DATA=$WORK/data
CONFIG=$WORK/pgbackrest.conf
STANZA=drill

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
pg_ctl_() { as_postgres pg_ctl -D "$DATA" -l "$WORK/postgres.log" -w "$@"; }
sql() { as_postgres psql -X -q -At -v ON_ERROR_STOP=1 -h "$WORK" -p "$PORT" -U postgres -d tiaojie -c "$1"; }

cleanup() {
  status=$?
  as_postgres pg_ctl -D "$DATA" -m immediate stop >/dev/null 2>&1 || true
  if [ $status -ne 0 ]; then
    echo "DRILL FAILED (exit $status); the last lines of the logs:" >&2
    tail -n 15 "$WORK/postgres.log" "$WORK"/log/*.log 2>/dev/null >&2 || true
  fi
  rm -rf "$WORK"
  exit $status
}
trap cleanup EXIT
[ "$(id -u)" = 0 ] && chown postgres:postgres "$WORK"

TOTAL_START=$(date +%s.%N)
step() {
  local name=$1; shift
  local start; start=$(date +%s.%N)
  "$@"
  printf '%-44s %6.1f s\n' "$name:" "$(echo "$(date +%s.%N) - $start" | bc)"
}

make_cluster() {
  as_postgres initdb -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  cat >> "$DATA/postgresql.conf" <<CONF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORK'
CONF
  pg_ctl_ start >/dev/null
}

configure_pitr() {
  PGDATA=$DATA PGPORT=$PORT PGSOCKET=$WORK STANZA=$STANZA REPO=$WORK/repo CONFIG=$CONFIG \
    PITR_LOG_DIR=$WORK/log CIPHER_PASS=drill-only-passphrase \
    RESTART_CMD="$(printf '%q ' runuser -u postgres -- "$PGBIN/pg_ctl" -D "$DATA" -l "$WORK/postgres.log" -w restart)" \
    "$ROOT/deploy/pitr/setup.sh" >/dev/null
}

load_demo() {
  as_postgres psql -X -q -v ON_ERROR_STOP=1 -h "$WORK" -p "$PORT" -U postgres -d postgres \
    -c "CREATE ROLE tiaojie_app LOGIN" -c "CREATE DATABASE tiaojie"
  if [ -n "${DRILL_DUMP:-}" ]; then
    # Read here (the file may be readable by this user only) and handed to pg_restore. Owners
    # and grants are left out: the drill itself reads and writes as postgres.
    as_postgres pg_restore -h "$WORK" -p "$PORT" -U postgres -d tiaojie --no-owner --no-privileges \
      --exit-on-error <"$DRILL_DUMP"
  else
    seed_demo
  fi
  CASES=$(sql "SET app.all_tenants = 'on'; SELECT count(*) FROM cases")
  [ "$CASES" -gt 0 ] || { echo "the database has no cases" >&2; return 1; }
}

seed_demo() {
  mkdir -p "$WORK/instance"
  (cd "$ROOT" && env TIAOJIE_INSTANCE="$WORK/instance" \
     DATABASE_URL="postgresql://tiaojie_app@127.0.0.1:$PORT/tiaojie" \
     SECRET_KEY=drill-only-secret DATA_KEY=dHJpbGwtb25seS1kYXRhLWtleS0zMi1ieXRlcy0hISE= \
     DATABASE_OWNER_URL="postgresql://postgres@127.0.0.1:$PORT/tiaojie" \
     REDIS_URL="redis://127.0.0.1:1/0" \
     sh -c "'$FLASK' --app webapp db upgrade && '$FLASK' --app webapp demo seed" >"$WORK/demo.log" 2>&1) \
    || { tail -n 20 "$WORK/demo.log" >&2; return 1; }
}

full_backup() {
  as_postgres pgbackrest --config="$CONFIG" --stanza=$STANZA --type=full backup
}

good_change() {
  sql "SET app.all_tenants = 'on'; UPDATE cases SET title = title || ' [kept by the drill]' WHERE id = (SELECT min(id) FROM cases)" >/dev/null
  sleep 1
  TARGET=$(sql "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")
  sleep 1
}

damage() {
  sql "SET app.all_tenants = 'on'; UPDATE cases SET title = 'DAMAGED'; DELETE FROM notifications" >/dev/null
  # Switch to a new WAL segment and wait until the one holding the damage is in the repository.
  as_postgres pgbackrest --config="$CONFIG" --stanza=$STANZA check
}

restore_to_target() {
  pg_ctl_ -m fast stop >/dev/null
  as_postgres pgbackrest --config="$CONFIG" --stanza=$STANZA --delta --type=time "--target=$TARGET" \
    --target-action=promote restore
  pg_ctl_ start >/dev/null
  for _ in $(seq 120); do
    [ "$(sql 'SELECT pg_is_in_recovery()')" = f ] && return 0
    sleep 0.5
  done
  echo "the restored cluster is still recovering" >&2
  return 1
}

check() {
  local kept damaged cases
  kept=$(sql "SET app.all_tenants = 'on'; SELECT count(*) FROM cases WHERE title LIKE '%[kept by the drill]'")
  damaged=$(sql "SET app.all_tenants = 'on'; SELECT count(*) FROM cases WHERE title = 'DAMAGED'")
  cases=$(sql "SET app.all_tenants = 'on'; SELECT count(*) FROM cases")
  echo "  after the restore: $cases cases (before: $CASES), the change kept: $kept, damaged: $damaged"
  [ "$kept" = 1 ] && [ "$damaged" = 0 ] && [ "$cases" = "$CASES" ]
}

echo "PITR drill on a throwaway cluster in $WORK, port $PORT ($(pgbackrest version))"
step "make the throwaway cluster" make_cluster
step "configure WAL archiving and the stanza" configure_pitr
if [ -n "${DRILL_DUMP:-}" ]; then load="load $(basename "$DRILL_DUMP") (pg_restore)"; else load="load the demo (db upgrade, demo seed)"; fi
step "$load" load_demo
step "full backup" full_backup
step "a change, then note the time" good_change
echo "  noted time: $TARGET"
step "damaging change, WAL archived" damage
step "restore to the noted time (until promoted)" restore_to_target
step "check the change is there, the damage not" check
printf '%-44s %6.1f s\n' "drill passed, in all:" "$(echo "$(date +%s.%N) - $TOTAL_START" | bc)"
