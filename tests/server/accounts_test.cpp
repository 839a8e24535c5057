// Accounts and devices managed from the console (issue 22, finding 6) against a real server on a
// real socket: roles, temporary passwords, deactivation, device names, app versions and revocation,
// each within the coordinator's organisation only.
#include "server_fixture.hpp"

using namespace carnet;
using namespace carnet::test;

namespace {

struct AccountsFixture : ServerFixture {
    std::string awa, coco, zed;
    AccountsFixture() {
        awa = loginWithDevice("awa", "dev-awa");
        coco = login("coco");
        zed = login("zed");
    }
    [[nodiscard]] json userRow(const std::string& token, const std::string& name) const {
        auto r = get("/api/v1/users", token);
        REQUIRE(r.status == 200);
        for (const auto& u : r.body.at("users"))
            if (u.at("name") == name) return u;
        FAIL("no user " << name);
        return {};
    }
    [[nodiscard]] json deviceRow(const std::string& token, const std::string& id) const {
        auto r = get("/api/v1/devices", token);
        REQUIRE(r.status == 200);
        for (const auto& d : r.body.at("devices"))
            if (d.at("device_id") == id) return d;
        FAIL("no device " << id);
        return {};
    }
    // A POST from a console in `lang` (its Accept-Language).
    Reply postIn(const std::string& lang, const std::string& path, const json& body, const std::string& token) const {
        auto c = client();
        auto headers = auth(token);
        headers.emplace("Accept-Language", lang);
        return reply(c.Post(path.c_str(), headers, body.dump(), "application/json"));
    }
};

} // namespace

TEST_CASE_METHOD(AccountsFixture, "a coordinator changes the roles of their organisation's accounts only",
                 "[console][accounts]") {
    // Last activity: awa logged in; binta never did.
    CHECK(userRow(coco, "awa").at("last_active").is_string());
    CHECK(userRow(coco, "binta").at("last_active").is_null());
    CHECK(userRow(coco, "awa").at("disabled") == false);

    auto r = post("/api/v1/users/binta/role", json{{"role", "coordinator"}}, coco);
    CHECK(r.status == 200);
    CHECK(userRow(coco, "binta").at("role") == "coordinator");
    // A coordinator makes no admin; an ambassador manages nothing; another organisation sees nothing.
    CHECK(post("/api/v1/users/binta/role", json{{"role", "admin"}}, coco).status == 403);
    r = post("/api/v1/users/binta/role", json{{"role", "ambassador"}}, awa);
    CHECK(r.status == 403);
    CHECK(r.body.at("error") == "forbidden");
    r = post("/api/v1/users/binta/role", json{{"role", "ambassador"}}, zed);
    CHECK(r.status == 404);
    CHECK(r.body.at("error") == "not_found");
    CHECK(post("/api/v1/users/zed/role", json{{"role", "ambassador"}}, coco).status == 404);
    CHECK(post("/api/v1/users/nobody/role", json{{"role", "ambassador"}}, coco).status == 404);
    // Bad input is a 4xx JSON error; one's own account is not changed here.
    CHECK(post("/api/v1/users/binta/role", json{{"role", "boss"}}, coco).status == 400);
    CHECK(post("/api/v1/users/binta/role", json{{"role", 3}}, coco).status == 400);
    CHECK(post("/api/v1/users/coco/role", json{{"role", "ambassador"}}, coco).status == 400);
    auto c = client();
    auto big = c.Post("/api/v1/users/binta/role", auth(coco), std::string(10000, ' '), "application/json");
    REQUIRE(big);
    CHECK(big->status == 413);
    CHECK(userRow(coco, "binta").at("role") == "coordinator");
    CHECK(userRow(coco, "coco").at("role") == "coordinator");
}

TEST_CASE_METHOD(AccountsFixture, "a reset password is temporary: shown once, then changed at the next login",
                 "[console][accounts]") {
    auto r = post("/api/v1/users/awa/password-reset", json::object(), coco);
    REQUIRE(r.status == 200);
    const std::string temporary = r.body.at("temporary_password");
    CHECK(temporary.size() == 19); // 16 characters in groups of four
    // Every token of awa stops at once, with a JSON error; the old password no longer opens.
    r = get("/api/v1/forms", awa);
    CHECK(r.status == 401);
    CHECK(r.body.at("error") == "unauthorized");
    CHECK(post("/api/v1/login", json{{"user", "awa"}, {"password", kPassword}}).status == 401);
    CHECK(userRow(coco, "awa").at("must_change_password") == true);

    r = post("/api/v1/login", json{{"user", "awa"}, {"password", temporary}});
    REQUIRE(r.status == 200);
    CHECK(r.body.at("user").at("must_change_password") == true);
    const std::string token = r.body.at("token");
    // Nothing opens with a temporary password but changing it (and saying who one is).
    r = get("/api/v1/forms", token);
    CHECK(r.status == 403);
    CHECK(r.body.at("error") == "password_change_required");
    CHECK(get("/api/v1/me", token).body.at("must_change_password") == true);
    // The password policy holds; the current password must be given.
    CHECK(post("/api/v1/password", json{{"current", temporary}, {"new", "short"}}, token).status == 400);
    CHECK(post("/api/v1/password", json{{"current", temporary}, {"new", "password1234"}}, token).status == 400);
    CHECK(post("/api/v1/password", json{{"current", "wrong one here"}, {"new", "a fresh long one"}}, token).status ==
          400);
    CHECK(post("/api/v1/password", json{{"current", temporary}}, token).status == 400);
    r = post("/api/v1/password", json{{"current", temporary}, {"new", "a fresh long one"}}, token);
    CHECK(r.status == 200);
    CHECK(get("/api/v1/forms", token).status == 200);
    CHECK(post("/api/v1/login", json{{"user", "awa"}, {"password", temporary}}).status == 401);
    r = post("/api/v1/login", json{{"user", "awa"}, {"password", "a fresh long one"}});
    CHECK(r.status == 200);
    CHECK(r.body.at("user").at("must_change_password") == false);
    // Only within the organisation, and not by an ambassador.
    CHECK(post("/api/v1/users/awa/password-reset", json::object(), zed).status == 404);
    CHECK(post("/api/v1/users/coco/password-reset", json::object(), login("binta")).status == 403);
}

TEST_CASE_METHOD(AccountsFixture, "a deactivated account's tokens stop at once and it cannot log in until reactivated",
                 "[console][accounts]") {
    CHECK(get("/api/v1/forms", awa).status == 200);
    auto r = post("/api/v1/users/awa/deactivate", json::object(), coco);
    REQUIRE(r.status == 200);
    r = get("/api/v1/forms", awa);
    CHECK(r.status == 401);
    CHECK(r.body.at("error") == "unauthorized");
    CHECK(push(awa, "dev-awa", json::array()).status == 401);
    r = post("/api/v1/login", json{{"user", "awa"}, {"password", kPassword}});
    CHECK(r.status == 403);
    CHECK(r.body.at("error") == "account_disabled");
    CHECK(r.body.at("localized") == "Ce compte a été désactivé par un coordinateur.");
    CHECK(!r.body.contains("token"));
    CHECK(userRow(coco, "awa").at("disabled") == true);
    // The wrong password still says only that it is wrong.
    CHECK(post("/api/v1/login", json{{"user", "awa"}, {"password", "not her password"}}).status == 401);
    CHECK(post("/api/v1/users/awa/reactivate", json::object(), zed).status == 404);
    CHECK(post("/api/v1/users/awa/reactivate", json::object(), coco).status == 200);
    CHECK(userRow(coco, "awa").at("disabled") == false);
    CHECK(get("/api/v1/forms", awa).status == 401); // the old token stays dead
    CHECK(post("/api/v1/login", json{{"user", "awa"}, {"password", kPassword}}).status == 200);
    CHECK(post("/api/v1/users/coco/deactivate", json::object(), coco).status == 400);
}

TEST_CASE_METHOD(AccountsFixture, "devices are named, report their app version and are revoked",
                 "[console][accounts]") {
    auto d = deviceRow(coco, "dev-awa");
    CHECK(d.at("name") == "awa's tablet");
    CHECK(d.at("app_version").is_null());
    CHECK(d.at("revoked_at").is_null());
    REQUIRE(get("/api/v1/sync/pull?device_id=dev-awa&app_version=0.1.0&pending=2&drafts_behind=0", awa).status == 200);
    d = deviceRow(coco, "dev-awa");
    CHECK(d.at("app_version") == "0.1.0");
    CHECK(d.at("pending") == 2);
    CHECK(d.at("last_sync").is_string());
    // A version that is not a version is not stored.
    REQUIRE(get("/api/v1/sync/pull?device_id=dev-awa&app_version=%3Cb%3E", awa).status == 200);
    CHECK(deviceRow(coco, "dev-awa").at("app_version") == "0.1.0");

    auto r = post("/api/v1/devices/dev-awa/name", json{{"name", "Tablette 3"}}, coco);
    CHECK(r.status == 200);
    CHECK(r.body.at("name") == "Tablette 3");
    CHECK(deviceRow(coco, "dev-awa").at("name") == "Tablette 3");
    CHECK(post("/api/v1/devices/dev-awa/name", json{{"name", std::string(101, 'x')}}, coco).status == 400);
    CHECK(post("/api/v1/devices/dev-awa/name", json{{"name", "a\nb"}}, coco).status == 400);
    CHECK(post("/api/v1/devices/dev-awa/name", json{{"name", "Mine"}}, zed).status == 404);
    CHECK(post("/api/v1/devices/dev-awa/revoke", json::object(), zed).status == 404);
    CHECK(post("/api/v1/devices/dev-awa/revoke", json::object(), awa).status == 403);
    CHECK(post("/api/v1/devices/nope/revoke", json::object(), coco).status == 404);
    // A name at registration is bounded too.
    CHECK(post("/api/v1/devices", json{{"device_id", "dev-x"}, {"name", std::string(101, 'x')}}, awa).status == 400);

    r = post("/api/v1/devices/dev-awa/revoke", json::object(), coco);
    REQUIRE(r.status == 200);
    CHECK(r.body.at("revoked_at").is_string());
    CHECK(deviceRow(coco, "dev-awa").at("revoked_at").is_string());
    // Its next sync is refused and says why, whether it pushes, pulls or registers again.
    r = push(awa, "dev-awa", json::array());
    CHECK(r.status == 403);
    CHECK(r.body.at("error") == "device_revoked");
    CHECK(r.body.at("localized").get<std::string>().find("révoqué") != std::string::npos);
    r = get("/api/v1/sync/pull?device_id=dev-awa", awa);
    CHECK(r.status == 403);
    CHECK(r.body.at("error") == "device_revoked");
    r = post("/api/v1/devices", json{{"device_id", "dev-awa"}, {"name", "again"}}, awa);
    CHECK(r.status == 403);
    CHECK(r.body.at("error") == "device_revoked");
    // Awa's account is not the device: a new device of hers syncs.
    CHECK(post("/api/v1/devices", json{{"device_id", "dev-awa-2"}, {"name", "new"}}, awa).status == 200);
    CHECK(push(awa, "dev-awa-2", json::array()).status == 200);
}

// Issue 22, finding 10: what the account forms get wrong is said in the coordinator's language, with
// no English detail beside it.
TEST_CASE_METHOD(AccountsFixture, "account errors are said in the coordinator's language", "[console][accounts]") {
    auto fr = postIn("fr", "/api/v1/users/coco/deactivate", json::object(), coco);
    CHECK(fr.status == 400);
    CHECK(fr.body.at("localized") == "Vous ne pouvez pas modifier votre propre compte ici.");
    CHECK(fr.body.at("lang") == "fr");
    CHECK(fr.body.at("localized_detail") == true);
    CHECK(fr.body.at("message") == "You cannot change your own account here.");
    auto en = postIn("en", "/api/v1/users/coco/deactivate", json::object(), coco);
    CHECK(en.status == 400);
    CHECK(en.body.at("localized") == "You cannot change your own account here.");
    CHECK(en.body.at("lang") == "en");

    auto missing = postIn("fr", "/api/v1/users/nobody/role", json{{"role", "ambassador"}}, coco);
    CHECK(missing.status == 404);
    CHECK(missing.body.at("localized") == "Aucun utilisateur « nobody » dans votre organisation.");
    auto device = postIn("fr", "/api/v1/devices/dev-awa/name", json{{"name", "a\nb"}}, coco);
    CHECK(device.status == 400);
    CHECK(device.body.at("localized") ==
          "Le nom de l’appareil doit compter de 1 à 100 octets, sans caractère de contrôle.");

    // The user's own password change: the service says it in the request's language.
    auto wrong =
        postIn("fr", "/api/v1/password", json{{"current", "not her password"}, {"new", "a fresh long one"}}, awa);
    CHECK(wrong.status == 400);
    CHECK(wrong.body.at("localized") == "Le mot de passe actuel est incorrect.");
    CHECK(wrong.body.at("localized_detail") == true);
    auto same = postIn("en", "/api/v1/password", json{{"current", kPassword}, {"new", kPassword}}, awa);
    CHECK(same.status == 400);
    CHECK(same.body.at("localized") == "The new password must differ from the current one.");
    auto weak = postIn("fr", "/api/v1/password", json{{"current", kPassword}, {"new", "aaaaaaaaaaaaaaaa"}}, awa);
    CHECK(weak.status == 400);
    CHECK(weak.body.at("localized") == "Le mot de passe répète un seul caractère ; choisissez-en un autre.");
    CHECK(weak.raw.find("password") == std::string::npos);
}
