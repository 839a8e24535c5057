#include "sync/canonical_json.hpp"

#include <array>
#include <cmath>
#include <nlohmann/json.hpp>

namespace carnet::sync {

namespace {

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

// The length of the UTF-8 sequence starting `s` (lead byte >= 0x80) when it is well formed, as
// nlohmann's lexer accepts it (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF);
// 0 otherwise.
std::size_t utf8Length(std::string_view s) {
    auto at = [&](std::size_t i) { return i < s.size() ? static_cast<unsigned char>(s[i]) : 0u; };
    auto tail = [&](std::size_t i) { return at(i) >= 0x80 && at(i) <= 0xBF; };
    const unsigned lead = at(0);
    if (lead >= 0xC2 && lead <= 0xDF) return tail(1) ? 2 : 0;
    if (lead >= 0xE0 && lead <= 0xEF) {
        const unsigned lo = lead == 0xE0 ? 0xA0 : 0x80;
        const unsigned hi = lead == 0xED ? 0x9F : 0xBF;
        return at(1) >= lo && at(1) <= hi && tail(2) ? 3 : 0;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        const unsigned lo = lead == 0xF0 ? 0x90 : 0x80;
        const unsigned hi = lead == 0xF4 ? 0x8F : 0xBF;
        return at(1) >= lo && at(1) <= hi && tail(2) && tail(3) ? 4 : 0;
    }
    return 0;
}

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1; // upper case is not what the serializer writes
}

// Bytes that stand for themselves in a string: printable ASCII but the quote and the backslash.
constexpr std::array<bool, 256> kPlain = [] {
    std::array<bool, 256> plain{};
    for (int c = 0x20; c < 0x80; ++c)
        plain[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
    return plain;
}();

using MemberFn = std::function<bool(std::string_view key, std::string_view value)>;

class Scanner {
public:
    explicit Scanner(std::string_view text)
        : m_t(text) {}

    std::size_t pos() const { return m_pos; }

    // Set to false when the outermost object has a member with an empty key or a null value.
    void watchPlain(bool* plain) { m_plain = plain; }

    // One value; false when it is invalid or not canonical.
    bool value(int depth) {
        if (m_pos >= m_t.size()) return false;
        switch (m_t[m_pos]) {
        case '{':
            return object(depth);
        case '[':
            return array(depth);
        case '"':
            return skipString();
        case 't':
            return literal("true");
        case 'f':
            return literal("false");
        case 'n':
            return literal("null");
        default:
            return number();
        }
    }

    // A string, decoded into `out` unless null. `escaped` tells whether it held escapes (when it did
    // not, its text between the quotes is its value).
    bool string(std::string* out, bool* escaped = nullptr) {
        if (escaped) *escaped = false;
        if (m_pos >= m_t.size() || m_t[m_pos] != '"') return false;
        ++m_pos;
        while (m_pos < m_t.size()) {
            // A run of plain ASCII goes in one piece.
            std::size_t end = m_pos;
            while (end < m_t.size() && kPlain[static_cast<unsigned char>(m_t[end])])
                ++end;
            if (out) out->append(m_t.data() + m_pos, end - m_pos);
            m_pos = end;
            if (m_pos >= m_t.size()) return false;
            const auto c = static_cast<unsigned char>(m_t[m_pos]);
            if (c == '"') {
                ++m_pos;
                return true;
            }
            if (c < 0x20) return false; // a raw control character is invalid JSON
            if (c == '\\') {
                if (escaped) *escaped = true;
                if (!escape(out)) return false;
                continue;
            }
            const std::size_t n = utf8Length(m_t.substr(m_pos));
            if (n == 0) return false;
            if (out) out->append(m_t.data() + m_pos, n);
            m_pos += n;
        }
        return false;
    }

    // A non-negative integer of at most 18 digits.
    bool count(std::int64_t& out) {
        const std::size_t start = m_pos;
        if (!integerDigits(18)) return false;
        if (m_pos < m_t.size() && (m_t[m_pos] == '.' || m_t[m_pos] == 'e' || m_t[m_pos] == 'E')) return false;
        out = 0;
        for (std::size_t i = start; i < m_pos; ++i)
            out = out * 10 + (m_t[i] - '0');
        return true;
    }

    // An object; `member(key, valueText)` (when given) is called for each member as it is read.
    bool object(int depth, const MemberFn* member = nullptr) {
        if (depth >= kMaxCanonicalDepth) return false;
        ++m_pos; // '{'
        if (m_pos < m_t.size() && m_t[m_pos] == '}') {
            ++m_pos;
            return true;
        }
        Key previous, key;
        for (bool first = true;; first = false) {
            if (!readKey(key)) return false;
            if (!first && !(previous.value() < key.value())) return false; // the serializer writes std::map order
            if (m_pos >= m_t.size() || m_t[m_pos] != ':') return false;
            ++m_pos;
            const std::size_t valueAt = m_pos;
            if (!value(depth + 1)) return false;
            if (member && !(*member)(key.value(), m_t.substr(valueAt, m_pos - valueAt))) return false;
            if (depth == 0 && m_plain && (key.value().empty() || m_t.compare(valueAt, m_pos - valueAt, "null") == 0))
                *m_plain = false;
            if (m_pos >= m_t.size()) return false;
            if (m_t[m_pos] == '}') {
                ++m_pos;
                return true;
            }
            if (m_t[m_pos] != ',') return false;
            ++m_pos;
            std::swap(previous, key);
        }
    }

private:
    bool skipString() { return string(nullptr); }

    // A key as read: its text when it had no escapes (most keys), else its decoded value.
    struct Key {
        std::string_view raw;
        std::string decoded;
        bool escaped = false;
        std::string_view value() const { return escaped ? std::string_view(decoded) : raw; }
    };

    bool readKey(Key& key) {
        const std::size_t start = m_pos;
        if (!string(nullptr, &key.escaped)) return false;
        key.raw = m_t.substr(start + 1, m_pos - 2 - start);
        if (key.escaped) { // read again, decoding
            key.decoded.clear();
            m_pos = start;
            (void)string(&key.decoded);
        }
        return true;
    }

    bool array(int depth) {
        if (depth >= kMaxCanonicalDepth) return false;
        ++m_pos; // '['
        if (m_pos < m_t.size() && m_t[m_pos] == ']') {
            ++m_pos;
            return true;
        }
        while (true) {
            if (!value(depth + 1)) return false;
            if (m_pos >= m_t.size()) return false;
            if (m_t[m_pos] == ']') {
                ++m_pos;
                return true;
            }
            if (m_t[m_pos] != ',') return false;
            ++m_pos;
        }
    }

    bool literal(std::string_view word) {
        if (m_t.substr(m_pos, word.size()) != word) return false;
        m_pos += word.size();
        return true;
    }

    // The escapes the serializer writes: \" \\ \b \f \n \r \t, and \u00xx (lower case) for the other
    // control characters. \/, \u0041 and the like are valid JSON but not canonical.
    bool escape(std::string* out) {
        if (m_pos + 1 >= m_t.size()) return false;
        char decoded = 0;
        switch (m_t[m_pos + 1]) {
        case '"':
            decoded = '"';
            break;
        case '\\':
            decoded = '\\';
            break;
        case 'b':
            decoded = '\b';
            break;
        case 'f':
            decoded = '\f';
            break;
        case 'n':
            decoded = '\n';
            break;
        case 'r':
            decoded = '\r';
            break;
        case 't':
            decoded = '\t';
            break;
        case 'u': {
            if (m_pos + 6 > m_t.size() || m_t[m_pos + 2] != '0' || m_t[m_pos + 3] != '0') return false;
            const int hi = hexValue(m_t[m_pos + 4]);
            const int lo = hexValue(m_t[m_pos + 5]);
            if (hi < 0 || lo < 0) return false;
            const int code = hi * 16 + lo;
            if (code >= 0x20 || code == '\b' || code == '\f' || code == '\n' || code == '\r' || code == '\t')
                return false;
            if (out) out->push_back(static_cast<char>(code));
            m_pos += 6;
            return true;
        }
        default:
            return false;
        }
        if (out) out->push_back(decoded);
        m_pos += 2;
        return true;
    }

    // Digits of an integer part: "0" or a non-zero digit and more, at most `maxDigits` of them.
    bool integerDigits(std::size_t maxDigits) {
        const std::size_t start = m_pos;
        if (m_pos >= m_t.size() || !isDigit(m_t[m_pos])) return false;
        if (m_t[m_pos] == '0') {
            ++m_pos;
            return m_pos >= m_t.size() || !isDigit(m_t[m_pos]);
        }
        while (m_pos < m_t.size() && isDigit(m_t[m_pos]))
            ++m_pos;
        return m_pos - start <= maxDigits;
    }

    // An integer that fits the parser's 64-bit types ("-0" reads back as "0"), or a floating-point
    // number written as the serializer writes that same double.
    bool number() {
        const std::size_t start = m_pos;
        const bool negative = m_t[m_pos] == '-';
        if (negative) ++m_pos;
        // The largest integers the parser keeps as integers: beyond them it makes a double.
        const std::string_view limit = negative ? "9223372036854775808" : "18446744073709551615";
        const std::size_t digitsAt = m_pos;
        if (!integerDigits(limit.size())) return false;
        const bool fraction = m_pos < m_t.size() && m_t[m_pos] == '.';
        const bool exponent = !fraction && m_pos < m_t.size() && (m_t[m_pos] == 'e' || m_t[m_pos] == 'E');
        if (!fraction && !exponent) {
            const std::string_view digits = m_t.substr(digitsAt, m_pos - digitsAt);
            if (negative && digits == "0") return false;
            return digits.size() < limit.size() || digits <= limit;
        }
        if (fraction) {
            ++m_pos;
            const std::size_t digits = m_pos;
            while (m_pos < m_t.size() && isDigit(m_t[m_pos]))
                ++m_pos;
            if (m_pos == digits) return false;
        }
        if (m_pos < m_t.size() && (m_t[m_pos] == 'e' || m_t[m_pos] == 'E')) {
            ++m_pos;
            if (m_pos < m_t.size() && (m_t[m_pos] == '+' || m_t[m_pos] == '-')) ++m_pos;
            const std::size_t digits = m_pos;
            while (m_pos < m_t.size() && isDigit(m_t[m_pos]))
                ++m_pos;
            if (m_pos == digits) return false;
        }
        const std::string_view token = m_t.substr(start, m_pos - start);
        // The JSON library's own number parser, not std::from_chars: libc++ before LLVM 20 (the Android
        // NDK's) has no from_chars for doubles, and strtod alone would follow the C locale's decimal
        // point. Out of range (1e400) does not parse. Canonical means the library writes it back the same.
        const auto d = nlohmann::json::parse(token.begin(), token.end(), nullptr, false);
        if (!d.is_number_float() || !std::isfinite(d.get<double>())) return false;
        return d.dump() == token;
    }

    std::string_view m_t;
    std::size_t m_pos = 0;
    bool* m_plain = nullptr;
};

} // namespace

std::size_t canonicalValue(std::string_view text) {
    Scanner s(text);
    return s.value(0) ? s.pos() : 0;
}

std::size_t canonicalAnswers(std::string_view text, bool& plain) {
    plain = true;
    if (text.empty() || text.front() != '{') return 0;
    Scanner s(text);
    s.watchPlain(&plain);
    return s.value(0) ? s.pos() : 0;
}

std::size_t canonicalString(std::string_view text, std::string& out) {
    out.clear();
    Scanner s(text);
    return s.string(&out) ? s.pos() : 0;
}

std::size_t canonicalCount(std::string_view text, std::int64_t& out) {
    Scanner s(text);
    return s.count(out) ? s.pos() : 0;
}

bool forEachMember(std::string_view object, const MemberFn& fn) {
    if (object.empty() || object.front() != '{') return false;
    Scanner s(object);
    return s.object(0, &fn) && s.pos() == object.size();
}

} // namespace carnet::sync
