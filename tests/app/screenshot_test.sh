#!/usr/bin/env bash
# The real app in a real window under Xvfb: every screen, portrait and landscape, French and English.
set -euo pipefail
APP=$1
CHECK=$2
SRC=$3
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
# Mesa and D-Bus allocate at exit without freeing; leaks in our own code are caught by the other tests.
export ASAN_OPTIONS=detect_leaks=0
run() {  # screen size lang [extra app arguments...]
  local out="$W/$(echo "$1" | tr ':' '_')-$2-$3.png"
  local screen=$1 size=$2 lang=$3
  shift 3
  xvfb-run -a -s "-screen 0 1280x1280x24" "$APP" --no-pin --data "$W/data-$lang" --forms "$SRC/assets/forms" \
    --screen "$screen" --size "$size" --lang "$lang" --screenshot "$out" "$@"
  "$CHECK" "$out" "${size%x*}" "${size#*x}"
}
# The field screens on the demo campaign (seeded once per data directory, on a fixed date).
demo() {  # screen size lang
  local out="$W/demo-$(echo "$1" | tr ':' '_')-$2-$3.png"
  xvfb-run -a -s "-screen 0 1280x1280x24" "$APP" --no-pin --data "$W/demo-$3" --demo --today 2026-11-26 \
    --screen "$1" --size "$2" --lang "$3" --screenshot "$out"
  "$CHECK" "$out" "${2%x*}" "${2#*x}"
}
for screen in home walk walk:first calls:first contact:first indicators; do
  demo "$screen" 800x1280 fr
done
demo indicators 1280x800 fr
demo walk:first 1280x800 fr
demo calls:first 800x1280 en
for lang in fr en; do
  for size in 800x1280 1280x800; do
    for screen in first-run home records settings form:door_to_door form:advice_desk_session; do
      run "$screen" "$size" "$lang"
    done
  done
done
# Door to door, page 3 (an interview: its pages) with a gesture and two trips chosen (radio marks and
# check boxes), tapped by the app's own event script; portrait and landscape (the outline beside it).
printf '%s\n' 'answer issue_visite "entretien"' 'wait 1' 'tap page.next' 'wait 1' 'tap page.next' 'wait 1' \
  'tap choice.eco_geste.velo' 'wait 1' >"$W/choices-1280x800.events"
# In portrait the trips are on screen too.
printf '%s\n' 'tap choice.trajets_vises.travail' 'wait 1' 'tap choice.trajets_vises.courses' 'wait 1' |
  cat "$W/choices-1280x800.events" - >"$W/choices-800x1280.events"
for size in 800x1280 1280x800; do
  out="$W/choices-$size.png"
  xvfb-run -a -s "-screen 0 1280x1280x24" "$APP" --no-pin --data "$W/choices-$size" --demo --today 2026-11-26 \
    --screen form:door_to_door --size "$size" --lang fr --events "$W/choices-$size.events" --screenshot "$out" \
    2>"$W/choices-$size.err"
  if grep -q 'events:' "$W/choices-$size.err"; then cat "$W/choices-$size.err"; exit 1; fi
  "$CHECK" "$out" "${size%x*}" "${size#*x}"
done
# The PIN screen of a first start (choosing the PIN), both orientations and languages.
for lang in fr en; do
  for size in 800x1280 1280x800; do
    out="$W/pin-$size-$lang.png"
    xvfb-run -a -s "-screen 0 1280x1280x24" "$APP" --data "$W/pin-$size-$lang" --forms "$SRC/assets/forms" \
      --size "$size" --lang "$lang" --screenshot "$out" </dev/null
    "$CHECK" "$out" "${size%x*}" "${size#*x}"
  done
done
echo "screenshots: all checks passed"
