// Canonical JSON text (sync/canonical_json.hpp) and the push reader built on it (readCanonicalPush):
// what they take must be exactly what nlohmann::json would make of the same bytes.
#include "sync/canonical_json.hpp"
#include "sync/protocol.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>
#include <random>

using namespace carnet;
using namespace carnet::sync;
using nlohmann::json;

namespace {

std::uint64_t seedFor(const char* test) {
    std::uint64_t seed = 20261126;
    if (const char* env = std::getenv("CARNET_JSON_SEED")) seed = std::strtoull(env, nullptr, 10);
    std::cout << test << ": seed " << seed << " (set CARNET_JSON_SEED to replay)" << std::endl;
    return seed;
}

// A random string mixing what answers hold: ASCII, French text, control characters, quotes and
// backslashes, four-byte characters.
std::string randomString(std::mt19937_64& rng) {
    static const std::vector<std::string> pieces = {"a",  "Z",    " ",    "0",    "é",  "è",  "à",   "ç",
                                                    "œ",  "’",    "…",    "€",    "\"", "\\", "/",   "\n",
                                                    "\t", "\x01", "\x1f", "\x7f", "😀",  "ü",  "nom", "Saint-Étienne"};
    std::string out;
    const int n = static_cast<int>(rng() % 8);
    for (int i = 0; i < n; ++i)
        out += pieces[rng() % pieces.size()];
    return out;
}

json randomValue(std::mt19937_64& rng, int depth) {
    switch (rng() % (depth > 3 ? 6 : 8)) {
    case 0:
        return nullptr;
    case 1:
        return rng() % 2 == 0;
    case 2: { // integers of every size, both signs
        const auto bits = static_cast<int>(rng() % 64);
        const auto v = static_cast<std::int64_t>(rng() >> (63 - bits));
        return rng() % 2 ? v : -v;
    }
    case 3:
        return static_cast<std::uint64_t>(rng());
    case 4: { // doubles: decimals, large and small exponents, integral values
        static const std::vector<double> specials = {0.0, -0.0, 0.1, 1.5, 100.0, 1e300, 2.5e-300, 12.345, -7.0};
        if (rng() % 2) return specials[rng() % specials.size()];
        return std::ldexp(static_cast<double>(rng() % 1000000) - 500000.0, static_cast<int>(rng() % 80) - 40);
    }
    case 5:
        return randomString(rng);
    case 6: {
        json a = json::array();
        const int n = static_cast<int>(rng() % 4);
        for (int i = 0; i < n; ++i)
            a.push_back(randomValue(rng, depth + 1));
        return a;
    }
    default: {
        json o = json::object();
        const int n = static_cast<int>(rng() % 5);
        for (int i = 0; i < n; ++i)
            o[randomString(rng)] = randomValue(rng, depth + 1);
        return o;
    }
    }
}

// Small random edits of a text: a byte changed, inserted or removed.
std::string mutate(std::string text, std::mt19937_64& rng) {
    static const std::string alphabet = "{}[]\":,\\ -+.eE0123456789abfnrtu\x01\x7f\xc3\xa9\xed\xa0\x80\xf4\x90";
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int i = 0; i < edits && !text.empty(); ++i) {
        const std::size_t at = rng() % text.size();
        const char c = alphabet[rng() % alphabet.size()];
        switch (rng() % 3) {
        case 0:
            text[at] = c;
            break;
        case 1:
            text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), c);
            break;
        default:
            text.erase(at, 1);
        }
    }
    return text;
}

// The full reading a server does when readCanonicalPush declines (server/src/routes.cpp).
std::optional<PushRequest> readInFull(std::string_view body) {
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    PushBodyError error;
    return pushRequestFromJson(std::move(j), error);
}

void requireSame(const PushRequest& fast, const PushRequest& full) {
    REQUIRE(fast.deviceId == full.deviceId);
    REQUIRE(fast.pending == full.pending);
    REQUIRE(fast.mutations.size() == full.mutations.size());
    for (std::size_t i = 0; i < fast.mutations.size(); ++i) {
        REQUIRE(full.mutations[i].fieldsText.empty());
        REQUIRE(toJson(fast.mutations[i]) == toJson(full.mutations[i]));
        REQUIRE(fieldsOf(fast.mutations[i]) == fieldsOf(full.mutations[i]));
    }
}

std::string bodyOf(const std::vector<json>& changes, std::string_view op = "create") {
    std::vector<std::string> texts, ids;
    for (std::size_t i = 0; i < changes.size(); ++i) {
        texts.push_back(changes[i].dump());
        ids.push_back("rec-" + std::to_string(i));
    }
    std::vector<PushEntryText> entries;
    for (std::size_t i = 0; i < changes.size(); ++i)
        entries.push_back(PushEntryText{static_cast<std::int64_t>(i + 1), ids[i], 0, op, texts[i],
                                        i % 2 == 1 ? std::string_view("2026-11-23T09:41:07Z") : std::string_view()});
    return pushBody("tablette-01", entries);
}

} // namespace

TEST_CASE("canonical JSON: what the serializer writes is taken whole") {
    std::mt19937_64 rng(seedFor("canonical JSON: what the serializer writes is taken whole"));
    for (const char* text :
         {"{}", "[]", "null", "true", "false", "0", "-1", "18446744073709551615", "-9223372036854775808", "1.5", "-0.0",
          "1e+300", "\"\"", "\"\\u0000\\u001f\\b\\t\"", R"({"a":[1,{"b":null}],"b":"é€’"})"}) {
        INFO(text);
        REQUIRE(json::parse(text).dump() == text); // the cases are canonical themselves
        REQUIRE(canonicalValue(text) == std::string_view(text).size());
    }
    for (int i = 0; i < 5000; ++i) {
        const std::string text = randomValue(rng, 0).dump();
        INFO(text);
        REQUIRE(canonicalValue(text) == text.size());
        // A value followed by more text: only the value is measured.
        REQUIRE(canonicalValue(text + ",\"x\"]") == text.size());
    }
    std::string decoded;
    REQUIRE(canonicalString(R"("l’été\n\"x\"\\")", decoded) == 20);
    REQUIRE(decoded == "l’été\n\"x\"\\");
    std::int64_t n = 0;
    REQUIRE(canonicalCount("120,", n) == 3);
    REQUIRE(n == 120);
}

TEST_CASE("canonical JSON: every other form is refused") {
    for (const char* text : {"",
                             " {}",
                             "{ }",
                             R"({"b":1,"a":2})",
                             R"({"a":1,"a":2})",
                             R"({"a" :1})",
                             "[1, 2]",
                             R"("\/")",
                             R"("\u0041")",
                             R"("\u00e9")",
                             R"("\u001F")",
                             R"("\u000a")",
                             "1E2",
                             "1e2",
                             "1.50",
                             "1.",
                             ".5",
                             "-0",
                             "01",
                             "+1",
                             "18446744073709551616",
                             "-9223372036854775809",
                             "123456789012345678901",
                             "1e400",
                             "nul",
                             "True",
                             "\"\x01\"",
                             "\"\xc0\x80\"",
                             "\"\xed\xa0\x80\"",
                             "\"\xf4\x90\x80\x80\"",
                             "\"\xe9t\xe9\"",
                             "\"abc",
                             "[1,]",
                             R"({"a":})",
                             "{\"a\":1"}) {
        INFO(text);
        REQUIRE(canonicalValue(text) == 0);
    }
    // Nesting beyond the limit is left to the full parser.
    const std::string deep = std::string(kMaxCanonicalDepth + 1, '[') + std::string(kMaxCanonicalDepth + 1, ']');
    REQUIRE(canonicalValue(deep) == 0);
    const std::string allowed = std::string(kMaxCanonicalDepth, '[') + std::string(kMaxCanonicalDepth, ']');
    REQUIRE(canonicalValue(allowed) == allowed.size());
    std::int64_t n = 0;
    for (const char* text : {"-1", "1.5", "1e3", "0123", "1234567890123456789", "x"}) {
        INFO(text);
        REQUIRE(canonicalCount(text, n) == 0);
    }
}

TEST_CASE("canonical JSON: any text taken parses and dumps back to the same bytes") {
    std::mt19937_64 rng(seedFor("canonical JSON: any text taken parses and dumps back to the same bytes"));
    int taken = 0;
    for (int i = 0; i < 20000; ++i) {
        const std::string text = mutate(randomValue(rng, 0).dump(), rng);
        const std::size_t n = canonicalValue(text);
        if (n == 0) continue;
        ++taken;
        const std::string value = text.substr(0, n);
        INFO(value);
        const json parsed = json::parse(value, nullptr, false);
        REQUIRE_FALSE(parsed.is_discarded());
        REQUIRE(parsed.dump() == value);
    }
    REQUIRE(taken > 1000); // the edits leave many texts canonical: the check above ran on them
}

TEST_CASE("canonical JSON: an object's members in order") {
    std::vector<std::pair<std::string, std::string>> seen;
    auto collect = [&](std::string_view key, std::string_view value) {
        seen.emplace_back(key, std::string(value));
        return true;
    };
    REQUIRE(forEachMember(R"({"a":[1,{"x":2}],"b\n":"é","c":null})", collect));
    REQUIRE(seen == std::vector<std::pair<std::string, std::string>>{
                        {"a", R"([1,{"x":2}])"}, {"b\n", R"("é")"}, {"c", "null"}});
    seen.clear();
    REQUIRE(forEachMember("{}", collect));
    REQUIRE(seen.empty());
    REQUIRE(forEachMember(R"({"a\"b":1,"a\\":2})", collect)); // escaped keys compare decoded
    REQUIRE(seen.size() == 2);
    REQUIRE(seen[0].first == "a\"b");
    for (const char* refused : {R"({"b":1,"a":2})", R"({"a":1,"a":2})", R"({"a":1} )", R"({"a":01})", "[1]", "{"}) {
        INFO(refused);
        REQUIRE_FALSE(forEachMember(refused, collect));
    }
    int calls = 0;
    REQUIRE_FALSE(forEachMember(R"({"a":1,"b":2})", [&](std::string_view, std::string_view) { return ++calls < 1; }));
    REQUIRE(calls == 1);
}

TEST_CASE("canonical JSON: answers that only set values are told from those that remove or have no name") {
    struct Case {
        const char* text;
        std::size_t length;
        bool plain;
    };
    for (const Case& c : std::vector<Case>{{"{}", 2, true},
                                           {R"({"a":1,"b":"x"})", 15, true},
                                           {R"({"a":{"b":null},"c":[null]})", 27, true}, // deeper nulls are values
                                           {R"({"a":1,"b":null})", 16, false},
                                           {R"({"":1})", 6, false},
                                           {R"({"a":1} tail)", 7, true},
                                           {R"({"b":1,"a":2})", 0, true}, // not canonical
                                           {"[1]", 0, true},              // not an object
                                           {"null", 0, true},
                                           {"", 0, true}}) {
        INFO(c.text);
        bool plain = !c.plain;
        REQUIRE(canonicalAnswers(c.text, plain) == c.length);
        if (c.length > 0) REQUIRE(plain == c.plain);
    }
}

TEST_CASE("push reader: a device's body is read without parsing its answers") {
    const json answers = {{"adresse", "12 rue de l’Église"},
                          {"foyer", {{"adultes", 2}, {"enfants", 1}}},
                          {"km_evites", 12.5},
                          {"membres", json::array({{{"nom", "Zoé"}}, {{"nom", "Lou"}, {"note", nullptr}}})}};
    const json changes = {{"fields", answers}, {"form_id", "porte_a_porte"}, {"form_version", "3"}};
    const json removal = {{"fields", {{"adresse", "ici"}, {"note", nullptr}}}};
    const json unnamed = {{"fields", {{"", 1}}}};
    const std::string body = bodyOf({changes, {{"fields", {{"adresse", "ici"}}}}, json::object(), removal, unnamed});
    auto fast = readCanonicalPush(body);
    REQUIRE(fast);
    auto full = readInFull(body);
    REQUIRE(full);
    requireSame(*fast, *full);
    REQUIRE(fast->mutations[0].fieldsText == answers.dump()); // a null deeper in is a value like another
    REQUIRE_FALSE(fast->mutations[0].changes.contains("fields"));
    REQUIRE(fast->mutations[0].changes["form_id"] == "porte_a_porte");
    REQUIRE(fast->mutations[1].fieldsText == R"({"adresse":"ici"})");
    REQUIRE(fast->mutations[2].fieldsText.empty());
    // Answers that remove one (null), or with no name, stay a tree: the server merges them field by field.
    for (std::size_t i : {std::size_t{3}, std::size_t{4}}) {
        REQUIRE(fast->mutations[i].fieldsText.empty());
        REQUIRE(fast->mutations[i].changes["fields"] == full->mutations[i].changes["fields"]);
    }
    REQUIRE(fast->mutations[3].changes["fields"]["note"].is_null());

    // The route's own shape of a body with a count of what is left, and keys in another order.
    const std::string other = R"({"pending":7,"mutations":[{"changes":{"fields":{"a":1}},"op":"set",)"
                              R"("record_id":"r1","base_version":2,"seq":9,"note":"x"}],"device_id":"d"})";
    fast = readCanonicalPush(other);
    REQUIRE(fast);
    REQUIRE(fast->pending == 7);
    requireSame(*fast, *readInFull(other));
}

TEST_CASE("push reader: the device's edit time is read by both readings, and only a time stamp is taken") {
    const std::string body = bodyOf({{{"fields", {{"a", 1}}}}, {{"fields", {{"b", 2}}}}});
    REQUIRE(body.find(R"("edited_at":"2026-11-23T09:41:07Z")") != std::string::npos);
    auto fast = readCanonicalPush(body);
    REQUIRE(fast);
    requireSame(*fast, *readInFull(body));
    CHECK(fast->mutations[0].editedAt.empty()); // an older device: none
    CHECK(fast->mutations[1].editedAt == "2026-11-23T09:41:07Z");
    CHECK(toJson(fast->mutations[1])["edited_at"] == "2026-11-23T09:41:07Z");
    for (const char* bad : {R"("hier")", "12", "null", R"("2026-11-23T09:41:07Z<script>")",
                            R"("2026-11-23T09:41:07.000000000000000000000000Z")"}) {
        INFO(bad);
        const std::string text = R"({"device_id":"d","mutations":[{"seq":1,"record_id":"r","base_version":0,)"
                                 R"("op":"set","changes":{},"edited_at":)" +
                                 std::string(bad) + "}]}";
        CHECK_FALSE(readCanonicalPush(text));
        CHECK_FALSE(readInFull(text));
    }
}

TEST_CASE("push reader: any other body is left to the full parse") {
    const json changes = {{"fields", {{"a", 1}, {"b", "x"}}}, {"form_id", "f"}, {"form_version", "1"}};
    const std::string good = bodyOf({changes});
    REQUIRE(readCanonicalPush(good));
    std::vector<std::string> declined = {
        json::parse(good).dump(2),                   // whitespace
        bodyOf({{{"fields", {{"a", 1}}}}}, "erase"), // an erase (its fields are checked one by one)
        R"({"device_id":"d","mutations":[{"seq":1,"record_id":"r","base_version":0,"op":"create",)"
        R"("changes":{"fields":{"b":1,"a":2}}}]})",            // answers in another key order
        R"({"device_id":"d","device_id":"e","mutations":[]})", // a key twice
        R"({"mutations":[]})",                                 // no device
        R"({"device_id":"d","mutations":[{"seq":0,"record_id":"r","base_version":0,"op":"set","changes":{}}]})",
        R"({"device_id":"d","mutations":[{"seq":1,"record_id":"","base_version":0,"op":"set","changes":{}}]})",
        R"({"device_id":"d","mutations":[{"seq":1,"record_id":"r","base_version":0,"op":"jump","changes":{}}]})",
        R"({"device_id":"d","mutations":[{"seq":1,"record_id":"r","base_version":0,"op":"set"}]})",
        R"({"device_id":"d","mutations":[{"seq":1,"record_id":"r","base_version":0,"op":"set","changes":{"fields":[]}}]})",
        R"({"device_id":"d","mutations":[]} x)",
        R"({"device_id":1,"mutations":[]})",
    };
    std::vector<json> many(kMaxPushBatch + 1, changes);
    declined.push_back(bodyOf(many));
    for (const auto& body : declined) {
        INFO(body.substr(0, 200));
        REQUIRE_FALSE(readCanonicalPush(body));
    }
}

TEST_CASE("push reader: whatever it takes, the full parse reads the same") {
    std::mt19937_64 rng(seedFor("push reader: whatever it takes, the full parse reads the same"));
    int takenEdited = 0;
    for (int i = 0; i < 3000; ++i) {
        std::vector<json> changes;
        const int n = 1 + static_cast<int>(rng() % 3);
        for (int k = 0; k < n; ++k) {
            json c = {{"fields", randomValue(rng, 1)}, {"form_id", randomString(rng)}};
            if (!c["fields"].is_object()) c["fields"] = json::object({{"v", c["fields"]}});
            changes.push_back(std::move(c));
        }
        const std::string body = i % 4 == 0 ? bodyOf(changes) : mutate(bodyOf(changes), rng);
        auto fast = readCanonicalPush(body);
        if (i % 4 == 0) REQUIRE(fast); // an untouched device body is always read
        if (!fast) continue;
        if (i % 4 != 0) ++takenEdited;
        INFO(body);
        auto full = readInFull(body);
        REQUIRE(full);
        requireSame(*fast, *full);
    }
    REQUIRE(takenEdited > 100); // edited bodies that still read were compared too
}

TEST_CASE("JSON strings are written as the serializer writes them") {
    std::mt19937_64 rng(seedFor("JSON strings are written as the serializer writes them"));
    for (int i = 0; i < 2000; ++i) {
        const std::string s = randomString(rng);
        std::string out = "x";
        appendJsonString(out, s);
        REQUIRE(out == "x" + json(s).dump());
    }
    const std::vector<std::string> list = {"a", "é\n", ""};
    std::string out;
    appendJsonStrings(out, list);
    REQUIRE(out == json(list).dump());
}

TEST_CASE("mutation results are written as the serializer writes them") {
    std::vector<MutationResult> results(4);
    results[0] = MutationResult{3, MutationStatus::Applied, 1, {}, "", ""};
    results[1] = MutationResult{4, MutationStatus::Conflict, 7, {"nom", "âge"}, "", ""};
    results[2] = MutationResult{5, MutationStatus::Merged, 2, {"a"}, "", ""};
    results[3] = MutationResult{6, MutationStatus::Rejected, 0, {}, "formulaire inconnu « x »", "unknown_form_version"};
    for (const auto& r : results) {
        std::string out;
        appendJson(out, r);
        REQUIRE(out == toJson(r).dump());
    }
}

TEST_CASE("push reader: the full reading says what is wrong with a body") {
    PushBodyError error;
    REQUIRE_FALSE(pushRequestFromJson(json{{"mutations", json::array()}}, error));
    CHECK(error.status == 400);
    CHECK(error.code == "missing_field");
    const json bad = {{"device_id", "d"}, {"mutations", json::array({{{"seq", 1}}})}};
    REQUIRE_FALSE(pushRequestFromJson(json(bad), error));
    CHECK(error.code == "bad_mutation");
    CHECK(error.message.rfind("mutations[0]: ", 0) == 0);
    json many = {{"device_id", "d"}, {"mutations", json::array()}};
    for (std::size_t i = 0; i <= kMaxPushBatch; ++i)
        many["mutations"].push_back(json::object());
    REQUIRE_FALSE(pushRequestFromJson(std::move(many), error));
    CHECK(error.status == 413);
    CHECK(error.code == "batch_too_large");
}

TEST_CASE("attachment scan: text is parsed for attachments exactly when it holds 64 hex digits in a row") {
    // The plain definition, one byte at a time, as the oracle.
    auto oracle = [](std::string_view text) {
        std::size_t run = 0;
        for (char c : text) {
            run = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ? run + 1 : 0;
            if (run == 64) return true;
        }
        return false;
    };
    const std::string hash(64, 'a');
    const std::string photo =
        R"({"photo":")" + std::string("0123456789abcdef0123456789abcdef") + "0123456789abcdef0123456789abcdef.jpg\"}";
    REQUIRE(mayNameAttachment(photo));
    REQUIRE(mayNameAttachment(hash));
    REQUIRE_FALSE(mayNameAttachment(hash.substr(1)));
    REQUIRE_FALSE(mayNameAttachment(""));
    REQUIRE_FALSE(mayNameAttachment(R"({"note":"Intéressé par l’essai","km":12.5})"));
    REQUIRE_FALSE(mayNameAttachment(std::string(63, 'f') + "g" + std::string(63, 'f'))); // two short runs
    REQUIRE_FALSE(mayNameAttachment(std::string(64, 'F')));                              // upper case is not hex here

    std::mt19937_64 rng(seedFor("attachment scan"));
    const std::string alphabet = "0123456789abcdefABg\" :,{}é";
    for (int i = 0; i < 20000; ++i) {
        std::string text;
        const std::size_t pieces = rng() % 12;
        for (std::size_t p = 0; p < pieces; ++p) {
            if (rng() % 4 == 0) { // a run of hex of any length around 64
                const std::size_t n = 40 + rng() % 40;
                for (std::size_t k = 0; k < n; ++k)
                    text += "0123456789abcdef"[rng() % 16];
            } else {
                const std::size_t n = rng() % 30;
                for (std::size_t k = 0; k < n; ++k)
                    text += alphabet[rng() % alphabet.size()];
            }
        }
        INFO(text);
        REQUIRE(mayNameAttachment(text) == oracle(text));
    }
}
