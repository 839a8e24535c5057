#pragma once
// A form session: the answers of one record and everything derived from them, kept up to date
// incrementally (changing one answer recomputes only what depends on it). Pure: no UI, no storage.

#include "core/i18n.hpp"
#include "core/result.hpp"
#include "forms/form.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace carnet::forms {

/// The key of a repeat instance's identity in its answers object ("membres": [{"_id": "n1", ...}]).
/// Every instance has one, kept through edits, removals of other instances and form updates; the
/// server merges two devices' edits of a repeat instance by instance and field by field with it
/// (docs/sync-protocol.md, "Repeats"). Instances made by the form itself and older answers without
/// one are named by position ("n1", "n2", ...), an instance someone adds gets a random one.
inline constexpr const char* kInstanceId = "_id";

/// How setAnswer treats a value that fails the question's constraint, pattern or choice filter.
enum class Validation {
    Strict,  ///< refuse it: nothing changes, the error is returned
    Lenient, ///< keep it and report it as an issue (loading drafts, evaluating answer files)
};

/// Why a visible question is not acceptable yet.
enum class IssueKind { Required, Constraint, Pattern, ChoiceUnavailable, Invalid };

/// One problem with the current answers, already translated.
struct FieldIssue {
    std::string path; ///< "name" or "repeat[2]/name"
    IssueKind kind = IssueKind::Required;
    std::string message;
};

/// Construction options.
struct SessionOptions {
    std::string language;        ///< language of labels and messages; "" = the form's default
    std::function<double()> now; ///< days since 1970-01-01 local time; default: the system clock
    /// What carnet:property() answers: the device's "deviceid", the signed-in "username"... (the
    /// XLSForm metadata rows deviceid, username, email, phonenumber become such calculations).
    std::map<std::string, std::string, std::less<>> properties;
};

/// A choice as shown.
struct ChoiceView {
    std::string value, label;
    bool selected = false;
    std::string image, audio; ///< media files shown with the label (session's language), "" when none
};

/// One visible item as a renderer needs it; computes nothing.
struct ItemView {
    int item = -1;
    std::string path, name;
    ItemType type = ItemType::Text;
    std::string label, hint, appearance;
    std::string image, audio; ///< media files shown with the label (session's language), "" when none
    nlohmann::json value;     ///< null when unanswered
    bool required = false, readOnly = false;
    std::string error;               ///< translated; "" when none
    bool missing = false;            ///< the error is only "required and unanswered"
    bool notice = false;             ///< the error says why an optional question cannot be answered (its choice file is
                                     ///< missing): shown, but it holds neither the page nor the finalize
    std::vector<ChoiceView> choices; ///< select questions, after choice_filter
    double rangeStart = 0, rangeEnd = 0, rangeStep = 0;
    std::vector<ItemView> children;               ///< groups
    std::vector<std::vector<ItemView>> instances; ///< repeats: one list per instance
    bool canAdd = false, canRemove = false;       ///< repeats
};

/// One relevant page.
struct PageView {
    std::string name, label, hint;
    std::vector<ItemView> items;
    int issues = 0; ///< issues on this page
};

/// Everything shown for a record.
struct FormView {
    std::string title;
    std::vector<PageView> pages;
    int answered = 0;  ///< visible questions with an answer
    int questions = 0; ///< visible answerable questions
    int issues = 0;
    bool complete = false;
    std::vector<std::string> missingMedia; ///< media files the form declares but were not given (Form::missingMedia)
};

/// The answers of one record on one form version.
class Session {
public:
    /// A new, empty record (defaults applied, minimum repeat instances created).
    explicit Session(std::shared_ptr<const Form> form, SessionOptions options = {});
    ~Session();
    Session(Session&&) noexcept;
    Session& operator=(Session&&) noexcept;
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    /// Replaces all answers from an answers object; returns what could not be loaded (unknown fields,
    /// values of the wrong type), each with its path. Loading is lenient: constraint failures become issues.
    std::vector<FieldIssue> loadAnswers(const nlohmann::json& answers);

    /// Stores one answer (null or "" clears it). Values are normalised by type (phones to E.164, ...).
    Result<void> setAnswer(std::string_view path, const nlohmann::json& value,
                           Validation validation = Validation::Strict);
    /// Adds an instance to the repeat at `path` ("members", "members[1]/trips"); returns its 1-based index.
    Result<int> addRepeat(std::string_view path);
    /// Removes the repeat instance at `path` ("members[2]").
    Result<void> removeRepeat(std::string_view path);

    /// Whether `value` would be taken as the answer at `path` (its type, regex and constraint, with `.`
    /// the value and every other answer as it is now), changing nothing: the app's pickers grey out
    /// the days and times the form refuses. False for an unknown or unanswerable path; true for null.
    [[nodiscard]] bool accepts(std::string_view path, const nlohmann::json& value) const;

    /// The stored answers (drafts keep answers of hidden questions, so nothing is lost when they reappear).
    [[nodiscard]] nlohmann::json answers() const;
    /// The record: relevant answers and calculated values only.
    [[nodiscard]] nlohmann::json record() const;
    /// The current value of one question or calculation (null when empty or not relevant).
    [[nodiscard]] nlohmann::json valueAt(std::string_view path) const;
    /// Paths of the visible questions (notes included, calculations excluded), in order.
    [[nodiscard]] std::vector<std::string> visiblePaths() const;
    /// Every current issue, in form order.
    [[nodiscard]] std::vector<FieldIssue> issues() const;
    /// True when no visible question is missing or invalid.
    [[nodiscard]] bool complete() const;
    /// The whole view in the session's language.
    [[nodiscard]] FormView view() const;

    /// The form this session fills.
    [[nodiscard]] const Form& form() const;
    /// Shared ownership of the form.
    [[nodiscard]] const std::shared_ptr<const Form>& formPtr() const;
    /// The language used for labels and messages.
    [[nodiscard]] const std::string& language() const;
    /// Changes the language of labels and messages.
    void setLanguage(std::string language);
    /// Expressions that parsed but could not be evaluated as written (a digest() algorithm or a regex()
    /// pattern computed at run time that does not exist), each once, with the question it belongs to
    /// (kind Invalid). Their result was "" or false. A form that loads cleanly and whose run-time values
    /// are sound never has any (tests/forms/xlsform_corpus_run_test.cpp walks the corpus with it).
    [[nodiscard]] std::vector<FieldIssue> evaluationErrors() const;
    /// How many node evaluations happened so far (tests use it to check incremental recomputation).
    [[nodiscard]] std::uint64_t evaluations() const;

    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
};

/// Normalises a value for `item` (type check, phones to E.164, dates, ...); null means "clear".
/// On failure the error message is in `lang`.
[[nodiscard]] Result<nlohmann::json> normalizeAnswer(const Form& form, const Item& item, const nlohmann::json& value,
                                                     Lang lang);

/// The UI language matching a form language code ("fr" -> Fr, anything else -> En).
[[nodiscard]] Lang uiLang(std::string_view formLanguage);

} // namespace carnet::forms
