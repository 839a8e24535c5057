#include "server/schema.hpp"

#include <array>

namespace carnet::server {

namespace {

// ---- SQLite ----------------------------------------------------------------------------------------

constexpr std::string_view kSqliteV1 = R"sql(
CREATE TABLE orgs(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, role TEXT NOT NULL,
                   org_id INTEGER NOT NULL REFERENCES orgs(id), password_hash TEXT NOT NULL);
CREATE TABLE tokens(token_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
                    created_at TEXT NOT NULL, revoked_at TEXT);
CREATE TABLE devices(device_id TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
                     name TEXT NOT NULL, registered_at TEXT NOT NULL);
CREATE TABLE forms(seq INTEGER PRIMARY KEY, form_id TEXT NOT NULL, version TEXT NOT NULL, hash TEXT NOT NULL,
                   body TEXT NOT NULL, published_at TEXT NOT NULL, UNIQUE(form_id, version));
CREATE TABLE counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO counters VALUES ('change_seq', 0);
CREATE TABLE records(record_id TEXT PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs(id),
                     created_by INTEGER NOT NULL REFERENCES users(id), assigned_to INTEGER REFERENCES users(id),
                     kind TEXT NOT NULL, form_id TEXT NOT NULL, form_version TEXT NOT NULL, status TEXT NOT NULL,
                     author TEXT NOT NULL, version INTEGER NOT NULL, change_seq INTEGER NOT NULL UNIQUE,
                     answers TEXT NOT NULL);
CREATE INDEX records_org_seq ON records(org_id, change_seq);
CREATE TABLE record_fields(record_id TEXT NOT NULL REFERENCES records(record_id), field TEXT NOT NULL,
                           value TEXT NOT NULL, version INTEGER NOT NULL, device_id TEXT NOT NULL,
                           PRIMARY KEY(record_id, field)) WITHOUT ROWID;
CREATE TABLE record_versions(record_id TEXT NOT NULL REFERENCES records(record_id), version INTEGER NOT NULL,
                             status TEXT NOT NULL, form_version TEXT NOT NULL, device_id TEXT NOT NULL,
                             user_name TEXT NOT NULL, answers TEXT NOT NULL, changed TEXT NOT NULL,
                             created_at TEXT NOT NULL, PRIMARY KEY(record_id, version)) WITHOUT ROWID;
CREATE TABLE applied(device_id TEXT NOT NULL, seq INTEGER NOT NULL, result TEXT NOT NULL,
                     PRIMARY KEY(device_id, seq)) WITHOUT ROWID;
CREATE TABLE conflicts(id INTEGER PRIMARY KEY, record_id TEXT NOT NULL REFERENCES records(record_id),
                       field TEXT NOT NULL, opened_version INTEGER NOT NULL, resolved_version INTEGER);
CREATE UNIQUE INDEX conflicts_open ON conflicts(record_id, field) WHERE resolved_version IS NULL;
CREATE TABLE conflict_values(conflict_id INTEGER NOT NULL REFERENCES conflicts(id), value TEXT NOT NULL,
                             device_id TEXT NOT NULL, version INTEGER NOT NULL);
CREATE INDEX conflict_values_by_conflict ON conflict_values(conflict_id);
)sql";

// Version 2: deletion and personal-data erasure (docs/sync-protocol.md, "Deletion and erasure").
constexpr std::string_view kSqliteV2 = R"sql(
ALTER TABLE records ADD COLUMN erased TEXT NOT NULL DEFAULT '[]';
)sql";

// Version 3: what devices report on sync (console), and record lists by form and date.
constexpr std::string_view kSqliteV3 = R"sql(
ALTER TABLE devices ADD COLUMN last_seen TEXT;
ALTER TABLE devices ADD COLUMN last_sync TEXT;
ALTER TABLE devices ADD COLUMN pending INTEGER;
ALTER TABLE devices ADD COLUMN drafts_behind INTEGER;
CREATE INDEX records_org_form_seq ON records(org_id, form_id, change_seq);
)sql";

// Version 4: a new record's own fields get no `record_fields` row; their metadata is implied
// (version 1, this device, the current value) until a later version writes them (docs/sync-protocol.md,
// "Server storage"). Records stored before keep a row per field and a null `created_device`.
constexpr std::string_view kSqliteV4 = R"sql(
ALTER TABLE records ADD COLUMN created_device TEXT;
)sql";

// Version 5: the device that already holds a record's current version (its own clean write), which
// a pull by that device skips instead of sending its own records back (docs/sync-protocol.md, "Pull").
constexpr std::string_view kSqliteV5 = R"sql(
ALTER TABLE records ADD COLUMN echo_device TEXT;
)sql";

// Version 6: a record's current version lives in `records` alone, its history metadata in the
// `version_*` columns (`version_changed` null: every answer of a new record, listed when read);
// `record_versions` keeps only the versions it superseded, each moved there by the write that
// supersedes it. A new record is then written once instead of twice (docs/sync-protocol.md, "Server
// storage"; docs/performance.md, "Sync").
constexpr std::string_view kSqliteV6 = R"sql(
ALTER TABLE records ADD COLUMN version_device TEXT;
ALTER TABLE records ADD COLUMN version_user TEXT;
ALTER TABLE records ADD COLUMN version_changed TEXT;
ALTER TABLE records ADD COLUMN version_at TEXT;
UPDATE records SET (version_device, version_user, version_changed, version_at) =
    (SELECT v.device_id, v.user_name, v.changed, v.created_at FROM record_versions v
     WHERE v.record_id = records.record_id AND v.version = records.version);
DELETE FROM record_versions WHERE EXISTS (SELECT 1 FROM records r
    WHERE r.record_id = record_versions.record_id AND r.version = record_versions.version);
)sql";

// Version 7: the results a push stored for exactly-once go in one row per request (the mutations it
// applied, a JSON array), not one row per mutation: a retried request finds them by seq range.
constexpr std::string_view kSqliteV7 = R"sql(
CREATE TABLE applied_batches(id INTEGER PRIMARY KEY, device_id TEXT NOT NULL, first_seq INTEGER NOT NULL,
                             last_seq INTEGER NOT NULL, results TEXT NOT NULL);
CREATE UNIQUE INDEX applied_batches_by_device ON applied_batches(device_id, last_seq);
INSERT INTO applied_batches(device_id, first_seq, last_seq, results)
    SELECT device_id, seq, seq, '[' || result || ']' FROM applied ORDER BY device_id, seq;
DROP TABLE applied;
)sql";

// Version 8: forms belong to an organisation (org_id 0: shared with every organisation, as every
// form published before was); (form id, version) is unique per owner (docs/security.md).
constexpr std::string_view kSqliteV8 = R"sql(
CREATE TABLE forms_v8(seq INTEGER PRIMARY KEY, org_id INTEGER NOT NULL DEFAULT 0, form_id TEXT NOT NULL,
                      version TEXT NOT NULL, hash TEXT NOT NULL, body TEXT NOT NULL, published_at TEXT NOT NULL,
                      UNIQUE(org_id, form_id, version));
INSERT INTO forms_v8(seq, org_id, form_id, version, hash, body, published_at)
    SELECT seq, 0, form_id, version, hash, body, published_at FROM forms;
DROP TABLE forms;
ALTER TABLE forms_v8 RENAME TO forms;
CREATE INDEX forms_by_id ON forms(form_id, version);
)sql";

// Version 9: tokens expire when left idle and after a lifetime (docs/security.md, "Accounts"); a
// token's last use (to within the touch interval; none yet: its creation) lives in a table of its own.
constexpr std::string_view kSqliteV9 = R"sql(
CREATE TABLE IF NOT EXISTS token_uses(token_hash TEXT PRIMARY KEY, last_used_at TEXT NOT NULL) WITHOUT ROWID;
)sql";

// Version 10: the links a push's call-task routing follows, read through indexes instead of every
// record of the organisation: a person's consents, and the duplicates merged into a person. Partial
// (one form each), so that the other records' writes pay nothing for them.
constexpr std::string_view kSqliteV10 = R"sql(
CREATE INDEX IF NOT EXISTS records_consents_by_person ON records(org_id, json_extract(answers, '$.person_id'))
    WHERE form_id = 'consent';
CREATE INDEX IF NOT EXISTS records_people_by_merged ON records(org_id, json_extract(answers, '$.fusionne_dans'))
    WHERE form_id = 'person';
)sql";

// Version 11: a walk list's buildings and dwellings, assigned with it in one transaction.
constexpr std::string_view kSqliteV11 = R"sql(
CREATE INDEX IF NOT EXISTS records_buildings_by_walk_list ON records(org_id, json_extract(answers, '$.walk_list_id'))
    WHERE form_id = 'building';
CREATE INDEX IF NOT EXISTS records_dwellings_by_walk_list ON records(org_id, json_extract(answers, '$.walk_list_id'))
    WHERE form_id = 'dwelling';
)sql";

// ---- PostgreSQL: the same versions (docs/architecture.md, "PostgreSQL") ------------------------------
// Types: INTEGER PRIMARY KEY -> BIGINT identity; JSON stays TEXT (a record pushed as canonical text
// keeps that text); conflict_values has an explicit id where SQLite orders by rowid. Version 1 also
// creates what SQLite has in C++: carnet_fold (foldText, for record search) as a SQL function, and the
// sequence of the placeholders a write transaction's records carry until its change sequences are
// assigned at commit (PostgresRepository). Version 6 is the same text on both.

constexpr std::string_view kPostgresV1 = R"sql(
CREATE TABLE orgs(id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE users(id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name TEXT NOT NULL UNIQUE,
                   role TEXT NOT NULL, org_id BIGINT NOT NULL REFERENCES orgs(id), password_hash TEXT NOT NULL);
CREATE TABLE tokens(token_hash TEXT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id),
                    created_at TEXT NOT NULL, revoked_at TEXT);
CREATE TABLE devices(device_id TEXT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id),
                     name TEXT NOT NULL, registered_at TEXT NOT NULL);
CREATE TABLE forms(seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, form_id TEXT NOT NULL,
                   version TEXT NOT NULL, hash TEXT NOT NULL, body TEXT NOT NULL, published_at TEXT NOT NULL,
                   CONSTRAINT forms_id_version UNIQUE(form_id, version));
CREATE TABLE counters(name TEXT PRIMARY KEY, value BIGINT NOT NULL);
INSERT INTO counters VALUES ('change_seq', 0);
CREATE TABLE records(record_id TEXT PRIMARY KEY, org_id BIGINT NOT NULL REFERENCES orgs(id),
                     created_by BIGINT NOT NULL REFERENCES users(id), assigned_to BIGINT REFERENCES users(id),
                     kind TEXT NOT NULL, form_id TEXT NOT NULL, form_version TEXT NOT NULL, status TEXT NOT NULL,
                     author TEXT NOT NULL, version BIGINT NOT NULL, change_seq BIGINT NOT NULL UNIQUE,
                     answers TEXT NOT NULL);
CREATE INDEX records_org_seq ON records(org_id, change_seq);
CREATE TABLE record_fields(record_id TEXT NOT NULL REFERENCES records(record_id), field TEXT NOT NULL,
                           value TEXT NOT NULL, version BIGINT NOT NULL, device_id TEXT NOT NULL,
                           PRIMARY KEY(record_id, field));
CREATE TABLE record_versions(record_id TEXT NOT NULL REFERENCES records(record_id), version BIGINT NOT NULL,
                             status TEXT NOT NULL, form_version TEXT NOT NULL, device_id TEXT NOT NULL,
                             user_name TEXT NOT NULL, answers TEXT NOT NULL, changed TEXT NOT NULL,
                             created_at TEXT NOT NULL, PRIMARY KEY(record_id, version));
CREATE TABLE applied(device_id TEXT NOT NULL, seq BIGINT NOT NULL, result TEXT NOT NULL, PRIMARY KEY(device_id, seq));
CREATE TABLE conflicts(id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                       record_id TEXT NOT NULL REFERENCES records(record_id), field TEXT NOT NULL,
                       opened_version BIGINT NOT NULL, resolved_version BIGINT);
CREATE UNIQUE INDEX conflicts_open ON conflicts(record_id, field) WHERE resolved_version IS NULL;
CREATE TABLE conflict_values(id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                             conflict_id BIGINT NOT NULL REFERENCES conflicts(id), value TEXT NOT NULL,
                             device_id TEXT NOT NULL, version BIGINT NOT NULL);
CREATE INDEX conflict_values_by_conflict ON conflict_values(conflict_id);
CREATE SEQUENCE change_placeholders;
CREATE FUNCTION carnet_fold(t TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fold$
    SELECT btrim(regexp_replace(translate(
        replace(replace(replace(replace(lower(t COLLATE "C"), 'œ', 'oe'), 'æ', 'ae'), 'Œ', 'oe'), 'Æ', 'ae'),
        'àâäáçéèêëîïíôöóùûüúÿñÀÂÇÉÈÊËÎÏÔÖÙÛÜ’-''.' || chr(9),
        'aaaaceeeeiiiooouuuuynaaceeeeiioouuu     '), ' {2,}', ' ', 'g'), ' ');
$fold$;
)sql";

constexpr std::string_view kPostgresV2 = R"sql(
ALTER TABLE records ADD COLUMN erased TEXT NOT NULL DEFAULT '[]';
)sql";

constexpr std::string_view kPostgresV3 = R"sql(
ALTER TABLE devices ADD COLUMN last_seen TEXT;
ALTER TABLE devices ADD COLUMN last_sync TEXT;
ALTER TABLE devices ADD COLUMN pending BIGINT;
ALTER TABLE devices ADD COLUMN drafts_behind BIGINT;
CREATE INDEX records_org_form_seq ON records(org_id, form_id, change_seq);
)sql";

constexpr std::string_view kPostgresV4 = R"sql(
ALTER TABLE records ADD COLUMN created_device TEXT;
)sql";

constexpr std::string_view kPostgresV5 = R"sql(
ALTER TABLE records ADD COLUMN echo_device TEXT;
)sql";

constexpr std::string_view kPostgresV7 = R"sql(
CREATE TABLE applied_batches(id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, device_id TEXT NOT NULL,
                             first_seq BIGINT NOT NULL, last_seq BIGINT NOT NULL, results TEXT NOT NULL);
CREATE UNIQUE INDEX applied_batches_by_device ON applied_batches(device_id, last_seq);
INSERT INTO applied_batches(device_id, first_seq, last_seq, results)
    SELECT device_id, seq, seq, '[' || result || ']' FROM applied ORDER BY device_id, seq;
DROP TABLE applied;
)sql";

constexpr std::string_view kPostgresV8 = R"sql(
ALTER TABLE forms ADD COLUMN org_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE forms DROP CONSTRAINT forms_id_version;
ALTER TABLE forms ADD CONSTRAINT forms_org_id_version UNIQUE(org_id, form_id, version);
CREATE INDEX forms_by_id ON forms(form_id, version);
)sql";

constexpr std::string_view kPostgresV9 = R"sql(
CREATE TABLE IF NOT EXISTS token_uses(token_hash TEXT PRIMARY KEY, last_used_at TEXT NOT NULL);
)sql";

constexpr std::string_view kPostgresV10 = R"sql(
CREATE INDEX IF NOT EXISTS records_consents_by_person ON records(org_id, ((answers::jsonb) ->> 'person_id'))
    WHERE form_id = 'consent';
CREATE INDEX IF NOT EXISTS records_people_by_merged ON records(org_id, ((answers::jsonb) ->> 'fusionne_dans'))
    WHERE form_id = 'person';
)sql";

// Version 12: accounts and devices managed from the console (docs/console.md): a user deactivated or
// given a temporary password, a device's app version and its revocation, and a user's tokens found by
// user (revoked together, last activity).
constexpr std::string_view kSqliteV12 = R"sql(
ALTER TABLE users ADD COLUMN disabled_at TEXT;
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN app_version TEXT;
ALTER TABLE devices ADD COLUMN revoked_at TEXT;
CREATE INDEX IF NOT EXISTS tokens_by_user ON tokens(user_id);
)sql";

constexpr std::string_view kPostgresV12 = R"sql(
ALTER TABLE users ADD COLUMN disabled_at TEXT;
ALTER TABLE users ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN app_version TEXT;
ALTER TABLE devices ADD COLUMN revoked_at TEXT;
CREATE INDEX IF NOT EXISTS tokens_by_user ON tokens(user_id);
)sql";

constexpr std::string_view kPostgresV11 = R"sql(
CREATE INDEX IF NOT EXISTS records_buildings_by_walk_list ON records(org_id, ((answers::jsonb) ->> 'walk_list_id'))
    WHERE form_id = 'building';
CREATE INDEX IF NOT EXISTS records_dwellings_by_walk_list ON records(org_id, ((answers::jsonb) ->> 'walk_list_id'))
    WHERE form_id = 'dwelling';
)sql";

// Version 13: the record search index (docs/console.md, `q=`). SQLite: an FTS5 table whose rowid is a
// stable number per record (record_search_ids: a records rowid may change in a VACUUM), refreshed by
// the write transaction that saves a version (sqliteSearchIndex). PostgreSQL: a GIN index over the same
// text as a 'simple' tsvector, kept by PostgreSQL itself. Both index the answers' text values only
// (not the field names), folded by carnet_fold, a phone number also as its digits alone. Written to run
// again on a database whose version was set back (tests that replay older migrations).
constexpr std::string_view kSqliteV13Tables = R"sql(
CREATE TABLE IF NOT EXISTS record_search_ids(id INTEGER PRIMARY KEY, record_id TEXT NOT NULL UNIQUE);
CREATE VIRTUAL TABLE IF NOT EXISTS record_search USING fts5(body, tokenize = 'unicode61 remove_diacritics 2');
DELETE FROM record_search;
)sql";

// A record's searchable text, from `r.answers`.
constexpr std::string_view kSqliteSearchBody =
    "(SELECT carnet_fold(group_concat(CASE WHEN length(j.value) >= 6 AND j.value NOT GLOB '*[^0-9 .+()-]*' "
    "THEN j.value || ' ' || replace(replace(replace(replace(replace(replace(j.value, ' ', ''), '.', ''), '+', ''), "
    "'(', ''), ')', ''), '-', '') ELSE j.value END, ' ')) FROM json_tree(r.answers) j WHERE j.type = 'text')";

std::string sqliteSearchStatements(std::string_view which) {
    const SqliteSearchIndex s = sqliteSearchIndex(which);
    return s.ids + ";\n" + s.remove + ";\n" + s.insert + ";\n";
}

const std::string kSqliteV13 = std::string(kSqliteV13Tables) + sqliteSearchStatements("");

constexpr std::string_view kPostgresV13 = R"sql(
CREATE OR REPLACE FUNCTION carnet_search_text(answers TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE STRICT
PARALLEL SAFE SET search_path FROM CURRENT AS $search$
    SELECT regexp_replace(coalesce(carnet_fold(string_agg(CASE WHEN v #>> '{}' ~ '^[0-9 .+()-]{6,}$'
        THEN (v #>> '{}') || ' ' || regexp_replace(v #>> '{}', '[^0-9]', '', 'g') ELSE v #>> '{}' END, ' ')), ''),
        '[[:punct:][:space:]]+', ' ', 'g')
    FROM jsonb_path_query(answers::jsonb, 'strict $.**') AS v WHERE jsonb_typeof(v) = 'string';
$search$;
CREATE INDEX IF NOT EXISTS records_search ON records USING gin (to_tsvector('simple', carnet_search_text(answers)));
)sql";

// Version 14: coordinators' reviews of records (docs/console.md, "Review"): each review kept, the latest
// being the record's state; its comment is the coordinator's text, not an answer (never synced).
constexpr std::string_view kSqliteV14 = R"sql(
CREATE TABLE IF NOT EXISTS record_reviews(id INTEGER PRIMARY KEY, record_id TEXT NOT NULL REFERENCES records(record_id),
                                          state TEXT NOT NULL, comment TEXT NOT NULL, user_name TEXT NOT NULL,
                                          version INTEGER NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS record_reviews_by_record ON record_reviews(record_id, id);
)sql";

constexpr std::string_view kPostgresV14 = R"sql(
CREATE TABLE IF NOT EXISTS record_reviews(id BIGSERIAL PRIMARY KEY, record_id TEXT NOT NULL REFERENCES records(record_id),
                                          state TEXT NOT NULL, comment TEXT NOT NULL, user_name TEXT NOT NULL,
                                          version BIGINT NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS record_reviews_by_record ON record_reviews(record_id, id);
)sql";

// Version 15: draft form versions (docs/console.md, "Draft versions"): a JSON array of the device ids
// that receive the version in their pulls before it is published; NULL for a published version.
// SQLite rebuilds the (small) table rather than ALTER TABLE ADD COLUMN, which cannot be run twice: tests
// set the version of a database back and replay the migrations after it.
constexpr std::string_view kSqliteV15 = R"sql(
CREATE TABLE forms_v15(seq INTEGER PRIMARY KEY, org_id INTEGER NOT NULL DEFAULT 0, form_id TEXT NOT NULL,
                       version TEXT NOT NULL, hash TEXT NOT NULL, body TEXT NOT NULL, published_at TEXT NOT NULL,
                       draft_devices TEXT, UNIQUE(org_id, form_id, version));
INSERT INTO forms_v15(seq, org_id, form_id, version, hash, body, published_at)
    SELECT seq, org_id, form_id, version, hash, body, published_at FROM forms;
DROP TABLE forms;
ALTER TABLE forms_v15 RENAME TO forms;
CREATE INDEX forms_by_id ON forms(form_id, version);
)sql";

constexpr std::string_view kPostgresV15 = R"sql(
ALTER TABLE forms ADD COLUMN IF NOT EXISTS draft_devices TEXT;
)sql";

// Version 16: each version's time by the device that made it (docs/sync-protocol.md, "Push":
// Mutation::editedAt, the last edit the mutation carries), next to the time the server received it.
// Columns added in place (the records table is large); the tests that rewind the schema drop them first.
constexpr std::string_view kSqliteV16 = R"sql(
ALTER TABLE records ADD COLUMN version_edited_at TEXT;
ALTER TABLE record_versions ADD COLUMN edited_at TEXT NOT NULL DEFAULT '';
)sql";

constexpr std::string_view kPostgresV16 = R"sql(
ALTER TABLE records ADD COLUMN IF NOT EXISTS version_edited_at TEXT;
ALTER TABLE record_versions ADD COLUMN IF NOT EXISTS edited_at TEXT NOT NULL DEFAULT '';
)sql";

const std::array<SchemaVersion, 16> kVersions{{{1, kSqliteV1, kPostgresV1},
                                               {2, kSqliteV2, kPostgresV2},
                                               {3, kSqliteV3, kPostgresV3},
                                               {4, kSqliteV4, kPostgresV4},
                                               {5, kSqliteV5, kPostgresV5},
                                               {6, kSqliteV6, kSqliteV6},
                                               {7, kSqliteV7, kPostgresV7},
                                               {8, kSqliteV8, kPostgresV8},
                                               {9, kSqliteV9, kPostgresV9},
                                               {10, kSqliteV10, kPostgresV10},
                                               {11, kSqliteV11, kPostgresV11},
                                               {12, kSqliteV12, kPostgresV12},
                                               {13, kSqliteV13, kPostgresV13},
                                               {14, kSqliteV14, kPostgresV14},
                                               {15, kSqliteV15, kPostgresV15},
                                               {16, kSqliteV16, kPostgresV16}}};

} // namespace

SqliteSearchIndex sqliteSearchIndex(std::string_view which) {
    const std::string where = which.empty() ? std::string() : " WHERE record_id " + std::string(which);
    const std::string rWhere = which.empty() ? std::string() : " WHERE r.record_id " + std::string(which);
    return SqliteSearchIndex{"INSERT OR IGNORE INTO record_search_ids(record_id) SELECT record_id FROM records" + where,
                             "DELETE FROM record_search WHERE rowid IN (SELECT id FROM record_search_ids" + where + ")",
                             "INSERT INTO record_search(rowid, body) SELECT s.id, " + std::string(kSqliteSearchBody) +
                                 " FROM records r JOIN record_search_ids s ON s.record_id = r.record_id" + rWhere};
}

std::span<const SchemaVersion> schemaVersions() {
    return kVersions;
}

std::span<const Migration> sqliteMigrations() {
    static const auto migrations = [] {
        std::array<Migration, kVersions.size()> out{};
        for (std::size_t i = 0; i < kVersions.size(); ++i)
            out[i] = Migration{kVersions[i].version, kVersions[i].sqlite};
        return out;
    }();
    return migrations;
}

} // namespace carnet::server
