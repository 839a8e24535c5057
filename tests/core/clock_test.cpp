#include "core/clock.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>
#include <string>

using namespace carnet;

namespace {

// The process's time zone for one test (POSIX TZ), put back afterwards.
class ZoneFor {
public:
    explicit ZoneFor(const char* zone) {
        if (const char* old = std::getenv("TZ")) m_old = old, m_had = true;
        setenv("TZ", zone, 1);
        tzset();
    }
    ~ZoneFor() {
        if (m_had)
            setenv("TZ", m_old.c_str(), 1);
        else
            unsetenv("TZ");
        tzset();
    }
    ZoneFor(const ZoneFor&) = delete;
    ZoneFor& operator=(const ZoneFor&) = delete;

private:
    std::string m_old;
    bool m_had = false;
};

clock::Instant at(const char* iso) {
    auto t = clock::parseIsoUtc(iso);
    REQUIRE(t.has_value());
    return *t;
}

} // namespace

TEST_CASE("clock: UTC instants round-trip through their ISO text", "[clock]") {
    CHECK(clock::isoUtc(at("2026-03-10T23:30:00Z")) == "2026-03-10T23:30:00Z");
    CHECK(clock::isoUtc(at("2000-02-29T00:00:59Z")) == "2000-02-29T00:00:59Z");
    CHECK_FALSE(clock::parseIsoUtc("2026-03-10 23:30:00").has_value());
    CHECK_FALSE(clock::parseIsoUtc("2026-13-10T23:30:00Z").has_value());
    CHECK_FALSE(clock::parseIsoUtc("2026-03-10T23:30:00Zx").has_value());
    const auto fixed = clock::fixedAt(at("2026-03-10T23:30:00Z"));
    CHECK(clock::isoUtc(fixed()) == "2026-03-10T23:30:00Z");
}

TEST_CASE("clock: at 00:30 in Paris the local date is the next day, the UTC stamp is not", "[clock]") {
    ZoneFor paris("Europe/Paris");
    const auto t = at("2026-03-10T23:30:00Z"); // 00:30 on the 11th in Paris (UTC+1 in March)
    CHECK(clock::localDate(t) == "2026-03-11");
    CHECK(clock::localFormat(t, "%H:%M") == "00:30");
    CHECK(clock::isoUtc(t) == "2026-03-10T23:30:00Z");
    CHECK(clock::localDays(t) == Approx(20523.0 + 30.0 / 1440.0)); // 2026-03-11 is day 20523
}

TEST_CASE("clock: moving an instant to another local date keeps its local time of day", "[clock]") {
    ZoneFor paris("Europe/Paris");
    const auto t = at("2026-03-10T23:30:00Z");
    const auto moved = clock::onLocalDate(t, "2026-11-25"); // winter time too: still UTC+1
    CHECK(clock::localDate(moved) == "2026-11-25");
    CHECK(clock::isoUtc(moved) == "2026-11-24T23:30:00Z");
    // Across the change to summer time (29 March), 00:30 local is 22:30 UTC the day before.
    CHECK(clock::isoUtc(clock::onLocalDate(t, "2026-04-02")) == "2026-04-01T22:30:00Z");
    CHECK(clock::onLocalDate(t, "not a date") == t);
}
