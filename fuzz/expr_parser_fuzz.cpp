// libFuzzer target: an expression as typed into a form. The first byte chooses the parse options, the
// rest is the text. A refusal must be a known message at a column inside the text; what parses is
// evaluated against a context that holds every kind of value.
#include "core/i18n.hpp"
#include "forms/expr.hpp"
#include "fuzz_expect.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <memory>
#include <string_view>
#include <vector>

using namespace carnet::forms;

using carnet::fuzz::expect;

namespace {

class FuzzContext final : public EvalContext {
public:
    FuzzContext() {
        m_values = {Value::string(""),
                    Value::string("bus velo"),
                    Value::string("08:30"),
                    Value::number(2.5),
                    Value::number(-3),
                    Value::number(std::numeric_limits<double>::quiet_NaN()),
                    Value::boolean(true),
                    Value::date(20412, "2025-11-20"),
                    Value::date(20412.75, "2025-11-20T18:00:00"),
                    Value::list({Value::number(1), Value::string(""), Value::string("a b")}),
                    Value::list({})};
    }
    // ${name} is bound to one of the values by the length of the name: any text maps somewhere.
    [[nodiscard]] std::size_t count() const { return m_values.size(); }
    Value ref(int target) const override { return m_values.at(static_cast<std::size_t>(target)); }
    Value self() const override { return Value::string("AMB-007"); }
    int position() const override { return 3; }
    Value choiceColumn(std::string_view name) const override { return Value::string(std::string(name)); }
    double nowDays() const override { return 20412.5; }
    int last() const override { return 4; }
    // instance('...'): any id is the same three items, one of them without a `price`.
    std::unique_ptr<InstanceItems> instance(std::string_view, int) const override { return std::make_unique<Items>(); }

private:
    struct Items final : InstanceItems {
        std::size_t size() const override { return 3; }
        Value column(std::size_t row, std::string_view name) const override {
            if (name == "name") return Value::string(row == 0 ? "a" : row == 1 ? "b" : "é");
            if (name == "price" && row != 2) return Value::string(row == 0 ? "2" : "-1.5");
            return Value::string("");
        }
    };
    std::vector<Value> m_values;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    ParseOptions options;
    options.allowChoiceColumns = (data[0] & 1U) != 0;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

    ExprError error;
    auto parsed = parseExpression(text, options, error);
    if (!parsed) {
        expect(carnet::hasTranslation(error.key));
        expect(error.column >= 1 && static_cast<std::size_t>(error.column) <= text.size() + 1);
        expect(!carnet::tr(error.key, carnet::Lang::En, {error.arg, error.arg2}).empty());
        return 0;
    }
    expect(parsed->source == text);
    expect(parsed->root != nullptr);

    FuzzContext ctx;
    // Bare names are choice columns in a choice_filter, and children of the item in an instance() predicate.
    std::vector<const Expr*> inPredicate;
    forEachNode(*parsed->root, [&](Expr& node) {
        if (node.kind == Expr::Kind::Call && node.func == Func::Instance)
            for (auto& pred : node.args)
                forEachNode(*pred, [&](Expr& inner) { inPredicate.push_back(&inner); });
    });
    forEachNode(*parsed->root, [&](Expr& node) {
        expect(node.column >= 1 && static_cast<std::size_t>(node.column) <= text.size() + 1);
        if (node.kind == Expr::Kind::Ref) node.target = static_cast<int>(node.name.size() % ctx.count());
        if (node.kind == Expr::Kind::ChoiceColumn)
            expect(options.allowChoiceColumns ||
                   std::find(inPredicate.begin(), inPredicate.end(), &node) != inPredicate.end());
    });
    const Value v = evaluate(*parsed->root, ctx);
    (void)v.toString();
    (void)v.toNumber();
    (void)v.toBool();
    return 0;
}
