#!/usr/bin/env bash
# The scaled set-up of docs/deployment.md, as written there: one PostgreSQL database, two
# `carnet-server serve --config FILE --port N` processes sharing one data folder, and
# server/package/haproxy.cfg in front (https with a private CA, /healthz checks, redispatch).
# Two devices sync through haproxy, each process serves some of their requests, a kill -9 of one
# process loses nothing (the next sync goes to the other), and /metrics answers the token holder.
# Uses the ctest run's throwaway PostgreSQL (tests/support/pg_cluster.sh, the `pg` fixture).
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: scaled_test.sh CARNET-SERVER CARNET-DEVICE SOURCE-DIR PG-STATE" >&2; exit 2; }
SERVER=$1
DEVICE=$2
SRC=$3
PG_SOCKET=$(cat "$4")
PG_BIN=${CARNET_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}
W=$(mktemp -d)
DB=carnet_scaled_$$
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    "$PG_BIN/dropdb" -h "$PG_SOCKET" -U postgres --if-exists "$DB" 2>/dev/null || true
    rm -rf "$W"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    for f in "$W"/*.err "$W/haproxy.log"; do [ -f "$f" ] && { echo "== $f" >&2; tail -15 "$f" >&2; }; done
    exit 1
}
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])$2)" "$1"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# PostgreSQL: a database of its own.
"$PG_BIN/createdb" -h "$PG_SOCKET" -U postgres "$DB"

# The settings every process and command reads (docs/deployment.md).
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$W/metrics.token"
cat >"$W/server.conf" <<CONF
data = $W/data
db = postgresql:///$DB?host=$PG_SOCKET&user=postgres
bind = 127.0.0.1
max-connections-per-address = 512
metrics-token-file = $W/metrics.token
lang = en
CONF
S=("$SERVER" --config "$W/server.conf")
"${S[@]}" org add alec >/dev/null
echo "awa-long-secret" | "${S[@]}" user add awa --role ambassador --org alec --password-stdin >/dev/null
echo "chloe-long-secret" | "${S[@]}" user add chloe --role coordinator --org alec --password-stdin >/dev/null
"${S[@]}" form publish "$SRC/assets/forms/door_to_door.json" >/dev/null

# Two processes, the port on the command line over the file (the carnet-server@PORT unit's way).
ports=()
for i in 1 2; do
    "${S[@]}" serve --port 0 >"$W/s$i.out" 2>"$W/s$i.err" &
    pids+=($!)
done
for i in 1 2; do
    for _ in $(seq 1 600); do grep -q "listening on" "$W/s$i.out" 2>/dev/null && break; sleep 0.1; done
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$W/s$i.out" | head -1)
    [ -n "$port" ] || fail "process $i did not start"
    ports+=("$port")
done

# A private CA and the proxy's certificate (docs/security.md, "Deploying with TLS").
(
    cd "$W"
    ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
    openssl req -x509 $ec -days 2 -keyout ca.key -out ca.pem -subj '/CN=Carnet CA'
    openssl req $ec -keyout server.key -out server.csr -subj '/CN=127.0.0.1'
    printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' >ext.cnf
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out server.pem -extfile ext.cnf
    cat server.pem server.key >carnet.pem
) >/dev/null 2>&1 || fail "openssl"

# haproxy with the sample configuration: only its address, certificate and server ports changed.
HP=$(free_port)
sed -e "s|bind :443 ssl crt /etc/haproxy/carnet.pem|bind 127.0.0.1:$HP ssl crt $W/carnet.pem|" \
    -e "s|127.0.0.1:8081|127.0.0.1:${ports[0]}|" -e "s|127.0.0.1:8082|127.0.0.1:${ports[1]}|" \
    "$SRC/server/package/haproxy.cfg" >"$W/haproxy.cfg"
[ "$(grep -c "$W/carnet.pem\|127.0.0.1:${ports[0]}\|127.0.0.1:${ports[1]}" "$W/haproxy.cfg")" = 3 ] ||
    fail "the sample haproxy.cfg no longer has the lines this test adapts"
haproxy -db -f "$W/haproxy.cfg" >"$W/haproxy.log" 2>&1 &
pids+=($!)
URL="https://127.0.0.1:$HP"
for _ in $(seq 1 300); do curl -s --cacert "$W/ca.pem" "$URL/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
health=$(curl -s --cacert "$W/ca.pem" "$URL/healthz") || fail "haproxy does not answer"
[ "$(field "$health" "['status']")" = ok ] || fail "/healthz through haproxy: $health"
# haproxy's own checks reach both processes.
for _ in $(seq 1 100); do
    grep -q "GET /healthz 200" "$W/s1.err" && grep -q "GET /healthz 200" "$W/s2.err" && break
    sleep 0.1
done

# Two devices through haproxy (https, the private CA): a record goes from one to the other.
dev() { local who=$1; shift; "$DEVICE" --data "$W/$who" --lang en --author "$who" "$@"; }
echo "awa-long-secret" | dev awa login "$URL" awa --ca "$W/ca.pem" >/dev/null || fail "login awa"
echo "chloe-long-secret" | dev chloe login "$URL" chloe --ca "$W/ca.pem" >/dev/null || fail "login chloe"
r=$(dev awa sync) || fail "sync awa"
[ "$(field "$r" "['forms_installed']")" = 1 ] || fail "form not installed: $r"
id=$(dev awa new door_to_door)
dev awa set "$id" commune gardanne >/dev/null
r=$(dev awa sync) || fail "sync awa"
[ "$(field "$r" "['pushed']")" = 1 ] || fail "awa push (the record with its answer): $r"
r=$(dev chloe sync) || fail "sync chloe"
[ "$(field "$r" "['pulled']")" = 1 ] || fail "chloe pull: $r"
for i in 1 2; do grep -q " /api/v1/" "$W/s$i.err" || fail "process $i served no device request"; done

# kill -9 of one process: the next syncs go to the other one, nothing is lost.
kill -9 "${pids[0]}"
{ wait "${pids[0]}"; } 2>/dev/null || true
dev awa set "$id" commune venelles >/dev/null
r=$(dev awa sync) || fail "sync awa after the kill"
[ "$(field "$r" "['pushed']")" = 1 ] || fail "awa push after the kill: $r"
r=$(dev chloe sync) || fail "sync chloe after the kill"
dev chloe get "$id" | grep -q '"commune":"venelles"' || fail "chloe's record after the kill: $(dev chloe get "$id")"

# Monitoring: each process answers /metrics to the token holder (scraped directly, not through haproxy).
metrics=$(curl -s -H "Authorization: Bearer $(cat "$W/metrics.token")" "http://127.0.0.1:${ports[1]}/metrics")
echo "$metrics" | grep -q '^carnet_sync_pushes_total [1-9]' || fail "/metrics: $metrics"
echo "scaled set-up passed: 2 processes on PostgreSQL behind haproxy (https), a kill -9, devices converged"
