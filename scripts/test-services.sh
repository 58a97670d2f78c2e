#!/usr/bin/env bash
# Makes sure everything the test suite talks to is installed and running: Debian packages (GDAL and Python oracles,
# Swift), PostgreSQL on 127.0.0.1:5432 and the S3-compatible Swift server on 127.0.0.1:9000. Idempotent and quick
# when all is up; run by `npm test` (pretest) and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(gdal-bin python3-gdal python3-numpy python3-xarray python3-zarr python3-netcdf4 python3-fsspec python3-aiohttp python3-swift python3-scipy python3-pil python3-matplotlib)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test-services: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
fi

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "test-services: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi

SWIFT_S3_COMPAT=0 bash .ci/services/swift-s3/start.sh >/dev/null
