#!/usr/bin/env bash
# End to end on 127.0.0.1: a real carnet-server, real carnet-device processes (libcurl), real SQLite
# files. Three people of one organisation and one of another: forms published then downloaded,
# records pushed and seen by whom may see them, a merge, a conflict, and a sync with nothing to do.
set -euo pipefail
SERVER=$1
DEVICE=$2
SRC=$3
W=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$W/server.log" ] && tail -20 "$W/server.log" >&2; exit 1; }
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])$2)" "$1"; }

S=("$SERVER" --data "$W/server")
"${S[@]}" org add alec >/dev/null
"${S[@]}" org add gefosat >/dev/null
echo "awa-long-secret" | "${S[@]}" user add awa --role ambassador --org alec --password-stdin >/dev/null
echo "ben-long-secret" | "${S[@]}" user add ben --role ambassador --org alec --password-stdin >/dev/null
echo "chloe-long-secret" | "${S[@]}" user add chloe --role coordinator --org alec --password-stdin >/dev/null
echo "dan-long-secret" | "${S[@]}" user add dan --role coordinator --org gefosat --password-stdin >/dev/null
"${S[@]}" form publish "$SRC/assets/forms/door_to_door.json" >/dev/null
"${S[@]}" form publish "$SRC/assets/forms/trip_survey.json" >/dev/null

"${S[@]}" serve --port 0 --bind 127.0.0.1 >"$W/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do grep -q "listening on" "$W/server.log" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$W/server.log" | head -1)
[ -n "$port" ] || fail "server did not start"
URL="http://127.0.0.1:$port"

dev() { local who=$1; shift; "$DEVICE" --data "$W/$who" --lang en --author "$who" "$@"; }
login() { echo "$2" | dev "$1" login "$URL" "$1" >/dev/null || fail "login $1"; }
sync_json() { dev "$1" sync || fail "sync $1: $(dev "$1" sync 2>&1)"; }

# A wrong password is refused, with a message.
if echo "nope" | dev awa login "$URL" awa >/dev/null 2>"$W/err"; then fail "bad password accepted"; fi
[ -s "$W/err" ] || fail "no message for a bad password"

for who in awa ben chloe dan; do login "$who" "$who-long-secret"; done

# Forms published on the server reach every device with its first sync.
r=$(sync_json awa)
[ "$(field "$r" "['forms_installed']")" = "2" ] || fail "forms not downloaded: $r"
[ "$(dev awa forms list | wc -l)" -eq 2 ] || fail "forms list"

# Awa collects two interviews offline, then syncs.
printf '{"issue_visite": "absent", "commune": "gardanne"}' >"$W/a1.json"
id1=$(dev awa import-answers door_to_door "$W/a1.json")
id2=$(dev awa new door_to_door)
dev awa set "$id2" issue_visite refus >/dev/null
r=$(sync_json awa)
# The answer joins its record's create in the outbox (compaction): two mutations.
[ "$(field "$r" "['pushed']")" = "2" ] || fail "awa push (two creates, one with its answer): $r"
[ "$(dev awa outbox | wc -l)" -eq 0 ] || fail "outbox not emptied"

# Who sees what: the coordinator sees the organisation, another ambassador and another
# organisation see nothing of it.
r=$(sync_json chloe)
[ "$(field "$r" "['pulled']")" = "2" ] || fail "coordinator pull: $r"
dev chloe get "$id1" | grep -q '"commune":"gardanne"' || fail "coordinator record content"
r=$(sync_json ben)
[ "$(field "$r" "['pulled']")" = "0" ] || fail "other ambassador saw records: $r"
r=$(sync_json dan)
[ "$(field "$r" "['pulled']")" = "0" ] || fail "other organisation saw records: $r"

# Offline edits of the same record: different fields merge, the same field is a conflict (kept,
# flagged, the later arrival wins), and everyone converges.
dev awa set "$id2" motif_refus pas_le_temps >/dev/null
dev awa set "$id2" adresse "3 rue des Lilas" >/dev/null
dev chloe set "$id2" adresse "3 bis rue des Lilas" >/dev/null
dev chloe set "$id2" commune venelles >/dev/null
r=$(sync_json awa)
[ "$(field "$r" "['pushed']")" = "1" ] || fail "awa second push (two answers, one mutation): $r"
r=$(sync_json chloe)
[ "$(field "$r" "['conflicts']")" -ge 1 ] || fail "no conflict reported: $r"
r=$(sync_json awa)
a=$(dev awa get "$id2")
c=$(dev chloe get "$id2")
[ "$(field "$a" "['answers']")" = "$(field "$c" "['answers']")" ] || fail "devices diverge: $a / $c"
[ "$(field "$a" "['answers']['adresse']")" = "3 bis rue des Lilas" ] || fail "arrival order: $a"
[ "$(field "$a" "['answers']['motif_refus']")" = "pas_le_temps" ] || fail "merge lost a field: $a"
[ "$(field "$a" "['answers']['commune']")" = "venelles" ] || fail "merge lost a field: $a"

# The coordinator resolves the conflict on the server: a new version that reaches the devices, and
# the history keeps every version.
token=$(sqlite3 "$W/chloe/carnet.db" "SELECT value FROM meta WHERE key = 'setting.server_token'")
H=(-s -H "Carnet-Protocol: 1" -H "Authorization: Bearer $token" -H "Content-Type: application/json")
conflicts=$(curl "${H[@]}" "$URL/api/v1/conflicts")
echo "$conflicts" | grep -q "$id2" || fail "conflict not listed: $conflicts"
curl "${H[@]}" -X POST -d '{"fields": {"adresse": "3 rue des Lilas, bâtiment B"}}' \
  "$URL/api/v1/conflicts/$id2/resolve" | grep -q version || fail "resolve"
history=$(curl "${H[@]}" "$URL/api/v1/records/$id2/history")
versions=$(python3 -c "import json,sys; d=json.loads(sys.argv[1]); print(len(d['versions']))" "$history") \
  || fail "history: $history"
[ "$versions" -ge 4 ] || fail "history incomplete ($versions versions): $history"
ambassador_token=$(sqlite3 "$W/ben/carnet.db" "SELECT value FROM meta WHERE key = 'setting.server_token'")
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Carnet-Protocol: 1" -H "Authorization: Bearer $ambassador_token" \
  "$URL/api/v1/conflicts")
[ "$code" = "403" ] || fail "an ambassador listed conflicts ($code)"
dev awa sync >/dev/null || fail "sync after resolution"
[ "$(field "$(dev awa get "$id2")" "['answers']['adresse']")" = "3 rue des Lilas, bâtiment B" ] || fail "resolution not pulled"

# A new form version reaches the devices; a draft that fits moves to it.
id3=$(dev awa new door_to_door)
dev awa set "$id3" issue_visite repasser >/dev/null
python3 - "$SRC/assets/forms/door_to_door.json" "$W/door_v2.json" <<'PY'
import json, sys
form = json.load(open(sys.argv[1]))
form["version"] = form["version"] + "-v2"
form["pages"][-1]["children"].append({"type": "text", "name": "remarque_v2",
    "label": {"fr": "Remarque (nouvelle version)", "en": "Remark (new version)"}})
json.dump(form, open(sys.argv[2], "w"), ensure_ascii=False)
PY
"${S[@]}" form publish "$W/door_v2.json" >/dev/null || fail "publish v2"
r=$(sync_json awa)
[ "$(field "$r" "['forms_installed']")" = "1" ] || fail "new version not downloaded: $r"
[ "$(field "$(dev awa get "$id3")" "['form_version']")" = "$(python3 -c "import json; print(json.load(open('$W/door_v2.json'))['version'])")" ] \
  || fail "draft not migrated: $(dev awa get "$id3")"

# A sync with nothing to do is one round trip and changes nothing.
dev awa sync >/dev/null
r=$(sync_json awa)
[ "$(field "$r" "['pushed']")" = "0" ] && [ "$(field "$r" "['pulled']")" = "0" ] || fail "idle sync did work: $r"
[ "$(field "$r" "['round_trips']")" = "1" ] || fail "idle sync round trips: $r"

# The server going away is a clear, transient error; nothing is lost and the next sync catches up.
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
dev awa set "$id1" adresse "12 avenue Foch" >/dev/null
if dev awa sync >"$W/out" 2>&1; then fail "sync without a server succeeded"; fi
grep -q '"ok":false' "$W/out" || fail "offline sync report: $(cat "$W/out")"
[ "$(dev awa outbox | wc -l)" -eq 1 ] || fail "the offline edit must stay in the outbox"
r=$(dev awa sync 2>/dev/null || true)
echo "e2e: bytes on the wire for the last (offline) attempt: $(field "$r" "['bytes_sent']") sent"
echo "e2e: all checks passed"
