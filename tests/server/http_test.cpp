// Attachments, compression and hostile input against a real server.
#include "server_fixture.hpp"

#include "server/crypto.hpp"

#include <random>
#include <zlib.h>

using namespace carnet;
using namespace carnet::test;

namespace {

const std::string kDev = "aaaaaaaa-0000-4000-8000-000000000001";

std::string randomBytes(std::size_t n) {
    std::mt19937 gen(42);
    std::string s(n, '\0');
    for (auto& c : s)
        c = static_cast<char>(gen() & 0xff);
    return s;
}

std::string gunzip(const std::string& data) {
    z_stream zs{};
    REQUIRE(inflateInit2(&zs, 16 + MAX_WBITS) == Z_OK);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    std::string out;
    char buf[16384];
    int rc = Z_OK;
    while (rc == Z_OK) {
        zs.next_out = reinterpret_cast<Bytef*>(buf);
        zs.avail_out = sizeof buf;
        rc = inflate(&zs, Z_NO_FLUSH);
        out.append(buf, sizeof buf - zs.avail_out);
    }
    inflateEnd(&zs);
    REQUIRE(rc == Z_STREAM_END);
    return out;
}

Reply put(const ServerFixture& f, const std::string& token, const std::string& path, const std::string& data) {
    auto c = f.client();
    return ServerFixture::reply(c.Put(path.c_str(), ServerFixture::auth(token), data, "application/octet-stream"));
}

} // namespace

TEST_CASE("attachments resume from the received offset and are verified against their hash", "[server][attachments]") {
    ServerFixture f;
    const std::string token = f.login("awa");
    const std::string data = randomBytes(100000);
    const std::string sha = server::sha256Hex(data);
    const std::string path = "/api/v1/attachments/" + sha;

    auto st = f.get(path, token);
    REQUIRE(st.status == 200);
    CHECK(st.body == json{{"received", 0}, {"complete", false}});

    auto first = put(f, token, path + "?offset=0&total=100000", data.substr(0, 40000));
    REQUIRE(first.status == 200);
    CHECK(first.body == json{{"received", 40000}, {"complete", false}});
    // The connection broke; the client asks where to resume and a stale offset is refused.
    CHECK(f.get(path, token).body.at("received") == 40000);
    auto stale = put(f, token, path + "?offset=10000&total=100000", data.substr(10000));
    CHECK(stale.status == 409);
    CHECK(stale.body.at("error") == "offset_mismatch");
    CHECK(stale.body.at("received") == 40000);
    auto rest = put(f, token, path + "?offset=40000&total=100000", data.substr(40000));
    REQUIRE(rest.status == 200);
    CHECK(rest.body == json{{"received", 100000}, {"complete", true}});
    CHECK(f.get(path, token).body == json{{"received", 100000}, {"complete", true}});

    // Without a declared total the upload completes when the bytes hash to the name.
    const std::string small = "signature bytes";
    const std::string smallPath = "/api/v1/attachments/" + server::sha256Hex(small);
    CHECK(put(f, token, smallPath + "?offset=0", small.substr(0, 5)).body.at("complete") == false);
    CHECK(put(f, token, smallPath + "?offset=5", small.substr(5)).body.at("complete") == true);

    // Bytes that do not match the name are discarded when the declared total is reached.
    const std::string wrongPath = "/api/v1/attachments/" + server::sha256Hex("something else");
    auto wrong = put(f, token, wrongPath + "?offset=0&total=100000", data);
    CHECK(wrong.status == 422);
    CHECK(wrong.body.at("error") == "hash_mismatch");
    CHECK(f.get(wrongPath, token).body == json{{"received", 0}, {"complete", false}});

    CHECK(f.get("/api/v1/attachments/not-a-hash", token).status == 400);
    CHECK(put(f, token, path + "x?offset=0", "x").status == 400);
    CHECK(put(f, token, wrongPath + "?offset=abc", "x").status == 400);
    CHECK(put(f, token, wrongPath, "x").status == 400);
    CHECK(put(f, "", wrongPath + "?offset=0", "x").status == 401);
}

TEST_CASE("gzip request bodies are accepted and responses are gzipped on request", "[server][gzip]") {
    ServerFixture f;
    const std::string token = f.loginWithDevice("awa", kDev);
    json batch = json::array();
    for (int i = 0; i < 50; ++i) {
        char id[40];
        std::snprintf(id, sizeof id, "%08d-0000-4000-8000-000000000000", i);
        batch.push_back(ServerFixture::create(i + 1, id, {{"commentaire", std::string(200, 'x')}}));
    }
    auto c = f.client();
    c.set_compress(true);
    const std::string body = json{{"device_id", kDev}, {"mutations", batch}}.dump();
    auto pushed =
        ServerFixture::reply(c.Post("/api/v1/sync/push", ServerFixture::auth(token), body, "application/json"));
    REQUIRE(pushed.status == 200);
    CHECK(pushed.body.at("acked") == 50);

    auto raw = f.client();
    raw.set_decompress(false);
    httplib::Headers h = ServerFixture::auth(token);
    h.emplace("Accept-Encoding", "gzip");
    auto r = raw.Get("/api/v1/sync/pull", h);
    REQUIRE(r);
    REQUIRE(r->status == 200);
    CHECK(r->get_header_value("Content-Encoding") == "gzip");
    const std::string plain = gunzip(r->body);
    CHECK(r->body.size() * 5 < plain.size());
    auto j = json::parse(plain);
    CHECK(j.at("changes").size() == 50);

    // A small gzip body that inflates past the limit is refused like a large one.
    auto bomb = f.client();
    bomb.set_compress(true);
    auto big = ServerFixture::reply(bomb.Post("/api/v1/sync/push", ServerFixture::auth(token),
                                              std::string(sync::kMaxBodyBytes + 1, ' '), "application/json"));
    CHECK(big.status == 413);
    CHECK(big.body.at("error") == "payload_too_large");

    // A gzip body that is not gzip is a client error.
    httplib::Headers bad = ServerFixture::auth(token);
    bad.emplace("Content-Encoding", "gzip");
    auto broken =
        ServerFixture::reply(f.client().Post("/api/v1/sync/push", bad, "not gzip at all", "application/json"));
    CHECK(broken.status >= 400);
    CHECK(broken.status < 500);
}

// Issue 22: Chromium sends "Accept-Encoding: gzip, deflate, br", and Debian's cpp-httplib 0.11 then
// compressed with brotli at quality 11: 0.46 s for app.js against 0.022 s with gzip, and a 2.8 MB CSV
// export downloaded through the console took 4.2 s (0.15 s with curl, which asks for no compression).
TEST_CASE("a browser's download is compressed with gzip, never with slow brotli", "[server][gzip]") {
    ServerFixture f;
    const std::string coco = f.login("coco");
    auto raw = f.client();
    raw.set_decompress(false);
    for (const std::string path :
         {"/console/app.js", "/", "/api/v1/exports/door_to_door.csv?status=all", "/api/v1/forms"}) {
        INFO(path);
        httplib::Headers h = ServerFixture::auth(coco);
        h.emplace("Accept-Encoding", "gzip, deflate, br");
        auto r = raw.Get(path.c_str(), h);
        REQUIRE(r);
        CHECK(r->status == 200);
        CHECK(r->get_header_value("Content-Encoding") == "gzip");
        CHECK_FALSE(gunzip(r->body).empty());
    }
    // A client that takes brotli only gets the bytes as they are.
    httplib::Headers only = ServerFixture::auth(coco);
    only.emplace("Accept-Encoding", "br");
    auto plain = raw.Get("/console/app.js", only);
    REQUIRE(plain);
    CHECK(plain->status == 200);
    CHECK_FALSE(plain->has_header("Content-Encoding"));
    CHECK(plain->body.find("'use strict'") != std::string::npos);
}

TEST_CASE("bad input gets a 4xx JSON error, never a 500", "[server][input]") {
    ServerFixture f;
    const std::string token = f.loginWithDevice("awa", kDev);
    auto check4xx = [](const Reply& r, int status) {
        CHECK(r.status == status);
        REQUIRE(r.body.is_object());
        CHECK(r.body.at("error").is_string());
        CHECK(r.body.at("message").is_string());
    };
    auto raw = [&](const std::string& path, const std::string& body) {
        auto c = f.client();
        return ServerFixture::reply(c.Post(path.c_str(), ServerFixture::auth(token), body, "application/json"));
    };
    check4xx(raw("/api/v1/login", "{not json"), 400);
    check4xx(raw("/api/v1/login", "[1,2]"), 400);
    check4xx(raw("/api/v1/login", ""), 400);
    check4xx(f.post("/api/v1/login", json{{"user", "awa"}}), 400);
    check4xx(f.post("/api/v1/login", json{{"user", 3}, {"password", "x"}}), 400);
    check4xx(raw("/api/v1/sync/push", "{\"device_id\": \"x\"}"), 400);
    check4xx(raw("/api/v1/sync/push", std::string(100000, '[') + std::string(100000, ']')), 400);
    check4xx(raw("/api/v1/sync/push", "\"\xff\xfe\""), 400);
    check4xx(f.post("/api/v1/devices", json{{"name", "x"}}, token), 400);
    check4xx(f.push(token, kDev, json::array({{{"seq", 1}}})), 400);
    check4xx(f.push(token, kDev, json::array({ServerFixture::set(-1, "r", 0, json::object())})), 400);
    check4xx(f.push(token, kDev, json::array({ServerFixture::mutation(1, "r", 0, "explode", json::object())})), 400);
    check4xx(f.push(token, kDev, json::array({ServerFixture::set(1, "r", 0, json::array())})), 400);
    check4xx(f.push(token, kDev, json::array({ServerFixture::set(2, "r", 0, {}), ServerFixture::set(1, "r", 0, {})})),
             400);
    json tooMany = json::array();
    for (std::size_t i = 0; i <= sync::kMaxPushBatch; ++i)
        tooMany.push_back(ServerFixture::set(static_cast<std::int64_t>(i + 1), "r", 0, json::object()));
    check4xx(f.push(token, kDev, tooMany), 413);
    check4xx(raw("/api/v1/sync/push", std::string(sync::kMaxBodyBytes + 1, ' ')), 413);
    check4xx(f.get("/api/v1/records/%ff%fe/history", token), 404);
    check4xx(f.get("/api/v1/no/such/route", token), 404);
    check4xx(f.get("/api/v1/sync/pull?cursor=c99999999999999999999999", token), 400);
    {
        // A body over the transport limit is refused from its Content-Length.
        auto c = f.client();
        auto r =
            c.Put(("/api/v1/attachments/" + std::string(64, 'a') + "?offset=0").c_str(), ServerFixture::auth(token),
                  std::string(sync::kMaxChunkBytes + 1, 'x'), "application/octet-stream");
        if (r) check4xx(ServerFixture::reply(r), 413); // the server may also just close the connection
    }
    // Still serving afterwards.
    CHECK(f.get("/api/v1/forms", token).status == 200);
}

TEST_CASE("a push body in any JSON form is read like a device's", "[server][input]") {
    ServerFixture f;
    const std::string token = f.loginWithDevice("awa", kDev);
    const json answers = {
        {"adresse", "12 rue de l’Église"}, {"km", 12.5}, {"membres", json::array({{{"nom", "Zoé"}}})}};
    const std::string idA = "00000001-0000-4000-8000-000000000000";
    const std::string idB = "00000002-0000-4000-8000-000000000000";
    const std::string idC = "00000003-0000-4000-8000-000000000000";
    auto post = [&](const std::string& body) {
        auto c = f.client();
        return ServerFixture::reply(c.Post("/api/v1/sync/push", ServerFixture::auth(token), body, "application/json"));
    };
    // As a device writes it (compact, answers canonical): read without a tree of the answers.
    const json compact = {{"device_id", kDev}, {"mutations", json::array({ServerFixture::create(1, idA, answers)})}};
    REQUIRE(sync::readCanonicalPush(compact.dump()));
    auto a = post(compact.dump());
    REQUIRE(a.status == 200);
    // Indented, and the answers' keys in another order: parsed in full.
    const std::string indented = "{\n  \"mutations\": [ {\"seq\": 2, \"record_id\": \"" + idB +
                                 "\", \"base_version\": 0, \"op\": \"create\", \"changes\": {\"form_id\": "
                                 "\"door_to_door\", \"form_version\": \"2026.11.3\", \"kind\": \"interview\", "
                                 "\"author\": \"Awa\", \"fields\": {\"membres\": [{\"nom\": \"Zoé\"}], \"km\": 12.5, "
                                 "\"adresse\": \"12 rue de l\\u2019\\u00c9glise\"}}} ],\n  \"device_id\": \"" +
                                 kDev + "\"\n}";
    REQUIRE_FALSE(sync::readCanonicalPush(indented));
    auto b = post(indented);
    REQUIRE(b.status == 200);
    // A created answer that is null is not an answer: left out of the stored answers either way.
    json withNull = answers;
    withNull["note"] = nullptr;
    auto c = f.push(token, kDev, json::array({ServerFixture::create(3, idC, withNull)}));
    REQUIRE(c.status == 200);
    for (const auto* r : {&a, &b, &c})
        CHECK(r->body.at("results").at(0).at("status") == "applied");

    auto pulled = f.get("/api/v1/sync/pull", token);
    REQUIRE(pulled.status == 200);
    REQUIRE(pulled.body.at("changes").size() == 3);
    for (const auto& change : pulled.body.at("changes")) {
        INFO(change.dump());
        CHECK(change.at("answers") == answers);
        CHECK(change.at("form_version") == "2026.11.3");
        CHECK(change.at("author") == "Awa");
    }
    for (const auto& id : {idA, idB, idC}) {
        auto history = f.get("/api/v1/records/" + id + "/history", token);
        REQUIRE(history.status == 200);
        INFO(history.body.dump());
        const auto& first = history.body.at("versions").at(0);
        CHECK(first.at("answers") == answers);
        CHECK(first.at("changed").size() == (id == idC ? 4 : 3));
    }
}
