#include "forms/instance_name.hpp"

#include "forms/expr.hpp"

namespace carnet::forms {

namespace {

Value fromJson(const nlohmann::json& v) {
    if (v.is_string()) return Value::string(v.get<std::string>());
    if (v.is_number()) return Value::number(v.get<double>());
    if (v.is_boolean()) return Value::boolean(v.get<bool>());
    if (v.is_array()) {
        std::vector<Value> items;
        for (const auto& x : v)
            items.push_back(fromJson(x));
        return Value::list(std::move(items));
    }
    return Value::string({});
}

// The answers as an expression sees them from outside every repeat.
class AnswersContext final : public EvalContext {
public:
    AnswersContext(const Form& form, const nlohmann::json& answers)
        : m_form(form)
        , m_answers(answers) {}
    [[nodiscard]] Value ref(int target) const override {
        if (target < 0 || target >= static_cast<int>(m_form.items.size())) return Value::string({});
        const Item& item = m_form.items[static_cast<std::size_t>(target)];
        if (item.repeat < 0) {
            auto it = m_answers.find(item.name);
            return it == m_answers.end() ? Value::string({}) : fromJson(*it);
        }
        // In a repeat: the values of every instance (one level deep, as the names are shown).
        const Item& repeat = m_form.items[static_cast<std::size_t>(item.repeat)];
        std::vector<Value> values;
        auto it = m_answers.find(repeat.name);
        if (it != m_answers.end() && it->is_array())
            for (const auto& instance : *it)
                if (instance.is_object() && instance.contains(item.name))
                    values.push_back(fromJson(instance[item.name]));
        return Value::list(std::move(values));
    }
    [[nodiscard]] Value self() const override { return Value::string({}); }
    [[nodiscard]] int position() const override { return 0; }
    [[nodiscard]] Value choiceColumn(std::string_view) const override { return Value::string({}); }
    [[nodiscard]] double nowDays() const override { return 0; }

private:
    const Form& m_form;
    const nlohmann::json& m_answers;
};

std::string trim(const std::string& s) {
    const auto first = s.find_first_not_of(" \t\n");
    if (first == std::string::npos) return {};
    return s.substr(first, s.find_last_not_of(" \t\n") - first + 1);
}

// "Montpellier –  – entretien" (a part not answered yet) reads "Montpellier – entretien": the parts
// between the " – " separators the forms use are kept only when they hold something.
std::string trimmed(const std::string& text) {
    static constexpr std::string_view kSep = " – ";
    std::string s;
    std::size_t from = 0;
    while (from <= text.size()) {
        std::size_t to = text.find(kSep, from);
        if (to == std::string::npos) to = text.size();
        const std::string part = trim(text.substr(from, to - from));
        if (!part.empty() && part != "–") s += (s.empty() ? "" : std::string(kSep)) + part;
        from = to + kSep.size();
    }
    if (s.size() > kMaxInstanceName) {
        std::size_t cut = kMaxInstanceName;
        while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
            --cut;
        s.resize(cut);
    }
    return s;
}

} // namespace

// A single-choice answer shown as such (the root of the expression or a part of concat()) reads as
// its choice's label, as a person says it ("Pas de réponse"), not its stored value ("pas_de_reponse").
// Values used in comparisons or functions stay values.
void labelChoices(Expr& node, bool shown, const Form& form, const nlohmann::json& answers, std::string_view language) {
    if (shown && node.kind == Expr::Kind::Ref && node.target >= 0) {
        const Item& item = form.items[static_cast<std::size_t>(node.target)];
        const auto it = answers.find(item.name);
        if (item.type == ItemType::SelectOne && item.repeat < 0 && item.choiceList >= 0 && it != answers.end() &&
            it->is_string()) {
            const ChoiceList& list = form.choiceLists[static_cast<std::size_t>(item.choiceList)];
            const int c = list.find(it->get<std::string>());
            if (c >= 0) {
                node.kind = Expr::Kind::Literal;
                node.literal =
                    Value::string(list.choices[static_cast<std::size_t>(c)].label.get(language, form.defaultLanguage));
            }
        }
        return;
    }
    const bool partsShown = node.kind == Expr::Kind::Call && node.func == Func::Concat;
    for (auto& a : node.args)
        labelChoices(*a, partsShown, form, answers, language);
}

std::string instanceName(const Form& form, const nlohmann::json& answers, std::string_view language) {
    const auto setting = form.settings.find("instance_name");
    if (setting == form.settings.end() || !setting->is_string() || !answers.is_object()) return {};
    ExprError error;
    auto expr = parseExpression(setting->get<std::string>(), ParseOptions{}, error);
    if (!expr || !expr->root) return {};
    bool known = true;
    forEachNode(*expr->root, [&](Expr& node) {
        if (node.kind != Expr::Kind::Ref) return;
        auto it = form.byName.find(node.name);
        if (it == form.byName.end())
            known = false;
        else
            node.target = it->second;
    });
    if (!known) return {};
    labelChoices(*expr->root, true, form, answers, language);
    const AnswersContext ctx(form, answers);
    const Value v = evaluate(*expr->root, ctx);
    if (v.kind() == Value::Kind::List) {
        std::string joined;
        for (const auto& x : v.listItems())
            if (!x.isEmpty()) joined += (joined.empty() ? "" : " ") + x.toString();
        return trimmed(joined);
    }
    return trimmed(v.toString());
}

} // namespace carnet::forms
