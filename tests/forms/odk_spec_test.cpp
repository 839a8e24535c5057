// The ODK XForms spec's function list (getodk.github.io/xforms-spec, "XPath Functions"), one test case
// per category of the spec's table, named after the category's anchor (#fn:String-Functions, ...): each
// function against ODK's (JavaRosa's) semantics for empty values, NaN, Infinity and number formatting.
// docs/form-format.md ("The ODK XForms function list") says, function by function, where Carnet differs.
#include "forms/expr.hpp"
#include "forms/loader.hpp"
#include "forms/media.hpp"
#include "forms/session.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

using namespace carnet::forms;
using carnet::Lang;
using nlohmann::json;

namespace {

using Row = std::map<std::string, std::string, std::less<>>;

// Fields by name, and secondary instances as tables; the parser's ${name} nodes are bound here.
struct SpecContext final : EvalContext {
    std::vector<std::string> names;
    std::vector<Value> values;
    Value selfValue = Value::string("");
    int pos = 0, count = 0;
    std::map<std::string, std::vector<Row>, std::less<>> instances;
    double now = 0;

    SpecContext() {
        double d = 0;
        REQUIRE(parseIsoDate("2026-11-25", d));
        now = d + 0.5; // 2026-11-25 at noon, local time
    }
    void set(const std::string& name, Value v) { values[static_cast<std::size_t>(bind(name))] = std::move(v); }
    int bind(const std::string& name) {
        for (std::size_t i = 0; i < names.size(); ++i)
            if (names[i] == name) return static_cast<int>(i);
        names.push_back(name);
        values.push_back(Value::string(""));
        return static_cast<int>(names.size()) - 1;
    }
    Value ref(int target) const override { return values.at(static_cast<std::size_t>(target)); }
    Value self() const override { return selfValue; }
    int position() const override { return pos; }
    int last() const override { return count; }
    Value choiceColumn(std::string_view) const override { return Value::string(""); }
    double nowDays() const override { return now; }

    struct Table final : InstanceItems {
        const std::vector<Row>& rows;
        explicit Table(const std::vector<Row>& r)
            : rows(r) {}
        std::size_t size() const override { return rows.size(); }
        Value column(std::size_t row, std::string_view name) const override {
            auto it = rows[row].find(name);
            return Value::string(it == rows[row].end() ? std::string() : it->second);
        }
    };
    std::unique_ptr<InstanceItems> instance(std::string_view id, int) const override {
        auto it = instances.find(id);
        if (it == instances.end()) return nullptr;
        return std::make_unique<Table>(it->second);
    }
};

Value eval(std::string_view text, SpecContext& ctx) {
    ExprError err;
    auto e = parseExpression(text, ParseOptions{}, err);
    INFO("expression: " << text << " -> " << err.key << " '" << err.arg << "' at column " << err.column);
    REQUIRE(e.has_value());
    forEachNode(*e->root, [&](Expr& n) {
        if (n.kind == Expr::Kind::Ref) n.target = ctx.bind(n.name);
    });
    return evaluate(*e->root, ctx);
}
Value eval(std::string_view text) {
    SpecContext ctx;
    return eval(text, ctx);
}
std::string str(std::string_view text) {
    return eval(text).toString();
}
double num(std::string_view text) {
    return eval(text).toNumber();
}
bool truth(std::string_view text) {
    return eval(text).toBool();
}
ExprError parseError(std::string_view text) {
    ExprError err;
    auto e = parseExpression(text, ParseOptions{}, err);
    INFO("expression: " << text);
    CHECK_FALSE(e.has_value());
    return err;
}

Value listOf(std::initializer_list<const char*> items) {
    std::vector<Value> out;
    for (const char* s : items)
        out.push_back(Value::string(s));
    return Value::list(std::move(out));
}

std::shared_ptr<const Form> loadOk(const std::string& text) {
    LoadResult r = loadForm(text);
    if (!r.ok()) {
        std::ostringstream out;
        for (const auto& p : r.problems)
            out << p.format("form", Lang::En) << "\n";
        FAIL("form does not load:\n" << out.str());
    }
    return r.form;
}

std::vector<std::string> problemKeys(const std::string& text) {
    LoadResult r = loadForm(text);
    std::vector<std::string> keys;
    for (const auto& p : r.problems)
        keys.push_back(p.key);
    return keys;
}

void set(Session& s, const std::string& path, const json& value) {
    auto r = s.setAnswer(path, value);
    if (!r.ok()) FAIL("setAnswer(" << path << ", " << value.dump() << "): " << r.error().message);
}

} // namespace

TEST_CASE("spec #fn:String-Functions: string, concat, join, substr, substring-before/after, translate, "
          "string-length, normalize-space, contains, starts-with, ends-with, uuid, digest, base64-decode, "
          "extract-signed",
          "[odk-spec]") {
    // #fn:string: XPath 1.0 number formatting, never an exponent; NaN and the infinities by name.
    CHECK(str("string(1 div 0)") == "Infinity");
    CHECK(str("string(-1 div 0)") == "-Infinity");
    CHECK(str("string(0 div 0)") == "NaN");
    CHECK(str("string(number(''))") == "NaN");
    CHECK(str("string(1.50)") == "1.5");
    CHECK(str("string(pow(10, 15))") == "1000000000000000");
    CHECK(str("string(0.1 + 0.2)") == "0.30000000000000004"); // as Java's Double.toString
    CHECK(str("string(-0)") == "0");
    CHECK(str("string(1 = 1)") == "true");
    CHECK(str("string('')").empty());

    // #fn:concat: every argument, node-sets included (all their values).
    SpecContext ctx;
    ctx.set("noms", listOf({"Awa", "", "Moussa"}));
    CHECK(eval("concat('a', 1, true(), 1 div 0)", ctx).toString() == "a1trueInfinity");
    CHECK(eval("concat(${noms})", ctx).toString() == "AwaMoussa");
    CHECK(eval("concat('', '')", ctx).toString().empty());
    // #fn:join: the separator between every value, empty ones too.
    CHECK(eval("join(', ', ${noms})", ctx).toString() == "Awa, , Moussa");
    CHECK(eval("join('-', 'a', 'b', 3)", ctx).toString() == "a-b-3");

    // #fn:substr: 0-based start, end excluded, on characters.
    CHECK(str("substr('abcdef', 2)") == "cdef");
    CHECK(str("substr('abcdef', 1, 3)") == "bc");
    CHECK(str("substr('éàü', 1, 2)") == "à");
    CHECK(str("substr('', 0, 1)").empty());
    CHECK(str("substr('abc', 5)").empty());

    // #fn:substring-before / #fn:substring-after: XPath 1.0, '' when the needle is absent.
    CHECK(str("substring-before('2026-11-25', '-')") == "2026");
    CHECK(str("substring-after('2026-11-25', '-')") == "11-25");
    CHECK(str("substring-before('abc', 'x')").empty());
    CHECK(str("substring-after('abc', 'x')").empty());
    CHECK(str("substring-before('abc', '')").empty());
    CHECK(str("substring-after('abc', '')") == "abc");

    // #fn:translate: XPath 1.0, characters of `from` without a counterpart are removed.
    CHECK(str("translate('bar', 'abc', 'ABC')") == "BAr");
    CHECK(str("translate('--aaa--', 'abc-', 'ABC')") == "AAA");
    CHECK(str("translate('été', 'é', 'e')") == "ete");

    // #fn:string-length: characters, of the string value (numbers as formatted).
    CHECK(num("string-length('ééé')") == 3);
    CHECK(num("string-length('')") == 0);
    CHECK(num("string-length(1 div 0)") == 8);
    // #fn:normalize-space
    CHECK(str("normalize-space('  a \t b  ')") == "a b");
    CHECK(str("normalize-space('')").empty());
    // #fn:contains / #fn:starts-with / #fn:ends-with: the empty needle is in every text.
    CHECK(truth("contains('abc', 'b')"));
    CHECK(truth("contains('abc', '')"));
    CHECK_FALSE(truth("contains('', 'a')"));
    CHECK(truth("starts-with('abc', '')"));
    CHECK(truth("ends-with('abc', 'bc')"));
    CHECK_FALSE(truth("ends-with('c', 'bc')"));

    // #fn:uuid: RFC 4122 version 4; with a number, that many characters.
    const std::string id = str("uuid()");
    CHECK(std::regex_match(id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
    CHECK(str("uuid()") != id);
    CHECK(str("uuid(10)").size() == 10);

    // #fn:digest: XForms 1.1, base64 unless 'hex' is asked.
    CHECK(str("digest('abc', 'SHA-256', 'hex')") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(str("digest('', 'MD5', 'hex')") == "d41d8cd98f00b204e9800998ecf8427e");
    CHECK(str("digest('abc', 'SHA-1')") == "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=");

    // #fn:base64-decode: '' when not base64 (or not UTF-8).
    CHECK(str("base64-decode('w6k=')") == "é");
    CHECK(str("base64-decode('')").empty());
    CHECK(str("base64-decode('!!')").empty());

    // #fn:extract-signed: the message after a 64-byte Ed25519 signature, when it verifies with the
    // public key (both base64); '' otherwise. Signed with `openssl pkeyutl -sign -rawin` for this test.
    const std::string key = "'Ag9TIvSuHjYkmRS1T6FeWWD88jEfS9Ulvx5zjx7vqH8='";
    const std::string signedText = "'OdjTOcUuK8ikGEijnDtzuAti+7sseJwvNsaKFvRpiKvdx5KOC/"
                                   "Fcp+QRYiTFCpZAE8+sEIPlb1bHtEhHhA6qDk1hcmllIEN1cmllOzE4NjctMTEtMDc='";
    const std::string forged = "'OdjTOcUuK8ikGEijnDtzuAti+7sseJwvNsaKFvRpiKvdx5KOC/"
                               "Fcp+QRYiTFCpZAE8+sEIPlb1bHtEhHhA6qDk1hcmllIEN1cmllOzE4NjctMTEtMDg='";
    CHECK(str("extract-signed(" + signedText + ", " + key + ")") == "Marie Curie;1867-11-07");
    CHECK(str("extract-signed(" + forged + ", " + key + ")").empty()); // the date changed after signing
    CHECK(str("extract-signed(" + signedText + ", 'w6k=')").empty());  // not an Ed25519 key
    CHECK(str("extract-signed('', " + key + ")").empty());
    CHECK(str("extract-signed('w6k=', " + key + ")").empty()); // shorter than a signature
}

TEST_CASE("spec #fn:Boolean-Functions: if, coalesce, once, true, false, boolean, boolean-from-string, not, "
          "regex, checklist, weighted-checklist",
          "[odk-spec]") {
    // #fn:if: the 2nd and 3rd arguments are objects, returned as they are.
    CHECK(str("if(true(), 'a', 'b')") == "a");
    CHECK(str("if('', 'a', 'b')") == "b");
    CHECK(str("if(0 div 0, 1, 2)") == "2"); // NaN is false
    CHECK(str("if('false', 1, 2)") == "1"); // a non-empty text is true
    CHECK(eval("if(true(), 1 div 0, 0)").toNumber() == INFINITY);
    // #fn:coalesce: the first non-empty argument.
    CHECK(str("coalesce('', 'b')") == "b");
    CHECK(str("coalesce('a', 'b')") == "a");
    CHECK(str("coalesce('', '')").empty());
    CHECK(str("coalesce(0, 5)") == "0");
    // #fn:once: the question's own value when it has one, else the argument.
    SpecContext ctx;
    CHECK(eval("once('x')", ctx).toString() == "x");
    ctx.selfValue = Value::string("y");
    CHECK(eval("once('x')", ctx).toString() == "y");
    // #fn:true / #fn:false / #fn:boolean / #fn:not: XPath 1.0.
    CHECK(truth("true()"));
    CHECK_FALSE(truth("false()"));
    CHECK_FALSE(truth("boolean('')"));
    CHECK(truth("boolean('false')"));
    CHECK_FALSE(truth("boolean(0)"));
    CHECK_FALSE(truth("boolean(-0)"));
    CHECK_FALSE(truth("boolean(0 div 0)"));
    CHECK(truth("boolean(1 div 0)"));
    CHECK(truth("not('')"));
    CHECK(truth("not(0 div 0)"));
    CHECK_FALSE(truth("not('0')")); // the text '0' is not empty
    // #fn:boolean-from-string: 'true' (any case) and '1' only.
    CHECK(truth("boolean-from-string('TRUE')"));
    CHECK(truth("boolean-from-string('1')"));
    CHECK_FALSE(truth("boolean-from-string('yes')"));
    CHECK_FALSE(truth("boolean-from-string('')"));
    CHECK_FALSE(truth("boolean-from-string('true ')"));
    // #fn:regex: a match anywhere, on characters.
    CHECK(truth("regex('abc', 'b')"));
    CHECK(truth("regex('', '^$')"));
    CHECK(truth("regex('ééé', '^.{3}$')"));
    CHECK_FALSE(truth("regex('abc', '^b')"));
    // #fn:checklist / #fn:weighted-checklist: -1 is no bound.
    CHECK(truth("checklist(-1, 1, true(), false())"));
    CHECK_FALSE(truth("checklist(2, -1, true(), false())"));
    CHECK(truth("checklist(2, 2, true(), 1, 0, '')"));
    CHECK(truth("weighted-checklist(3, -1, true(), 2, true(), 1, false(), 5)"));
    CHECK_FALSE(truth("weighted-checklist(-1, 2, true(), 2, true(), 1, false(), 5)"));
}

TEST_CASE("spec #fn:Number-Functions: number, random, int, sum, max, min, round, pow, log, log10, abs, "
          "trigonometry, sqrt, exp, exp10, pi",
          "[odk-spec]") {
    // #fn:number: XPath 1.0, plus date and dateTime texts as days since 1970-01-01.
    CHECK(std::isnan(num("number('')")));
    CHECK(std::isnan(num("number('+5')")));
    CHECK(std::isnan(num("number('abc')")));
    CHECK(num("number(' 12 ')") == 12);
    CHECK(num("number('-1.5')") == -1.5);
    CHECK(num("number(true())") == 1);
    CHECK(num("number('1970-01-02')") == 1);
    CHECK(num("number('1970-01-02T12:00:00Z')") == 1.5);
    // #fn:random: [0, 1)
    for (int i = 0; i < 20; ++i) {
        const double r = num("random()");
        CHECK((r >= 0 && r < 1));
    }
    // #fn:int: the fraction discarded, toward zero; NaN and the infinities stay.
    CHECK(num("int(-2.7)") == -2);
    CHECK(num("int('3.9')") == 3);
    CHECK(std::isnan(num("int('')")));
    CHECK(num("int(1 div 0)") == INFINITY);
    // #fn:sum: Carnet skips empty values (XPath would give NaN): docs/form-format.md says so.
    SpecContext ctx;
    ctx.set("n", listOf({"1", "", "2.5"}));
    CHECK(eval("sum(${n})", ctx).toNumber() == 3.5);
    ctx.set("vide", Value::list({}));
    CHECK(eval("sum(${vide})", ctx).toNumber() == 0);
    // #fn:max / #fn:min: over arguments and node-sets; empty values skipped (differs: docs), NaN for text.
    CHECK(eval("max(${n})", ctx).toNumber() == 2.5);
    CHECK(eval("min(${n}, 0.5)", ctx).toNumber() == 0.5);
    CHECK(std::isnan(eval("max(${vide})", ctx).toNumber()));
    CHECK(std::isnan(num("max(1, 'a')")));
    CHECK(num("max(1, 1 div 0)") == INFINITY);
    // #fn:round: half up; a second argument for decimals (negative: tens, hundreds).
    CHECK(num("round(2.5)") == 3);
    CHECK(num("round(-2.5)") == -2);
    CHECK(num("round(1.005, 2)") == 1.01);
    CHECK(num("round(1234.5, -2)") == 1200);
    CHECK(std::isnan(num("round('')")));
    CHECK(num("round(1 div 0)") == INFINITY);
    // #fn:pow, #fn:log, #fn:log10, #fn:abs, #fn:sqrt, #fn:exp, #fn:exp10: XPath 3.0 math, IEEE results.
    CHECK(num("pow(2, 10)") == 1024);
    CHECK(std::isnan(num("pow('', 2)")));
    CHECK(num("pow(0, -1)") == INFINITY);
    CHECK(num("log(0)") == -INFINITY);
    CHECK(std::isnan(num("log(-1)")));
    CHECK(num("log10(1000)") == Approx(3));
    CHECK(num("abs(-0.5)") == 0.5);
    CHECK(std::isnan(num("abs('')")));
    CHECK(num("sqrt(16)") == 4);
    CHECK(std::isnan(num("sqrt(-1)")));
    CHECK(num("exp(0)") == 1);
    CHECK(num("exp10(2)") == Approx(100));
    CHECK(std::isnan(num("exp10('')")));
    // #fn:sin … #fn:atan2, #fn:pi: radians.
    CHECK(num("sin(0)") == 0);
    CHECK(num("cos(pi())") == Approx(-1));
    CHECK(num("tan(0)") == 0);
    CHECK(std::isnan(num("asin(2)")));
    CHECK(num("acos(1)") == 0);
    CHECK(num("atan(1 div 0)") == Approx(num("pi() div 2")));
    CHECK(num("atan2(1, 0)") == Approx(num("pi() div 2")));
    CHECK(str("pi()") == "3.141592653589793");
}

TEST_CASE("spec #fn:Node-set-Functions: count, count-non-empty, position, last, instance, current, randomize",
          "[odk-spec]") {
    SpecContext ctx;
    ctx.set("n", listOf({"a", "", "c"}));
    // #fn:count / #fn:count-non-empty
    CHECK(eval("count(${n})", ctx).toNumber() == 3);
    CHECK(eval("count-non-empty(${n})", ctx).toNumber() == 2);
    // #fn:position: the repeat instance; last(): how many there are (XPath 1.0's context size).
    ctx.pos = 2;
    ctx.count = 3;
    CHECK(eval("position()", ctx).toNumber() == 2);
    CHECK(eval("position(..)", ctx).toNumber() == 2);
    CHECK(eval("last()", ctx).toNumber() == 3);
    CHECK_FALSE(eval("position() = last()", ctx).toBool());

    // #fn:instance: instance('id')/root/item[predicate]/child, as pyxform writes it for choice lists.
    ctx.instances["fruits"] = {Row{{"name", "apple"}, {"label", "Apple"}, {"color", "red"}, {"price", "2"}},
                               Row{{"name", "banana"}, {"label", "Banana"}, {"color", "yellow"}, {"price", "1"}},
                               Row{{"name", "cherry"}, {"label", "Cherry"}, {"color", "red"}, {"price", "5"}}};
    ctx.set("fruit", Value::string("banana"));
    CHECK(eval("instance('fruits')/root/item[name = ${fruit}]/label", ctx).toString() == "Banana");
    CHECK(eval("count(instance('fruits')/root/item[color = 'red'])", ctx).toNumber() == 2);
    CHECK(eval("sum(instance('fruits')/root/item/price)", ctx).toNumber() == 8);
    CHECK(eval("instance('fruits')/root/item[last()]/name", ctx).toString() == "cherry");
    CHECK(eval("instance('fruits')/root/item[position() = 2]/label", ctx).toString() == "Banana");
    CHECK(eval("instance('fruits')/root/item[2]/name", ctx).toString() == "banana");
    // Predicates apply one after the other: [2] counts among the items the first one kept.
    CHECK(eval("instance('fruits')/root/item[price > 1][2]/name", ctx).toString() == "cherry");
    CHECK(eval("join(' ', instance('fruits')/root/item[color = 'red']/name)", ctx).toString() == "apple cherry");
    // No item: an empty node-set, '' as a string, NaN as a number, false as a boolean.
    CHECK(eval("instance('fruits')/root/item[name = 'kiwi']/label", ctx).toString().empty());
    CHECK(std::isnan(eval("number(instance('fruits')/root/item[name = 'kiwi']/price)", ctx).toNumber()));
    CHECK_FALSE(eval("boolean(instance('fruits')/root/item[name = 'kiwi'])", ctx).toBool());
    CHECK(eval("count(instance('absent')/root/item)", ctx).toNumber() == 0);
    // An item whose price is empty compares like an empty value.
    ctx.instances["fruits"][1]["price"] = "";
    CHECK(eval("count(instance('fruits')/root/item[price > 0])", ctx).toNumber() == 2);

    // #fn:current: the question the expression belongs to; current()/../x is the question x (what
    // pyxform writes for ${x} inside a predicate), as are ../x and /data/x.
    ctx.selfValue = Value::string("apple");
    CHECK(eval("current()", ctx).toString() == "apple");
    CHECK(eval("instance('fruits')/root/item[name = current()]/label", ctx).toString() == "Apple");
    CHECK(eval("instance('fruits')/root/item[name = current()/../fruit]/label", ctx).toString() == "Banana");
    CHECK(eval("instance('fruits')/root/item[name = ../fruit]/label", ctx).toString() == "Banana");
    CHECK(eval("instance('fruits')/root/item[name = /data/group/fruit]/label", ctx).toString() == "Banana");
    CHECK(eval("current()/../../fruit", ctx).toString() == "banana");

    // What the paths refuse, with the place.
    CHECK(parseError("instance('fruits')").key == "expr.expected");                       // no /root/item
    CHECK(parseError("instance('fruits')/item").arg == "/root/item");                     // pyxform's shape only
    CHECK(parseError("instance(${fruit})/root/item").arg == "'…'");                       // the id is a literal
    CHECK(parseError("instance('fruits')/root/item[name = .]/label").arg == "current()"); // `.` is the item
    CHECK(parseError("instance('fruits')/root/item[name = 'a'/label").arg == "]");
    CHECK(parseError("instance('fruits')/root/item[position(..) = 1]").arg == "position()");
    CHECK(parseError("1 / 2").key == "expr.unexpected_char"); // still not a division: write div
    CHECK(parseError("1 + [2]").key == "expr.unexpected_char");
    CHECK(parseError("current()/").arg == "/name");
    // One instance() per predicate level: nested, a 50,000-row file would be read 50,000 times per item.
    CHECK(parseError("instance('a')/root/item[name = instance('b')/root/item[1]/x]").key ==
          "expr.instance_in_predicate");

    // #fn:randomize: a permutation; the same one for the same seed.
    ctx.set("l", listOf({"a", "b", "c", "d", "e"}));
    const Value shuffled = eval("randomize(${l}, 42)", ctx);
    CHECK(shuffled.listItems().size() == 5);
    CHECK(eval("join('', randomize(${l}, 42))", ctx).toString() ==
          eval("join('', randomize(${l}, 42))", ctx).toString());
    std::vector<std::string> letters;
    for (const Value& v : shuffled.listItems())
        letters.push_back(v.toString());
    std::sort(letters.begin(), letters.end());
    CHECK(letters == std::vector<std::string>{"a", "b", "c", "d", "e"});
}

TEST_CASE("spec #fn:Date-and-Time-Functions: today, now, format-date, format-date-time, date, "
          "decimal-date-time, decimal-time",
          "[odk-spec]") {
    // #fn:today / #fn:now: the local date; the local date and time.
    CHECK(str("today()") == "2026-11-25");
    CHECK(str("now()").rfind("2026-11-25T12:00:00", 0) == 0);
    // #fn:format-date: %Y %y %m %n %b %d %e %a; '' for an empty or invalid date.
    CHECK(str("format-date('2026-11-05', '%Y/%m/%d %e %n %y %a %b')") == "2026/11/05 5 11 26 Thu Nov");
    CHECK(str("format-date(today(), '%d.%m.%Y')") == "25.11.2026");
    CHECK(str("format-date('', '%Y')").empty());
    CHECK(str("format-date('not a date', '%Y')").empty());
    CHECK(str("format-date(1 div 0, '%Y')").empty());
    // #fn:format-date-time: also %H %h %M %S %3.
    CHECK(str("format-date-time('2026-11-25T08:05:09.123', '%H:%M:%S.%3 %h')") == "08:05:09.123 8");
    // #fn:date: days since 1970-01-01 or a date text, to a date.
    CHECK(str("date(0)") == "1970-01-01");
    CHECK(str("date(20417)") == "2025-11-25");
    CHECK(str("date('2026-11-25')") == "2026-11-25");
    CHECK(str("date('')").empty());
    CHECK(str("date(1 div 0)").empty());
    CHECK(num("date('2026-11-25') - date('2026-11-20')") == 5);
    // #fn:decimal-date-time: days since 1970-01-01 UTC.
    CHECK(num("decimal-date-time('1970-01-02T12:00:00Z')") == 1.5);
    CHECK(std::isnan(num("decimal-date-time('')")));
    // #fn:decimal-time: a fraction of a day; NaN when not a time.
    CHECK(num("decimal-time('12:00')") == 0.5);
    CHECK(num("decimal-time('18:00:00')") == 0.75);
    CHECK(std::isnan(num("decimal-time('')")));
    CHECK(std::isnan(num("decimal-time('25:00')")));
}

TEST_CASE("spec #fn:Select-Functions: selected, selected-at, count-selected (jr:choice-name: session_test)",
          "[odk-spec]") {
    CHECK(truth("selected('a b c', 'b')"));
    CHECK(truth("selected('a b c', ' b ')"));
    CHECK_FALSE(truth("selected('a b', '')"));
    CHECK_FALSE(truth("selected('', 'a')"));
    CHECK_FALSE(truth("selected('ab', 'a')"));
    // #fn:selected-at: 0-based; '' out of range, for a negative index and for NaN.
    CHECK(str("selected-at('a b c', 0)") == "a");
    CHECK(str("selected-at('a b c', 2)") == "c");
    CHECK(str("selected-at('a b c', 3)").empty());
    CHECK(str("selected-at('a b c', -1)").empty());
    CHECK(str("selected-at('a b c', '')").empty());
    CHECK(str("selected-at('', 0)").empty());
    CHECK(num("count-selected('a b c')") == 3);
    CHECK(num("count-selected('')") == 0);
}

TEST_CASE("spec #fn:Geographic-Functions: distance and area on JavaRosa's sphere", "[odk-spec]") {
    // One degree of longitude on the equator, R = 6,378,100 m.
    CHECK(num("distance('0 0;0 1')") == Approx(111318.845).epsilon(1e-6));
    CHECK(num("distance('0 0 0 0;0 1 0 0')") == Approx(111318.845).epsilon(1e-6)); // altitude, accuracy
    SpecContext ctx;
    ctx.set("pts", listOf({"0 0", "", "0 1"}));
    CHECK(eval("distance(${pts})", ctx).toNumber() == Approx(111318.845).epsilon(1e-6)); // empty skipped
    // A 1 degree square on the equator: about 111.3 km squared.
    const double a = num("area('0 0;0 1;1 1;1 0;0 0')");
    CHECK(a == Approx(111318.845 * 111318.845).epsilon(0.01));
    CHECK(num("enclosed-area('0 0;0 1;1 1;1 0;0 0')") == a);
}

TEST_CASE("spec #fn:instance over the form's own choice lists, #fn:current, last() and position() in repeats",
          "[odk-spec][session]") {
    const std::string form = R"js({"id": "t", "version": "1", "title": "T", "default_language": "fr",
      "languages": ["fr", "en"],
      "choice_lists": {"fruits": [
        {"value": "apple", "label": {"fr": "Pomme", "en": "Apple"}, "color": "red", "price": 2},
        {"value": "banana", "label": {"fr": "Banane", "en": "Banana"}, "color": "yellow", "price": 1},
        {"value": "cherry", "label": {"fr": "Cerise", "en": "Cherry"}, "color": "red", "price": 5}]},
      "pages": [{"type": "page", "name": "p", "label": "P", "children": [
        {"type": "select_one", "name": "fruit", "label": "Fruit", "choice_list": "fruits"},
        {"type": "calculate", "name": "nom", "calculation": "instance('fruits')/root/item[name = ${fruit}]/label"},
        {"type": "calculate", "name": "couleur",
         "calculation": "instance('fruits')/root/item[name = current()/../fruit]/color"},
        {"type": "calculate", "name": "rouges", "calculation": "count(instance('fruits')/root/item[color = 'red'])"},
        {"type": "calculate", "name": "total", "calculation": "sum(instance('fruits')/root/item/price)"},
        {"type": "calculate", "name": "dernier", "calculation": "instance('fruits')/root/item[last()]/name"},
        {"type": "calculate", "name": "gout", "calculation": "count(instance('fruits')/root/item[taste = 'sweet'])"},
        {"type": "integer", "name": "budget", "label": "Budget",
         "constraint": "count(instance('fruits')/root/item[price <= current()]) > 0"},
        {"type": "repeat", "name": "gens", "label": "Gens", "children": [
          {"type": "text", "name": "prenom", "label": "Prénom"},
          {"type": "calculate", "name": "rang", "calculation": "position()"},
          {"type": "calculate", "name": "dernier_rang", "calculation": "if(position() = last(), 'oui', 'non')"}]}]}]})js";
    const auto f = loadOk(form);
    Session s(f);
    CHECK(s.valueAt("nom").is_null()); // nothing chosen: no item
    CHECK(s.valueAt("rouges") == 2);
    CHECK(s.valueAt("total") == 8);
    CHECK(s.valueAt("dernier") == "cherry");
    CHECK(s.valueAt("gout") == 0); // no choice has a `taste`: the empty node-set, as in ODK
    set(s, "fruit", "banana");
    CHECK(s.valueAt("nom") == "Banane");
    CHECK(s.valueAt("couleur") == "yellow");
    set(s, "fruit", "cherry");
    CHECK(s.valueAt("nom") == "Cerise"); // recomputed: the predicate's ${fruit} is an input
    CHECK(s.valueAt("couleur") == "red");
    // current() in a constraint is the answer being checked.
    CHECK(s.setAnswer("budget", 3).ok());
    CHECK_FALSE(s.setAnswer("budget", 0).ok());

    SessionOptions en;
    en.language = "en";
    Session english(f, en);
    set(english, "fruit", "apple");
    CHECK(english.valueAt("nom") == "Apple"); // label: in the session's language

    REQUIRE(s.addRepeat("gens").ok());
    REQUIRE(s.addRepeat("gens").ok());
    REQUIRE(s.addRepeat("gens").ok());
    CHECK(s.valueAt("gens[1]/rang") == 1);
    CHECK(s.valueAt("gens[3]/rang") == 3);
    CHECK(s.valueAt("gens[1]/dernier_rang") == "non");
    CHECK(s.valueAt("gens[3]/dernier_rang") == "oui");
    REQUIRE(s.removeRepeat("gens[3]").ok());
    CHECK(s.valueAt("gens[2]/dernier_rang") == "oui");
    CHECK(s.evaluationErrors().empty());

    // instance() names a choice list or a declared CSV file, checked when the form loads; last() and
    // position() outside a repeat and outside a predicate are refused as position(..) is.
    auto withCalc = [](const std::string& calc) {
        return R"js({"id": "t", "version": "1", "title": "T", "default_language": "fr", "languages": ["fr"], "choice_lists": {"l": [{"value": "a", "label": "A"}]},
          "pages": [{"type": "page", "name": "p", "label": "P", "children": [
          {"type": "calculate", "name": "c", "calculation": ")js" +
               calc + R"js("}]}]})js";
    };
    CHECK(problemKeys(withCalc("count(instance('nope')/root/item)")) ==
          std::vector<std::string>{"load.unknown_instance"});
    CHECK(problemKeys(withCalc("count(instance('l')/root/item[position() = last()])")).empty());
    CHECK(problemKeys(withCalc("last()")) == std::vector<std::string>{"load.not_in_repeat"});
}

TEST_CASE("spec #fn:instance over a media CSV file: the rows, by the header's names", "[odk-spec][session]") {
    const LoadResult loaded =
        loadForm(R"js({"id": "t", "version": "1", "title": "T", "default_language": "fr", "languages": ["fr"],
      "media": ["prix.csv"],
      "pages": [{"type": "page", "name": "p", "label": "P", "children": [
        {"type": "text", "name": "code", "label": "Code"},
        {"type": "calculate", "name": "prix", "calculation": "instance('prix')/root/item[code = ${code}]/montant"},
        {"type": "calculate", "name": "lignes", "calculation": "count(instance('prix.csv')/root/item)"}]}]})js");
    INFO((loaded.problems.empty() ? std::string() : loaded.problems[0].format("form", Lang::En)));
    REQUIRE(loaded.ok());
    const std::map<std::string, std::string, std::less<>> files{{"prix.csv", "code,montant\nA1,12.5\nB2,7\n"}};
    auto form = attachMedia(*loaded.form, files, Lang::En);
    REQUIRE(form.ok());
    Session s(*form);
    CHECK(s.valueAt("lignes") == 2);
    set(s, "code", "B2");
    CHECK(s.valueAt("prix") == "7");
    set(s, "code", "Z9");
    CHECK(s.valueAt("prix").is_null());

    // A form that declares no such file is refused.
    CHECK(
        problemKeys(
            R"js({"id": "t", "version": "1", "title": "T", "default_language": "fr", "languages": ["fr"], "pages": [{"type": "page", "name": "p",
      "label": "P", "children": [{"type": "calculate", "name": "c",
      "calculation": "count(instance('prix')/root/item)"}]}]})js") ==
        std::vector<std::string>{"load.unknown_instance"});
}

TEST_CASE("spec #fn:Translation-Functions: jr:itext by pyxform's itext ids, in the session's language",
          "[odk-spec][session]") {
    const auto f = loadOk(R"js({"id": "t", "version": "1", "title": "T", "default_language": "fr",
      "languages": ["fr", "en"],
      "choice_lists": {"fruits": [
        {"value": "apple", "label": {"fr": "Pomme", "en": "Apple"}},
        {"value": "banana", "label": {"fr": "Banane", "en": "Banana"}},
        {"value": "cherry", "label": {"fr": "Cerise", "en": "Cherry"}}]},
      "pages": [{"type": "page", "name": "p", "label": "P", "children": [
        {"type": "integer", "name": "age", "label": {"fr": "Âge", "en": "Age"}, "hint": {"fr": "En années", "en": "In years"},
         "constraint": ". < 130", "constraint_message": {"fr": "Trop grand", "en": "Too big"}},
        {"type": "select_one", "name": "fruit", "label": "Fruit", "choice_list": "fruits"},
        {"type": "calculate", "name": "l", "calculation": "jr:itext('/data/age:label')"},
        {"type": "calculate", "name": "h", "calculation": "jr:itext('/data/age:hint')"},
        {"type": "calculate", "name": "m", "calculation": "jr:itext('/data/age:jr:constraintMsg')"},
        {"type": "calculate", "name": "c", "calculation": "jr:itext('/data/fruit/banana:label')"},
        {"type": "calculate", "name": "choisi",
         "calculation": "jr:itext(instance('fruits')/root/item[name = ${fruit}]/itextId)"},
        {"type": "calculate", "name": "n", "calculation": "jr:itext('fruits-2')"},
        {"type": "calculate", "name": "ancien", "calculation": "jr:itext('static_instance-fruits-0')"},
        {"type": "calculate", "name": "rien", "calculation": "concat('[', jr:itext('fruits-9'), jr:itext('nope'), ']')"}]}]})js");
    Session fr(f);
    CHECK(fr.valueAt("l") == "Âge");
    CHECK(fr.valueAt("h") == "En années");
    CHECK(fr.valueAt("m") == "Trop grand");
    CHECK(fr.valueAt("c") == "Banane");
    CHECK(fr.valueAt("n") == "Cerise");
    CHECK(fr.valueAt("ancien") == "Pomme");
    CHECK(fr.valueAt("rien") == "[]"); // an id that names nothing: ''
    CHECK(fr.valueAt("choisi").is_null());
    set(fr, "fruit", "banana");
    CHECK(fr.valueAt("choisi") == "Banane");
    SessionOptions en;
    en.language = "en";
    Session english(f, en);
    CHECK(english.valueAt("l") == "Age");
    set(english, "fruit", "cherry");
    CHECK(english.valueAt("choisi") == "Cherry");
}

TEST_CASE("spec #fn:format-date: %a and %b in the form's locale (French, else English)", "[odk-spec][session]") {
    // "If form locale can be determined that locale will be used": the session's language here, with
    // Java's short names (SimpleDateFormat "EEE" and "MMM").
    const auto f = loadOk(R"js({"id": "t", "version": "1", "title": "T", "default_language": "fr",
      "languages": ["fr", "en", "sw"], "pages": [{"type": "page", "name": "p", "label": "P", "children": [
        {"type": "date", "name": "d", "label": "D"},
        {"type": "calculate", "name": "f", "calculation": "format-date(${d}, '%a %e %b %Y')"}]}]})js");
    Session fr(f);
    set(fr, "d", "2026-02-05");
    CHECK(fr.valueAt("f") == "jeu. 5 févr. 2026");
    set(fr, "d", "2026-08-16");
    CHECK(fr.valueAt("f") == "dim. 16 août 2026");
    SessionOptions en;
    en.language = "en";
    Session english(f, en);
    set(english, "d", "2026-02-05");
    CHECK(english.valueAt("f") == "Thu 5 Feb 2026");
    SessionOptions sw;
    sw.language = "sw";
    Session swahili(f, sw);
    set(swahili, "d", "2026-02-05");
    CHECK(swahili.valueAt("f") == "Thu 5 Feb 2026"); // neither French nor English: English
}
