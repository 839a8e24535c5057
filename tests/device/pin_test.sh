#!/usr/bin/env bash
# carnet-device with a PIN (docs/security.md): the PIN on standard input sets encryption up, a wrong or
# missing PIN is refused, `pin change` keeps the data, and `reset` says what is lost before deleting.
set -euo pipefail
BIN=$1
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
export CARNET_PIN_KDF=fastest # key derivation cost: tests only
D=("$BIN" --data "$W/data" --lang en)
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_fail() { if "$@" >"$W/out" 2>"$W/err"; then fail "should have failed: $*"; fi; }

cat >"$W/contact.json" <<'JSON'
{"id": "contact", "version": "1", "title": "Contact", "default_language": "fr", "languages": ["fr"],
 "pages": [{"type": "page", "name": "p", "label": "P", "children": [
   {"type": "text", "name": "nom", "label": "Nom", "personal": true},
   {"type": "integer", "name": "personnes", "label": "Personnes"}]}]}
JSON

echo 246810 | "${D[@]}" --pin-stdin forms add "$W/contact.json" | grep -q installed || fail "install"
id=$(echo 246810 | "${D[@]}" --pin-stdin new contact)
echo 246810 | "${D[@]}" --pin-stdin set "$id" nom "Brizard-Oudinot" >/dev/null
echo 246810 | "${D[@]}" --pin-stdin set "$id" personnes 3 >/dev/null
if grep -rqa "Brizard-Oudinot" "$W/data"; then fail "the name is in clear on disk"; fi

# No PIN, or a wrong one: refused, with a message naming the need.
expect_fail "${D[@]}" get "$id"
grep -q "PIN" "$W/err" || fail "no PIN: $(cat "$W/err")"
expect_fail env CARNET_PIN=999999 "${D[@]}" get "$id"
grep -qx "wrong PIN" "$W/err" || fail "wrong PIN: $(cat "$W/err")"
CARNET_PIN=246810 "${D[@]}" get "$id" | grep -q '"nom":"Brizard-Oudinot"' || fail "get with the PIN"

# pin change: the new PIN on the next line; the data stays, the old PIN no longer opens.
printf '246810\nnouveau-42\n' | "${D[@]}" --pin-stdin pin change | grep -qx "PIN changed" || fail "pin change"
expect_fail env CARNET_PIN=246810 "${D[@]}" get "$id"
CARNET_PIN=nouveau-42 "${D[@]}" get "$id" | grep -q '"personnes":3' || fail "data after pin change"

# reset: without --confirm it only warns, with the count of unsynced changes (the record's creation
# and its two answers, not sent yet, are one outbox entry); then it deletes.
expect_fail "${D[@]}" reset
grep -q "1 change(s) not synced will be lost" "$W/err" || fail "reset warning: $(cat "$W/err")"
[ -f "$W/data/carnet.db" ] || fail "reset without --confirm deleted the store"
"${D[@]}" reset --confirm | grep -q "device reset" || fail "reset"
[ ! -e "$W/data/carnet.db" ] || fail "the store survived the reset"
echo 135790 | "${D[@]}" --pin-stdin forms list >/dev/null || fail "a new PIN after the reset"
echo "device pin: ok"
