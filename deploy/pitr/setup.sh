#!/usr/bin/env bash
# Point-in-time recovery for a PostgreSQL cluster with pgBackRest (Debian: apt-get install pgbackrest):
# WAL archiving through pgBackRest, and a stanza (pgBackRest's name for one cluster's backups).
# See docs/backups.md. Run as root or as the cluster's OS user (postgres); settings by environment:
#
#   PGDATA       the cluster's data directory                     (required)
#   RESTART_CMD  how to restart it: archive_mode needs a restart  (required; Debian: "pg_ctlcluster 15 main restart")
#   STANZA       the stanza name                                  (default: tiaojie)
#   PGPORT       its port                                         (default: 5432)
#   PGSOCKET     its unix socket directory                        (default: /var/run/postgresql)
#   REPO         where pgBackRest keeps backups and WAL           (default: /var/lib/pgbackrest)
#   CONFIG       the pgBackRest configuration file to write       (default: /etc/pgbackrest/pgbackrest.conf)
#   CIPHER_PASS  when set, the repository is encrypted (aes-256-cbc) with it: keep it as safe as BACKUP_KEY
#   RETENTION_FULL  full backups kept, with the WAL to recover to any moment since the oldest  (default: 2)
#   PITR_LOG_DIR  log and lock directory                        (default: /var/log/pgbackrest)
set -euo pipefail

: "${PGDATA:?PGDATA: the data directory of the cluster}"
: "${RESTART_CMD:?RESTART_CMD: the command that restarts the cluster}"
STANZA=${STANZA:-tiaojie}
PGPORT=${PGPORT:-5432}
PGSOCKET=${PGSOCKET:-/var/run/postgresql}
REPO=${REPO:-/var/lib/pgbackrest}
CONFIG=${CONFIG:-/etc/pgbackrest/pgbackrest.conf}
RETENTION_FULL=${RETENTION_FULL:-2}
PITR_LOG_DIR=${PITR_LOG_DIR:-/var/log/pgbackrest}

command -v pgbackrest >/dev/null || { echo "pgbackrest is not installed: apt-get install -y pgbackrest" >&2; exit 1; }

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
psql_super() {
  as_postgres psql -X -q -v ON_ERROR_STOP=1 -h "$PGSOCKET" -p "$PGPORT" -U postgres -d postgres "$@"
}

echo "pgBackRest: stanza $STANZA for $PGDATA (port $PGPORT), repository $REPO"
mkdir -p "$REPO" "$PITR_LOG_DIR" "$(dirname "$CONFIG")"
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$REPO" "$PITR_LOG_DIR"; fi
chmod 750 "$REPO"

umask 077
{
  echo "[global]"
  echo "repo1-path=$REPO"
  echo "repo1-retention-full=$RETENTION_FULL"
  if [ -n "${CIPHER_PASS:-}" ]; then
    echo "repo1-cipher-type=aes-256-cbc"
    echo "repo1-cipher-pass=$CIPHER_PASS"
  fi
  echo "start-fast=y"
  echo "log-level-console=warn"
  echo "log-level-file=info"
  echo "log-path=$PITR_LOG_DIR"
  echo "lock-path=$PITR_LOG_DIR"
  echo
  echo "[$STANZA]"
  echo "pg1-path=$PGDATA"
  echo "pg1-port=$PGPORT"
  echo "pg1-socket-path=$PGSOCKET"
} > "$CONFIG"
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$CONFIG"; fi
chmod 640 "$CONFIG"

# Every finished WAL segment goes to the repository; a failed push is retried by PostgreSQL.
psql_super <<SQL
ALTER SYSTEM SET wal_level = 'replica';
ALTER SYSTEM SET archive_mode = 'on';
ALTER SYSTEM SET archive_command = 'pgbackrest --config=$CONFIG --stanza=$STANZA archive-push %p';
ALTER SYSTEM SET archive_timeout = '60s';
SQL
echo "restarting the cluster: $RESTART_CMD"
sh -c "$RESTART_CMD"
for _ in $(seq 60); do
  as_postgres pg_isready -q -h "$PGSOCKET" -p "$PGPORT" && break
  sleep 0.5
done

as_postgres pgbackrest --config="$CONFIG" --stanza="$STANZA" stanza-create
# Forces a WAL switch and waits until the segment is in the repository: archiving works.
as_postgres pgbackrest --config="$CONFIG" --stanza="$STANZA" check
echo "WAL archiving and stanza $STANZA are ready. Take the first full backup now:"
echo "  pgbackrest --config=$CONFIG --stanza=$STANZA --type=full backup"
