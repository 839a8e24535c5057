#!/usr/bin/env bash
# The real app under Xvfb as the tablets run it (docs/platforms.md): an OpenGL ES 3 context, sizes in
# dp at two densities, and the lifecycle events Android and iOS send before they end a background app.
set -euo pipefail
APP=$1
CHECK=$2
SRC=$3
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
# Mesa and D-Bus allocate at exit without freeing; leaks in our own code are caught by the other tests.
export ASAN_OPTIONS=detect_leaks=0
xrun() { xvfb-run -a -s "-screen 0 1280x1280x24" "$@"; }
fail() { echo "platform: $*" >&2; exit 1; }

# 1. OpenGL ES 3: the context is ES (Mesa says so) and the screen is drawn (not blank, text on it).
CARNET_REPORT_GL=1 xrun "$APP" --no-pin --gles --data "$W/gles" --forms "$SRC/assets/forms" --screen home \
  --size 800x1280 --lang fr --screenshot "$W/gles.png" 2>"$W/gles.err" || { cat "$W/gles.err"; fail "--gles failed"; }
grep -q '^gl_version OpenGL ES 3' "$W/gles.err" || { cat "$W/gles.err"; fail "not an OpenGL ES 3 context"; }
"$CHECK" "$W/gles.png" 800 1280

# 2. Density: every touch target is at least 48 dp, i.e. 48 px at 160 dpi and 96 px at 320 dpi.
for dpi in 160 320; do
  xrun "$APP" --no-pin --dpi "$dpi" --data "$W/dpi" --forms "$SRC/assets/forms" --screen settings --size 1280x1280 \
    --lang fr --screenshot "$W/dpi$dpi.png" --targets "$W/dpi$dpi.txt"
  "$CHECK" "$W/dpi$dpi.png" 1280 1280
  [ -s "$W/dpi$dpi.txt" ] || fail "no touch targets recorded at $dpi dpi"
  min=$(awk -v d="$dpi" 'BEGIN { m = 1e9 } { if ($5 < m) m = $5; if ($4 < m) m = $4 } END { print m }' "$W/dpi$dpi.txt")
  awk -v m="$min" -v d="$dpi" 'BEGIN { exit !(m >= 48 * d / 160 - 0.5) }' ||
    fail "a target of $min px at $dpi dpi is under 48 dp"
  echo "density: $dpi dpi, $(wc -l <"$W/dpi$dpi.txt") targets, smallest side $min px"
done
# The same screen at twice the density: twice the size (the button heights double).
h160=$(awk 'NR == 1 { print $5 }' "$W/dpi160.txt")
h320=$(awk 'NR == 1 { print $5 }' "$W/dpi320.txt")
awk -v a="$h160" -v b="$h320" 'BEGIN { exit !(b > a * 1.9 && b < a * 2.1) }' ||
  fail "first target $h160 px at 160 dpi, $h320 px at 320 dpi: not twice"

# 3. Lifecycle: text typed in a field, then the system sends the app to the background and kills it
#    (no close, no exit handlers): the text is in the database file itself, the WAL emptied.
for event in background terminate; do
  D="$W/life-$event"
  printf 'edit partenaires Mairie de Lodève %s\n%s\nkill\n' "$event" "$event" >"$W/$event.events"
  timeout 120 xvfb-run -a -s "-screen 0 1280x1280x24" "$APP" --no-pin --data "$D" --forms "$SRC/assets/forms" \
    --screen form:advice_desk_session --size 800x1280 --lang fr --events "$W/$event.events" 2>"$W/$event.err" ||
    { cat "$W/$event.err"; fail "the app did not end on 'kill' ($event)"; }
  grep -q '^lifecycle: saved' "$W/$event.err" || { cat "$W/$event.err"; fail "no save on $event"; }
  grep -aq "Mairie de Lodève $event" "$D/carnet.db" || fail "typed text not in carnet.db after $event"
  [ ! -s "$D/carnet.db-wal" ] || fail "write-ahead log not checkpointed after $event"
  echo "lifecycle: $event saved the typed text into carnet.db"
done
# 4. PIN: `--pin-stdin` (the PIN on standard input) sets encryption up on a new store and opens it
#    again; a wrong one is refused. Without it the app starts on its PIN screen (keys of 48 dp at
#    least, nothing opened); `--no-pin` refuses an encrypted store with the store's message.
D="$W/pin"
pinrun() {  # pin|""|none out
  local pin=$1 out=$2
  shift 2
  if [ "$pin" = none ]; then
    xrun "$APP" --no-pin --data "$D" --forms "$SRC/assets/forms" --screen home --size 800x1280 --lang fr \
      --screenshot "$W/$out.png" 2>"$W/$out.err" </dev/null
  elif [ -n "$pin" ]; then
    echo "$pin" | xrun "$APP" --pin-stdin --data "$D" --forms "$SRC/assets/forms" --screen home --size 800x1280 \
      --lang fr --screenshot "$W/$out.png" 2>"$W/$out.err"
  else
    xrun "$APP" --data "$D" --forms "$SRC/assets/forms" --screen home --size 800x1280 --lang fr \
      --screenshot "$W/$out.png" --targets "$W/$out.txt" 2>"$W/$out.err" </dev/null
  fi
}
pinrun 135792 pin-setup || { cat "$W/pin-setup.err"; fail "--pin-stdin did not set encryption up"; }
grep -aq '"kdf"\|vault.key' "$D/carnet.db" || fail "no sealed key in carnet.db after --pin-stdin"
if pinrun none pin-none; then fail "an encrypted store opened with --no-pin"; fi
grep -q 'PIN' "$W/pin-none.err" || { cat "$W/pin-none.err"; fail "no word of the PIN when it is missing"; }
if pinrun 000000 pin-wrong; then fail "an encrypted store opened with a wrong PIN"; fi
pinrun "" pin-screen || { cat "$W/pin-screen.err"; fail "the app did not start on its PIN screen"; }
"$CHECK" "$W/pin-screen.png" 800 1280
grep -q '^pin.ok ' "$W/pin-screen.txt" || fail "no PIN keypad on the screen of an encrypted store"
grep -q '^pin.forgot ' "$W/pin-screen.txt" || fail "no 'PIN oublié' on the PIN screen"
min=$(awk 'BEGIN { m = 1e9 } { if ($5 < m) m = $5; if ($4 < m) m = $4 } END { print m }' "$W/pin-screen.txt")
awk -v m="$min" 'BEGIN { exit !(m >= 47.5) }' || fail "a PIN screen target of $min px is under 48 dp"
pinrun 135792 pin-open || { cat "$W/pin-open.err"; fail "the right PIN did not open the store"; }
"$CHECK" "$W/pin-open.png" 800 1280
echo "pin: --pin-stdin sets up and opens an encrypted store; a wrong one is refused; without it, the PIN screen"
# 5. The caret: a focused text field wakes the loop for its caret (twice a second) for 10 s after the
#    last input (GTK's gtk-cursor-blink-timeout), then the caret stays solid and the loop sleeps; never
#    in the background, where nothing is drawn. The app's own script taps the field and reports the
#    loop's wakeups (counts, not times: a 500 ms caret gives about 6 over 3 s, the script's own wait 1).
printf '%s\n' 'wait 1' 'tap input.code_ambassadeur' 'wait 0.5' 'report caret' 'wait 3' 'report caret_end' \
  'wait 7' 'report solid' 'wait 3' 'report solid_end' \
  'background' 'wait 0.5' 'report background' 'wait 3' 'report background_end' 'terminate' >"$W/caret.events"
timeout 120 xvfb-run -a -s "-screen 0 1280x1280x24" "$APP" --no-pin --data "$W/caret" --forms "$SRC/assets/forms" \
  --screen form:door_to_door --size 800x1280 --lang fr --events "$W/caret.events" 2>"$W/caret.err" ||
  { cat "$W/caret.err"; fail "the caret script did not run"; }
if grep -q '^events:' "$W/caret.err"; then cat "$W/caret.err"; fail "the caret script failed"; fi
wakeups() { awk -v a="$1" -v b="$2" '$1 == "report" && $2 == a { x = $8 } $1 == "report" && $2 == b { y = $8 }
  END { print y - x }' "$W/caret.err"; }
caret=$(wakeups caret caret_end)
solid=$(wakeups solid solid_end)
back=$(wakeups background background_end)
[ "$caret" -ge 2 ] || { cat "$W/caret.err"; fail "a focused field woke the loop $caret times in 3 s: no caret"; }
[ "$solid" -le 1 ] ||
  { cat "$W/caret.err"; fail "the caret still woke the loop $solid times in 3 s, 10 s after the last input"; }
[ "$back" -le 1 ] || { cat "$W/caret.err"; fail "the caret woke the loop $back times in 3 s in the background"; }
echo "caret: $caret wakeups in 3 s with a field focused, $solid once its blinking ended, $back in the background"
echo "platform: all checks passed"
