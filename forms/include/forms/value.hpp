#pragma once
// The values that expressions compute with, following XPath 1.0 as ODK/JavaRosa use it.

#include <string>
#include <vector>

namespace carnet::forms {

/// A value in an expression: a string (unanswered is ""), a number, a boolean, a date or a node-set (list).
class Value {
public:
    /// The dynamic type of a value.
    enum class Kind : unsigned char { String, Number, Bool, Date, List };

    Value() = default;
    /// A string value; "" is the unanswered value.
    static Value string(std::string s);
    /// A number value.
    static Value number(double d);
    /// A boolean value.
    static Value boolean(bool b);
    /// A date or date-time: `days` since 1970-01-01 (fraction = time of day), `text` its ISO form.
    static Value date(double days, std::string text);
    /// A node-set: the values of a field across repeat instances.
    static Value list(std::vector<Value> items);

    /// The dynamic type.
    [[nodiscard]] Kind kind() const { return m_kind; }
    /// True for "" and for an empty list.
    [[nodiscard]] bool isEmpty() const;
    /// XPath string(): numbers without a needless fraction, booleans as "true"/"false", dates as ISO.
    [[nodiscard]] std::string toString() const;
    /// XPath number(): NaN when not numeric ("" included).
    [[nodiscard]] double toNumber() const;
    /// XPath boolean(): "" and 0 and NaN are false.
    [[nodiscard]] bool toBool() const;
    /// Items of a list; a single value is a list of one.
    [[nodiscard]] std::vector<Value> items() const;
    /// The raw list (empty unless kind() == List).
    [[nodiscard]] const std::vector<Value>& listItems() const { return m_list; }
    /// Structural equality (same kind and content), used to stop change propagation.
    [[nodiscard]] bool same(const Value& other) const;

private:
    Kind m_kind = Kind::String;
    bool m_bool = false;
    double m_num = 0.0;
    std::string m_str;
    std::vector<Value> m_list;
};

/// Parses "YYYY-MM-DD" into days since 1970-01-01; false if not a valid calendar date.
[[nodiscard]] bool parseIsoDate(std::string_view s, double& days);
/// Parses "YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]" into days (UTC when an offset is given); false if invalid.
[[nodiscard]] bool parseIsoDateTime(std::string_view s, double& days);
/// Parses "HH:MM[:SS]" into seconds since midnight; false if invalid.
[[nodiscard]] bool parseIsoTime(std::string_view s, int& seconds);
/// "YYYY-MM-DD" for a day number.
[[nodiscard]] std::string formatIsoDate(long long days);

} // namespace carnet::forms
