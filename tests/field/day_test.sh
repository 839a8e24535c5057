#!/usr/bin/env bash
# A full field day on 127.0.0.1 with the real carnet-server and carnet-device processes: the
# coordinator imports a walk list (CSV) and assigns it; the ambassador knocks on 40 doors, does 12
# interviews (10 volunteers), syncs; the phone ambassador receives the 10 follow-up calls, makes 10
# calls and two "after" surveys, syncs; the indicators of the server API and of the device CLI are
# then checked to the unit.
set -euo pipefail
SERVER=$1
DEVICE=$2
W=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$W/server.log" ] && tail -20 "$W/server.log" >&2; exit 1; }
py() { python3 -c "import json,sys; d=json.loads(sys.argv[1]); print(($2))" "$1"; }
eq() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; }

TODAY=$(date -u +%F)
later() { date -u -d "$TODAY + $1 days" +%F; }

# The walk list: 5 buildings of 8 dwellings, ';' separated with a BOM and a quoted street.
{
  printf '\xEF\xBB\xBFliste;territoire;commune;code_postal;rue;numero;batiment;logement;etage\n'
  for b in 1 2 3 4 5; do
    for d in 1 2 3 4 5 6 7 8; do
      echo "Jas-de-Bouffan – lot 3;Pays d’Aix;Aix-en-Provence;13090;\"avenue de la Grande-Bégude; côté parc\";$((b * 2));B$b;$d$( [ $((d % 2)) = 0 ] && echo B || echo A);$(( (d - 1) / 2 ))"
    done
  done
} >"$W/walk.csv"

S=("$SERVER" --lang en --data "$W/server")
"${S[@]}" org add metropole >/dev/null
echo "chloe-long-secret" | "${S[@]}" user add chloe --role coordinator --org metropole --password-stdin >/dev/null
echo "awa-long-secret" | "${S[@]}" user add awa --role ambassador --org metropole --password-stdin >/dev/null
echo "leo-long-secret" | "${S[@]}" user add leo --role ambassador --org metropole --password-stdin >/dev/null
"${S[@]}" form publish-builtin | grep -q "11 built-in form(s) published" || fail "publish-builtin"
imp=$("${S[@]}" walklist import "$W/walk.csv" --name "Jas-de-Bouffan – lot 3" --org metropole)
eq "$(py "$imp" "d['buildings'], d['dwellings']")" "(5, 40)" "CLI import"
WL=$(py "$imp" "d['walklist_id']")

"${S[@]}" serve --port 0 --bind 127.0.0.1 >"$W/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do grep -q "listening on" "$W/server.log" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$W/server.log" | head -1)
[ -n "$port" ] || fail "server did not start"
URL="http://127.0.0.1:$port"
PROTO=$(curl -s "$URL/api/v1/forms" | python3 -c "import json,sys; print(json.load(sys.stdin)['server_protocol'])")
api() { # METHOD PATH TOKEN [curl args...] -> body, then the status on the last line
  local m=$1 p=$2 t=$3; shift 3
  curl -s -w '\n%{http_code}' -X "$m" -H "Carnet-Protocol: $PROTO" -H "Authorization: Bearer $t" "$@" "$URL$p"
}
token() { curl -s -H "Carnet-Protocol: $PROTO" -d "{\"user\":\"$1\",\"password\":\"$1-long-secret\"}" "$URL/api/v1/login" |
  python3 -c "import json,sys; print(json.load(sys.stdin)['token'])"; }
CHLOE=$(token chloe)
AWA=$(token awa)
body() { sed '$d' <<<"$1"; }
status() { tail -1 <<<"$1"; }

# A bad CSV over HTTP: 422, every bad line listed, nothing imported.
printf 'commune;rue;numero;logement\nAix;rue A;1;1\nAix;;2;2\nAix;rue B;3;\n' >"$W/bad.csv"
r=$(api POST "/api/v1/walklists/import?name=Bad" "$CHLOE" -H "Content-Type: text/csv" --data-binary @"$W/bad.csv")
eq "$(status "$r")" 422 "bad CSV status"
eq "$(py "$(body "$r")" "d['error'], [e['line'] for e in d['errors']]")" "('invalid_csv', [3, 4])" "bad CSV lines"
r=$(api POST "/api/v1/walklists/import?name=X" "$AWA" -H "Content-Type: text/csv" --data-binary @"$W/walk.csv")
eq "$(status "$r")" 403 "ambassador import"
r=$(api GET "/api/v1/walklists" "$CHLOE")
eq "$(py "$(body "$r")" "len(d['walklists']), d['walklists'][0]['assigned_to']")" "(1, None)" "walk lists before assignment"

# The coordinator assigns the list; the ambassador's device receives it.
r=$(api POST "/api/v1/walklists/$WL/assign" "$CHLOE" -d '{"user": "awa"}')
eq "$(status "$r")" 200 "assign"
eq "$(api POST "/api/v1/walklists/$WL/assign" "$CHLOE" -d '{"user": "nobody"}' | tail -1)" 404 "assign unknown user"

dev() { local who=$1; shift; "$DEVICE" --data "$W/$who" --lang en --author "$who" "$@"; }
echo "awa-long-secret" | dev awa login "$URL" awa >/dev/null
echo "leo-long-secret" | dev leo login "$URL" leo >/dev/null
echo "chloe-long-secret" | dev chloe login "$URL" chloe >/dev/null
r=$(dev awa sync) || fail "awa sync: $r"
eq "$(py "$r" "d['pulled']")" 46 "awa pulls 1 walk list, 5 buildings, 40 dwellings"
eq "$(py "$(dev awa walklist list)" "d['dwellings'], d['visited'], d['assigned_to']")" "(40, 0, 'awa')" "awa walk list"
r=$(dev leo sync) || fail "leo sync"
eq "$(py "$r" "d['pulled']")" 0 "leo sees nothing of awa's list"

# At the doors.
mapfile -t buildings < <(dev awa walklist buildings "$WL" | python3 -c "import json,sys; [print(json.loads(l)['id']) for l in sys.stdin]")
eq "${#buildings[@]}" 5 "buildings"
doors() { dev awa walklist doors "$1" | python3 -c "import json,sys; [print(json.loads(l)['id']) for l in sys.stdin]"; }
n=0
interview() { # DWELLING VOLUNTEER(oui|non)
  n=$((n + 1))
  local at="${TODAY}T10:$(printf %02d $n)"
  local phone="04 65 71 00 $(printf %02d $n)"
  python3 - "$1" "$2" "$at" "$phone" >"$W/i.json" <<'PY'
import json, sys
d, vol, at, phone = sys.argv[1:5]
a = {"dwelling_id": d, "code_ambassadeur": "AMB-007", "commune": "aix_en_provence",
     "quartier": "aix_jas_de_bouffan", "adresse": "4 avenue de la Grande-Bégude", "heure_passage": at,
     "issue_visite": "entretien", "nb_personnes": 1, "membres": [{"prenom": "P" , "tranche_age": "30_44", "permis": "oui"}],
     "voiture": "oui", "nb_voitures": 1, "eco_geste": "bus", "trajets_vises": ["travail"], "distance_travail_km": 8,
     "accord_suivi": vol, "consentement_reponses": True}
if vol == "oui":
    a["telephone"] = phone
    a["accord_appels"] = True
print(json.dumps(a))
PY
  local id
  id=$(dev awa import-answers door_to_door "$W/i.json") || fail "interview import: $(cat "$W/i.json")"
  dev awa field finalize "$id" --at "$at" || fail "finalize interview $id"
}
outcome() { dev awa door "$1" "$2" --at "${TODAY}T11:00" >/dev/null || fail "door $1 $2"; }
absent_rest() { dev awa building-absent "$1" --at "${TODAY}T12:00" >"$W/absent.json" || fail "building-absent"; py "$(cat "$W/absent.json")" "len(d['door_visits'])"; }

declare -a people=() tasks=()
record_fx() { local fx=$1; people+=("$(py "$fx" "d['person_id']")"); local t; t=$(py "$fx" "d['call_task_id']"); [ -n "$t" ] && tasks+=("$t"); return 0; }
b=0
for building in "${buildings[@]}"; do
  b=$((b + 1))
  mapfile -t ds < <(doors "$building")
  eq "${#ds[@]}" 8 "doors of building $b"
  case $b in
  1) for i in 0 1 2 3; do fx=$(interview "${ds[$i]}" oui); record_fx "$fx"; done
     outcome "${ds[4]}" refus; outcome "${ds[5]}" repasser
     eq "$(absent_rest "$building")" 2 "building 1 absent" ;;
  2) for i in 0 1 2 3; do fx=$(interview "${ds[$i]}" $([ $i -lt 3 ] && echo oui || echo non)); record_fx "$fx"; done
     outcome "${ds[4]}" ne_pas_contacter; outcome "${ds[5]}" refus
     eq "$(absent_rest "$building")" 2 "building 2 absent" ;;
  3) for i in 0 1 2 3; do fx=$(interview "${ds[$i]}" $([ $i -lt 3 ] && echo oui || echo non)); record_fx "$fx"; done
     eq "$(absent_rest "$building")" 4 "building 3 absent" ;;
  4) eq "$(absent_rest "$building")" 8 "building 4 absent" ;;
  5) outcome "${ds[0]}" repasser; outcome "${ds[1]}" repasser
     eq "$(absent_rest "$building")" 6 "building 5 absent" ;;
  esac
done
eq "${#people[@]}" 12 "people created by the interviews"
eq "${#tasks[@]}" 10 "follow-up calls created for the volunteers"
eq "$(py "$(dev awa walklist list)" "d['visited'], d['done'], d['interviews'], d['absent'], d['refused'], d['come_back'], d['do_not_contact']")" \
  "(40, 15, 12, 22, 2, 3, 1)" "awa walk-list progress"

# "Before" trip surveys at the door for the first two volunteers.
survey() { # PERSON PHASE SOLO_TRIPS WHO
  python3 -c "import json,sys; print(json.dumps({'person_id': sys.argv[1], 'survey_phase': sys.argv[2], 'mode_passation': 'porte_a_porte' if sys.argv[2] == 'avant' else 'telephone', 'date_enquete': sys.argv[4], 'trajets_voiture_solo': int(sys.argv[3]), 'trajets_voiture_passager': 1, 'trajets_transport_commun': 2, 'trajets_velo': 0, 'trajets_marche': 3, 'trajets_covoiturage': 0, 'distance_trajet_km': 9, **({'changement_ressenti': 6} if sys.argv[2] == 'apres' else {})}))" "$1" "$2" "$3" "$TODAY" >"$W/s.json"
  local id
  id=$(dev "$4" import-answers trip_survey "$W/s.json") || fail "survey import"
  dev "$4" field finalize "$id" --at "${TODAY}T13:00" >/dev/null || fail "survey finalize"
}
survey "${people[0]}" avant 10 awa
survey "${people[1]}" avant 10 awa
r=$(dev awa sync) || fail "awa sync 2: $r"
eq "$(py "$r" "d['ok'], d['rejected'] if 'rejected' in d else 0")" "(True, 0)" "awa push"

# The phone ambassador's device receives the ten calls, with the people and their consents.
dev leo sync >/dev/null || fail "leo sync 2"
q=$(dev leo calls queue --caller leo --today "$TODAY")
eq "$(wc -l <<<"$q")" 10 "leo's queue"
eq "$(python3 -c "import json,sys; q=[json.loads(l) for l in sys.stdin]; print(sorted({e['due_date'] for e in q}), sum(e['due'] for e in q))" <<<"$q")" \
  "['$(later 42)'] 0" "due dates: interview day + 42"
mapfile -t queue < <(python3 -c "import json,sys; [print(json.loads(l)['task_id']) for l in sys.stdin]" <<<"$q")
call() { dev leo call "$1" "$2" --at "${TODAY}T14:$(printf %02d $3)" "${@:4}" || fail "call $1 $2"; }
# 1 answered, 5 unanswered on the second (exhausted), 1 wrong number, 1 callback, 1 answered, 1 unanswered.
r=$(call "${queue[0]}" decroche 1); eq "$(py "$r" "d['status']")" a_faire "answered: queued until its script is finalized"
script1=$(py "$r" "d['script_id']")
for k in 1 2 3 4 5; do r=$(call "${queue[1]}" pas_de_reponse $((k + 1))); done
eq "$(py "$r" "d['status']")" epuise "five unanswered calls exhaust the task"
r=$(call "${queue[2]}" faux_numero 7); eq "$(py "$r" "d['status']")" faux_numero "wrong number"
r=$(call "${queue[3]}" rappeler 8 --callback "$(later 3)"); eq "$(py "$r" "d['status']")" a_faire "callback"
r=$(call "${queue[4]}" decroche 9); script2=$(py "$r" "d['script_id']")
r=$(call "${queue[5]}" pas_de_reponse 10); eq "$(py "$r" "d['status']")" a_faire "retry"
q=$(dev leo calls queue --caller leo --today "$(later 3)")
eq "$(python3 -c "import json,sys; q=[json.loads(l) for l in sys.stdin]; print(len(q), [e['due_date'] for e in q][:2], sum(e['due'] for e in q))" <<<"$q")" \
  "8 ['$(later 2)', '$(later 3)'] 2" "queue after the calls: retry and callback first (the two answered stay until their scripts are finalized)"

# The script of the first answered call is filled and finalized: it schedules the next call.
for kv in "theme=bus" "reponse_lancement=positive" "gestes_proposes=[\"fiche_horaires\"]" "acceptation=accepte" "gestes_acceptes=[\"fiche_horaires\"]"; do
  dev leo set "$script1" "${kv%%=*}" "${kv#*=}" >/dev/null || fail "script answer $kv"
done
fx=$(dev leo field finalize "$script1" --at "${TODAY}T14:30") || fail "script finalize"
next=$(py "$fx" "d['call_task_id']")
[ -n "$next" ] || fail "the answered script did not schedule the next call: $fx"
eq "$(py "$(dev leo get "$next")" "d['answers']['echeance'], d['answers']['appelant']")" "('$(later 42)', 'leo')" "next call"
# "After" surveys by phone for the two people answered at the door: 10 → 6 solo-car trips a week.
survey "${people[0]}" apres 6 leo
survey "${people[1]}" apres 6 leo
r=$(dev leo sync) || fail "leo sync 3: $r"

# The server's figures for the coordinator.
r=$(api GET "/api/v1/indicators?by=ambassador" "$CHLOE")
eq "$(status "$r")" 200 "indicators"
ind=$(body "$r")
eq "$(py "$ind" "[(g['key'], g['interviews'], g['volunteers'], g['consents'], g['calls'], g['calls_answered'], g['pairs']) for g in d['groups']]")" \
  "[('awa', 12, 10, 10, 0, 0, 0), ('leo', 0, 0, 0, 10, 2, 2)]" "indicators per ambassador"
eq "$(py "$ind" "(lambda t: (t['interviews'], t['calls'], round(t['pickup_rate'], 3), t['pairs'], t['km_avoided'], round(t['co2_kg'], 1), d['targets']))(d['totals'])")" \
  "(12, 10, 0.2, 2, 3384.0, 430.9, {'awareness': 92, 'phone': 162, 'physical': 129, 'workshop': 66})" "indicator totals"
eq "$(api GET "/api/v1/indicators?by=planet" "$CHLOE" | tail -1)" 400 "unknown grouping"
r=$(api GET "/api/v1/indicators?by=week" "$CHLOE")
eq "$(py "$(body "$r")" "[(g['key'], g['interviews'], g['calls']) for g in d['groups']]")" \
  "[('$(date -u -d "$TODAY" +%G-W%V)', 12, 10)]" "indicators per week"
r=$(api GET "/api/v1/indicators?by=territory" "$CHLOE")
eq "$(py "$(body "$r")" "[(g['key'], g['interviews']) for g in d['groups'] if g['interviews']]")" "[('Pays d’Aix', 12)]" "per territory"
r=$(api GET "/api/v1/walklists" "$CHLOE")
eq "$(py "$(body "$r")" "(lambda w: (w['assigned_to'], w['dwellings'], w['visited'], w['done']))(d['walklists'][0])")" \
  "('awa', 40, 40, 15)" "walk list progress on the server"
r=$(api GET "/api/v1/calls?today=$(later 3)" "$CHLOE")
eq "$(py "$(body "$r")" "[(c['user'], c['open'], c['due_today'], c['done'], c['calls'], c['answered'], c['pickup_rate']) for c in d['callers']]")" \
  "[('leo', 8, 2, 1, 10, 2, 0.2)]" "call statistics (the second answered call's script is still a draft: open)"
# An ambassador sees only their own figures.
r=$(api GET "/api/v1/indicators?by=ambassador" "$AWA")
eq "$(py "$(body "$r")" "[(g['key'], g['interviews'], g['calls']) for g in d['groups']]")" "[('awa', 12, 0)]" "awa's own indicators"

# The coordinator's device computes the same figures from the synced records.
dev chloe sync >/dev/null || fail "chloe sync"
devind=$(dev chloe indicators --by ambassador)
eq "$(python3 -c "import json,sys; a=json.loads(sys.argv[1]); b=json.loads(sys.argv[2]); print(a['groups']==b['groups'] and a['totals']==b['totals'])" "$devind" "$ind")" True "device and server indicators agree"
echo "day test: 40 doors, 12 interviews, 10 follow-ups, 10 calls, 2 pairs: ok"
