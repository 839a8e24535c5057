#include "forms/session.hpp"

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/strings.hpp"
#include "odk_functions.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>

namespace carnet::forms {

using nlohmann::json;

namespace {

// Repeat instances in a whole record, nested ones included: a runaway repeat_count must not exhaust
// memory, even when nested repeats multiply their counts.
constexpr int kMaxInstances = 10000;

struct Slot {
    json stored;       // normalised answer; null = unanswered
    Value storedValue; // the same, as expressions see it
    Value value;       // effective value: calculation or answer, "" when not relevant
    bool relevant = false;
    bool required = false;
    bool readOnly = false;
    bool hasIssue = false;
    bool queued = false;
    bool evaluated = false;
    IssueKind issue = IssueKind::Required;
};

struct Scope {
    int repeat = -1; // -1 for the record's top level
    Scope* parent = nullptr;
    int position = 0; // 1-based index among its siblings
    std::uint64_t serial = 0;
    std::vector<int> path; // repeats from the top down to this scope's own repeat
    std::vector<Slot> slots;
    std::vector<std::vector<std::unique_ptr<Scope>>> children; // per repeat directly inside
    // A repeat instance's identity, kept in its answers as "_id" (kInstanceId): edits on two devices
    // to different instances, or to different fields of one, merge field by field on the server.
    // "n<position>" for instances the form itself makes (min_count, repeat_count) and for older
    // answers without one, so that every device names them alike; random for an added instance.
    std::string id;
};

std::string positionalId(std::size_t position) {
    return "n" + std::to_string(position);
}

// 12 hex digits of the random part of a version 7 UUID: unique within one record's list.
std::string randomInstanceId() {
    const std::string u = newUuid();
    return u.substr(u.size() - 12);
}

bool validInstanceId(const json& v) {
    if (!v.is_string()) return false;
    const auto& s = v.get_ref<const std::string&>();
    return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
    });
}

double systemNowDays() {
    return clock::localDays(clock::systemNow());
}

std::size_t commonPrefix(const std::vector<int>& a, const std::vector<int>& b) {
    std::size_t n = 0;
    while (n < a.size() && n < b.size() && a[n] == b[n])
        ++n;
    return n;
}

json valueToJson(const Value& v) {
    switch (v.kind()) {
    case Value::Kind::Bool:
        return v.toBool();
    case Value::Kind::Number: {
        const double d = v.toNumber();
        if (!std::isfinite(d)) return nullptr;
        if (d == std::trunc(d) && std::fabs(d) < 9.0e15) return static_cast<long long>(d);
        return d;
    }
    case Value::Kind::List:
        return v.listItems().empty() ? json() : valueToJson(v.listItems().front());
    default: {
        std::string s = v.toString();
        if (s.empty()) return nullptr;
        return s;
    }
    }
}

Value storedToValue(const Item& item, const json& stored) {
    if (stored.is_null()) return Value::string("");
    switch (item.type) {
    case ItemType::Integer:
    case ItemType::Decimal:
    case ItemType::Range:
        return Value::number(stored.get<double>());
    case ItemType::SelectMultiple: {
        std::string joined;
        for (const auto& v : stored) {
            if (!joined.empty()) joined += ' ';
            joined += v.get<std::string>();
        }
        return Value::string(std::move(joined));
    }
    case ItemType::Date:
    case ItemType::DateTime: {
        double days = 0;
        const std::string s = stored.get<std::string>();
        if (parseIsoDate(s, days) || parseIsoDateTime(s, days)) return Value::date(days, s);
        return Value::string(s);
    }
    case ItemType::Acknowledge:
        return Value::string("OK");
    default:
        return stored.is_string() ? Value::string(stored.get<std::string>()) : Value::string(stored.dump());
    }
}

// A calculation's result shaped for the question type it belongs to.
Value convertCalculated(const Item& item, Value v) {
    if (v.kind() == Value::Kind::List) v = v.listItems().empty() ? Value::string("") : v.listItems().front();
    // ODK keeps a calculation's Infinity ("1 div 0"); NaN, and Infinity in a number question, are empty.
    if (v.kind() == Value::Kind::Number && std::isinf(v.toNumber()) && item.type == ItemType::Calculate)
        return Value::string(v.toString());
    if (v.kind() == Value::Kind::Number && !std::isfinite(v.toNumber())) return Value::string("");
    switch (item.type) {
    case ItemType::Calculate:
        return v;
    case ItemType::Integer: {
        if (v.isEmpty()) return Value::string("");
        const double d = v.toNumber();
        return std::isfinite(d) ? Value::number(std::trunc(d)) : Value::string("");
    }
    case ItemType::Decimal:
    case ItemType::Range: {
        if (v.isEmpty()) return Value::string("");
        const double d = v.toNumber();
        return std::isfinite(d) ? Value::number(d) : Value::string("");
    }
    case ItemType::Date: {
        if (v.kind() == Value::Kind::Date) return Value::date(std::floor(v.toNumber()), v.toString().substr(0, 10));
        if (v.kind() == Value::Kind::Number) {
            // Only days that "YYYY-MM-DD" can write: 0001-01-01 (-719162) to 9999-12-31 (2932896).
            const double d = std::floor(v.toNumber());
            if (!(d >= -719162 && d <= 2932896)) return Value::string("");
            return Value::date(d, formatIsoDate(static_cast<long long>(d)));
        }
        double days = 0;
        const std::string s = v.toString();
        return parseIsoDate(s, days) ? Value::date(days, s) : Value::string("");
    }
    default:
        return v.kind() == Value::Kind::Bool ? v : Value::string(v.toString());
    }
}

} // namespace

struct Session::Impl {
    std::shared_ptr<const Form> form;
    std::string lang;
    std::function<double()> now;
    std::map<std::string, std::string, std::less<>> properties;
    std::unique_ptr<Scope> root;
    std::uint64_t serial = 0;
    std::uint64_t evaluations = 0;
    int issueCount = 0;
    int liveInstances = 0; // live repeat instances in the record, at most kMaxInstances

    struct Entry {
        int rank;
        int item;
        std::uint64_t serial;
        Scope* scope;
        bool operator<(const Entry& o) const {
            if (rank != o.rank) return rank < o.rank;
            if (item != o.item) return item < o.item;
            return serial < o.serial;
        }
    };
    std::set<Entry> queue;

    // ------------------------------------------------------------ evaluation context
    struct Ctx final : EvalContext {
        const Impl& s;
        const Scope* scope;
        const Value* selfValue;
        const Choice* choice = nullptr;
        int owner; // the item whose expression is evaluated
        Ctx(const Impl& impl, const Scope* sc, const Value* self, int ownerItem)
            : s(impl)
            , scope(sc)
            , selfValue(self)
            , owner(ownerItem) {}
        Value ref(int target) const override { return s.refValue(target, scope); }
        Value self() const override { return selfValue ? *selfValue : Value::string(""); }
        int position() const override { return scope->position; }
        Value choiceColumn(std::string_view name) const override {
            if (!choice) return Value::string("");
            if (name == "name" || name == "value") return Value::string(choice->value);
            auto it = choice->columns.find(name);
            return Value::string(it == choice->columns.end() ? std::string() : it->second);
        }
        double nowDays() const override { return s.now(); }
        Value property(std::string_view name) const override {
            const auto it = s.properties.find(name);
            return Value::string(it == s.properties.end() ? std::string() : it->second);
        }
        Value pulldata(std::string_view file, std::string_view column, std::string_view keyColumn,
                       std::string_view key) const override {
            const MediaTable* table = s.form->mediaTable(file);
            if (!table) return Value::string("");
            const int c = table->column(column), k = table->column(keyColumn);
            if (c < 0 || k < 0) return Value::string("");
            for (const auto& row : table->rows)
                if (row[static_cast<std::size_t>(k)] == key) return Value::string(row[static_cast<std::size_t>(c)]);
            return Value::string("");
        }
        Value choiceName(int target, std::string_view value) const override {
            if (target < 0) return Value::string("");
            const Item& select = s.item(target);
            if (!select.choiceFile.empty()) {
                const MediaTable* table = s.form->mediaTable(select.choiceFile);
                const int v = table ? table->column(select.choiceFileValue) : -1;
                const int l = table ? table->column(select.choiceFileLabel) : -1;
                if (v < 0 || l < 0) return Value::string("");
                for (const auto& row : table->rows)
                    if (row[static_cast<std::size_t>(v)] == value)
                        return Value::string(row[static_cast<std::size_t>(l)]);
                return Value::string("");
            }
            if (select.choiceList < 0) return Value::string("");
            const ChoiceList& list = s.form->choiceLists[static_cast<std::size_t>(select.choiceList)];
            const int c = list.find(value);
            if (c < 0) return Value::string("");
            const Choice& named = list.choices[static_cast<std::size_t>(c)];
            // A choice without a label shows its value, as the select does.
            const std::string& label = named.label.get(s.lang, s.form->defaultLanguage);
            return Value::string(label.empty() ? named.value : label);
        }
        Value indexedRef(int target, const std::vector<std::pair<int, int>>& indexes) const override {
            return s.indexedValue(target, indexes, scope);
        }
        int last() const override {
            if (!scope->parent || scope->repeat < 0) return 0;
            const auto& siblings = scope->parent->children[static_cast<std::size_t>(s.item(scope->repeat).childScope)];
            return static_cast<int>(siblings.size());
        }
        std::unique_ptr<InstanceItems> instance(std::string_view id, int list) const override {
            if (list >= 0 && static_cast<std::size_t>(list) < s.form->choiceLists.size())
                return std::make_unique<ChoiceItems>(s.form->choiceLists[static_cast<std::size_t>(list)], s);
            const MediaTable* table = s.form->mediaTable(id);
            if (!table) return nullptr;
            return std::make_unique<CsvItems>(*table);
        }
        void evaluationError(std::string_view key, std::string_view arg) const override {
            s.noteEvaluationError(owner, key, arg);
        }
        Value itext(std::string_view id) const override { return Value::string(s.itextText(id)); }
        std::string language() const override { return s.lang.empty() ? s.form->defaultLanguage : s.lang; }
    };

    // jr:itext(): pyxform's itext ids. "PATH:FORM" is a question's label, hint or message (FORM "label",
    // "hint", "jr:constraintMsg", "jr:requiredMsg"), or with PATH ".../select/value" a choice's label;
    // "list-N" (older pyxform: "static_instance-list-N") the label of the N-th choice (0-based) of a list
    // of choice_lists, the `itextId` of instance('list')/root/item.
    std::string itextText(std::string_view rawId) const {
        std::string id(trim(rawId));
        if (id.rfind("static_instance-", 0) == 0) id = id.substr(16);
        const auto slash = id.rfind('/');
        const auto colon = id.find(':', slash == std::string::npos ? 0 : slash + 1);
        auto choiceLabel = [&](const ChoiceList& list, int c) -> std::string {
            if (c < 0 || static_cast<std::size_t>(c) >= list.choices.size()) return "";
            const Choice& choice = list.choices[static_cast<std::size_t>(c)];
            return choice.label.get(lang, form->defaultLanguage);
        };
        if (colon != std::string::npos) {
            const std::string path = id.substr(0, colon), which = id.substr(colon + 1);
            const auto last = path.rfind('/');
            const std::string name = last == std::string::npos ? path : path.substr(last + 1);
            if (const Item* it = form->find(name)) {
                const LocalText* text = which == "label"              ? &it->label
                                        : which == "hint"             ? &it->hint
                                        : which == "jr:constraintMsg" ? &it->constraintMessage
                                        : which == "jr:requiredMsg"   ? &it->requiredMessage
                                                                      : nullptr;
                return text ? text->get(lang, form->defaultLanguage) : std::string();
            }
            if (which != "label" || last == std::string::npos) return "";
            const std::string parent = path.substr(0, last);
            const Item* select = form->find(parent.substr(parent.rfind('/') + 1));
            if (!select || select->choiceList < 0) return "";
            const ChoiceList& list = form->choiceLists[static_cast<std::size_t>(select->choiceList)];
            return choiceLabel(list, list.find(name));
        }
        const auto dash = id.rfind('-');
        if (dash == std::string::npos || dash + 1 == id.size()) return "";
        int n = 0;
        for (std::size_t i = dash + 1; i < id.size(); ++i) {
            if (id[i] < '0' || id[i] > '9' || n > 1000000) return "";
            n = n * 10 + (id[i] - '0');
        }
        for (const ChoiceList& list : form->choiceLists)
            if (list.name == std::string_view(id).substr(0, dash)) return choiceLabel(list, n);
        return "";
    }

    // instance('list')/root/item: a choice list's choices, each with `name` (its value), `label` (in the
    // session's language) and its extra columns, as pyxform writes the list's secondary instance.
    struct ChoiceItems final : InstanceItems {
        const ChoiceList& list;
        const Impl& s;
        ChoiceItems(const ChoiceList& l, const Impl& impl)
            : list(l)
            , s(impl) {}
        std::size_t size() const override { return list.choices.size(); }
        Value column(std::size_t row, std::string_view name) const override {
            const Choice& c = list.choices[row];
            if (name == "name" || name == "value") return Value::string(c.value);
            if (name == "label") return Value::string(c.label.get(s.lang, s.form->defaultLanguage));
            if (name == "itextId") return Value::string(list.name + "-" + std::to_string(row)); // for jr:itext()
            auto it = c.columns.find(name);
            return Value::string(it == c.columns.end() ? std::string() : it->second);
        }
    };

    // instance('file')/root/item: the rows of a media CSV file, its header naming the children.
    struct CsvItems final : InstanceItems {
        const MediaTable& table;
        explicit CsvItems(const MediaTable& t)
            : table(t) {}
        std::size_t size() const override { return table.rows.size(); }
        Value column(std::size_t row, std::string_view name) const override {
            const int c = table.column(name);
            return Value::string(c < 0 ? std::string() : table.rows[row][static_cast<std::size_t>(c)]);
        }
    };

    // Expressions that could not be evaluated as written (EvalContext::evaluationError): item, key,
    // argument; a few are enough to tell what is wrong, so the list stops growing.
    static constexpr std::size_t kMaxEvaluationErrors = 50;
    mutable std::vector<std::tuple<int, std::string, std::string>> evalErrors;
    void noteEvaluationError(int owner, std::string_view key, std::string_view arg) const {
        std::tuple<int, std::string, std::string> e{owner, std::string(key), std::string(arg)};
        if (evalErrors.size() >= kMaxEvaluationErrors ||
            std::find(evalErrors.begin(), evalErrors.end(), e) != evalErrors.end())
            return;
        evalErrors.push_back(std::move(e));
    }

    // indexed-repeat(): walk down from the record's top level to `target`, taking in each repeat around
    // it the instance `indexes` names, else the instance the expression itself is in.
    Value indexedValue(int target, const std::vector<std::pair<int, int>>& indexes, const Scope* ctx) const {
        if (target < 0) return Value::string("");
        const Item& t = item(target);
        const Scope* cur = root.get();
        for (std::size_t level = 0; level < t.repeatPath.size(); ++level) {
            const int r = t.repeatPath[level];
            const Item& ri = item(r);
            if (!cur->slots[static_cast<std::size_t>(ri.slot)].relevant) return Value::string("");
            const auto& list = cur->children[static_cast<std::size_t>(ri.childScope)];
            int wanted = 0;
            for (const auto& [repeat, index] : indexes)
                if (repeat == r) wanted = index;
            if (wanted == 0) {
                const Scope* a = ctx;
                while (a && a->path.size() > level + 1)
                    a = a->parent;
                if (!a || a->path.size() != level + 1 || a->repeat != r || a->parent != cur) return Value::string("");
                cur = a;
                continue;
            }
            if (wanted > static_cast<int>(list.size())) return Value::string("");
            cur = list[static_cast<std::size_t>(wanted - 1)].get();
        }
        if (t.type == ItemType::Repeat) return instancesValue(cur, t);
        return cur->slots[static_cast<std::size_t>(t.slot)].value;
    }

    const Item& item(int i) const { return form->items[static_cast<std::size_t>(i)]; }
    Lang ui() const { return uiLang(lang); }

    Value instancesValue(const Scope* scope, const Item& repeat) const {
        const auto& list = scope->children[static_cast<std::size_t>(repeat.childScope)];
        if (!scope->slots[static_cast<std::size_t>(repeat.slot)].relevant) return Value::list({});
        return Value::list(std::vector<Value>(list.size(), Value::string("")));
    }

    void collect(const Item& t, const Scope* scope, std::size_t level, std::vector<Value>& out) const {
        if (level == t.repeatPath.size()) {
            if (t.type == ItemType::Repeat) {
                // Keep the list alive: listItems() refers into it, and a range-for would not extend a
                // temporary's lifetime through that member call.
                const Value instances = instancesValue(scope, t);
                for (const auto& v : instances.listItems())
                    out.push_back(v);
            } else {
                out.push_back(scope->slots[static_cast<std::size_t>(t.slot)].value);
            }
            return;
        }
        const Item& r = item(t.repeatPath[level]);
        for (const auto& inst : scope->children[static_cast<std::size_t>(r.childScope)])
            collect(t, inst.get(), level + 1, out);
    }

    // ${target} seen from `ctx`: the value in the same or an enclosing repeat instance, or the list of
    // values across the instances of a repeat the context is not inside (for sum(), count(), ...).
    Value refValue(int target, const Scope* ctx) const {
        const Item& t = item(target);
        const std::size_t level = commonPrefix(t.repeatPath, ctx->path);
        const Scope* anchor = ctx;
        while (anchor->path.size() > level)
            anchor = anchor->parent;
        if (level == t.repeatPath.size()) {
            if (t.type == ItemType::Repeat) return instancesValue(anchor, t);
            return anchor->slots[static_cast<std::size_t>(t.slot)].value;
        }
        std::vector<Value> out;
        collect(t, anchor, level, out);
        return Value::list(std::move(out));
    }

    // ------------------------------------------------------------ scopes
    std::unique_ptr<Scope> makeScope(int repeat, Scope* parent, int position) {
        auto s = std::make_unique<Scope>();
        s->repeat = repeat;
        s->parent = parent;
        s->position = position;
        s->serial = ++serial;
        if (repeat >= 0) s->id = positionalId(static_cast<std::size_t>(position));
        if (repeat >= 0) ++liveInstances;
        if (parent) s->path = parent->path;
        if (repeat >= 0) s->path.push_back(repeat);
        static const std::vector<int> kNone;
        const std::vector<int>* slotItems = &form->rootSlots;
        if (repeat >= 0) {
            auto it = form->repeatSlots.find(repeat);
            slotItems = it == form->repeatSlots.end() ? &kNone : &it->second;
        }
        s->slots.resize(slotItems->size());
        for (std::size_t i = 0; i < slotItems->size(); ++i) {
            const Item& it = item((*slotItems)[i]);
            if (!it.defaultValue.is_null()) {
                s->slots[i].stored = it.defaultValue;
                s->slots[i].storedValue = storedToValue(it, it.defaultValue);
            } else {
                s->slots[i].storedValue = Value::string("");
            }
        }
        auto rc = form->repeatChildren.find(repeat);
        if (rc != form->repeatChildren.end()) {
            s->children.resize(rc->second.size());
            for (int r : rc->second) {
                const Item& ri = item(r);
                if (ri.repeatCount) continue; // created when the count is evaluated
                auto& list = s->children[static_cast<std::size_t>(ri.childScope)];
                for (int k = 0; k < ri.minCount && liveInstances < kMaxInstances; ++k)
                    list.push_back(makeScope(r, s.get(), k + 1));
            }
        }
        return s;
    }

    const std::vector<int>& slotItems(const Scope* s) const {
        static const std::vector<int> kNone;
        if (s->repeat < 0) return form->rootSlots;
        auto it = form->repeatSlots.find(s->repeat);
        return it == form->repeatSlots.end() ? kNone : it->second;
    }

    void enqueue(int i, Scope* scope) {
        const Item& it = item(i);
        Slot& sl = scope->slots[static_cast<std::size_t>(it.slot)];
        if (sl.queued) return;
        sl.queued = true;
        queue.insert(Entry{it.rank, i, scope->serial, scope});
    }

    void enqueueScope(Scope* scope) {
        for (int i : slotItems(scope))
            enqueue(i, scope);
        for (auto& list : scope->children)
            for (auto& inst : list)
                enqueueScope(inst.get());
    }

    void enqueueDown(const Item& f, Scope* scope, std::size_t level) {
        if (level == f.repeatPath.size()) {
            enqueue(f.index, scope);
            return;
        }
        const Item& r = item(f.repeatPath[level]);
        for (auto& inst : scope->children[static_cast<std::size_t>(r.childScope)])
            enqueueDown(f, inst.get(), level + 1);
    }

    void enqueueAnchored(int f, const std::vector<int>& sourcePath, Scope* sourceScope) {
        const Item& fi = item(f);
        const std::size_t level = commonPrefix(fi.repeatPath, sourcePath);
        Scope* anchor = sourceScope;
        while (anchor->path.size() > level)
            anchor = anchor->parent;
        enqueueDown(fi, anchor, level);
    }

    // The set of instances of `repeat` in `scope` changed: aggregates outside it must be recomputed.
    void instancesChanged(const Item& repeat, Scope* scope) {
        enqueue(repeat.index, scope);
        for (int d : repeat.descendants) {
            const Item& di = item(d);
            for (int f : di.dependents) {
                const Item& fi = item(f);
                const bool inside = fi.repeatPath.size() > repeat.repeatPath.size() &&
                                    fi.repeatPath[repeat.repeatPath.size()] == repeat.index;
                if (!inside) enqueueAnchored(f, di.repeatPath, scope);
            }
        }
    }

    static bool within(const Scope* s, const Scope* ancestor) {
        for (; s; s = s->parent)
            if (s == ancestor) return true;
        return false;
    }

    int countIssues(const Scope* s) const {
        int n = 0;
        for (const auto& sl : s->slots)
            n += sl.hasIssue ? 1 : 0;
        for (const auto& list : s->children)
            for (const auto& inst : list)
                n += countIssues(inst.get());
        return n;
    }

    static int countInstances(const Scope* s) {
        int n = 1;
        for (const auto& list : s->children)
            for (const auto& inst : list)
                n += countInstances(inst.get());
        return n;
    }

    // Forgets a repeat instance that is about to be destroyed.
    void discard(const Scope* s) {
        issueCount -= countIssues(s);
        liveInstances -= countInstances(s);
        for (auto it = queue.begin(); it != queue.end();) {
            if (within(it->scope, s))
                it = queue.erase(it);
            else
                ++it;
        }
    }

    void ensureInstances(const Item& r, Scope* scope, int desired) {
        auto& list = scope->children[static_cast<std::size_t>(r.childScope)];
        desired = std::clamp(desired, 0, static_cast<int>(list.size()) + (kMaxInstances - liveInstances));
        if (r.maxCount >= 0) desired = std::min(desired, r.maxCount);
        bool changed = false;
        while (static_cast<int>(list.size()) < desired) {
            auto inst = makeScope(r.index, scope, static_cast<int>(list.size()) + 1);
            enqueueScope(inst.get());
            list.push_back(std::move(inst));
            changed = true;
        }
        while (static_cast<int>(list.size()) > desired) {
            discard(list.back().get());
            list.pop_back();
            changed = true;
        }
        if (changed) instancesChanged(r, scope);
    }

    // ------------------------------------------------------------ node evaluation
    void evaluateNode(const Item& it, Scope* scope) {
        ++evaluations;
        Slot& sl = scope->slots[static_cast<std::size_t>(it.slot)];
        bool parentRelevant = true;
        if (it.parent >= 0) {
            const Item& p = item(it.parent);
            const Scope* ps = p.index == scope->repeat ? scope->parent : scope;
            parentRelevant = ps->slots[static_cast<std::size_t>(p.slot)].relevant;
        }
        Ctx ctx(*this, scope, &sl.storedValue, it.index);
        const bool relevant = parentRelevant && (!it.relevant || evaluate(*it.relevant->root, ctx).toBool());
        Value v = Value::string("");
        if (it.type == ItemType::Repeat) {
            if (relevant && it.repeatCount) {
                const double d = evaluate(*it.repeatCount->root, ctx).toNumber();
                ensureInstances(it, scope, std::isfinite(d) ? static_cast<int>(std::clamp(d, 0.0, 1e6)) : 0);
            }
            v = Value::number(static_cast<double>(scope->children[static_cast<std::size_t>(it.childScope)].size()));
        } else if (relevant && !isContainer(it.type)) {
            v = it.calculation ? convertCalculated(it, evaluate(*it.calculation->root, ctx)) : sl.storedValue;
        }
        const bool changed = !sl.evaluated || relevant != sl.relevant || !v.same(sl.value);
        sl.relevant = relevant;
        sl.value = std::move(v);
        sl.evaluated = true;

        Ctx flagCtx(*this, scope, &sl.value, it.index);
        const bool answerable = isAnswerable(it.type);
        sl.required = relevant && answerable &&
                      (it.requiredAlways || (it.required && evaluate(*it.required->root, flagCtx).toBool()));
        sl.readOnly = it.readOnlyAlways || (it.readOnly && evaluate(*it.readOnly->root, flagCtx).toBool()) ||
                      (it.calculation && it.type != ItemType::Calculate);
        const bool had = sl.hasIssue;
        sl.hasIssue = false;
        if (relevant && answerable) {
            if (sl.value.isEmpty()) {
                if (sl.required) setIssue(sl, IssueKind::Required);
            } else if (it.patternRegex && !it.patternRegex->fullMatch(sl.value.toString())) {
                setIssue(sl, IssueKind::Pattern);
            } else if (it.choiceFilter && !choicesAvailable(it, scope, sl)) {
                setIssue(sl, IssueKind::ChoiceUnavailable);
            } else if (it.constraint && !evaluate(*it.constraint->root, flagCtx).toBool()) {
                setIssue(sl, IssueKind::Constraint);
            }
        }
        issueCount += (sl.hasIssue ? 1 : 0) - (had ? 1 : 0);
        if (changed)
            for (int f : it.dependents)
                enqueueAnchored(f, it.repeatPath, scope);
    }

    static void setIssue(Slot& sl, IssueKind kind) {
        sl.hasIssue = true;
        sl.issue = kind;
    }

    bool choiceVisible(const Item& it, const Scope* scope, const Choice& c) const {
        if (!it.choiceFilter) return true;
        const Slot& sl = scope->slots[static_cast<std::size_t>(it.slot)];
        Ctx ctx(*this, scope, &sl.value, it.index);
        ctx.choice = &c;
        return evaluate(*it.choiceFilter->root, ctx).toBool();
    }

    // XLSForm's randomize=true: the offered choices shuffled, after the filter, as ODK's
    // randomize(itemset, seed). With a seed, ODK's order for it; without, an order drawn once per session
    // (the view is recomputed every frame: the choices must not move under the finger).
    void shuffleChoices(const Item& it, const Scope* scope, const Slot& sl, std::vector<ChoiceView>& choices) const {
        std::int64_t seed = (shuffleSeed + static_cast<std::int64_t>(it.index) * 1000003) % 2147483647;
        if (it.choiceSeed) {
            Ctx ctx(*this, scope, &sl.value, it.index);
            const double d = evaluate(*it.choiceSeed->root, ctx).toNumber();
            seed = std::isfinite(d) ? static_cast<std::int64_t>(std::clamp(std::trunc(d), -9.0e18, 9.0e18)) : 0;
        }
        const auto order = odk::seededPermutation(choices.size(), seed);
        std::vector<ChoiceView> out;
        out.reserve(choices.size());
        for (std::size_t i : order)
            out.push_back(std::move(choices[i]));
        choices = std::move(out);
    }
    std::int64_t shuffleSeed = static_cast<std::int64_t>(odk::randomUnit() * 2147483646.0) + 1;

    // The choices a media select's index allows (in list order), or nullptr to filter them all: the value
    // its filter requires a column to equal is computed once, and only the rows with that text (for a
    // text value) or that number (for a number, as "=" compares them) are filtered further.
    const std::vector<int>* indexedChoices(const Item& it, const Scope* scope, const Slot& sl) const {
        static const std::vector<int> kNone;
        if (!it.choiceIndex) return nullptr;
        Ctx ctx(*this, scope, &sl.value, it.index);
        const Value v = evaluate(*it.choiceIndex->value, ctx);
        if (v.kind() == Value::Kind::String) {
            auto f = it.choiceIndex->byText.find(v.toString());
            return f == it.choiceIndex->byText.end() ? &kNone : &f->second;
        }
        if (v.kind() == Value::Kind::Number) {
            if (std::isnan(v.toNumber())) return &kNone; // NaN equals nothing (and is no map key)
            auto f = it.choiceIndex->byNumber.find(v.toNumber());
            return f == it.choiceIndex->byNumber.end() ? &kNone : &f->second;
        }
        return nullptr;
    }

    bool choicesAvailable(const Item& it, const Scope* scope, const Slot& sl) const {
        const ChoiceList& list = form->choiceLists[static_cast<std::size_t>(it.choiceList)];
        for (const auto& v : splitWhitespace(sl.value.toString())) {
            const int c = list.find(v);
            if (c < 0 || !choiceVisible(it, scope, list.choices[static_cast<std::size_t>(c)])) return false;
        }
        return true;
    }

    void process() {
        while (!queue.empty()) {
            const Entry e = *queue.begin();
            queue.erase(queue.begin());
            const Item& it = item(e.item);
            e.scope->slots[static_cast<std::size_t>(it.slot)].queued = false;
            evaluateNode(it, e.scope);
        }
    }

    void reset() {
        queue.clear();
        issueCount = 0;
        liveInstances = 0;
        root = makeScope(-1, nullptr, 0);
    }

    // ------------------------------------------------------------ paths
    struct Target {
        const Item* item = nullptr;
        Scope* scope = nullptr;
        int index = 0; // trailing [k] of the last segment, 0 if none
    };

    static bool splitSegment(std::string_view seg, std::string& name, int& index) {
        index = 0;
        const auto open = seg.find('[');
        if (open == std::string_view::npos) {
            name = std::string(seg);
            return !name.empty();
        }
        if (seg.back() != ']' || open == 0) return false;
        name = std::string(seg.substr(0, open));
        const std::string_view num = seg.substr(open + 1, seg.size() - open - 2);
        if (num.empty() || num.size() > 6) return false;
        for (char c : num)
            if (c < '0' || c > '9') return false;
        index = std::stoi(std::string(num));
        return index >= 1;
    }

    Result<Target> resolve(std::string_view path) {
        Scope* scope = root.get();
        std::size_t start = 0;
        while (true) {
            const auto slash = path.find('/', start);
            const std::string_view seg =
                path.substr(start, slash == std::string_view::npos ? path.npos : slash - start);
            std::string name;
            int index = 0;
            if (!splitSegment(seg, name, index)) break;
            const Item* it = form->find(name);
            if (!it || it->repeatPath != scope->path) break;
            if (slash == std::string_view::npos) return Target{it, scope, index};
            if (it->type != ItemType::Repeat || index == 0) break;
            auto& list = scope->children[static_cast<std::size_t>(it->childScope)];
            if (index > static_cast<int>(list.size()))
                return makeError(ErrorCode::NotFound,
                                 tr("forms.unknown_instance", ui(), {name, std::to_string(index)}));
            scope = list[static_cast<std::size_t>(index - 1)].get();
            start = slash + 1;
        }
        return makeError(ErrorCode::NotFound, tr("forms.unknown_field", ui(), {path}));
    }

    std::string issueMessage(const Item& it, const Slot& sl) const {
        const Lang l = ui();
        switch (sl.issue) {
        case IssueKind::Required:
            return it.requiredMessage.empty() ? tr("forms.required", l)
                                              : it.requiredMessage.get(lang, form->defaultLanguage);
        case IssueKind::Constraint:
            return it.constraintMessage.empty() ? tr("forms.constraint", l)
                                                : it.constraintMessage.get(lang, form->defaultLanguage);
        case IssueKind::Pattern:
            return it.constraintMessage.empty() ? tr("forms.pattern", l)
                                                : it.constraintMessage.get(lang, form->defaultLanguage);
        case IssueKind::ChoiceUnavailable:
            return tr("forms.choice_unavailable", l, {sl.value.toString()});
        case IssueKind::Invalid:
            break;
        }
        return tr("forms.constraint", l);
    }

    // ------------------------------------------------------------ walking
    template <class Fn> void walkItem(const Item& it, const Scope* scope, const std::string& prefix, Fn& fn) const {
        const Slot& sl = scope->slots[static_cast<std::size_t>(it.slot)];
        if (!sl.relevant) return;
        if (it.type == ItemType::Repeat) {
            const auto& list = scope->children[static_cast<std::size_t>(it.childScope)];
            for (std::size_t k = 0; k < list.size(); ++k) {
                const std::string p = prefix + it.name + "[" + std::to_string(k + 1) + "]/";
                for (int c : it.children)
                    walkItem(item(c), list[k].get(), p, fn);
            }
        } else if (isContainer(it.type)) {
            for (int c : it.children)
                walkItem(item(c), scope, prefix, fn);
        } else {
            fn(it, scope, sl, prefix + it.name);
        }
    }
    template <class Fn> void walk(Fn fn) const {
        for (int p : form->pages)
            walkItem(item(p), root.get(), "", fn);
    }

    json scopeAnswers(const Scope* s) const {
        json out = json::object();
        if (s->repeat >= 0) out[kInstanceId] = s->id;
        for (int i : slotItems(s)) {
            const Item& it = item(i);
            const Slot& sl = s->slots[static_cast<std::size_t>(it.slot)];
            if (it.type == ItemType::Repeat) {
                const auto& list = s->children[static_cast<std::size_t>(it.childScope)];
                if (list.empty()) continue;
                json arr = json::array();
                for (const auto& inst : list)
                    arr.push_back(scopeAnswers(inst.get()));
                out[it.name] = std::move(arr);
            } else if (isAnswerable(it.type) && !sl.stored.is_null()) {
                out[it.name] = sl.stored;
            } else if (isAnswerable(it.type) && !it.defaultValue.is_null()) {
                out[it.name] = nullptr; // a cleared default: absent would bring the default back on load
            }
        }
        return out;
    }

    json fieldRecordValue(const Item& it, const Slot& sl) const {
        if (!sl.relevant) return nullptr;
        if (it.calculation) return valueToJson(sl.value);
        return sl.stored;
    }

    json scopeRecord(const Scope* s) const {
        json out = json::object();
        if (s->repeat >= 0) out[kInstanceId] = s->id;
        for (int i : slotItems(s)) {
            const Item& it = item(i);
            const Slot& sl = s->slots[static_cast<std::size_t>(it.slot)];
            if (!sl.relevant) continue;
            if (it.type == ItemType::Repeat) {
                const auto& list = s->children[static_cast<std::size_t>(it.childScope)];
                if (list.empty()) continue;
                json arr = json::array();
                for (const auto& inst : list)
                    arr.push_back(scopeRecord(inst.get()));
                out[it.name] = std::move(arr);
            } else if (isAnswerable(it.type) || it.type == ItemType::Calculate) {
                json v = fieldRecordValue(it, sl);
                if (!v.is_null()) out[it.name] = std::move(v);
            }
        }
        return out;
    }

    void loadInto(Scope* scope, const json& obj, const std::string& prefix, std::vector<FieldIssue>& problems) {
        for (const auto& [key, value] : obj.items()) {
            const std::string path = prefix + key;
            if (key == kInstanceId && scope->repeat >= 0) {
                if (validInstanceId(value))
                    scope->id = value.get<std::string>();
                else
                    problems.push_back(FieldIssue{path, IssueKind::Invalid, tr("forms.bad_instance_id", ui())});
                continue;
            }
            const Item* it = form->find(key);
            if (!it || it->repeatPath != scope->path || it->type == ItemType::Page || it->type == ItemType::Group) {
                problems.push_back(FieldIssue{path, IssueKind::Invalid, tr("forms.unknown_field", ui(), {path})});
                continue;
            }
            if (it->type == ItemType::Calculate || it->type == ItemType::Note) continue; // derived, not stored
            Slot& sl = scope->slots[static_cast<std::size_t>(it->slot)];
            if (it->type == ItemType::Repeat) {
                if (!value.is_array()) {
                    problems.push_back(FieldIssue{path, IssueKind::Invalid, tr("load.expect_array", ui())});
                    continue;
                }
                auto& list = scope->children[static_cast<std::size_t>(it->childScope)];
                while (list.size() > value.size()) {
                    discard(list.back().get());
                    list.pop_back();
                }
                while (list.size() < value.size() && liveInstances < kMaxInstances)
                    list.push_back(makeScope(it->index, scope, static_cast<int>(list.size()) + 1));
                if (list.size() < value.size())
                    problems.push_back(FieldIssue{path, IssueKind::Invalid,
                                                  tr("forms.max_repeats", ui(), {std::to_string(kMaxInstances)})});
                std::set<std::string> ids;
                for (std::size_t k = 0; k < list.size(); ++k) {
                    const std::string p = path + "[" + std::to_string(k + 1) + "]/";
                    list[k]->id = positionalId(k + 1); // answers written before instances had ids
                    if (!value[k].is_object()) {
                        problems.push_back(FieldIssue{p, IssueKind::Invalid, tr("load.expect_object", ui())});
                        continue;
                    }
                    loadInto(list[k].get(), value[k], p, problems);
                    while (!ids.insert(list[k]->id).second) // a copied instance: it becomes one of its own
                        list[k]->id = randomInstanceId();
                }
                continue;
            }
            auto norm = normalizeAnswer(*form, *it, value, ui());
            if (!norm.ok()) {
                problems.push_back(FieldIssue{path, IssueKind::Invalid, norm.error().message});
                continue;
            }
            sl.stored = *norm;
            sl.storedValue = storedToValue(*it, sl.stored);
        }
    }

    void apply(const Item& it, Scope* scope, const json& value) {
        Slot& sl = scope->slots[static_cast<std::size_t>(it.slot)];
        sl.stored = value;
        sl.storedValue = storedToValue(it, value);
        enqueue(it.index, scope);
        process();
    }

    std::string interpolate(const std::string& text, const Item& it, const Scope* scope) const {
        if (it.labelRefs.empty() || text.find("${") == std::string::npos) return text;
        std::string out;
        std::size_t pos = 0;
        while (true) {
            const auto open = text.find("${", pos);
            const auto close = open == std::string::npos ? open : text.find('}', open);
            if (close == std::string::npos) break;
            out += text.substr(pos, open - pos);
            const Item* ref = form->find(text.substr(open + 2, close - open - 2));
            if (ref) out += refValue(ref->index, scope).toString();
            pos = close + 1;
        }
        out += text.substr(pos);
        return out;
    }

    ItemView viewOf(const Item& it, const Scope* scope, const std::string& prefix, FormView& fv,
                    int& pageIssues) const {
        const Slot& sl = scope->slots[static_cast<std::size_t>(it.slot)];
        ItemView v;
        v.item = it.index;
        v.name = it.name;
        v.path = prefix + it.name;
        v.type = it.type;
        v.label = interpolate(it.label.get(lang, form->defaultLanguage), it, scope);
        v.hint = interpolate(it.hint.get(lang, form->defaultLanguage), it, scope);
        v.appearance = it.appearance;
        v.image = it.media.image.get(lang, form->defaultLanguage);
        v.audio = it.media.audio.get(lang, form->defaultLanguage);
        v.required = sl.required;
        v.readOnly = sl.readOnly;
        if (it.type == ItemType::Repeat) {
            const auto& list = scope->children[static_cast<std::size_t>(it.childScope)];
            const bool fixed = it.repeatCount.has_value();
            v.canAdd = !fixed && (it.maxCount < 0 || static_cast<int>(list.size()) < it.maxCount);
            v.canRemove = !fixed && static_cast<int>(list.size()) > it.minCount;
            for (std::size_t k = 0; k < list.size(); ++k) {
                const std::string p = prefix + it.name + "[" + std::to_string(k + 1) + "]/";
                std::vector<ItemView> inst;
                for (int c : it.children) {
                    const Item& ci = item(c);
                    if (!list[k]->slots[static_cast<std::size_t>(ci.slot)].relevant || ci.type == ItemType::Calculate)
                        continue;
                    inst.push_back(viewOf(ci, list[k].get(), p, fv, pageIssues));
                }
                v.instances.push_back(std::move(inst));
            }
            return v;
        }
        if (isContainer(it.type)) {
            for (int c : it.children) {
                const Item& ci = item(c);
                if (!scope->slots[static_cast<std::size_t>(ci.slot)].relevant || ci.type == ItemType::Calculate)
                    continue;
                v.children.push_back(viewOf(ci, scope, prefix, fv, pageIssues));
            }
            return v;
        }
        v.value = it.calculation ? valueToJson(sl.value) : sl.stored;
        if (sl.hasIssue) {
            v.error = issueMessage(it, sl);
            v.missing = sl.issue == IssueKind::Required;
            ++pageIssues;
        }
        if (isAnswerable(it.type)) {
            ++fv.questions;
            if (!v.value.is_null()) ++fv.answered;
        }
        if (it.type == ItemType::Range) {
            v.rangeStart = it.rangeStart;
            v.rangeEnd = it.rangeEnd;
            v.rangeStep = it.rangeStep;
        }
        if (!it.choiceFile.empty() && !form->mediaTable(it.choiceFile)) {
            v.error = tr("forms.media_missing", ui(), {it.choiceFile}); // never an empty list shown as if it were all
            v.notice = !sl.hasIssue; // an optional question nobody can answer is left unanswered
        }
        if (it.choiceList >= 0) {
            const auto selected = splitWhitespace(sl.value.toString());
            const auto& choices = form->choiceLists[static_cast<std::size_t>(it.choiceList)].choices;
            auto offer = [&](const Choice& c) {
                if (!choiceVisible(it, scope, c)) return;
                const bool on = std::find(selected.begin(), selected.end(), c.value) != selected.end();
                v.choices.push_back(ChoiceView{c.value, c.label.get(lang, form->defaultLanguage), on,
                                               c.media.image.get(lang, form->defaultLanguage),
                                               c.media.audio.get(lang, form->defaultLanguage)});
            };
            if (const std::vector<int>* rows = indexedChoices(it, scope, sl)) {
                for (int i : *rows)
                    offer(choices[static_cast<std::size_t>(i)]);
            } else {
                for (const auto& c : choices)
                    offer(c);
            }
            if (it.randomizeChoices) shuffleChoices(it, scope, sl, v.choices);
        }
        return v;
    }
};

Session::Session(std::shared_ptr<const Form> form, SessionOptions options)
    : m_impl(std::make_unique<Impl>()) {
    m_impl->form = std::move(form);
    m_impl->lang = options.language.empty() ? m_impl->form->defaultLanguage : options.language;
    m_impl->now = options.now ? std::move(options.now) : std::function<double()>(systemNowDays);
    m_impl->properties = std::move(options.properties);
    m_impl->reset();
    m_impl->enqueueScope(m_impl->root.get());
    m_impl->process();
}

Session::~Session() = default;
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;

std::vector<FieldIssue> Session::loadAnswers(const json& answers) {
    std::vector<FieldIssue> problems;
    m_impl->reset();
    if (!answers.is_object())
        problems.push_back(FieldIssue{"", IssueKind::Invalid, tr("load.expect_object", m_impl->ui())});
    else
        m_impl->loadInto(m_impl->root.get(), answers, "", problems);
    m_impl->enqueueScope(m_impl->root.get());
    m_impl->process();
    return problems;
}

Result<void> Session::setAnswer(std::string_view path, const json& value, Validation validation) {
    Impl& s = *m_impl;
    auto target = s.resolve(path);
    if (!target.ok()) return target.error();
    const Item& it = *target->item;
    if (target->index != 0 || !isAnswerable(it.type))
        return makeError(ErrorCode::Invalid, tr("forms.not_answerable", s.ui()));
    Slot& sl = target->scope->slots[static_cast<std::size_t>(it.slot)];
    if (it.calculation || sl.readOnly) return makeError(ErrorCode::Invalid, tr("forms.read_only", s.ui()));
    auto norm = normalizeAnswer(*s.form, it, value, s.ui());
    if (!norm.ok()) return norm.error();
    const json previous = sl.stored;
    s.apply(it, target->scope, *norm);
    if (validation == Validation::Strict && sl.hasIssue && sl.issue != IssueKind::Required) {
        std::string message = s.issueMessage(it, sl);
        s.apply(it, target->scope, previous);
        return makeError(ErrorCode::Invalid, std::move(message));
    }
    return {};
}

bool Session::accepts(std::string_view path, const json& value) const {
    Impl& s = *m_impl;
    auto target = s.resolve(path);
    if (!target.ok() || target->index != 0 || !isAnswerable(target->item->type)) return false;
    const Item& it = *target->item;
    auto norm = normalizeAnswer(*s.form, it, value, s.ui());
    if (!norm.ok()) return false;
    if (norm->is_null()) return true;
    // The checks process() makes of a stored answer (pattern, then constraint), on this value alone:
    // nothing is stored, recomputed or queued, so a month of days costs a month of evaluations.
    const Value v = storedToValue(it, *norm);
    if (it.patternRegex && !it.patternRegex->fullMatch(v.toString())) return false;
    if (!it.constraint) return true;
    Impl::Ctx ctx(s, target->scope, &v, it.index);
    return evaluate(*it.constraint->root, ctx).toBool();
}

Result<int> Session::addRepeat(std::string_view path) {
    Impl& s = *m_impl;
    auto target = s.resolve(path);
    if (!target.ok()) return target.error();
    const Item& it = *target->item;
    if (it.type != ItemType::Repeat || target->index != 0)
        return makeError(ErrorCode::Invalid, tr("forms.unknown_field", s.ui(), {path}));
    if (it.repeatCount) return makeError(ErrorCode::Conflict, tr("forms.repeat_fixed", s.ui()));
    auto& list = target->scope->children[static_cast<std::size_t>(it.childScope)];
    const int limit = it.maxCount >= 0 ? it.maxCount : kMaxInstances;
    if (static_cast<int>(list.size()) >= limit)
        return makeError(ErrorCode::Conflict, tr("forms.max_repeats", s.ui(), {std::to_string(limit)}));
    if (s.liveInstances >= kMaxInstances)
        return makeError(ErrorCode::Conflict, tr("forms.max_repeats", s.ui(), {std::to_string(kMaxInstances)}));
    auto inst = s.makeScope(it.index, target->scope, static_cast<int>(list.size()) + 1);
    inst->id = randomInstanceId(); // added by someone: unlike any other device's addition
    s.enqueueScope(inst.get());
    list.push_back(std::move(inst));
    s.instancesChanged(it, target->scope);
    s.process();
    return static_cast<int>(list.size());
}

Result<void> Session::removeRepeat(std::string_view path) {
    Impl& s = *m_impl;
    auto target = s.resolve(path);
    if (!target.ok()) return target.error();
    const Item& it = *target->item;
    if (it.type != ItemType::Repeat || target->index == 0)
        return makeError(ErrorCode::Invalid, tr("forms.unknown_field", s.ui(), {path}));
    if (it.repeatCount) return makeError(ErrorCode::Conflict, tr("forms.repeat_fixed", s.ui()));
    auto& list = target->scope->children[static_cast<std::size_t>(it.childScope)];
    if (target->index > static_cast<int>(list.size()))
        return makeError(ErrorCode::NotFound,
                         tr("forms.unknown_instance", s.ui(), {it.name, std::to_string(target->index)}));
    if (static_cast<int>(list.size()) <= it.minCount)
        return makeError(ErrorCode::Conflict, tr("forms.min_repeats", s.ui(), {std::to_string(it.minCount)}));
    const auto k = static_cast<std::size_t>(target->index - 1);
    s.discard(list[k].get());
    list.erase(list.begin() + static_cast<std::ptrdiff_t>(k));
    for (std::size_t j = k; j < list.size(); ++j) {
        list[j]->position = static_cast<int>(j) + 1; // position(..) moved: recompute those instances
        s.enqueueScope(list[j].get());
    }
    s.instancesChanged(it, target->scope);
    s.process();
    return {};
}

json Session::answers() const {
    return m_impl->scopeAnswers(m_impl->root.get());
}
json Session::record() const {
    return m_impl->scopeRecord(m_impl->root.get());
}

json Session::valueAt(std::string_view path) const {
    auto target = m_impl->resolve(path);
    if (!target.ok() || target->index != 0 || isContainer(target->item->type)) return nullptr;
    const Slot& sl = target->scope->slots[static_cast<std::size_t>(target->item->slot)];
    return m_impl->fieldRecordValue(*target->item, sl);
}

std::vector<std::string> Session::visiblePaths() const {
    std::vector<std::string> out;
    m_impl->walk([&](const Item& it, const Scope*, const Slot&, const std::string& path) {
        if (it.type != ItemType::Calculate) out.push_back(path);
    });
    return out;
}

std::vector<FieldIssue> Session::issues() const {
    std::vector<FieldIssue> out;
    m_impl->walk([&](const Item& it, const Scope*, const Slot& sl, const std::string& path) {
        if (sl.hasIssue) out.push_back(FieldIssue{path, sl.issue, m_impl->issueMessage(it, sl)});
    });
    return out;
}

bool Session::complete() const {
    return m_impl->issueCount == 0;
}

FormView Session::view() const {
    const Impl& s = *m_impl;
    FormView fv;
    fv.title = s.form->title.get(s.lang, s.form->defaultLanguage);
    for (int p : s.form->pages) {
        const Item& page = s.item(p);
        if (!s.root->slots[static_cast<std::size_t>(page.slot)].relevant) continue;
        PageView pv;
        pv.name = page.name;
        pv.label = page.label.get(s.lang, s.form->defaultLanguage);
        pv.hint = page.hint.get(s.lang, s.form->defaultLanguage);
        ItemView whole = s.viewOf(page, s.root.get(), "", fv, pv.issues);
        pv.items = std::move(whole.children);
        fv.issues += pv.issues;
        fv.pages.push_back(std::move(pv));
    }
    fv.complete = s.issueCount == 0;
    fv.missingMedia = s.form->missingMedia();
    return fv;
}

const Form& Session::form() const {
    return *m_impl->form;
}
const std::shared_ptr<const Form>& Session::formPtr() const {
    return m_impl->form;
}
const std::string& Session::language() const {
    return m_impl->lang;
}
void Session::setLanguage(std::string language) {
    m_impl->lang = std::move(language);
}
std::vector<FieldIssue> Session::evaluationErrors() const {
    std::vector<FieldIssue> out;
    for (const auto& [owner, key, arg] : m_impl->evalErrors)
        out.push_back(FieldIssue{m_impl->item(owner).name, IssueKind::Invalid, tr(key, m_impl->ui(), {arg})});
    return out;
}

std::uint64_t Session::evaluations() const {
    return m_impl->evaluations;
}

} // namespace carnet::forms
