#!/usr/bin/env bash
# Stop the processes started by start.sh (by PID file). SWIFT_S3_PURGE=1 also deletes the data.
DIR=${SWIFT_S3_DIR:-/var/lib/swift-s3}
for n in proxy object container account memcached; do
  pf=$DIR/run/$n.pid
  [ -s "$pf" ] || continue
  pid=$(cat "$pf")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null
  fi
  rm -f "$pf"
done
[ "${SWIFT_S3_PURGE:-0}" = 1 ] && rm -rf "$DIR"
echo "[stop-swift] stopped"
