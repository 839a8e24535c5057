#pragma once
// The expression language: XLSForm/ODK syntax, parsed once into an AST and evaluated many times.

#include "forms/value.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace carnet::forms {

/// A compiled regular expression: RE2 syntax on UTF-8 characters, matched in time linear in the text
/// (no backtracking), so answers of any length can be matched. RE2 stays out of this header.
class Regex {
public:
    /// Compiles `pattern`; nullptr and `error` filled when it is not a valid RE2 pattern.
    [[nodiscard]] static std::shared_ptr<const Regex> compile(std::string_view pattern, std::string& error);
    ~Regex();
    Regex(const Regex&) = delete;
    Regex& operator=(const Regex&) = delete;
    /// True when the pattern matches the whole of `text` (a question's `regex`).
    [[nodiscard]] bool fullMatch(std::string_view text) const;
    /// True when the pattern matches somewhere in `text` (ODK's regex(), which anchors with ^ and $).
    [[nodiscard]] bool search(std::string_view text) const;

private:
    struct Impl;
    explicit Regex(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

/// Built-in functions.
enum class Func {
    If,
    Not,
    True,
    False,
    Selected,
    CountSelected,
    Concat,
    StringLength,
    Regex,
    Today,
    Now,
    Int,
    Round,
    Coalesce,
    Sum,
    Count,
    Position,
    Contains,
    StartsWith,
    EndsWith,
    Substr,
    Number,
    String,
    Boolean,
    Min,
    Max,
    Abs,
    // ODK XForms spec functions (getodk.github.io/xforms-spec, "Functions")
    Pow,
    Sqrt,
    Exp,
    Exp10,
    Log,
    Log10,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Atan2,
    Pi,
    Floor,
    Ceiling,
    Translate,
    NormalizeSpace,
    SubstringBefore,
    SubstringAfter,
    BooleanFromString,
    Once,
    Date,
    DecimalDateTime,
    FormatDate,
    SelectedAt,
    Join,
    CountNonEmpty,
    Uuid,
    Distance,
    Area,
    Pulldata,          ///< pulldata(file, column, key_column, key): a value from a media CSV file
    ChoiceName,        ///< jr:choice-name(value, '${select}'): the choice's label (Expr::target = the select)
    IndexedRepeat,     ///< indexed-repeat(${field}, ${repeat}, n[, ${repeat2}, n2[, ${repeat3}, n3]])
    DecimalTime,       ///< decimal-time(time): the fraction of a day
    Digest,            ///< digest(text, 'MD5'|'SHA-1'|'SHA-256'|'SHA-384'|'SHA-512'[, 'base64'|'hex'])
    Base64Decode,      ///< base64-decode(text): the UTF-8 text the base64 encodes
    Random,            ///< random(): a number in [0, 1)
    Randomize,         ///< randomize(list[, seed]): the items shuffled (ODK's seeded Fisher-Yates)
    Checklist,         ///< checklist(min, max, v...): how many v are true lies in [min, max]
    Property,          ///< carnet:property(name): the device's "deviceid", "username"... ("" when unknown)
    WeightedChecklist, ///< weighted-checklist(min, max, v, w, ...): the weights of the true v summed
    Substring,         ///< XPath substring(s, start[, length]): 1-based, rounded
    Instance,          ///< instance('id')/root/item[pred]…/column (Expr::name = id, literal = column, args = preds)
    Last,              ///< last(): the size of the node-set a predicate filters, or the number of repeat instances
    ExtractSigned,     ///< extract-signed(signed, key): the message of an Ed25519-signed base64 text, '' if forged
    Itext,             ///< jr:itext(id): a text of the form by pyxform's itext id ('/data/q:label', 'list-0')
};

/// Binary and unary operators.
enum class Op { Or, And, Eq, Ne, Lt, Le, Gt, Ge, Add, Sub, Mul, Div, Mod, Neg };

/// One node of a parsed expression.
struct Expr {
    /// What the node is.
    enum class Kind { Literal, Ref, Self, Parent, ChoiceColumn, Binary, Unary, Call };
    Kind kind = Kind::Literal;
    Value literal;                           ///< Literal
    std::string name;                        ///< Ref (field name), ChoiceColumn (column name), Instance (its id)
    int target = -1;                         ///< Ref: item index, bound by the loader (ChoiceName: the select;
                                             ///< Instance: the choice list, -1 for a media CSV file)
    Op op = Op::Add;                         ///< Binary, Unary
    Func func = Func::If;                    ///< Call
    std::vector<std::unique_ptr<Expr>> args; ///< operands or call arguments
    int column = 1;                          ///< 1-based column in the source text, for messages
    std::shared_ptr<const Regex> regex;      ///< Call Regex with a literal pattern: compiled once
};

/// A parse failure: message key (see the translation table), its argument, and the 1-based column.
struct ExprError {
    std::string key;
    std::string arg;
    std::string arg2;
    int column = 1;
};

/// A parsed expression and the source it came from.
struct Expression {
    std::string source;
    std::unique_ptr<Expr> root;
};

/// Options for the parser.
struct ParseOptions {
    bool allowChoiceColumns = false; ///< bare names refer to choice columns (choice_filter only)
};

/// Parses `text`; on failure returns nullopt and fills `error`.
[[nodiscard]] std::optional<Expression> parseExpression(std::string_view text, const ParseOptions& options,
                                                        ExprError& error);

/// Calls `fn(Expr&)` for every node of the tree (pre-order).
template <class Fn> void forEachNode(Expr& e, Fn&& fn) {
    fn(e);
    for (auto& a : e.args)
        forEachNode(*a, fn);
}
/// Const version of forEachNode.
template <class Fn> void forEachNode(const Expr& e, Fn&& fn) {
    fn(e);
    for (const auto& a : e.args)
        forEachNode(static_cast<const Expr&>(*a), fn);
}

/// The items of a secondary instance (`instance('id')/root/item`): a choice list's choices or a media CSV
/// file's rows, each with named children (columns).
class InstanceItems {
public:
    virtual ~InstanceItems() = default;
    /// Number of items.
    [[nodiscard]] virtual std::size_t size() const = 0;
    /// Child `name` of item `row` (0-based); "" when the item has none.
    [[nodiscard]] virtual Value column(std::size_t row, std::string_view name) const = 0;
};

/// What an expression can see while it is evaluated.
class EvalContext {
public:
    virtual ~EvalContext() = default;
    /// The value of item `target` as seen from the current node (a list when it lies in a deeper repeat).
    [[nodiscard]] virtual Value ref(int target) const = 0;
    /// The current question's value (`.`).
    [[nodiscard]] virtual Value self() const = 0;
    /// 1-based index of the current repeat instance, 0 outside repeats.
    [[nodiscard]] virtual int position() const = 0;
    /// A column of the choice being filtered ("" when none).
    [[nodiscard]] virtual Value choiceColumn(std::string_view name) const = 0;
    /// Now, in days since 1970-01-01 local time (fraction = time of day).
    [[nodiscard]] virtual double nowDays() const = 0;
    /// pulldata(): `column` of the first row of media `file` whose `keyColumn` is `key`; "" when there is
    /// none or the file is not attached.
    [[nodiscard]] virtual Value pulldata(std::string_view /*file*/, std::string_view /*column*/,
                                         std::string_view /*keyColumn*/, std::string_view /*key*/) const {
        return Value::string("");
    }
    /// jr:choice-name(): the label, in the session's language, of the choice `value` of select `target`
    /// ("" when it has none).
    [[nodiscard]] virtual Value choiceName(int /*target*/, std::string_view /*value*/) const {
        return Value::string("");
    }
    /// indexed-repeat(): item `target` in the instances `indexes` name (repeat item, 1-based position);
    /// a repeat around `target` that `indexes` leaves out is the current one. "" when there is none.
    [[nodiscard]] virtual Value indexedRef(int /*target*/, const std::vector<std::pair<int, int>>& /*indexes*/) const {
        return Value::string("");
    }
    /// carnet:property(): what the device knows of itself and its user ("deviceid", "username", "email",
    /// "phonenumber"), as ODK's metadata preloads give it; "" when it does not know.
    [[nodiscard]] virtual Value property(std::string_view /*name*/) const { return Value::string(""); }
    /// random(): a number in [0, 1).
    [[nodiscard]] virtual double random() const;
    /// last(): the number of instances of the repeat the expression is in, 0 outside repeats.
    [[nodiscard]] virtual int last() const { return 0; }
    /// The session's language ("fr", "en", ...): format-date() names months and days in it. "" = English.
    [[nodiscard]] virtual std::string language() const { return ""; }
    /// jr:itext(): the text pyxform's itext `id` names ("/data/q:label", ":hint", ":jr:constraintMsg",
    /// ":jr:requiredMsg", "/data/q/value:label", "list-0"), in the session's language; "" when none.
    [[nodiscard]] virtual Value itext(std::string_view /*id*/) const { return Value::string(""); }
    /// instance(`id`): the choice list `list` (index in Form::choiceLists, bound by the loader) or, when
    /// `list` is -1, the media CSV file `id`; nullptr when there is none (an empty node-set).
    [[nodiscard]] virtual std::unique_ptr<InstanceItems> instance(std::string_view /*id*/, int /*list*/) const {
        return nullptr;
    }
    /// An expression that parsed could not be evaluated as written (a digest algorithm computed at run
    /// time that does not exist, a regex() pattern computed at run time that does not compile, ...):
    /// its result is "" or false, and the session reports it (Session::evaluationErrors).
    virtual void evaluationError(std::string_view /*key*/, std::string_view /*arg*/) const {}
};

/// Evaluates a parsed expression.
[[nodiscard]] Value evaluate(const Expr& e, const EvalContext& ctx);

/// XPath "=" between two values (node-sets compare existentially).
[[nodiscard]] bool valuesEqual(const Value& a, const Value& b);

/// Longest pattern, in bytes, of regex() and of a question's `regex`: compiled memory grows with it.
inline constexpr std::size_t kMaxRegexPattern = 1000;

} // namespace carnet::forms
