#!/usr/bin/env bash
# The server's Debian package, installed for real (docs/deployment.md): dpkg -i, the dependencies
# dpkg-shlibdeps found, the conffile, the carnet system user and its data folder, the unit checked
# by systemd-analyze verify, then the installed binary started as the unit's user with the unit's
# ExecStart and WorkingDirectory (systemd need not be PID 1), /healthz and /metrics answered, and
# two devices (carnet-device, libcurl) syncing a record through it. The package is purged after.
# Needs root (CI runs as root) or sudo; refuses to run where carnet-server is installed or
# /var/lib/carnet exists, so that it never touches a real deployment.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: deb_test.sh PACKAGE.deb CARNET-DEVICE SOURCE-DIR" >&2; exit 2; }
DEB=$1
DEVICE=$2
SRC=$3
[ -f "$DEB" ] || { echo "FAIL: no package $DEB (make package)" >&2; exit 1; }
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
UNIT=/usr/lib/systemd/system/carnet-server.service
CONF=/etc/carnet/server.conf
W=$(mktemp -d)
chmod 755 "$W" # the carnet user reads the form to publish from here
server_pid=""
made_user=0
installed=0

fail() {
    echo "FAIL: $*" >&2
    for f in "$W/server.out" "$W/server.err"; do [ -f "$f" ] && tail -20 "$f" >&2; done
    exit 1
}
cleanup() {
    [ -n "$server_pid" ] && $SUDO kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    if [ "$installed" = 1 ]; then
        $SUDO rm -f /etc/carnet/metrics.token
        $SUDO dpkg --purge carnet-server >/dev/null 2>&1 || echo "could not purge carnet-server" >&2
        $SUDO rm -rf /var/lib/carnet /etc/carnet
        [ "$made_user" = 1 ] && $SUDO deluser --system carnet >/dev/null 2>&1
    fi
    rm -rf "$W"
}
trap cleanup EXIT
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])$2)" "$1"; }

if dpkg-query -W -f='${Status}' carnet-server 2>/dev/null | grep -q "installed"; then
    fail "carnet-server is installed on this machine: not testing over it"
fi
[ -e /var/lib/carnet ] && fail "/var/lib/carnet exists: not testing over a server's data"
getent passwd carnet >/dev/null || made_user=1

# Install: the package's metadata, then dpkg -i.
deps=$(dpkg-deb -f "$DEB" Depends)
for lib in adduser libc6 libstdc++6 libsqlite3-0 libsodium23 libpq5 libzip4 libssl3; do
    echo "$deps" | grep -q "\b$lib\b" || fail "Depends lacks $lib: $deps"
done
installed=1
$SUDO dpkg -i "$DEB" >"$W/dpkg.log" 2>&1 || { cat "$W/dpkg.log" >&2; fail "dpkg -i"; }
dpkg-query -W -f='${Conffiles}' carnet-server | grep -q "^ $CONF " || fail "$CONF is not a conffile"
for f in /usr/bin/carnet-server "$UNIT" "${UNIT%.service}@.service" "$CONF" /usr/share/doc/carnet-server/deployment.md \
    /usr/share/doc/carnet-server/examples/haproxy.cfg; do
    dpkg -L carnet-server | grep -qx "$f" || fail "the package lacks $f"
done

# The system user, its data folder, its settings readable by it and not by others.
IFS=: read -r _ _ uid _ _ home shell < <(getent passwd carnet) || fail "no carnet user"
[ "$uid" -lt 1000 ] || fail "carnet is not a system user (uid $uid)"
[ "$home" = /var/lib/carnet ] || fail "carnet's home is $home"
[ "$shell" = /usr/sbin/nologin ] || fail "carnet's shell is $shell"
[ "$(stat -c '%U:%G %a' /var/lib/carnet)" = "carnet:carnet 750" ] || fail "/var/lib/carnet: $(stat -c '%U:%G %a' /var/lib/carnet)"
[ "$(stat -c '%U:%G %a' $CONF)" = "root:carnet 640" ] || fail "$CONF: $(stat -c '%U:%G %a' $CONF)"

# The unit: systemd's own checks (unknown keys, a missing binary, a bad user line...).
# The template (one process per port, carnet-server@PORT) is checked as an instance.
for unit in "$UNIT" carnet-server@8081.service; do
    $SUDO systemd-analyze verify "$unit" >"$W/verify.log" 2>&1 || { cat "$W/verify.log" >&2; fail "systemd-analyze verify $unit"; }
    grep -q "carnet-server" "$W/verify.log" && { cat "$W/verify.log" >&2; fail "systemd-analyze verify $unit warns"; }
done
for key in NoNewPrivileges=yes ProtectSystem=strict ReadWritePaths=/var/lib/carnet PrivateTmp=yes; do
    grep -qx "$key" "$UNIT" || fail "the unit lacks $key"
    grep -qx "$key" "${UNIT%.service}@.service" || fail "the template unit lacks $key"
done
grep -qx 'ExecStart=/usr/bin/carnet-server serve --config /etc/carnet/server.conf --port %i' "${UNIT%.service}@.service" ||
    fail "the template unit's ExecStart"
user=$(sed -n 's/^User=//p' "$UNIT")
workdir=$(sed -n 's/^WorkingDirectory=//p' "$UNIT")
read -ra exec_start <<<"$(sed -n 's/^ExecStart=//p' "$UNIT")"
[ "$user" = carnet ] || fail "the unit runs as '$user'"
[ "${exec_start[0]}" = /usr/bin/carnet-server ] || fail "ExecStart: ${exec_start[*]}"

# No file is read without --config: the installed settings change nothing for a command run by hand.
if out=$(carnet-server org add nobody 2>&1); then fail "ran without --data: $out"; fi
echo "$out" | grep -q -- "--data" || fail "without --config: $out"

# What an administrator does: edit the settings (a free port here, a metrics token), add the first
# accounts and a form with the commands as the carnet user.
token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "$token" | $SUDO tee /etc/carnet/metrics.token >/dev/null
$SUDO chgrp carnet /etc/carnet/metrics.token
$SUDO chmod 640 /etc/carnet/metrics.token
$SUDO sed -i 's/^port = .*/port = 0/; s|^# metrics-token-file = .*|metrics-token-file = /etc/carnet/metrics.token|' "$CONF"
cp "$SRC/assets/forms/door_to_door.json" "$W/"
chmod 644 "$W/door_to_door.json"
# The administration commands as docs/deployment.md gives them.
admin() { (cd "$workdir" && $SUDO runuser -u "$user" -- carnet-server --lang en --config "$CONF" "$@"); }
admin org add alec >/dev/null || fail "org add"
echo "awa-long-secret" | admin user add awa --role ambassador --org alec --password-stdin >/dev/null || fail "user add awa"
echo "chloe-long-secret" | admin user add chloe --role coordinator --org alec --password-stdin >/dev/null ||
    fail "user add chloe"
admin form publish "$W/door_to_door.json" >/dev/null || fail "form publish"
[ "$(stat -c %U /var/lib/carnet/server.db)" = carnet ] || fail "server.db is not the carnet user's"

# The unit's command, as the unit's user, from its working directory (setpriv execs it: no process in
# between to forward SIGTERM).
(cd "$workdir" && exec $SUDO setpriv --reuid="$user" --regid="$user" --init-groups -- "${exec_start[@]}") \
    >"$W/server.out" 2>"$W/server.err" &
server_pid=$!
for _ in $(seq 1 300); do grep -q "listening on" "$W/server.out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$W/server.out" | head -1)
[ -n "$port" ] || fail "the installed server did not start"
URL="http://127.0.0.1:$port"
# The process's user is the owner of its /proc entry (no procps on a fresh machine); with sudo, the
# server is sudo's child.
pid=$server_pid
[ -z "$SUDO" ] || pid=$(cat /proc/"$server_pid"/task/*/children | tr ' ' '\n' | head -1)
[ "$(stat -c %U /proc/"$pid")" = carnet ] && [ "$($SUDO readlink /proc/"$pid"/exe)" = /usr/bin/carnet-server ] ||
    fail "the server does not run as carnet: $(stat -c %U /proc/"$pid") $(readlink /proc/"$pid"/exe)"
health=$(curl -s "$URL/healthz")
[ "$(field "$health" "['status']")" = ok ] || fail "/healthz: $health"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/metrics")" = 401 ] || fail "/metrics without its token"

# Two devices sync through it: a record pushed by one is pulled by the other.
dev() { local who=$1; shift; "$DEVICE" --data "$W/$who" --lang en --author "$who" "$@"; }
echo "awa-long-secret" | dev awa login "$URL" awa >/dev/null || fail "login awa"
r=$(dev awa sync) || fail "sync awa"
[ "$(field "$r" "['forms_installed']")" = 1 ] || fail "form not installed: $r"
id=$(dev awa new door_to_door)
dev awa set "$id" commune gardanne >/dev/null
r=$(dev awa sync) || fail "sync awa"
[ "$(field "$r" "['pushed']")" = 1 ] || fail "awa push (the record with its answer): $r"
echo "chloe-long-secret" | dev chloe login "$URL" chloe >/dev/null || fail "login chloe"
r=$(dev chloe sync) || fail "sync chloe"
[ "$(field "$r" "['pulled']")" = 1 ] || fail "chloe pull: $r"
dev chloe get "$id" | grep -q '"commune":"gardanne"' || fail "the record chloe pulled"
metrics=$(curl -s -H "Authorization: Bearer $token" "$URL/metrics")
# awa's one push: the record's creation and its answer, compacted into one mutation on the tablet.
echo "$metrics" | grep -qx 'carnet_sync_mutations_total{status="applied"} 1' || fail "/metrics: $metrics"
echo "$metrics" | grep -q '^carnet_sync_pulled_changes_total [1-9]' || fail "/metrics: $metrics"

# A backup while it serves, as docs/deployment.md gives it for the package ("Backups and migration"):
# as the carnet user, the data folder from the config file, into a folder that user may write.
$SUDO install -d -o carnet -g carnet -m 0750 "$W/backups"
admin backup --to "$W/backups/first" >/dev/null || fail "backup"
[ "$($SUDO sqlite3 "$W/backups/first/server.db" "SELECT count(*) FROM records WHERE record_id = '$id'")" = 1 ] ||
    fail "the backup lacks the synced record"

# SIGTERM (what systemctl stop sends) stops it with status 0.
$SUDO kill -TERM "$server_pid"
wait "$server_pid" || fail "the server exited with status $?"
server_pid=""

# Installed again over itself (an upgrade's path): the edited settings, the user and the data stay.
$SUDO dpkg -i "$DEB" >"$W/dpkg.log" 2>&1 || { cat "$W/dpkg.log" >&2; fail "dpkg -i again"; }
grep -qx 'port = 0' "$CONF" || fail "dpkg -i again lost the edited $CONF"
[ "$(id -u carnet)" = "$uid" ] || fail "dpkg -i again changed the carnet user"
[ "$(stat -c '%U:%G %a' $CONF)" = "root:carnet 640" ] || fail "$CONF after dpkg -i again: $(stat -c '%U:%G %a' $CONF)"
[ -f /var/lib/carnet/server.db ] || fail "dpkg -i again lost the data"

# Removed, then purged: the binary and the unit go, the data stays (postrm never deletes data).
$SUDO dpkg -r carnet-server >/dev/null || fail "dpkg -r"
[ ! -e /usr/bin/carnet-server ] && [ ! -e "$UNIT" ] || fail "dpkg -r left the binary or the unit"
[ -f "$CONF" ] || fail "dpkg -r removed the conffile"
$SUDO rm /etc/carnet/metrics.token
$SUDO dpkg --purge carnet-server >/dev/null || fail "dpkg --purge"
[ ! -e "$CONF" ] || fail "dpkg --purge left $CONF"
[ -f /var/lib/carnet/server.db ] || fail "dpkg --purge removed the data"
echo "package test passed: $(basename "$DEB") installed, verified, served /healthz and a sync as $user, purged"
