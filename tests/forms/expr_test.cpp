// The expression language on its own: parsing (precedence, errors with columns), every function,
// and ODK's rules for empty values and dates. A fake context stands in for a session.
#include "forms/expr.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <string>
#include <vector>

using namespace carnet::forms;

namespace {

double isoDays(std::string_view iso) {
    double d = 0;
    REQUIRE(parseIsoDate(iso, d));
    return d;
}

Value dateValue(const std::string& iso) {
    double d = 0;
    if (!parseIsoDate(iso, d)) REQUIRE(parseIsoDateTime(iso, d));
    return Value::date(d, iso);
}

// Fields by name; the parser's ${name} nodes are bound to indexes into `names`.
struct FakeContext final : EvalContext {
    std::vector<std::string> names;
    std::vector<Value> values;
    Value selfValue = Value::string("");
    int pos = 0;
    std::map<std::string, std::string, std::less<>> columns;
    double now = 0;

    FakeContext() { now = isoDays("2026-11-25") + 0.5; } // 2026-11-25 at noon

    void set(const std::string& name, Value v) {
        for (std::size_t i = 0; i < names.size(); ++i)
            if (names[i] == name) {
                values[i] = std::move(v);
                return;
            }
        names.push_back(name);
        values.push_back(std::move(v));
    }
    int bind(const std::string& name) {
        for (std::size_t i = 0; i < names.size(); ++i)
            if (names[i] == name) return static_cast<int>(i);
        set(name, Value::string("")); // unknown fields are unanswered
        return static_cast<int>(names.size()) - 1;
    }

    Value ref(int target) const override { return values.at(static_cast<std::size_t>(target)); }
    Value self() const override { return selfValue; }
    int position() const override { return pos; }
    Value choiceColumn(std::string_view name) const override {
        auto it = columns.find(name);
        return Value::string(it == columns.end() ? std::string() : it->second);
    }
    double nowDays() const override { return now; }
    mutable std::vector<std::string> errors; ///< evaluationError() calls, "key arg"
    void evaluationError(std::string_view key, std::string_view arg) const override {
        errors.push_back(std::string(key) + " " + std::string(arg));
    }
};

Expression parseOk(std::string_view text, bool choiceColumns = false) {
    ExprError err;
    ParseOptions opts;
    opts.allowChoiceColumns = choiceColumns;
    auto e = parseExpression(text, opts, err);
    INFO("expression: " << text << " -> " << err.key << " '" << err.arg << "' at column " << err.column);
    REQUIRE(e.has_value());
    REQUIRE(e->root != nullptr);
    return std::move(*e);
}

Value eval(std::string_view text, FakeContext& ctx, bool choiceColumns = false) {
    Expression e = parseOk(text, choiceColumns);
    forEachNode(*e.root, [&](Expr& n) {
        if (n.kind == Expr::Kind::Ref) n.target = ctx.bind(n.name);
    });
    return evaluate(*e.root, ctx);
}

Value eval(std::string_view text) {
    FakeContext ctx;
    return eval(text, ctx);
}

double num(std::string_view text) {
    return eval(text).toNumber();
}
bool truth(std::string_view text) {
    return eval(text).toBool();
}
std::string str(std::string_view text) {
    return eval(text).toString();
}

ExprError parseError(std::string_view text, bool choiceColumns = false) {
    ExprError err;
    ParseOptions opts;
    opts.allowChoiceColumns = choiceColumns;
    auto e = parseExpression(text, opts, err);
    INFO("expression: " << text);
    REQUIRE_FALSE(e.has_value());
    return err;
}

Value list(std::initializer_list<Value> items) {
    return Value::list(std::vector<Value>(items));
}
Value s(const char* text) {
    return Value::string(text);
}
Value n(double d) {
    return Value::number(d);
}

} // namespace

// ------------------------------------------------------------------ parsing

TEST_CASE("literals: numbers and strings in either quote", "[expr]") {
    CHECK(num("42") == 42);
    CHECK(num("2.5") == 2.5);
    CHECK(num(".5") == 0.5);
    CHECK(str("'oui'") == "oui");
    CHECK(str("\"oui\"") == "oui");
    CHECK(str("\"l'autre\"") == "l'autre"); // no escapes: use the other quote
    CHECK(str("'dit \"non\"'") == "dit \"non\"");
    CHECK(str("''").empty());
    CHECK(eval("'42'").kind() == Value::Kind::String);
    CHECK(eval("42").kind() == Value::Kind::Number);
}

TEST_CASE("arithmetic operators", "[expr]") {
    CHECK(num("1 + 2") == 3);
    CHECK(num("5 - 7") == -2);
    CHECK(num("6 * 7") == 42);
    CHECK(num("7 div 2") == 3.5);
    CHECK(num("7 mod 3") == 1);
    CHECK(num("-7 mod 3") == -1);
    CHECK(num("-3") == -3);
    CHECK(num("- -3") == 3);
    CHECK(num("2 - -3") == 5);
    CHECK(num("2*3") == 6);
    CHECK(std::isinf(num("1 div 0")));
    CHECK(std::isnan(num("'abc' + 1")));
    CHECK(num("'3' + 1") == 4); // numeric text converts
}

TEST_CASE("comparison operators", "[expr]") {
    CHECK(truth("1 = 1"));
    CHECK_FALSE(truth("1 = 2"));
    CHECK(truth("1 != 2"));
    CHECK_FALSE(truth("1 != 1"));
    CHECK(truth("1 < 2"));
    CHECK_FALSE(truth("2 < 2"));
    CHECK(truth("2 <= 2"));
    CHECK_FALSE(truth("3 <= 2"));
    CHECK(truth("3 > 2"));
    CHECK_FALSE(truth("2 > 2"));
    CHECK(truth("2 >= 2"));
    CHECK_FALSE(truth("1 >= 2"));
    CHECK(truth("'a' = 'a'"));
    CHECK_FALSE(truth("'a' = 'A'"));
    CHECK(truth("'3' = 3")); // number vs text: the text converts
    CHECK(truth("'10' > 9"));
    CHECK(truth("'10' > '9'"));        // two numeric texts compare as numbers
    CHECK(truth("'08:30' < '17:00'")); // two non-numeric texts compare as text
    CHECK(truth("'abc' < 'abd'"));
    CHECK(truth("true() = 1"));
    CHECK(truth("false() = 0"));
}

TEST_CASE("logic operators and boolean functions", "[expr]") {
    CHECK(truth("1 and 1"));
    CHECK_FALSE(truth("1 and 0"));
    CHECK(truth("0 or 1"));
    CHECK_FALSE(truth("0 or 0"));
    CHECK(truth("not(0)"));
    CHECK_FALSE(truth("not(1)"));
    CHECK(truth("true()"));
    CHECK_FALSE(truth("false()"));
    CHECK(eval("true()").kind() == Value::Kind::Bool);
}

TEST_CASE("precedence: or, and, equality, relational, additive, multiplicative, unary", "[expr]") {
    CHECK(truth("1 or 0 and 0"));       // 1 or (0 and 0)
    CHECK_FALSE(truth("0 and 1 or 0")); // (0 and 1) or 0
    CHECK(truth("0 and 0 or 1"));       // (0 and 0) or 1
    CHECK(truth("1 = 1 and 2 = 2"));    // equality binds tighter than and
    CHECK(truth("2 < 1 = 0"));          // (2 < 1) = 0, not 2 < (1 = 0)
    CHECK_FALSE(truth("2 > 1 + 3"));    // 2 > (1 + 3)
    CHECK(num("1 + 2 * 3") == 7);
    CHECK(num("(1 + 2) * 3") == 9);
    CHECK(num("10 - 4 - 3") == 3); // left associative
    CHECK(num("12 div 3 div 2") == 2);
    CHECK(num("2 * 3 mod 4") == 2); // (2 * 3) mod 4
    CHECK(num("-2 * 3") == -6);
    CHECK(num("-(2 + 3)") == -5);
    CHECK(num("1 - 2 + 3") == 2);
}

TEST_CASE("the parse tree follows the precedence table", "[expr]") {
    Expression e = parseOk("${a} or ${b} and ${c}");
    REQUIRE(e.root->kind == Expr::Kind::Binary);
    CHECK(e.root->op == Op::Or);
    CHECK(e.root->column == 6);
    REQUIRE(e.root->args.size() == 2);
    CHECK(e.root->args[0]->kind == Expr::Kind::Ref);
    CHECK(e.root->args[0]->name == "a");
    CHECK(e.root->args[1]->op == Op::And);

    Expression d = parseOk(". - today() <= 60");
    REQUIRE(d.root->kind == Expr::Kind::Binary);
    CHECK(d.root->op == Op::Le);
    CHECK(d.root->args[0]->op == Op::Sub);
    CHECK(d.root->args[0]->args[0]->kind == Expr::Kind::Self);
    CHECK(d.root->args[0]->args[1]->kind == Expr::Kind::Call);
    CHECK(d.root->args[0]->args[1]->func == Func::Today);

    Expression u = parseOk("-${x}");
    CHECK(u.root->kind == Expr::Kind::Unary);
    CHECK(u.root->op == Op::Neg);
    CHECK(u.source == "-${x}");
}

TEST_CASE("references: spaces inside ${ } are ignored", "[expr]") {
    Expression e = parseOk("${ nb_voitures }");
    CHECK(e.root->kind == Expr::Kind::Ref);
    CHECK(e.root->name == "nb_voitures");
    CHECK(e.root->target == -1); // bound later by the loader
}

TEST_CASE("choice columns are bare names, allowed only in choice filters", "[expr]") {
    Expression e = parseOk("commune = ${commune}", true);
    CHECK(e.root->args[0]->kind == Expr::Kind::ChoiceColumn);
    CHECK(e.root->args[0]->name == "commune");
    CHECK(e.root->args[1]->kind == Expr::Kind::Ref);

    FakeContext ctx;
    ctx.set("commune", s("venelles"));
    ctx.columns["commune"] = "venelles";
    CHECK(eval("commune = ${commune}", ctx, true).toBool());
    ctx.columns["commune"] = "gardanne";
    CHECK_FALSE(eval("commune = ${commune}", ctx, true).toBool());
    // A choice without the column has "" there.
    CHECK(eval("territoire = ''", ctx, true).toBool());

    const ExprError err = parseError("commune = ${commune}");
    CHECK(err.key == "expr.bare_name");
    CHECK(err.arg == "commune");
    CHECK(err.column == 1);
}

// ------------------------------------------------------------------ parse errors

TEST_CASE("parse errors carry a message key, its argument and the 1-based column", "[expr]") {
    struct Case {
        const char* text;
        const char* key;
        const char* arg;
        int column;
    };
    const Case cases[] = {
        {"", "expr.empty", "", 1},
        {"   ", "expr.empty", "", 4},
        {"1 +", "expr.unexpected_end", "", 4},
        {"${a} = ", "expr.unexpected_end", "", 8},
        {"not(", "expr.unexpected_end", "", 5},
        {"1 # 2", "expr.unexpected_char", "#", 3},
        {"1 / 2", "expr.unexpected_char", "/", 3}, // write div
        {"$a", "expr.unexpected_char", "$", 1},
        {"1 ! 2", "expr.unexpected_char", "!", 3},
        {"x = é", "expr.unexpected_char", "é", 5}, // the whole UTF-8 letter
        {"'abc", "expr.unterminated_string", "", 1},
        {"1 = \"abc", "expr.unterminated_string", "", 5},
        {"${abc = 1", "expr.unterminated_ref", "", 1},
        {"lenght(.) > 3", "expr.unknown_function", "lenght", 1},
        {". > 1 and jr:other('x')", "expr.unknown_function", "jr:other", 11},
        {"instance('a')", "expr.expected", "/root/item", 14}, // spec #fn:instance: pyxform's paths only
        {"(1 + 2", "expr.expected", ")", 7},
        {"if(1, 2, 3", "expr.expected", ")", 11},
        {"foo = 1", "expr.bare_name", "foo", 1},
        {"1 2", "expr.unexpected_token", "2", 3},
        {"1 + 2)", "expr.unexpected_token", ")", 6},
        {"1 = = 2", "expr.unexpected_token", "=", 5},
        {"and 1", "expr.unexpected_token", "and", 1},
        {"${}", "expr.unexpected_token", "${}", 1},
        {"${1abc}", "expr.unexpected_token", "${1abc}", 1},
        {"..", "expr.parent_only_in_position", "", 1},
        {"1 + ..", "expr.parent_only_in_position", "", 5},
        {"position(.)", "expr.expected", "..", 10},
        {"sum(${a}) ,", "expr.unexpected_token", ",", 11},
    };
    for (const auto& c : cases) {
        INFO("expression: '" << c.text << "'");
        const ExprError err = parseError(c.text);
        CHECK(err.key == c.key);
        CHECK(err.arg == c.arg);
        CHECK(err.column == c.column);
    }
}

TEST_CASE("wrong argument counts name the function and what it takes", "[expr]") {
    struct Case {
        const char* text;
        const char* func;
        const char* arity;
        int column;
    };
    const Case cases[] = {
        {"if(1, 2)", "if", "3", 1},
        {"not()", "not", "1", 1},
        {"${x} = 1 or not()", "not", "1", 13},
        {"true(1)", "true", "0", 1},
        {"today(1)", "today", "0", 1},
        {"string-length(., 1)", "string-length", "0-1", 1},
        {"round()", "round", "1-2", 1},
        {"substr('a')", "substr", "2-3", 1},
        {"coalesce(1)", "coalesce", "2+", 1},
        {"min()", "min", "1+", 1},
        {"1 + selected(.)", "selected", "2", 5},
        {"position(.., ..)", "position", "0-1", 1},
        {"pulldata('fruits', 'price')", "pulldata", "4", 1},
    };
    for (const auto& c : cases) {
        INFO("expression: '" << c.text << "'");
        const ExprError err = parseError(c.text);
        CHECK(err.key == "expr.arity");
        CHECK(err.arg == c.func);
        CHECK(err.arg2 == c.arity);
        CHECK(err.column == c.column);
    }
}

TEST_CASE("deep nesting is refused, not a crash", "[expr]") {
    // Kept under the token limit so that it is the nesting depth that is refused.
    std::string ok = std::string(100, '(') + "1" + std::string(100, ')');
    CHECK(num(ok) == 1);

    const std::string deep = std::string(1000, '(') + "1" + std::string(1000, ')');
    CHECK(parseError(deep).key == "expr.unexpected_token");

    std::string negs(1500, '-');
    CHECK(parseError(negs + "1").key == "expr.unexpected_token");

    std::string calls;
    for (int i = 0; i < 600; ++i)
        calls += "not(";
    calls += "1" + std::string(600, ')');
    CHECK(parseError(calls).key == "expr.unexpected_token");
}

TEST_CASE("very long operator chains are refused, not a stack overflow", "[expr]") {
    // A left-associative chain builds a tree as deep as it is long, without nested parentheses.
    std::string chain = "1";
    for (int i = 0; i < 100000; ++i)
        chain += "+1";
    const ExprError err = parseError(chain);
    CHECK(err.key == "expr.too_long");

    // A long but reasonable sum (a scoring calculation over many questions) is fine.
    std::string sum = "${q0}";
    for (int i = 1; i < 300; ++i)
        sum += " + ${q" + std::to_string(i) + "}";
    FakeContext ctx;
    for (int i = 0; i < 300; ++i)
        ctx.set("q" + std::to_string(i), n(1));
    CHECK(eval(sum, ctx).toNumber() == 300);
}

// ------------------------------------------------------------------ functions

TEST_CASE("if chooses a branch", "[expr][functions]") {
    CHECK(str("if(1 = 1, 'a', 'b')") == "a");
    CHECK(str("if(1 = 2, 'a', 'b')") == "b");
    CHECK(str("if('', 'a', 'b')") == "b");
    CHECK(num("if(true(), 3, 'b') + 1") == 4);
}

TEST_CASE("selected and count-selected read space-separated values", "[expr][functions]") {
    FakeContext ctx;
    ctx.set("m", s("bus velo"));
    CHECK(eval("selected(${m}, 'velo')", ctx).toBool());
    CHECK(eval("selected(${m}, 'bus')", ctx).toBool());
    CHECK_FALSE(eval("selected(${m}, 'vel')", ctx).toBool());
    CHECK_FALSE(eval("selected(${m}, 'train')", ctx).toBool());
    CHECK(eval("count-selected(${m})", ctx).toNumber() == 2);
    ctx.set("m", s(""));
    CHECK(eval("count-selected(${m})", ctx).toNumber() == 0);
    CHECK_FALSE(eval("selected(${m}, 'bus')", ctx).toBool());
    ctx.selfValue = s("aucun travail");
    CHECK(eval("selected(., 'aucun') and count-selected(.) > 1", ctx).toBool());
}

TEST_CASE("concat joins values, including every item of a list", "[expr][functions]") {
    CHECK(str("concat('a', 'b', 'c')") == "abc");
    CHECK(str("concat()").empty());
    CHECK(str("concat('n° ', 3, ' : ', 2.5)") == "n° 3 : 2.5");
    FakeContext ctx;
    ctx.set("prenoms", list({s("Ana"), s("Léo")}));
    ctx.set("commune", s("Venelles"));
    CHECK(eval("concat(${commune}, ' – ', ${prenoms})", ctx).toString() == "Venelles – AnaLéo");
}

TEST_CASE("string-length counts characters, of . when called without argument", "[expr][functions]") {
    CHECK(num("string-length('abc')") == 3);
    CHECK(num("string-length('été')") == 3);
    CHECK(num("string-length('')") == 0);
    CHECK(num("string-length(12345)") == 5);
    FakeContext ctx;
    ctx.selfValue = s("Ça va");
    CHECK(eval("string-length()", ctx).toNumber() == 5);
    CHECK(eval("string-length(.)", ctx).toNumber() == 5);
}

TEST_CASE("regex() searches the text, as ODK does", "[expr][functions]") {
    // ODK XForms spec, "Strings": regex(string value, string expression) is true when the expression
    // matches the value; forms anchor it with ^ and $ (docs.getodk.org/form-regex).
    CHECK(truth("regex('AMB-007', 'AMB-[0-9]{3}')"));
    CHECK(truth("regex('xAMB-007', 'AMB-[0-9]{3}')"));
    CHECK_FALSE(truth("regex('xAMB-007', '^AMB-[0-9]{3}$')"));
    CHECK_FALSE(truth("regex('AMB-0071', '^AMB-[0-9]{3}$')"));
    CHECK(truth("regex('', '.*')"));
    CHECK_FALSE(truth("regex('abc', '(')")); // a bad pattern at run time is false, not a crash
    FakeContext ctx;
    ctx.set("p", s("^[a-c]+$"));
    CHECK(eval("regex('abcab', ${p})", ctx).toBool());
    CHECK_FALSE(eval("regex('abcabd', ${p})", ctx).toBool());
}

TEST_CASE("regex() works on characters, not bytes", "[expr][functions]") {
    CHECK(truth("regex('é', '^[é]$')"));
    CHECK(truth("regex('ééé', '^.{3}$')"));
    CHECK_FALSE(truth("regex('éé', '^.{3}$')"));
    // A pattern deployed in ODK forms: a range from '_' to 'é' and accented letters in a class.
    const std::string names = "^[a-zA-Z0-9. _-éáíóãõúçâê]{1,25}$";
    CHECK(truth("regex('João da Conceição', '" + names + "')"));
    CHECK_FALSE(truth("regex('João!', '" + names + "')"));
    std::string error;
    CHECK(Regex::compile(names, error) != nullptr);
}

TEST_CASE("regex() on a long answer: no length cap, linear time", "[expr][functions]") {
    FakeContext ctx;
    // (a+)+$ backtracks exponentially on "aaa...ab" in a backtracking engine; RE2 answers at once.
    ctx.set("long", Value::string(std::string(10000, 'a') + "!"));
    CHECK_FALSE(eval("regex(${long}, '^(a+)+$')", ctx).toBool());
    CHECK(eval("regex(${long}, '^(a|aa)+!$')", ctx).toBool());
    ctx.set("big", Value::string(std::string(50000, 'A')));
    CHECK(eval("regex(${big}, '^[A-Z]*$')", ctx).toBool());
    CHECK(eval("regex(${big}, '^(A|B)*$')", ctx).toBool());
    // A pattern computed at run time (from an answer) is bounded in length.
    ctx.set("nested", Value::string(std::string(20000, '(') + "A" + std::string(20000, ')')));
    CHECK_FALSE(eval("regex('A', ${nested})", ctx).toBool());
    std::string error;
    const auto re = Regex::compile("AMB-[0-9]{3}", error);
    REQUIRE(re);
    CHECK(re->fullMatch("AMB-007"));
    CHECK_FALSE(re->fullMatch("xAMB-007"));
    CHECK(re->search("xAMB-007"));
    CHECK(Regex::compile("a(?=b)", error) == nullptr); // lookahead is not RE2 syntax
    CHECK_FALSE(error.empty());
}

TEST_CASE("today and now come from the context's clock", "[expr][functions]") {
    const Value t = eval("today()");
    CHECK(t.kind() == Value::Kind::Date);
    CHECK(t.toString() == "2026-11-25");
    CHECK(t.toNumber() == isoDays("2026-11-25"));
    const Value now = eval("now()");
    CHECK(now.kind() == Value::Kind::Date);
    CHECK(now.toString() == "2026-11-25T12:00:00");
    CHECK(now.toNumber() == Approx(isoDays("2026-11-25") + 0.5));
    CHECK(truth("now() > today()"));
    CHECK(num("now() - today()") == Approx(0.5));
}

TEST_CASE("int truncates toward zero", "[expr][functions]") {
    CHECK(num("int(3.7)") == 3);
    CHECK(num("int(-3.7)") == -3);
    CHECK(num("int('12.9')") == 12);
    CHECK(std::isnan(num("int('')")));
}

TEST_CASE("round rounds half up to the given digits", "[expr][functions]") {
    CHECK(num("round(2.5)") == 3);
    CHECK(num("round(2.4)") == 2);
    CHECK(num("round(-2.5)") == -2);
    CHECK(num("round(-2.6)") == -3);
    CHECK(num("round(3.14159, 2)") == 3.14);
    CHECK(num("round(1234.5, -2)") == 1200);
    CHECK(num("round(2 div 3, 2)") == 0.67);
    // Half up on the number as written, even when its binary value is a hair below the half.
    CHECK(num("round(1.005, 2)") == 1.01);
    CHECK(num("round(0.285, 2)") == 0.29);
    CHECK(num("round(2.675, 2)") == 2.68);
    CHECK(std::isnan(num("round('')")));
    CHECK(std::isnan(num("round(1.5, 'x')")));
}

TEST_CASE("coalesce returns the first non-empty argument", "[expr][functions]") {
    CHECK(str("coalesce('', 'b')") == "b");
    CHECK(str("coalesce('a', 'b')") == "a");
    CHECK(str("coalesce('', '', 'c')") == "c");
    CHECK(str("coalesce('', '')").empty());
    FakeContext ctx;
    ctx.set("a", s(""));
    CHECK(eval("coalesce(${a}, 0) + 1", ctx).toNumber() == 1);
    ctx.set("a", n(4));
    CHECK(eval("coalesce(${a}, 0) + 1", ctx).toNumber() == 5);
}

TEST_CASE("sum adds the items of a list and skips empty ones", "[expr][functions]") {
    FakeContext ctx;
    ctx.set("km", list({n(6.5), s(""), n(2)}));
    CHECK(eval("sum(${km})", ctx).toNumber() == 8.5);
    ctx.set("km", list({}));
    CHECK(eval("sum(${km})", ctx).toNumber() == 0);
    ctx.set("km", list({n(1), s("abc")}));
    CHECK(std::isnan(eval("sum(${km})", ctx).toNumber()));
    CHECK(num("sum(4)") == 4);
}

TEST_CASE("count counts the items of a list", "[expr][functions]") {
    FakeContext ctx;
    ctx.set("membres", list({s(""), s(""), s("")}));
    CHECK(eval("count(${membres})", ctx).toNumber() == 3);
    ctx.set("membres", list({}));
    CHECK(eval("count(${membres})", ctx).toNumber() == 0);
    CHECK(num("count(7)") == 1);
}

TEST_CASE("position(..) is the repeat instance number", "[expr][functions]") {
    FakeContext ctx;
    ctx.pos = 3;
    CHECK(eval("position(..)", ctx).toNumber() == 3);
    CHECK(eval("position()", ctx).toNumber() == 3);
    Expression e = parseOk("position(..)");
    REQUIRE(e.root->args.size() == 1);
    CHECK(e.root->args[0]->kind == Expr::Kind::Parent);
}

TEST_CASE("contains, starts-with and ends-with test text", "[expr][functions]") {
    CHECK(truth("contains('covoiturage', 'voit')"));
    CHECK_FALSE(truth("contains('covoiturage', 'bus')"));
    CHECK(truth("contains('abc', '')"));
    CHECK(truth("starts-with('AMB-007', 'AMB')"));
    CHECK_FALSE(truth("starts-with('AMB-007', '007')"));
    CHECK(truth("ends-with('AMB-007', '007')"));
    CHECK_FALSE(truth("ends-with('AMB-007', 'AMB')"));
    CHECK_FALSE(truth("ends-with('7', '007')"));
}

TEST_CASE("substr takes characters from start up to end, 0-based", "[expr][functions]") {
    CHECK(str("substr('bonjour', 3)") == "jour");
    CHECK(str("substr('bonjour', 0, 3)") == "bon");
    CHECK(str("substr('bonjour', 1, 3)") == "on");
    CHECK(str("substr('héllo', 1, 3)") == "él"); // characters, not bytes
    CHECK(str("substr('abc', 5)").empty());
    CHECK(str("substr('abc', -2, 2)") == "ab");
    CHECK(str("substr('abc', 2, 1)").empty());
    CHECK(str("substr('abc', 'x')").empty());
}

TEST_CASE("number, string and boolean convert", "[expr][functions]") {
    CHECK(num("number('3.5')") == 3.5);
    CHECK(std::isnan(num("number('')")));
    CHECK(std::isnan(num("number('abc')")));
    CHECK(num("number(true())") == 1);
    CHECK(str("string(3)") == "3");
    CHECK(str("string(2.50)") == "2.5");
    CHECK(str("string(1 = 1)") == "true");
    CHECK(eval("string(3)").kind() == Value::Kind::String);
    CHECK(truth("boolean('false')")); // any non-empty text is true
    CHECK_FALSE(truth("boolean('')"));
    CHECK_FALSE(truth("boolean(0)"));
    CHECK_FALSE(truth("boolean(number('x'))")); // NaN is false
}

TEST_CASE("min and max over arguments and lists, skipping empty values", "[expr][functions]") {
    CHECK(num("max(1, 5, 3)") == 5);
    CHECK(num("min(1, 5, 3)") == 1);
    CHECK(num("min(4)") == 4);
    FakeContext ctx;
    ctx.set("ages", list({n(34), s(""), n(71), n(8)}));
    CHECK(eval("max(${ages})", ctx).toNumber() == 71);
    CHECK(eval("min(${ages})", ctx).toNumber() == 8);
    CHECK(eval("max(${ages}, 90)", ctx).toNumber() == 90);
    CHECK(std::isnan(num("max('')")));
    CHECK(std::isnan(num("min(1, 'abc')")));
}

TEST_CASE("abs", "[expr][functions]") {
    CHECK(num("abs(-3.5)") == 3.5);
    CHECK(num("abs(2)") == 2);
    CHECK(std::isnan(num("abs('')")));
}

// ------------------------------------------------------------------ empty values (ODK)

TEST_CASE("an unanswered question is the empty string", "[expr][empty]") {
    FakeContext ctx;
    ctx.set("n", s(""));
    CHECK(eval("${n} = ''", ctx).toBool());
    CHECK_FALSE(eval("${n} != ''", ctx).toBool());
    CHECK(eval("string-length(${n})", ctx).toNumber() == 0);
    ctx.set("n", n(0));
    CHECK_FALSE(eval("${n} = ''", ctx).toBool());
}

TEST_CASE("an empty value never equals a number, so != is true", "[expr][empty]") {
    FakeContext ctx;
    ctx.set("n", s(""));
    CHECK_FALSE(eval("${n} = 0", ctx).toBool());
    CHECK(eval("${n} != 0", ctx).toBool());
    CHECK_FALSE(eval("0 = ${n}", ctx).toBool());
}

TEST_CASE("ordering comparisons with an empty side are false", "[expr][empty]") {
    FakeContext ctx;
    ctx.set("n", s(""));
    for (const char* e : {"${n} < 2", "${n} <= 2", "${n} > 2", "${n} >= 2", "${n} >= 0", "${n} < 0", "2 > ${n}",
                          "${n} < 'abc'", "${n} >= ''", "${n} <= today()", "${n} > today()"}) {
        INFO(e);
        CHECK_FALSE(eval(e, ctx).toBool());
    }
}

TEST_CASE("arithmetic with an empty side is NaN, which is false and propagates", "[expr][empty]") {
    FakeContext ctx;
    ctx.set("a", s(""));
    ctx.set("b", n(2));
    CHECK(std::isnan(eval("${a} + ${b}", ctx).toNumber()));
    CHECK(std::isnan(eval("(${a} + ${b}) * 3", ctx).toNumber()));
    CHECK_FALSE(eval("${a} + ${b}", ctx).toBool());
    CHECK_FALSE(eval("${a} + ${b} > 0", ctx).toBool());
    CHECK(eval("coalesce(${a}, 0) + coalesce(${b}, 0)", ctx).toNumber() == 2);
    // NaN is not empty: coalesce must wrap the operand, not the result.
    CHECK(std::isnan(eval("coalesce(${a} + ${b}, 0)", ctx).toNumber()));
    CHECK(std::isnan(eval("-${a}", ctx).toNumber()));
}

TEST_CASE("as a condition, empty, 0 and NaN are false, any other text is true", "[expr][empty]") {
    CHECK_FALSE(Value::string("").toBool());
    CHECK_FALSE(Value::number(0).toBool());
    CHECK_FALSE(Value::number(std::nan("")).toBool());
    CHECK(Value::string("false").toBool());
    CHECK(Value::string("0").toBool());
    CHECK(Value::number(-1).toBool());
    CHECK_FALSE(truth("if('', 1, 0)"));
    CHECK(truth("if('non', 1, 0)"));
}

// ------------------------------------------------------------------ dates

TEST_CASE("dates compare as dates with dates and ISO texts", "[expr][dates]") {
    FakeContext ctx;
    ctx.set("d", dateValue("2026-11-25"));
    CHECK(eval("${d} < '2026-12-01'", ctx).toBool());
    CHECK_FALSE(eval("${d} > '2026-12-01'", ctx).toBool());
    CHECK(eval("${d} = '2026-11-25'", ctx).toBool());
    CHECK(eval("${d} >= today()", ctx).toBool());
    CHECK(eval("${d} = today()", ctx).toBool());
    CHECK_FALSE(eval("${d} = ''", ctx).toBool());
    // A date-time against a date: the time of day counts.
    ctx.set("dt", dateValue("2026-11-25T08:30"));
    CHECK(eval("${dt} > ${d}", ctx).toBool());
    CHECK(eval("${dt} < '2026-11-25T09:00'", ctx).toBool());
}

TEST_CASE("subtracting dates gives days", "[expr][dates]") {
    FakeContext ctx;
    ctx.set("naissance", dateValue("2000-01-01"));
    ctx.set("rdv", dateValue("2026-12-25"));
    CHECK(eval("today() - ${naissance}", ctx).toNumber() == isoDays("2026-11-25") - isoDays("2000-01-01"));
    CHECK(eval("${rdv} - today()", ctx).toNumber() == 30);
    CHECK(eval("${rdv} - '2026-12-01'", ctx).toNumber() == 24);
    CHECK(eval("int((today() - ${naissance}) div 365.25)", ctx).toNumber() == 26);
    ctx.selfValue = dateValue("2026-12-20");
    CHECK(eval(". >= today() and . - today() <= 60", ctx).toBool());
    ctx.selfValue = dateValue("2027-02-01");
    CHECK_FALSE(eval(". >= today() and . - today() <= 60", ctx).toBool());
    ctx.selfValue = dateValue("2026-11-24");
    CHECK_FALSE(eval(". >= today() and . - today() <= 60", ctx).toBool());
    // Date-times count fractions of a day, and an offset moves the instant.
    ctx.set("debut", dateValue("2026-11-25T08:00"));
    ctx.set("fin", dateValue("2026-11-25T20:00"));
    CHECK(eval("${fin} - ${debut}", ctx).toNumber() == Approx(0.5));
    ctx.set("utc", dateValue("2026-11-25T12:00Z"));
    ctx.set("paris", dateValue("2026-11-25T12:00+01:00"));
    CHECK(eval("(${utc} - ${paris}) * 24", ctx).toNumber() == Approx(1));
}

TEST_CASE("ISO date, date-time and time parsing", "[expr][dates]") {
    double d = 0;
    CHECK(parseIsoDate("1970-01-01", d));
    CHECK(d == 0);
    CHECK(parseIsoDate("2024-02-29", d)); // leap year
    CHECK_FALSE(parseIsoDate("2026-02-29", d));
    CHECK_FALSE(parseIsoDate("2026-02-30", d));
    CHECK_FALSE(parseIsoDate("1900-02-29", d));
    CHECK(parseIsoDate("2000-02-29", d));
    CHECK_FALSE(parseIsoDate("2026-13-01", d));
    CHECK_FALSE(parseIsoDate("2026-1-01", d));
    CHECK_FALSE(parseIsoDate("25/11/2026", d));
    CHECK(formatIsoDate(static_cast<long long>(isoDays("2026-11-25"))) == "2026-11-25");
    CHECK(formatIsoDate(-1) == "1969-12-31");
    // The range of days a date question can hold (the session refuses calculated days outside it).
    CHECK(isoDays("0001-01-01") == -719162);
    CHECK(isoDays("9999-12-31") == 2932896);
    CHECK(formatIsoDate(-719162) == "0001-01-01");
    CHECK(formatIsoDate(2932896) == "9999-12-31");
    CHECK_FALSE(parseIsoDate("0000-12-31", d));

    CHECK(parseIsoDateTime("2026-11-25T14:30", d));
    CHECK(d == Approx(isoDays("2026-11-25") + 14.5 / 24));
    CHECK(parseIsoDateTime("2026-11-25T14:30:15.250Z", d));
    CHECK(parseIsoDateTime("2026-11-25T14:30+02:00", d));
    CHECK(d == Approx(isoDays("2026-11-25") + 12.5 / 24));
    CHECK_FALSE(parseIsoDateTime("2026-11-25", d));
    CHECK_FALSE(parseIsoDateTime("2026-11-25T25:00", d));
    CHECK_FALSE(parseIsoDateTime("2026-11-25T14:30+2", d));

    int secs = 0;
    CHECK(parseIsoTime("08:30", secs));
    CHECK(secs == 8 * 3600 + 30 * 60);
    CHECK(parseIsoTime("23:59:59", secs));
    CHECK_FALSE(parseIsoTime("24:00", secs));
    CHECK_FALSE(parseIsoTime("8:30", secs));
    CHECK_FALSE(parseIsoTime("08:60", secs));
}

// ------------------------------------------------------------------ lists (repeats seen from outside)

TEST_CASE("comparing a list is true when any item matches", "[expr][lists]") {
    FakeContext ctx;
    ctx.set("ages", list({s("30_44"), s("75_plus")}));
    CHECK(eval("${ages} = '75_plus'", ctx).toBool());
    CHECK_FALSE(eval("${ages} = '11_17'", ctx).toBool());
    CHECK(eval("${ages} != '30_44'", ctx).toBool()); // existential: some item differs
    ctx.set("ages", list({}));
    CHECK_FALSE(eval("${ages} = ''", ctx).toBool());
    CHECK(valuesEqual(list({n(1), n(2)}), n(2)));
    CHECK_FALSE(valuesEqual(list({n(1), n(2)}), n(3)));
}

TEST_CASE("Value conversions follow XPath", "[expr][values]") {
    CHECK(Value::number(2).toString() == "2");
    CHECK(Value::number(0.5).toString() == "0.5");
    CHECK(Value::number(std::nan("")).toString() == "NaN");
    CHECK(Value::boolean(true).toString() == "true");
    CHECK(Value::boolean(false).toNumber() == 0);
    CHECK(Value::string(" 12 ").toNumber() == 12);
    CHECK(std::isnan(Value::string("").toNumber()));
    CHECK(Value::list({Value::string("a"), Value::string("b")}).toString() == "a");
    CHECK(Value::list({}).isEmpty());
    CHECK(Value::string("").isEmpty());
    CHECK_FALSE(Value::number(0).isEmpty());
    CHECK(Value::number(std::nan("")).same(Value::number(std::nan(""))));
    CHECK_FALSE(Value::number(1).same(Value::string("1")));
    CHECK(Value::list({Value::number(1)}).same(Value::list({Value::number(1)})));
    CHECK_FALSE(Value::list({Value::number(1)}).same(Value::list({Value::number(2)})));
}

// ------------------------------------------------------------------ ODK XForms spec functions
// Each test names the section of the ODK XForms spec (getodk.github.io/xforms-spec, "Functions") it follows.

TEST_CASE("numbers: Infinity and NaN as ODK writes them", "[expr][functions][odk]") {
    // Spec "Number functions" / XPath 1.0 section 4.4: division by zero is Infinity; number() takes an
    // optional minus sign only.
    CHECK(str("1 div 0") == "Infinity");
    CHECK(str("-1 div 0") == "-Infinity");
    CHECK(str("0 div 0") == "NaN");
    CHECK(std::isnan(num("number('+5')")));
    CHECK(num("number('-5')") == -5);
    CHECK(num("number(' 7 ')") == 7);
}

TEST_CASE("number functions of the spec", "[expr][functions][odk]") {
    // Spec "Number functions": pow, sqrt, exp, exp10, log, log10, trigonometry, pi, floor, ceiling.
    CHECK(num("pow(2, 10)") == 1024);
    CHECK(num("sqrt(16)") == 4);
    CHECK(std::isnan(num("sqrt(-1)")));
    CHECK(num("exp(0)") == 1);
    CHECK(num("exp10(3)") == Approx(1000));
    CHECK(num("log(exp(2))") == Approx(2));
    CHECK(num("log10(1000)") == Approx(3));
    CHECK(num("sin(0)") == 0);
    CHECK(num("cos(0)") == 1);
    CHECK(num("tan(0)") == 0);
    CHECK(num("asin(1)") == Approx(num("pi() div 2")));
    CHECK(num("acos(1)") == 0);
    CHECK(num("atan(1)") == Approx(num("pi() div 4")));
    CHECK(num("atan2(1, 1)") == Approx(num("pi() div 4")));
    CHECK(num("floor(2.7)") == 2);
    CHECK(num("floor(-2.2)") == -3);
    CHECK(num("ceiling(2.2)") == 3);
    CHECK(std::isnan(num("pow('', 2)"))); // an empty answer is NaN, not 0
}

TEST_CASE("string functions of the spec", "[expr][functions][odk]") {
    // Spec "String functions": translate, normalize-space, substring-before/after, boolean-from-string,
    // selected-at, join, count-non-empty.
    CHECK(str("translate('bar', 'abc', 'ABC')") == "BAr");
    CHECK(str("translate('--aaa--', 'abc-', 'ABC')") == "AAA");
    CHECK(str("translate('été', 'é', 'e')") == "ete");
    CHECK(str("normalize-space('  a   b \t c ')") == "a b c");
    CHECK(str("substring-before('1999/04/01', '/')") == "1999");
    CHECK(str("substring-after('1999/04/01', '/')") == "04/01");
    CHECK(str("substring-after('abc', 'x')").empty());
    CHECK(truth("boolean-from-string('true')"));
    CHECK(truth("boolean-from-string('1')"));
    CHECK_FALSE(truth("boolean-from-string('yes')"));
    CHECK(str("selected-at('a b c', 1)") == "b");
    CHECK(str("selected-at('a b c', 5)").empty());
    CHECK(str("join(', ', 'a', 'b')") == "a, b");
    FakeContext ctx;
    ctx.set("l", Value::list({s("x"), s(""), s("y")}));
    CHECK(eval("count-non-empty(${l})", ctx).toNumber() == 2);
    CHECK(eval("join('-', ${l})", ctx).toString() == "x--y");
}

TEST_CASE("date functions of the spec", "[expr][functions][odk]") {
    // Spec "Date and time functions": date, decimal-date-time, format-date, format-date-time.
    CHECK(str("date('2026-11-25')") == "2026-11-25");
    CHECK(str("date(0)") == "1970-01-01");
    CHECK(str("date(20000)") == "2024-10-04");
    CHECK(num("decimal-date-time('1970-01-02')") == 1);
    CHECK(str("format-date('2026-03-05', '%Y/%m/%d %e %n %b %a %y')") == "2026/03/05 5 3 Mar Thu 26");
    CHECK(str("format-date-time('2026-03-05T14:07:09', '%H:%M:%S %h')") == "14:07:09 14");
    CHECK(str("format-date('', '%Y')").empty());
}

TEST_CASE("once keeps the first value, uuid gives a new UUID", "[expr][functions][odk]") {
    // Spec "Functions": once(expression) returns the node's value when it has one, else the expression.
    FakeContext ctx;
    CHECK(eval("once('first')", ctx).toString() == "first");
    ctx.selfValue = s("kept");
    CHECK(eval("once('second')", ctx).toString() == "kept");
    // Spec "Functions": uuid() is a random RFC 4122 UUID.
    const std::string a = str("uuid()");
    CHECK(a.size() == 36);
    CHECK(a != str("uuid()"));
}

TEST_CASE("distance and area over geo values", "[expr][functions][odk]") {
    // Spec "Geographic functions": distance() of a geotrace in metres, area() of a geoshape in m².
    // One degree of latitude on JavaRosa's sphere (radius 6,378,100 m): 111,319 m.
    CHECK(num("distance('0 0 0 0;1 0 0 0')") == Approx(111319.5).epsilon(1e-5));
    CHECK(num("distance('0 0;1 0;1 1')") == Approx(2 * 111319.5).epsilon(1e-3));
    CHECK(num("distance('0 0')") == 0);
    // A square of 0.01° at the equator: about 1,239,000 m².
    CHECK(num("area('0 0;0 0.01;0.01 0.01;0.01 0;0 0')") == Approx(1239182).epsilon(1e-2));
    CHECK(num("area('0 0;0 1')") == 0);
    CHECK(num("enclosed-area('0 0;0 0.01;0.01 0.01;0.01 0;0 0')") == num("area('0 0;0 0.01;0.01 0.01;0.01 0;0 0')"));
    CHECK(num("distance('not a point')") == 0);
}

// Anchors below are those of the spec's function list: getodk.github.io/xforms-spec/#fn:NAME.

TEST_CASE("every function of the ODK XForms spec's list parses", "[expr][functions][odk]") {
    // Spec "XPath Functions": the list of functions a form may call. Carnet refuses the node-set ones it
    // cannot have (instance(), current(), jr:itext(), ...), see docs/form-format.md.
    const char* calls[] = {"concat('a', 'b')",
                           "true()",
                           "false()",
                           "not(1)",
                           "boolean(1)",
                           "boolean-from-string('1')",
                           "if(1, 2, 3)",
                           "coalesce('', 'b')",
                           "selected('a b', 'a')",
                           "count-selected('a b')",
                           "selected-at('a b', 0)",
                           "string('a')",
                           "string-length('a')",
                           "substr('abc', 1)",
                           "substring('abc', 1, 2)",
                           "substring-before('a/b', '/')",
                           "substring-after('a/b', '/')",
                           "translate('a', 'a', 'b')",
                           "contains('ab', 'a')",
                           "starts-with('ab', 'a')",
                           "ends-with('ab', 'b')",
                           "normalize-space(' a ')",
                           "join(' ', 'a', 'b')",
                           "regex('a', 'a')",
                           "digest('a', 'SHA-256')",
                           "base64-decode('YQ==')",
                           "uuid()",
                           "uuid(5)",
                           "number('1')",
                           "int(1.5)",
                           "round(1.55, 1)",
                           "pow(2, 2)",
                           "log(1)",
                           "log10(1)",
                           "abs(-1)",
                           "sin(0)",
                           "cos(0)",
                           "tan(0)",
                           "asin(0)",
                           "acos(1)",
                           "atan(0)",
                           "atan2(0, 1)",
                           "sqrt(4)",
                           "exp(0)",
                           "exp10(0)",
                           "pi()",
                           "floor(1.5)",
                           "ceiling(1.5)",
                           "random()",
                           "today()",
                           "now()",
                           "date('2026-01-01')",
                           "decimal-date-time('2026-01-01')",
                           "decimal-time('12:00')",
                           "format-date('2026-01-01', '%Y')",
                           "format-date-time(now(), '%H')",
                           "count-non-empty('a')",
                           "sum(1)",
                           "max(1, 2)",
                           "min(1, 2)",
                           "checklist(1, 2, 1, 0)",
                           "weighted-checklist(1, 2, 1, 2)",
                           "randomize('a', 1)",
                           "once('a')",
                           "distance('0 0;1 1')",
                           "area('0 0;0 1;1 1;0 0')",
                           "position()"};
    for (const char* call : calls) {
        ExprError err;
        INFO(call);
        CHECK(parseExpression(call, {}, err).has_value());
    }
}

TEST_CASE("digest hashes UTF-8 text in base64 or hex", "[expr][functions][odk]") {
    // #fn:digest "Computes and returns the hash value of the data string argument using a given
    // algorithm string, with an encoding string defaulting to 'base64'" (MD5, SHA-1, SHA-256, SHA-384,
    // SHA-512).
    CHECK(str("digest('abc', 'MD5', 'hex')") == "900150983cd24fb0d6963f7d28e17f72");
    CHECK(str("digest('abc', 'SHA-1', 'hex')") == "a9993e364706816aba3e25717850c26c9cd0d89d");
    CHECK(str("digest('abc', 'SHA-256', 'hex')") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(str("digest('abc', 'SHA-256')") == "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
    CHECK(str("digest('abc', 'sha256', 'HEX')") == str("digest('abc', 'SHA-256', 'hex')"));
    CHECK(str("digest('abc', 'SHA-384', 'hex')").size() == 96);
    CHECK(str("digest('abc', 'SHA-512', 'hex')").substr(0, 16) == "ddaf35a193617aba");
    CHECK(str("digest('é', 'MD5', 'hex')") == "66ddcd97cfdeabb2f6fb8a999b4bc76f"); // its two UTF-8 bytes
    CHECK(str("digest('', 'MD5', 'hex')") == "d41d8cd98f00b204e9800998ecf8427e");
    // An algorithm computed at run time that does not exist: '' and an evaluation error (a literal one
    // is refused when the form loads).
    FakeContext ctx;
    ctx.set("alg", s("CRC32"));
    CHECK(eval("digest('abc', ${alg})", ctx).toString().empty());
    REQUIRE(ctx.errors.size() == 1);
    CHECK(ctx.errors[0] == "expr.bad_digest CRC32");
}

TEST_CASE("base64-decode gives the UTF-8 text, '' for what is not base64", "[expr][functions][odk]") {
    // #fn:base64-decode "Transforms a base64-encoded string into a UTF-8 string"; invalid input is ''.
    CHECK(str("base64-decode('SGVsbG8=')") == "Hello");
    CHECK(str("base64-decode('w6l0w6k=')") == "été");
    CHECK(str("base64-decode('')").empty());
    CHECK(str("base64-decode('%%%')").empty());
    CHECK(str("base64-decode('/w==')").empty()); // byte 0xFF: not UTF-8
}

TEST_CASE("random is from 0 to under 1, uuid(n) gives n characters, uuid() is version 4", "[expr][functions][odk]") {
    // #fn:random "Returns a random number between 0.0 (inclusive) and 1.0 (exclusive)".
    for (int i = 0; i < 50; ++i) {
        const double r = num("random()");
        CHECK(r >= 0);
        CHECK(r < 1);
    }
    // #fn:uuid "Without arguments, it returns a random RFC 4122 version 4 compliant UUID. With an
    // argument it returns a random GUID with the provided number of characters."
    const std::string u = str("uuid()");
    REQUIRE(u.size() == 36);
    CHECK(u[14] == '4');
    CHECK((u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b'));
    CHECK(str("uuid(12)").size() == 12);
    CHECK(str("uuid(0)").empty());
}

TEST_CASE("randomize with a seed gives ODK's order", "[expr][functions][odk]") {
    // #fn:randomize "Returns a shuffled node-set using the Fisher-Yates algorithm. The optional seed
    // argument performs a random sort with a seed." The orders are JavaRosa's own examples
    // (FisherYatesExamplesTest), so a seeded form shows its choices as ODK Collect does.
    FakeContext ctx;
    std::vector<Value> digits;
    for (int i = 0; i <= 9; ++i)
        digits.push_back(n(i));
    ctx.set("d", Value::list(digits));
    CHECK(eval("join('', randomize(${d}, 33))", ctx).toString() == "3548201697");
    CHECK(eval("join('', randomize(${d}, 42))", ctx).toString() == "0591846372");
    ctx.set("l", list({s("A"), s("B"), s("C"), s("D"), s("E"), s("F")}));
    CHECK(eval("join('', randomize(${l}, 42))", ctx).toString() == "AFCBDE");
    CHECK(eval("join('', randomize(${l}, -42))", ctx).toString() == "EDAFBC");
    CHECK(eval("join('', randomize(${l}, 1))", ctx).toString() == "BFEACD");
    CHECK(eval("join('', randomize(${l}, 11111111))", ctx).toString() == "ACDBFE");
    // Without a seed: a permutation of the same items.
    std::string shuffled = eval("join('', randomize(${l}))", ctx).toString();
    std::sort(shuffled.begin(), shuffled.end());
    CHECK(shuffled == "ABCDEF");
    CHECK(eval("count(randomize(${l}))", ctx).toNumber() == 6);
}

TEST_CASE("checklist and weighted-checklist count true values", "[expr][functions][odk]") {
    // #fn:checklist "Checks whether the count of arguments that evaluate to true is between min and max
    // inclusive. Use -1 to indicate no minimum or maximum."
    CHECK(truth("checklist(1, 2, true(), false(), 'x')"));
    CHECK_FALSE(truth("checklist(3, -1, true(), false(), 'x')"));
    CHECK(truth("checklist(-1, 1, false(), '')"));
    CHECK_FALSE(truth("checklist(-1, 1, 1, 1)"));
    // #fn:weighted-checklist "Like checklist(), but the number of arguments has to be even. Each
    // pair of arguments is a boolean argument followed by a number weight."
    CHECK(truth("weighted-checklist(3, 5, true(), 2, false(), 10, 1, 1)"));
    CHECK_FALSE(truth("weighted-checklist(3, 5, true(), 2, true(), 10)"));
    CHECK(truth("weighted-checklist(-1, 2, true(), 2)"));
    CHECK(parseError("weighted-checklist(1, 2, 3)").key == "expr.arity");
}

TEST_CASE("decimal-time is the fraction of a day", "[expr][functions][odk]") {
    // #fn:decimal-time "Converts time to a number representing a fractional day in the device's
    // timezone. For example, noon is 0.5 and 6:00 PM is 0.75."
    CHECK(num("decimal-time('12:00')") == 0.5);
    CHECK(num("decimal-time('18:00:00.000')") == 0.75);
    CHECK(num("decimal-time('06:00:30')") == Approx(0.25 + 30.0 / 86400));
    CHECK(num("decimal-time('2026-03-05T18:00:00')") == Approx(0.75));
    CHECK(std::isnan(num("decimal-time('25:00')")));
    CHECK(std::isnan(num("decimal-time('')")));
    // An offset names an instant: two hours further east is two hours earlier in the device's zone.
    const double a = num("decimal-time('12:00:00.000+02:00')"), b = num("decimal-time('12:00:00.000+00:00')");
    const double diff = b - a - std::floor(b - a);
    CHECK(diff == Approx(2.0 / 24));
}

TEST_CASE("XPath substring is 1-based and rounds, substr stays 0-based", "[expr][functions][odk]") {
    // XPath 1.0 "substring(string, number, number?)", named in the spec's list: characters from position
    // round(start), round(length) of them.
    CHECK(str("substring('12345', 2, 3)") == "234");
    CHECK(str("substring('12345', 2)") == "2345");
    CHECK(str("substring('12345', 1.5, 2.6)") == "234");
    CHECK(str("substring('12345', 0, 3)") == "12");
    CHECK(str("substring('12345', 0 div 0, 3)").empty());
    CHECK(str("substring('12345', -42, 1 div 0)") == "12345");
    CHECK(str("substring('ééé', 2, 1)") == "é");
}

TEST_CASE("date out of the calendar's range is empty, not undefined behaviour", "[expr][functions][odk]") {
    // #fn:date: a number of days since 1970-01-01; beyond year 9999 there is no date to write.
    CHECK(str("date(pow(10, 300))").empty());
    CHECK(str("date(-1 div 0)").empty());
    CHECK(str("format-date(1 div 0, '%Y')").empty());
    CHECK(str("format-date(3000000, '%Y')").empty());
    CHECK(str("date(2932896)") == "9999-12-31");
}

TEST_CASE("numbers are written as XPath writes them: no exponent, NaN and Infinity by name", "[expr][values][odk]") {
    // XPath 1.0 section 4.2, string(): "NaN", "Infinity", "-Infinity", negative zero is "0", an integer
    // without a decimal point, and never an exponent (ODK's "Number functions" follow XPath 1.0).
    CHECK(str("string(pow(10, 15))") == "1000000000000000");
    CHECK(str("string(pow(2, 60))") == "1152921504606846976");
    CHECK(str("string(-1 * 0)") == "0");
    CHECK(str("string(0.1 + 0.2)") == "0.30000000000000004");
    CHECK(str("string(1 div 3)") == "0.3333333333333333");
    CHECK(str("string(0.0000001)") == "0.0000001");
    CHECK(str("string(0 div 0)") == "NaN");
    CHECK(str("concat('x', 1 div 0)") == "xInfinity");
    CHECK(str("concat(2.50, '')") == "2.5");
}

TEST_CASE("boolean-from-string takes 'true' in any case", "[expr][functions][odk]") {
    // #fn:boolean-from-string "Returns true if the required parameter is 'true' or '1'"; JavaRosa compares
    // 'true' ignoring case.
    CHECK(truth("boolean-from-string('TRUE')"));
    CHECK(truth("boolean-from-string('True')"));
    CHECK_FALSE(truth("boolean-from-string('0')"));
    CHECK_FALSE(truth("boolean-from-string('')"));
}

TEST_CASE("distance and area over the geopoints of a repeat, and distance over several points",
          "[expr][functions][odk]") {
    // #fn:distance "Returns the distance in meters of the path defined by the geotrace, geoshape or
    // node-set of geopoints"; #fn:area the same for the polygon they enclose.
    FakeContext ctx;
    ctx.set("p", list({s("0 0 0 0"), s(""), s("1 0 0 0"), s("1 1")}));
    CHECK(eval("distance(${p})", ctx).toNumber() == Approx(2 * 111319.5).epsilon(1e-3));
    ctx.set("a", s("0 0"));
    ctx.set("b", s("1 0 0 0"));
    CHECK(eval("distance(${a}, ${b})", ctx).toNumber() == Approx(111319.5).epsilon(1e-5));
    ctx.set("corners", list({s("0 0"), s("0 0.01"), s("0.01 0.01"), s("0.01 0")}));
    CHECK(eval("area(${corners})", ctx).toNumber() == Approx(1239182).epsilon(1e-2));
}
