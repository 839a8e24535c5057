# ctest `forms.cli`: runs the carnet-forms CLI as a coordinator would.
#   cmake -DCLI=path/to/carnet-forms -DSRC=source/dir -DWORK=scratch/dir -P cli_test.cmake
# Fails with FATAL_ERROR on the first mismatch.
cmake_minimum_required(VERSION 3.25)

foreach(var CLI SRC WORK)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "cli_test.cmake needs -D${var}=...")
  endif()
endforeach()

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

# Runs the CLI; sets <prefix>_rc, <prefix>_out, <prefix>_err in the caller.
function(run_cli prefix)
  execute_process(COMMAND "${CLI}" ${ARGN}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(${prefix}_rc "${rc}" PARENT_SCOPE)
  set(${prefix}_out "${out}" PARENT_SCOPE)
  set(${prefix}_err "${err}" PARENT_SCOPE)
endfunction()

function(expect_rc what actual expected output)
  if(NOT "${actual}" STREQUAL "${expected}")
    message(FATAL_ERROR "${what}: exit status ${actual}, expected ${expected}\n${output}")
  endif()
endfunction()

function(expect_contains what text needle)
  string(FIND "${text}" "${needle}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${what}: expected to find\n  ${needle}\nin\n${text}")
  endif()
endfunction()

function(expect_json what actual expected)
  string(JSON same ERROR_VARIABLE json_error EQUAL "${actual}" "${expected}")
  if(json_error OR NOT same)
    message(FATAL_ERROR "${what}:\n  expected ${expected}\n  got      ${actual}\n  ${json_error}")
  endif()
endfunction()

# ------------------------------------------------------------------ check: the samples

file(GLOB samples "${SRC}/assets/forms/*.json")
list(LENGTH samples sample_count)
if(sample_count LESS 4)
  message(FATAL_ERROR "expected the sample forms in ${SRC}/assets/forms, found ${sample_count}")
endif()
run_cli(check --lang en check ${samples})
expect_rc("check on the samples" "${check_rc}" 0 "${check_out}${check_err}")
foreach(sample IN LISTS samples)
  expect_contains("check on the samples" "${check_out}" "${sample}: valid form (")
endforeach()

# In French (the default language of the CLI when nothing else is asked).
run_cli(check_fr --lang fr check "${SRC}/assets/forms/door_to_door.json")
expect_rc("check in French" "${check_fr_rc}" 0 "${check_fr_out}${check_fr_err}")
expect_contains("check in French" "${check_fr_out}" "door_to_door.json : formulaire valide (")

# ------------------------------------------------------------------ check: broken files

file(WRITE "${WORK}/broken.json" "{\n  \"id\": \"broken\",\n  \"version\": 1 2\n}\n")
run_cli(broken --lang en check "${WORK}/broken.json")
expect_rc("check on a JSON syntax error" "${broken_rc}" 1 "${broken_out}${broken_err}")
expect_contains("check on a JSON syntax error" "${broken_out}" "${WORK}/broken.json:3:16: JSON syntax error")

file(WRITE "${WORK}/bad_form.json" [=[
{
  "id": "bad_form", "version": "1", "title": {"fr": "Essai", "en": "Test"},
  "default_language": "fr", "languages": ["fr", "en"],
  "pages": [{"type": "page", "name": "p", "label": {"fr": "P", "en": "P"}, "children": [
    {"type": "textarea", "name": "a", "label": {"fr": "A", "en": "A"}},
    {"type": "integer", "name": "b", "label": {"fr": "B", "en": "B"}, "constraint": "count(lenght(.)) > 3"},
    {"type": "text", "name": "b", "label": {"fr": "B", "en": "B"}}
  ]}]
}
]=])
run_cli(bad --lang en check "${SRC}/assets/forms/door_to_door.json" "${WORK}/bad_form.json")
expect_rc("check on a bad form" "${bad_rc}" 1 "${bad_out}${bad_err}")
expect_contains("check on a bad form" "${bad_out}" "door_to_door.json: valid form (")
expect_contains("check on a bad form" "${bad_out}"
  "${WORK}/bad_form.json: /pages/0/children/0/type: unknown question type 'textarea'")
expect_contains("check on a bad form" "${bad_out}"
  "${WORK}/bad_form.json: /pages/0/children/1/constraint: column 7: unknown function 'lenght'")
expect_contains("check on a bad form" "${bad_out}"
  "${WORK}/bad_form.json: /pages/0/children/2/name: duplicate name 'b' (first used at /pages/0/children/1)")

run_cli(missing --lang en check "${WORK}/no_such_form.json")
expect_rc("check on a missing file" "${missing_rc}" 1 "${missing_out}${missing_err}")
expect_contains("check on a missing file" "${missing_out}" "no_such_form.json")

run_cli(usage --lang en)
expect_rc("no command" "${usage_rc}" 2 "${usage_out}${usage_err}")
expect_contains("no command" "${usage_err}" "Usage: carnet-forms")
# --help: the usage on standard output, exit 0 (issue 21).
run_cli(help --lang en --help)
expect_rc("--help" "${help_rc}" 0 "${help_out}${help_err}")
expect_contains("--help" "${help_out}" "Usage: carnet-forms")

# ------------------------------------------------------------------ eval

file(WRITE "${WORK}/form.json" [=[
{
  "id": "cli_eval", "version": "1", "title": {"fr": "Essai", "en": "Test"},
  "default_language": "fr", "languages": ["fr", "en"],
  "pages": [
    {"type": "page", "name": "p1", "label": {"fr": "Personne", "en": "Person"}, "children": [
      {"type": "integer", "name": "age", "label": {"fr": "Âge", "en": "Age"}, "required": true,
       "constraint": ". < 120", "constraint_message": {"fr": "Âge trop élevé.", "en": "Age too high."}},
      {"type": "text", "name": "tuteur", "label": {"fr": "Tuteur", "en": "Guardian"},
       "relevant": "${age} < 18", "required": true},
      {"type": "phone", "name": "tel", "label": {"fr": "Téléphone", "en": "Phone"}},
      {"type": "date", "name": "rdv", "label": {"fr": "Rendez-vous", "en": "Appointment"},
       "constraint": ". >= today()"},
      {"type": "repeat", "name": "enfants", "label": {"fr": "Enfants", "en": "Children"}, "children": [
        {"type": "text", "name": "prenom", "label": {"fr": "Prénom", "en": "First name"}}]},
      {"type": "calculate", "name": "nb_enfants", "calculation": "count(${enfants})"},
      {"type": "note", "name": "merci", "label": {"fr": "Merci !", "en": "Thank you!"}}
    ]},
    {"type": "page", "name": "p2", "label": {"fr": "Adulte", "en": "Adult"}, "relevant": "${age} >= 18",
     "children": [{"type": "select_one", "name": "emploi", "label": {"fr": "Emploi", "en": "Job"},
                   "choices": [{"value": "oui", "label": {"fr": "Oui", "en": "Yes"}},
                               {"value": "non", "label": {"fr": "Non", "en": "No"}}]}]}
  ]
}
]=])

# A minor with a missing guardian, an appointment in the past and a field the form does not know.
file(WRITE "${WORK}/answers.json" [=[
{"age": "15", "tel": "06 12 34 56 78", "rdv": "19/11/2026", "emploi": "oui", "inconnu": 1,
 "enfants": [{"prenom": "Léa"}, {"prenom": "Tom"}]}
]=])
run_cli(eval --lang en eval "${WORK}/form.json" "${WORK}/answers.json" --now 2026-11-20T10:00)
expect_rc("eval" "${eval_rc}" 0 "${eval_out}${eval_err}")
string(JSON eval_keys ERROR_VARIABLE json_error LENGTH "${eval_out}")
if(json_error)
  message(FATAL_ERROR "eval: the output is not JSON: ${json_error}\n${eval_out}")
endif()
if(NOT eval_keys EQUAL 4)
  message(FATAL_ERROR "eval: expected the keys visible, values, errors, complete:\n${eval_out}")
endif()
string(JSON visible GET "${eval_out}" visible)
expect_json("eval: visible" "${visible}"
  [=[["age", "tuteur", "tel", "rdv", "enfants[1]/prenom", "enfants[2]/prenom", "merci"]]=])
string(JSON values GET "${eval_out}" values)
expect_json("eval: values" "${values}" [=[
  {"age": 15, "tel": "+33612345678", "rdv": "2026-11-19",
   "enfants": [{"_id": "n1", "prenom": "Léa"}, {"_id": "n2", "prenom": "Tom"}], "nb_enfants": 2}
]=])
string(JSON errors GET "${eval_out}" errors)
expect_json("eval: errors" "${errors}" [=[
  {"tuteur": "This question is required.", "rdv": "Invalid answer.", "inconnu": "Unknown field: 'inconnu'."}
]=])
string(JSON complete_type TYPE "${eval_out}" complete)
string(JSON complete GET "${eval_out}" complete)
if(NOT complete_type STREQUAL "BOOLEAN" OR complete)
  message(FATAL_ERROR "eval: expected \"complete\": false\n${eval_out}")
endif()

# The same answers in French: the messages follow the language.
run_cli(eval_fr --lang fr eval "${WORK}/form.json" "${WORK}/answers.json" --now 2026-11-20T10:00)
expect_rc("eval in French" "${eval_fr_rc}" 0 "${eval_fr_out}${eval_fr_err}")
string(JSON errors_fr GET "${eval_fr_out}" errors)
expect_json("eval in French: errors" "${errors_fr}" [=[
  {"tuteur": "Cette question est obligatoire.", "rdv": "Réponse non valide.", "inconnu": "Champ inconnu : « inconnu »."}
]=])

# An adult whose answers are all fine: complete, and the adult page shows.
file(WRITE "${WORK}/answers_ok.json" [=[
{"age": 42, "tuteur": "kept in the draft, out of the record", "rdv": "2026-12-01", "emploi": "non"}
]=])
run_cli(eval_ok --lang en eval "${WORK}/form.json" "${WORK}/answers_ok.json" --now 2026-11-20T10:00)
expect_rc("eval, complete answers" "${eval_ok_rc}" 0 "${eval_ok_out}${eval_ok_err}")
string(JSON visible_ok GET "${eval_ok_out}" visible)
expect_json("eval, complete answers: visible" "${visible_ok}" [=[["age", "tel", "rdv", "merci", "emploi"]]=])
string(JSON values_ok GET "${eval_ok_out}" values)
expect_json("eval, complete answers: values" "${values_ok}"
  [=[{"age": 42, "rdv": "2026-12-01", "emploi": "non", "nb_enfants": 0}]=])
string(JSON errors_ok GET "${eval_ok_out}" errors)
expect_json("eval, complete answers: errors" "${errors_ok}" "{}")
string(JSON complete_ok GET "${eval_ok_out}" complete)
if(NOT complete_ok)
  message(FATAL_ERROR "eval, complete answers: expected \"complete\": true\n${eval_ok_out}")
endif()

# Broken inputs to eval: syntax errors are located, a non-object is refused.
file(WRITE "${WORK}/answers_broken.json" "{\"age\": 15,\n \"tel\" \"x\"}\n")
run_cli(eval_broken --lang en eval "${WORK}/form.json" "${WORK}/answers_broken.json")
expect_rc("eval on broken answers" "${eval_broken_rc}" 1 "${eval_broken_out}${eval_broken_err}")
expect_contains("eval on broken answers" "${eval_broken_err}" "${WORK}/answers_broken.json:2:")
file(WRITE "${WORK}/answers_array.json" "[1, 2]")
run_cli(eval_array --lang en eval "${WORK}/form.json" "${WORK}/answers_array.json")
expect_rc("eval on an array" "${eval_array_rc}" 1 "${eval_array_out}${eval_array_err}")
expect_contains("eval on an array" "${eval_array_err}" "answers must be a JSON object")
run_cli(eval_bad_form --lang en eval "${WORK}/broken.json" "${WORK}/answers.json")
expect_rc("eval on a broken form" "${eval_bad_form_rc}" 1 "${eval_bad_form_out}${eval_bad_form_err}")
expect_contains("eval on a broken form" "${eval_bad_form_err}" "${WORK}/broken.json:3:16:")

# ------------------------------------------------------------------ eval with media files
# A form reading fruits.csv: check passes on the form alone; eval reads the CSV beside the form, and
# names it when it is not there.
file(MAKE_DIRECTORY "${WORK}/media")
file(WRITE "${WORK}/media/fruits.json" [=[
{"id": "fruits", "version": "1", "title": "Fruits", "default_language": "en", "languages": ["en"],
 "media": ["fruits.csv"],
 "pages": [{"type": "page", "name": "p", "label": "Fruits", "children": [
   {"type": "select_one", "name": "fruit", "label": "Fruit", "choice_file": {"file": "fruits.csv"}},
   {"type": "calculate", "name": "price", "calculation": "pulldata('fruits', 'price', 'name', ${fruit})"}]}]}
]=])
file(WRITE "${WORK}/media/answers.json" [=[{"fruit": "mango"}]=])
run_cli(check_media --lang en check "${WORK}/media/fruits.json")
expect_rc("check a form with media" "${check_media_rc}" 0 "${check_media_out}${check_media_err}")
run_cli(eval_missing --lang en eval "${WORK}/media/fruits.json" "${WORK}/media/answers.json")
expect_rc("eval without its media" "${eval_missing_rc}" 0 "${eval_missing_out}${eval_missing_err}")
string(JSON missing GET "${eval_missing_out}" missing_media)
expect_json("eval without its media: missing_media" "${missing}" [=[["fruits.csv"]]=])
expect_contains("eval without its media" "${eval_missing_out}" "File 'fruits.csv' is missing")
file(WRITE "${WORK}/media/fruits.csv" "name,label,price\nmango,Mango,2\napple,Apple,1\n")
run_cli(eval_media --lang en eval "${WORK}/media/fruits.json" "${WORK}/media/answers.json")
expect_rc("eval with its media" "${eval_media_rc}" 0 "${eval_media_out}${eval_media_err}")
string(JSON values_media GET "${eval_media_out}" values)
expect_json("eval with its media: values" "${values_media}" [=[{"fruit": "mango", "price": "2"}]=])

message(STATUS "carnet-forms CLI: all checks passed")
