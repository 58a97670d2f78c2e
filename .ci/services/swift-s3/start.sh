#!/usr/bin/env bash
# .ci/services/swift-s3/start.sh - single-node OpenStack Swift (Debian 12 python3-swift 2.30)
# with the s3api middleware on 127.0.0.1, for the tests. Idempotent: if it is already up it
# only prints the connection details. Runs as root (apt); data in $SWIFT_S3_DIR.
# Default here is stock Swift (SWIFT_S3_COMPAT=0): our S3 client must cope with it.
#   SWIFT_S3_DIR=/var/lib/swift-s3  SWIFT_S3_PORT=9000  SWIFT_S3_BACKEND_PORT=6210 (uses +0,+1,+2)
#   SWIFT_S3_RESET=1 (wipe data first)  SWIFT_S3_MEMCACHED=1 (real memcached instead of in-process cache)
#   SWIFT_S3_COMPAT=1 (patch Swift to accept current SDK defaults; off by default)
#   SWIFT_S3_LOG_LEVEL=INFO (access logs in $DIR/log)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

DIR=${SWIFT_S3_DIR:-/var/lib/swift-s3}
PORT=${SWIFT_S3_PORT:-9000}
BASE=${SWIFT_S3_BACKEND_PORT:-6210}
ACCOUNT=${SWIFT_S3_ACCOUNT:-test}
USER_=${SWIFT_S3_USER:-tester}
ACCESS_KEY="$ACCOUNT:$USER_"            # s3api + tempauth: access key is "account:user"
SECRET=${SWIFT_S3_SECRET:-testing}
REGION=${SWIFT_S3_REGION:-us-east-1}
LOG_LEVEL=${SWIFT_S3_LOG_LEVEL:-WARNING}
MEMCACHED=${SWIFT_S3_MEMCACHED:-0}
PY=/usr/bin/python3                     # not whatever python3 is first in PATH (pyenv...)
ENDPOINT="http://127.0.0.1:$PORT"
PKGS="python3-swift"; [ "$MEMCACHED" = 1 ] && PKGS="$PKGS memcached"

say() { echo "[start-swift] $*" >&2; }
http_ok() { # port: GET /healthcheck answers 200
  (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET /healthcheck HTTP/1.0\r\n\r\n' >&3 &&
   head -c 12 <&3 | grep -q ' 200') 2>/dev/null
}
all_ok() { http_ok "$PORT" && http_ok "$BASE" && http_ok $((BASE+1)) && http_ok $((BASE+2)); }
print_env() {
  printf 'S3_ENDPOINT=%s\nS3_ACCESS_KEY_ID=%s\nS3_SECRET_ACCESS_KEY=%s\nS3_REGION=%s\nS3_FORCE_PATH_STYLE=true\n' \
    "$ENDPOINT" "$ACCESS_KEY" "$SECRET" "$REGION"
}
T0=$(date +%s.%N)

# ---- 1. packages (python3-swift is the real Swift code; the swift-* server
#         packages only add init scripts, uwsgi, rsyslog & 23-37 more packages) ----
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  say "apt-get install$missing"
  export DEBIAN_FRONTEND=noninteractive
  APT="apt-get -y -q --no-install-recommends -o DPkg::Lock::Timeout=120 -o Dpkg::Options::=--force-unsafe-io"
  if ! $APT install $missing >/tmp/swift-s3-apt.log 2>&1; then   # stale/no lists: update once
    apt-get -q update >>/tmp/swift-s3-apt.log 2>&1 && $APT install $missing >>/tmp/swift-s3-apt.log 2>&1 \
      || { tail -n 30 /tmp/swift-s3-apt.log >&2; exit 1; }
  fi
fi

if all_ok; then
  # a server started earlier may run in the other compat mode: say so rather than test the wrong thing
  running=0; grep -q ' s3compat ' "$DIR/etc/proxy-server.conf" 2>/dev/null && running=1
  [ "$running" = "${SWIFT_S3_COMPAT:-0}" ] || say "WARNING: already running with SWIFT_S3_COMPAT=$running; stop.sh first to switch"
  say "already running"; print_env; exit 0
fi

# ---- 2. layout, xattr check, rings -------------------------------------------
[ "${SWIFT_S3_RESET:-0}" = 1 ] && rm -rf "$DIR"
mkdir -p "$DIR"/{etc,srv/d1,log,run,lib,bin}
E=$DIR/etc
$PY - "$DIR/srv/d1" <<'PY' || { say "FATAL: $DIR has no user xattr support (Swift needs it; tmpfs only on kernel >= 6.6). Set SWIFT_S3_DIR."; exit 1; }
import os, sys, tempfile
fd, p = tempfile.mkstemp(dir=sys.argv[1])
try:
    os.setxattr(p, "user.swift.test", b"x"); assert os.getxattr(p, "user.swift.test") == b"x"
finally:
    os.close(fd); os.unlink(p)
PY
# hash prefix/suffix + storage policies are read from this hard-coded path
if [ ! -s /etc/swift/swift.conf ]; then
  mkdir -p /etc/swift
  printf '[swift-hash]\nswift_hash_path_suffix = ci\nswift_hash_path_prefix = ci\n\n[storage-policy:0]\nname = Policy-0\ndefault = yes\n' \
    > /etc/swift/swift.conf
fi
[ -s $E/object.ring.gz ] || $PY - "$E" "$BASE" <<'PY'
import sys
from swift.common.ring import RingBuilder
d, base = sys.argv[1], int(sys.argv[2])
for i, t in enumerate(("account", "container", "object")):
    b = RingBuilder(8, 1, 1)   # part_power 8, 1 replica, min_part_hours 1
    b.add_dev({"id": 0, "region": 1, "zone": 1, "ip": "127.0.0.1", "port": base + i,
               "device": "d1", "weight": 1})
    b.rebalance()
    b.save("%s/%s.builder" % (d, t))
    b.get_ring().save("%s/%s.ring.gz" % (d, t))
PY

# ---- 3. config ------------------------------------------------------------------
RUNAS=$(id -un)
for i in 0 1 2; do
  t=$(echo account container object | cut -d' ' -f$((i+1)))
  cat > $E/$t-server.conf <<EOF
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $((BASE+i))
workers = 0
user = $RUNAS
swift_dir = $E
devices = $DIR/srv
mount_check = false
disable_fallocate = true
log_level = $LOG_LEVEL
# generous timeouts: no updater daemons run, so a timed-out container/account
# update would leave listings stale; also wait for it (read-after-write listing)
conn_timeout = 5
node_timeout = 30
container_update_timeout = 30

[pipeline:main]
pipeline = healthcheck $t-server

[app:$t-server]
use = egg:swift#$t

[filter:healthcheck]
use = egg:swift#healthcheck
EOF
done
if [ "$MEMCACHED" = 1 ]; then
  CACHE="use = egg:swift#memcache
memcache_servers = 127.0.0.1:11211"
else
  CACHE="paste.filter_factory = swift_s3compat:localcache_filter_factory"
fi
[ "${SWIFT_S3_COMPAT:-0}" = 1 ] && COMPAT=s3compat || COMPAT=
cat > $E/proxy-server.conf <<EOF
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $PORT
# one process: required by the in-process cache
workers = 0
user = $RUNAS
swift_dir = $E
log_level = $LOG_LEVEL

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk $COMPAT s3api tempauth copy slo dlo versioned_writes symlink proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
conn_timeout = 5
node_timeout = 60

[filter:s3api]
use = egg:swift#s3api
location = $REGION
s3_acl = false
dns_compliant_bucket_names = true
allow_multipart_uploads = true
max_bucket_listing = 1000
max_multi_delete_objects = 1000
multi_delete_concurrency = 8
max_upload_part_num = 10000
min_segment_size = 5242880
cors_preflight_allow_origin = *

[filter:tempauth]
use = egg:swift#tempauth
user_${ACCOUNT}_${USER_} = $SECRET .admin

[filter:cache]
$CACHE

[filter:s3compat]
paste.filter_factory = swift_s3compat:filter_factory

[filter:slo]
use = egg:swift#slo
max_manifest_segments = 10000

[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:bulk]
use = egg:swift#bulk
[filter:copy]
use = egg:swift#copy
[filter:dlo]
use = egg:swift#dlo
[filter:versioned_writes]
use = egg:swift#versioned_writes
# enables S3 PutBucketVersioning / ListObjectVersions / versionId
allow_object_versioning = true
[filter:symlink]
use = egg:swift#symlink
EOF

# ---- 4. compat shim (only active with SWIFT_S3_COMPAT=1) + in-process cache -------
cp "$HERE/swift_s3compat.py" "$DIR/lib/swift_s3compat.py"

# ---- 5. start (same entry points as /usr/bin/swift-*-server of the swift-* packages)
for t in account container object proxy; do
  printf '#!%s\nimport sys\nsys.path.insert(0, "%s")\nfrom swift.common.utils import parse_options\nfrom swift.common.wsgi import run_wsgi\nconf_file, options = parse_options()\nsys.exit(run_wsgi(conf_file, "%s-server", **options))\n' \
    "$PY" "$DIR/lib" "$t" > $DIR/bin/swift-$t-server
  chmod +x $DIR/bin/swift-$t-server
done
start_bg() { # name cmd...
  local name=$1 pf=$DIR/run/$1.pid; shift
  if [ -s "$pf" ] && kill -0 "$(cat "$pf")" 2>/dev/null; then return 0; fi
  setsid "$@" >>"$DIR/log/$name.log" 2>&1 </dev/null &
  echo $! > "$pf"
}
if [ "$MEMCACHED" = 1 ] && ! (exec 3<>/dev/tcp/127.0.0.1/11211) 2>/dev/null; then
  start_bg memcached memcached -u "$(id -u memcache >/dev/null 2>&1 && echo memcache || echo "$RUNAS")" -l 127.0.0.1 -p 11211 -m 64
fi
for t in account container object proxy; do
  start_bg $t $DIR/bin/swift-$t-server $E/$t-server.conf --verbose
done
for i in $(seq 1 300); do   # up to 60 s
  all_ok && break
  for t in account container object proxy; do
    kill -0 "$(cat $DIR/run/$t.pid)" 2>/dev/null || { say "FATAL: $t exited:"; tail -n 30 $DIR/log/$t.log >&2; exit 1; }
  done
  sleep 0.2
done
all_ok || { say "FATAL: not answering on $ENDPOINT"; tail -n 20 $DIR/log/*.log >&2; exit 1; }
say "ready in $(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')s (logs: $DIR/log)"
print_env
