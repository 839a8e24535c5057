#!/usr/bin/env bash
# carnet-device end to end: every command on a real data folder, and the error lines it prints.
set -euo pipefail
BIN=$1
SRC=$2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
D=("$BIN" --data "$W/data" --lang en)
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_fail() { if "$@" >"$W/out" 2>"$W/err"; then fail "should have failed: $*"; fi; }

cat >"$W/visit.json" <<'JSON'
{"id": "visit", "version": "1", "title": {"fr": "Visite", "en": "Visit"}, "default_language": "fr",
 "languages": ["fr", "en"],
 "pages": [{"type": "page", "name": "p", "label": "P", "children": [
   {"type": "select_one", "name": "outcome", "label": "Issue", "required": true,
    "choices": [{"value": "done", "label": "Fait"}, {"value": "absent", "label": "Absent"}]},
   {"type": "integer", "name": "cars", "label": "Voitures", "relevant": "${outcome} = 'done'",
    "constraint": ". < 10", "constraint_message": {"fr": "Moins de 10", "en": "Fewer than 10"}},
   {"type": "phone", "name": "phone", "label": "Téléphone"},
   {"type": "repeat", "name": "members", "label": "Membres",
    "children": [{"type": "text", "name": "first_name", "label": "Prénom"}]}]}]}
JSON

# forms add: samples install; a broken form is refused with the loader's messages, naming the file.
for f in "$SRC"/assets/forms/*.json; do "${D[@]}" forms add "$f" | grep -q "installed" || fail "install $f"; done
"${D[@]}" forms add "$W/visit.json" | grep -q "form 'visit' version '1' installed" || fail "install visit"
"${D[@]}" forms add "$W/visit.json" | grep -q "already installed" || fail "reinstall visit"
sed 's/"integer"/"integr"/' "$W/visit.json" | sed 's/"version": "1"/"version": "2"/' >"$W/bad.json"
expect_fail "${D[@]}" forms add "$W/bad.json"
grep -qx "$W/bad.json: /pages/0/children/1/type: unknown question type 'integr'" "$W/err" || fail "bad form: $(cat "$W/err")"
[ "$("${D[@]}" forms list | wc -l)" -eq "$(( $(ls "$SRC"/assets/forms/*.json | wc -l) + 1 ))" ] || fail "forms list"

# new / set / get
id=$("${D[@]}" --author Awa new visit)
[[ $id =~ ^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]] || fail "uuid: $id"
[ "$("${D[@]}" set "$id" outcome done)" = "saved" ] || fail "set outcome"
[ "$("${D[@]}" set "$id" phone "06 12 34 56 78")" = "saved" ] || fail "set phone"
expect_fail "${D[@]}" set "$id" cars 12
[ "$(cat "$W/err")" = "record $id: field 'cars': Fewer than 10" ] || fail "constraint message: $(cat "$W/err")"
[ ! -s "$W/out" ] || fail "an invalid value printed saved"
expect_fail "${D[@]}" set "$id" cars deux
[ "$(wc -l <"$W/err")" -eq 1 ] || fail "one error line"
grep -q "field 'cars': Enter a whole number." "$W/err" || fail "type message"
[ "$("${D[@]}" add-repeat "$id" members)" = "1" ] || fail "add-repeat"
[ "$("${D[@]}" set "$id" 'members[1]/first_name' 'Zoé')" = "saved" ] || fail "set repeat"
expect_fail "${D[@]}" set "$id" 'members[2]/first_name' 'X'
grep -q "field 'members\[2\]/first_name'" "$W/err" || fail "missing instance: $(cat "$W/err")"
get=$("${D[@]}" get "$id")
echo "$get" | grep -q '"phone":"+33612345678"' || fail "phone normalised: $get"
echo "$get" | grep -q '"members":\[{"_id":"[0-9a-f]\{12\}","first_name":"Zoé"}\]' || fail "repeat stored: $get"
echo "$get" | grep -q '"author":"Awa"' || fail "author: $get"

# French messages by default language flag
expect_fail "$BIN" --data "$W/data" --lang fr set "$id" cars 12
[ "$(cat "$W/err")" = "fiche $id : champ « cars » : Moins de 10" ] || fail "french: $(cat "$W/err")"

# finalize: missing answers are listed, one line each, and nothing changes.
id2=$("${D[@]}" new visit)
expect_fail "${D[@]}" finalize "$id2"
grep -q "record $id2: cannot finalize, 1 problem(s):" "$W/err" || fail "finalize header: $(cat "$W/err")"
grep -qx "record $id2: field 'outcome': This question is required." "$W/err" || fail "finalize line"
[ "$("${D[@]}" finalize "$id")" = "finalized" ] || fail "finalize"
[ "$("${D[@]}" list --status finalized | wc -l)" -eq 1 ] || fail "list finalized"
[ "$("${D[@]}" list --status draft | wc -l)" -eq 1 ] || fail "list drafts"
[ "$("${D[@]}" list | wc -l)" -eq 2 ] || fail "list"
expect_fail "${D[@]}" set "$id" outcome absent
grep -q "already finalized" "$W/err" || fail "finalized is frozen"

# import-answers
printf '{"outcome": "done", "cars": 2, "members": [{"first_name": "Léa"}]}' >"$W/answers.json"
id3=$("${D[@]}" import-answers visit "$W/answers.json")
"${D[@]}" get "$id3" | grep -q '"cars":2' || fail "import"
printf '{"outcome": "done", "cars": 20}' >"$W/answers2.json"
expect_fail "${D[@]}" import-answers visit "$W/answers2.json"
grep -q "field 'cars': Fewer than 10" "$W/err" || fail "import invalid"
printf '{"outcome": "done",\n "cars": }' >"$W/answers3.json"
expect_fail "${D[@]}" import-answers visit "$W/answers3.json"
grep -q "^$W/answers3.json:2:" "$W/err" || fail "import syntax: $(cat "$W/err")"

# outbox: one entry per change, in order.
"${D[@]}" outbox >"$W/outbox"
[ "$(grep -c '"op":"create"' "$W/outbox")" -eq 3 ] || fail "outbox creates"
[ "$(grep -c '"op":"finalize"' "$W/outbox")" -eq 1 ] || fail "outbox finalize"

# attach
printf 'image' >"$W/photo.jpg"
"${D[@]}" attach "$W/photo.jpg" | grep -q '"size":5' || fail "attach"
[ "$("${D[@]}" check)" = "ok" ] || fail "integrity"

# erase: personal fields leave the record and the outbox for good; delete: a tombstone that syncs.
printf '{"outcome": "done", "phone": "06 12 34 56 79", "members": [{"first_name": "Inès"}]}' >"$W/answers4.json"
id4=$("${D[@]}" import-answers visit "$W/answers4.json")
"${D[@]}" outbox | grep -q '+33612345679' || fail "phone queued before the erasure"
[ "$("${D[@]}" erase "$id4" phone members)" = "saved" ] || fail "erase"
get4=$("${D[@]}" get "$id4")
echo "$get4" | grep -q '"erased":\["phone","members"\]' || fail "erased list: $get4"
echo "$get4" | grep -q '"outcome":"done"' || fail "other answers kept: $get4"
if echo "$get4" | grep -q -e '+33612345679' -e 'Inès'; then fail "erased values still in the record: $get4"; fi
"${D[@]}" outbox >"$W/outbox2"
grep -q '"op":"erase"' "$W/outbox2" || fail "erase queued"
if grep -q -e '+33612345679' -e 'Inès' "$W/outbox2"; then fail "erased values still in the outbox"; fi
if grep -a -q '+33612345679' "$W/data/carnet.db"*; then fail "erased phone still in the device file"; fi
expect_fail "${D[@]}" set "$id4" phone "06 12 34 56 70"
grep -q "field 'phone' was erased for good" "$W/err" || fail "erased field refused: $(cat "$W/err")"
expect_fail "${D[@]}" erase "$id4" nickname
[ "$(cat "$W/err")" = "record $id4: 'nickname' is not a top-level question of form 'visit'" ] || fail "erase unknown field: $(cat "$W/err")"
expect_fail "${D[@]}" erase "$id4" 'members[1]/first_name'
grep -q "is not a top-level question" "$W/err" || fail "erase nested path: $(cat "$W/err")"
expect_fail "${D[@]}" erase "$id4"
grep -q "Usage: carnet-device" "$W/err" || fail "erase without a field: $(cat "$W/err")"
expect_fail "${D[@]}" erase nope phone
grep -q "unknown record 'nope'" "$W/err" || fail "erase unknown record: $(cat "$W/err")"
before=$("${D[@]}" list | wc -l)
[ "$("${D[@]}" delete "$id4")" = "saved" ] || fail "delete"
[ "$("${D[@]}" list | wc -l)" -eq "$((before - 1))" ] || fail "deleted record still listed"
"${D[@]}" get "$id4" | grep -q '"deleted":true' || fail "tombstone"
"${D[@]}" outbox | grep -q '"op":"delete"' || fail "delete queued"
expect_fail "${D[@]}" delete nope
grep -q "unknown record 'nope'" "$W/err" || fail "delete unknown record: $(cat "$W/err")"

# Bad data folders: a corrupted file and a foreign file are refused and left as they were.
mkdir -p "$W/corrupt" && head -c 4096 /dev/urandom >"$W/corrupt/carnet.db" && cp "$W/corrupt/carnet.db" "$W/corrupt.orig"
expect_fail "$BIN" --data "$W/corrupt" --lang en list
grep -q "unreadable or damaged database, left untouched" "$W/err" || fail "corrupt: $(cat "$W/err")"
cmp -s "$W/corrupt/carnet.db" "$W/corrupt.orig" || fail "corrupt file was modified"
expect_fail "$BIN" --lang en list
grep -q "Usage: carnet-device" "$W/err" || fail "usage"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
  mkdir -p "$W/ro" && chmod 0555 "$W/ro" && chmod 0755 "$W"
  if setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN" --data "$W/ro" --lang en list >"$W/out" 2>"$W/err"; then
    fail "read-only folder accepted"
  fi
  grep -q "data folder is not writable" "$W/err" || fail "read-only: $(cat "$W/err")"
fi
# --help: the usage on standard output, exit 0 (issue 21), in both languages.
"$BIN" --help --lang en >"$W/out" || fail "--help exit status"
grep -q "^Usage: carnet-device" "$W/out" || fail "--help: $(cat "$W/out")"
"$BIN" --lang fr --help >"$W/out" || fail "--help (fr) exit status"
grep -q "^Utilisation : carnet-device" "$W/out" || fail "--help (fr): $(cat "$W/out")"
echo "device cli: all checks passed"
