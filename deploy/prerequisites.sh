#!/usr/bin/env bash
# The system packages 调解台 needs besides Python: a Chinese (CJK) font and Pango for the PDFs
# (WeasyPrint), npm for the vendored scripts. Called by `make run`, `make test` and .ci/run
# (which adds --ci: Chromium for the browser tests, make, the PostgreSQL client, pgBackRest).
#
# Whatever is missing is installed with apt-get when we run as root; otherwise the script
# stops and prints the exact command to run.
set -euo pipefail

need=()
# The case files print Chinese: without a CJK font WeasyPrint would print empty boxes.
fc-list :lang=zh family 2>/dev/null | grep -q . || need+=(fonts-noto-cjk)
command -v fc-list >/dev/null || need+=(fontconfig)
ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0" || need+=(libpango-1.0-0 libpangoft2-1.0-0)
command -v npm >/dev/null || need+=(npm)
if [ "${1:-}" = "--ci" ]; then
  command -v chromium >/dev/null || need+=(chromium)
  command -v make >/dev/null || need+=(make)
  command -v pg_isready >/dev/null || need+=(postgresql-client)
  # the point-in-time recovery drill (tests/backup) runs pgBackRest on a throwaway cluster
  command -v pgbackrest >/dev/null || need+=(pgbackrest)
fi
[ ${#need[@]} -eq 0 ] && exit 0

command="apt-get install -y ${need[*]}"
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "installing the missing system packages: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  exit 0
fi
echo "Missing system packages: ${need[*]}" >&2
if command -v apt-get >/dev/null; then
  echo "Install them, then run the command again:  sudo $command" >&2
else
  echo "Install their equivalents for this system (on Debian or Ubuntu: $command), then run the command again." >&2
fi
exit 1
