#!/usr/bin/env bash
# The real app in a real window under Xvfb: every screen, portrait and landscape, French and English;
# an interview tapped by the app's own script, with its answers read back from the store.
set -euo pipefail
APP=$1
CHECK=$2
SRC=$3
DEVICE=$4 # carnet-device, to read the store the taps wrote
W=$(mktemp -d)
# Mesa and D-Bus allocate at exit without freeing; leaks in our own code are caught by the other tests.
export ASAN_OPTIONS=detect_leaks=0
# One X server for every run (xvfb-run per screenshot started and stopped ~40 of them); -displayfd
# picks a free display and says which once it accepts connections.
Xvfb -displayfd 3 -screen 0 1280x1280x24 -nolisten tcp 3>"$W/display" 2>"$W/xvfb.err" &
XVFB=$!
trap 'kill "$XVFB" 2>/dev/null || true; wait "$XVFB" 2>/dev/null || true; rm -rf "$W"' EXIT
for _ in $(seq 100); do
  [ -s "$W/display" ] && break
  kill -0 "$XVFB" 2>/dev/null || { cat "$W/xvfb.err"; echo "screenshots: Xvfb did not start" >&2; exit 1; }
  sleep 0.1
done
[ -s "$W/display" ] || { echo "screenshots: Xvfb gave no display in 10 s" >&2; exit 1; }
export DISPLAY=":$(head -n1 "$W/display")"
# One process per data directory, size and language draws its screens in turn (the script's `screen`
# and `screenshot` lines): a start costs more than the screens it draws.
shots() {  # name size lang data [app arguments...] -- screen...
  local name=$1 size=$2 lang=$3 data=$4 ev="$W/$1.events" out
  shift 4
  local args=()
  while [ "$1" != -- ]; do args+=("$1"); shift; done
  shift
  : >"$ev"
  for screen in "$@"; do
    printf 'screen %s\nscreenshot %s\n' "$screen" "$W/$name-$(echo "$screen" | tr ':' '_').png" >>"$ev"
  done
  echo terminate >>"$ev"
  "$APP" --no-pin --data "$data" --size "$size" --lang "$lang" "${args[@]}" --events "$ev" 2>"$W/$name.err" ||
    { cat "$W/$name.err"; echo "screenshots: $name: the app failed" >&2; exit 1; }
  if grep -q '^events:' "$W/$name.err"; then cat "$W/$name.err"; exit 1; fi
  for screen in "$@"; do
    out="$W/$name-$(echo "$screen" | tr ':' '_').png"
    [ -s "$out" ] || { cat "$W/$name.err"; echo "screenshots: $name: no screenshot of $screen" >&2; exit 1; }
    "$CHECK" "$out" "${size%x*}" "${size#*x}"
  done
}
# The field screens on the demo campaign (seeded once per data directory, on a fixed date).
demo=(--demo --today 2026-11-26 --)
shots demo-portrait-fr 800x1280 fr "$W/demo-fr" "${demo[@]}" home walk walk:first calls:first contact:first indicators
shots demo-landscape-fr 1280x800 fr "$W/demo-fr" "${demo[@]}" indicators walk:first
shots demo-portrait-en 800x1280 en "$W/demo-en" "${demo[@]}" calls:first
for lang in fr en; do
  for size in 800x1280 1280x800; do
    shots "forms-$size-$lang" "$size" "$lang" "$W/data-$lang" --forms "$SRC/assets/forms" -- \
      first-run home records settings form:door_to_door form:advice_desk_session
  done
done
# Door to door, page 3 (an interview: its pages) with a gesture and two trips chosen (radio marks and
# check boxes), tapped by the app's own event script; portrait and landscape (the outline beside it).
# Each wait outlasts, with a margin for a loaded machine, the 0.3 s a target must stay still before a
# press on it counts (kSettleSeconds in theme.hpp).
printf '%s\n' 'answer issue_visite "entretien"' 'wait 0.7' 'tap page.next' 'wait 0.7' 'tap page.next' 'wait 0.7' \
  'tap choice.eco_geste.velo' 'wait 0.7' >"$W/choices-1280x800.events"
# In portrait the trips are on screen too.
printf '%s\n' 'tap choice.trajets_vises.travail' 'wait 0.7' 'tap choice.trajets_vises.courses' 'wait 0.7' |
  cat "$W/choices-1280x800.events" - >"$W/choices-800x1280.events"
for size in 800x1280 1280x800; do
  out="$W/choices-$size.png"
  "$APP" --no-pin --data "$W/choices-$size" --demo --today 2026-11-26 \
    --screen form:door_to_door --size "$size" --lang fr --events "$W/choices-$size.events" --screenshot "$out" \
    2>"$W/choices-$size.err"
  if grep -q 'events:' "$W/choices-$size.err"; then cat "$W/choices-$size.err"; exit 1; fi
  "$CHECK" "$out" "${size%x*}" "${size#*x}"
done
# What the taps chose is what the store holds: the door-to-door draft the script filled has the
# outcome, the gesture and (portrait) the two trips, and nothing else was ticked among them.
answers() {  # size: the answers of the door-to-door draft, as one JSON object
  "$DEVICE" --data "$W/choices-$1" list --status draft | python3 -c '
import json, sys
drafts = [r for r in map(json.loads, sys.stdin) if r["form_id"] == "door_to_door" and r["answers"].get("issue_visite")]
if len(drafts) != 1: sys.exit("%d door-to-door drafts with an outcome, not 1" % len(drafts))
print(json.dumps(drafts[0]["answers"], sort_keys=True))'
}
expect() {  # size key json
  local got
  got=$(answers "$1" | python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin).get(sys.argv[1])))' "$2")
  [ "$got" = "$3" ] || { echo "screenshots: $1: $2 is $got in the store, not $3" >&2; exit 1; }
}
for size in 800x1280 1280x800; do
  expect "$size" issue_visite '"entretien"'
  expect "$size" eco_geste '"velo"'
done
expect 800x1280 trajets_vises '["travail", "courses"]'
expect 1280x800 trajets_vises null
echo "screenshots: the scripted taps saved issue_visite, eco_geste and trajets_vises as tapped"
# The PIN screen of a first start (choosing the PIN), both orientations and languages.
for lang in fr en; do
  for size in 800x1280 1280x800; do
    out="$W/pin-$size-$lang.png"
    "$APP" --data "$W/pin-$size-$lang" --forms "$SRC/assets/forms" \
      --size "$size" --lang "$lang" --screenshot "$out" </dev/null
    "$CHECK" "$out" "${size%x*}" "${size#*x}"
  done
done
echo "screenshots: all checks passed"
