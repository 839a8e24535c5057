#!/usr/bin/env bash
# The coordinator console in a real browser: Debian's Chromium, headless, driven by playwright-core,
# against a real carnet-server and real carnet-device processes on 127.0.0.1.
# usage: e2e_test.sh CARNET_SERVER CARNET_DEVICE SOURCE_DIR WORK_DIR [--screenshots OUT_DIR]
# Needs chromium and node/npm (scripts/install-deps.sh); the only network access is `npm ci`, once,
# into WORK_DIR (reused while package-lock.json is unchanged).
set -euo pipefail
SERVER=$1 DEVICE=$2 SRC=$3 WORK=$4
shift 4
SHOTS=""
if [ "${1:-}" = "--screenshots" ]; then SHOTS=$(realpath -m "$2"); fi
CHROMIUM=${CARNET_CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { echo "FAIL: $CHROMIUM not found (scripts/install-deps.sh installs chromium)" >&2; exit 1; }
command -v npm >/dev/null || { echo "FAIL: npm not found (scripts/install-deps.sh installs it)" >&2; exit 1; }

mkdir -p "$WORK"
lock_sum=$(sha256sum "$SRC/tests/console/package-lock.json" | cut -d' ' -f1)
if [ ! -f "$WORK/node_modules/.carnet-lock" ] || [ "$(cat "$WORK/node_modules/.carnet-lock")" != "$lock_sum" ]; then
  cp "$SRC/tests/console/package.json" "$SRC/tests/console/package-lock.json" "$WORK/"
  (cd "$WORK" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_sum" >"$WORK/node_modules/.carnet-lock"
fi

T=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
S=("$SERVER" --data "$T/server")
"${S[@]}" org add alec >/dev/null
"${S[@]}" org add gefosat >/dev/null
echo "chloe-long-secret" | "${S[@]}" user add chloe --role coordinator --org alec --password-stdin >/dev/null
echo "awa-long-secret" | "${S[@]}" user add awa --role ambassador --org alec --password-stdin >/dev/null
echo "ben-long-secret" | "${S[@]}" user add ben --role ambassador --org alec --password-stdin >/dev/null
echo "leo-long-secret" | "${S[@]}" user add leo --role ambassador --org alec --password-stdin >/dev/null
echo "dan-long-secret" | "${S[@]}" user add dan --role coordinator --org gefosat --password-stdin >/dev/null
"${S[@]}" form publish-builtin >/dev/null # the field forms: walk lists, doors, interviews, calls
"${S[@]}" serve --port 0 --bind 127.0.0.1 >"$T/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do grep -q "listening on" "$T/server.log" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$T/server.log" | head -1)
[ -n "$port" ] || { echo "FAIL: server did not start" >&2; cat "$T/server.log" >&2; exit 1; }

NODE_PATH="$WORK/node_modules" CARNET_URL="http://127.0.0.1:$port" CARNET_DEVICE="$DEVICE" CARNET_SRC="$SRC" \
  CARNET_TMP="$T" CARNET_CHROMIUM="$CHROMIUM" CARNET_SHOTS="$SHOTS" \
  node "$SRC/tests/console/console_e2e.js" || { echo "--- server log" >&2; tail -20 "$T/server.log" >&2; exit 1; }
