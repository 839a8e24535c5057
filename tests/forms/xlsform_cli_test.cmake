# ctest `forms.xlsform_cli`: `carnet-forms import-xlsform` as a coordinator runs it on real workbooks.
#   cmake -DCLI=carnet-forms -DSRC=source/dir -DWORK=scratch/dir -DPYTHON=python3 -P xlsform_cli_test.cmake
# Fails with FATAL_ERROR on the first mismatch.
cmake_minimum_required(VERSION 3.25)

foreach(var CLI SRC WORK PYTHON)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "xlsform_cli_test.cmake needs -D${var}=...")
  endif()
endforeach()

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

function(run_cli prefix)
  execute_process(COMMAND "${CLI}" ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
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

set(enquete "${SRC}/assets/xlsform/enquete_mobilite.xlsx")
set(broken "${SRC}/tests/forms/xlsform/broken.xlsx")

# ------------------------------------------------------------------ the committed workbooks are reproducible

execute_process(COMMAND "${PYTHON}" "${SRC}/scripts/make-xlsform-samples.py" --out "${WORK}/generated"
  RESULT_VARIABLE gen_rc OUTPUT_VARIABLE gen_out ERROR_VARIABLE gen_err)
expect_rc("sample generator" "${gen_rc}" 0 "${gen_out}${gen_err}")
foreach(rel assets/xlsform/enquete_mobilite.xlsx tests/forms/xlsform/odk_cascading.xlsx
            tests/forms/xlsform/kobo_household.xlsx tests/forms/xlsform/broken.xlsx)
  file(SHA256 "${SRC}/${rel}" committed)
  file(SHA256 "${WORK}/generated/${rel}" regenerated)
  if(NOT committed STREQUAL regenerated)
    message(FATAL_ERROR "${rel} differs from what scripts/make-xlsform-samples.py writes: run the script")
  endif()
endforeach()

# ------------------------------------------------------------------ import -o, then check the result

run_cli(import --lang en import-xlsform "${enquete}" -o "${WORK}/enquete.json")
expect_rc("import -o" "${import_rc}" 0 "${import_out}${import_err}")
expect_contains("import -o" "${import_out}"
  "enquete_mobilite.xlsx: form 'enquete_mobilite' imported into ${WORK}/enquete.json (15 questions, warnings: 0)")
# Warnings go to stderr, at their cell: the Kobo export's $kuid columns.
set(kobo "${SRC}/tests/forms/xlsform/kobo_household.xlsx")
run_cli(kobo --lang en import-xlsform "${kobo}" -o "${WORK}/kobo.json")
expect_rc("import -o (Kobo)" "${kobo_rc}" 0 "${kobo_out}${kobo_err}")
expect_contains("import -o (Kobo)" "${kobo_out}" "warnings: 2)")
expect_contains("import -o (Kobo)" "${kobo_err}"
  "kobo_household.xlsx: survey, row 1, column O ($kuid): warning: column '$kuid' is not supported by Carnet")
run_cli(check --lang en check "${WORK}/enquete.json")
expect_rc("check on the imported form" "${check_rc}" 0 "${check_out}${check_err}")
expect_contains("check on the imported form" "${check_out}" "enquete.json: valid form (15 questions)")
file(READ "${WORK}/enquete.json" written)
string(JSON first_page GET "${written}" pages 0 name)
if(NOT first_page STREQUAL "p_logement")
  message(FATAL_ERROR "import -o: first page is '${first_page}', expected p_logement")
endif()

# Without -o the form goes to stdout, the messages to stderr (in French by default).
run_cli(stdout --lang fr import-xlsform "${enquete}")
expect_rc("import to stdout" "${stdout_rc}" 0 "${stdout_out}${stdout_err}")
string(JSON stdout_id ERROR_VARIABLE json_error GET "${stdout_out}" id)
if(json_error OR NOT stdout_id STREQUAL "enquete_mobilite")
  message(FATAL_ERROR "import to stdout: not the form JSON (${json_error})\n${stdout_out}")
endif()
run_cli(kobo_fr --lang fr import-xlsform "${kobo}")
expect_rc("import to stdout (Kobo)" "${kobo_fr_rc}" 0 "${kobo_fr_out}${kobo_fr_err}")
expect_contains("import to stdout (Kobo)" "${kobo_fr_err}"
  "kobo_household.xlsx : survey, ligne 1, colonne O ($kuid) : avertissement : colonne « $kuid » non prise en charge")

# ------------------------------------------------------------------ errors: every one at its cell, no output

file(WRITE "${WORK}/keep.json" "{\"kept\": true}\n")
run_cli(bad --lang en import-xlsform "${broken}" -o "${WORK}/keep.json")
expect_rc("import of a broken workbook" "${bad_rc}" 1 "${bad_out}${bad_err}")
expect_contains("broken" "${bad_err}" "broken.xlsx: survey, row 2, column A (type): error: 'begin_group' is never closed by 'end_group'")
expect_contains("broken" "${bad_err}" "broken.xlsx: survey, row 3, column A (type): error: unknown type 'textarea'")
expect_contains("broken" "${bad_err}"
  "broken.xlsx: survey, row 4, column A (type): error: choice list 'pays' is not in the choices sheet")
expect_contains("broken" "${bad_err}"
  "broken.xlsx: survey, row 6, column B (name): error: duplicate name 'age' (already used on row 5)")
file(READ "${WORK}/keep.json" kept)
if(NOT kept STREQUAL "{\"kept\": true}\n")
  message(FATAL_ERROR "a failed import overwrote the output file:\n${kept}")
endif()

run_cli(bad_fr --lang fr import-xlsform "${broken}")
expect_rc("broken, in French" "${bad_fr_rc}" 1 "${bad_fr_out}${bad_fr_err}")
expect_contains("broken, in French" "${bad_fr_err}"
  "broken.xlsx : survey, ligne 3, colonne A (type) : erreur : type inconnu « textarea »")
if(NOT bad_fr_out STREQUAL "")
  message(FATAL_ERROR "broken, in French: nothing should go to stdout\n${bad_fr_out}")
endif()

# Not a workbook, and no file at all.
run_cli(notzip --lang en import-xlsform "${SRC}/assets/forms/door_to_door.json")
expect_rc("import of a JSON file" "${notzip_rc}" 1 "${notzip_out}${notzip_err}")
expect_contains("import of a JSON file" "${notzip_err}" "door_to_door.json: error: this file is not a readable .xlsx workbook")
run_cli(missing --lang en import-xlsform "${WORK}/nope.xlsx")
expect_rc("import of a missing file" "${missing_rc}" 1 "${missing_out}${missing_err}")
expect_contains("import of a missing file" "${missing_err}" "nope.xlsx: cannot read the file")

run_cli(usage --lang en import-xlsform)
expect_rc("import without a file" "${usage_rc}" 2 "${usage_out}${usage_err}")
expect_contains("import without a file" "${usage_err}" "import-xlsform FILE.xlsx [-o FORM.json]")

# ------------------------------------------------------------------ a bundle: the form and its media files
# A real workbook of the corpus (search('fruits') reads fruits.csv), copied to the scratch folder with a
# CSV written beside it: the import writes the manifest and copies the file beside the form; check
# verifies it. The corpus is read from ../shared (never copied into the repository).
set(corpus "${SRC}/../shared/xlsform-corpus/pyx_search_and_select.xlsx")
if(EXISTS "${corpus}")
  file(MAKE_DIRECTORY "${WORK}/bundle_src" "${WORK}/bundle_out")
  file(COPY "${corpus}" DESTINATION "${WORK}/bundle_src")
  set(workbook "${WORK}/bundle_src/pyx_search_and_select.xlsx")
  run_cli(nomedia --lang en import-xlsform "${workbook}" -o "${WORK}/bundle_out/fruits.json")
  expect_rc("import without its CSV" "${nomedia_rc}" 1 "${nomedia_out}${nomedia_err}")
  expect_contains("import without its CSV" "${nomedia_err}"
    "pyx_search_and_select.xlsx: media file 'fruits.csv' is missing: it must be beside the form")
  if(EXISTS "${WORK}/bundle_out/fruits.json")
    message(FATAL_ERROR "an import with a missing media file wrote the form")
  endif()
  file(WRITE "${WORK}/bundle_src/fruits.csv" "name_key,name\nmango,Mango\nbanana,Banana\n")
  file(SHA256 "${WORK}/bundle_src/fruits.csv" fruits_sha)
  run_cli(bundle --lang en import-xlsform "${workbook}" -o "${WORK}/bundle_out/fruits.json")
  expect_rc("import of a bundle" "${bundle_rc}" 0 "${bundle_out}${bundle_err}")
  file(READ "${WORK}/bundle_out/fruits.json" bundled)
  string(JSON media_file GET "${bundled}" media 0 file)
  string(JSON media_sha GET "${bundled}" media 0 sha256)
  string(JSON media_size GET "${bundled}" media 0 size)
  string(JSON media_type GET "${bundled}" media 0 type)
  if(NOT media_file STREQUAL "fruits.csv" OR NOT media_sha STREQUAL fruits_sha OR NOT media_size EQUAL 40
     OR NOT media_type STREQUAL "csv")
    message(FATAL_ERROR "the bundle's manifest is wrong:\n${bundled}")
  endif()
  file(SHA256 "${WORK}/bundle_out/fruits.csv" copied_sha)
  if(NOT copied_sha STREQUAL fruits_sha)
    message(FATAL_ERROR "the media file was not copied beside the form")
  endif()
  run_cli(bundle_check --lang en check "${WORK}/bundle_out/fruits.json")
  expect_rc("check of the bundle" "${bundle_check_rc}" 0 "${bundle_check_out}${bundle_check_err}")
  # A media file changed after the import: check names it.
  file(APPEND "${WORK}/bundle_out/fruits.csv" "kiwi,Kiwi\n")
  run_cli(tampered --lang en check "${WORK}/bundle_out/fruits.json")
  expect_rc("check of a changed media file" "${tampered_rc}" 1 "${tampered_out}${tampered_err}")
  expect_contains("check of a changed media file" "${tampered_out}"
    "fruits.json: media file 'fruits.csv' does not match the form's manifest (sha256 ${fruits_sha} expected")
  file(REMOVE "${WORK}/bundle_out/fruits.csv")
  run_cli(gone --lang en check "${WORK}/bundle_out/fruits.json")
  expect_rc("check without its media file" "${gone_rc}" 1 "${gone_out}${gone_err}")
  expect_contains("check without its media file" "${gone_out}" "fruits.json: media file 'fruits.csv' is missing")
else()
  message(STATUS "no corpus at ${corpus}: the bundle checks are skipped")
endif()

message(STATUS "carnet-forms import-xlsform: all checks passed")
