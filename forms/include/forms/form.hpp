#pragma once
// The in-memory form definition: immutable once loaded, shared by every session on it.

#include "forms/expr.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace carnet::forms {

/// Every kind of item a form may hold.
enum class ItemType {
    Page,
    Group,
    Repeat,
    Text,
    Integer,
    Decimal,
    SelectOne,
    SelectMultiple,
    Date,
    Time,
    DateTime,
    Phone,
    Email,
    Note,
    Acknowledge,
    Range,
    Geopoint,
    Photo,
    Signature,
    Calculate,
    Geotrace, ///< a line: points "lat lon alt accuracy" separated by ";" (ODK's text format)
    Geoshape, ///< a closed polygon in the same format, its last point equal to its first
    Barcode,  ///< typed in (the appearance is kept for a camera scanner later)
    Audio,    ///< an attachment, like a photo
    Video,    ///< an attachment, like a photo
};

/// The JSON spelling of a type ("select_one", ...).
[[nodiscard]] std::string_view typeName(ItemType type);
/// Parses a JSON type name.
[[nodiscard]] std::optional<ItemType> parseTypeName(std::string_view name);
/// Pages, groups and repeats hold other items.
[[nodiscard]] bool isContainer(ItemType type);
/// Questions a person answers (not containers, notes or calculations).
[[nodiscard]] bool isAnswerable(ItemType type);

/// A text in several languages.
struct LocalText {
    std::map<std::string, std::string, std::less<>> byLang;
    /// The text in `lang`, else in `fallback`, else any, else "".
    [[nodiscard]] const std::string& get(std::string_view lang, std::string_view fallback) const;
    [[nodiscard]] bool empty() const { return byLang.empty(); }
};

/// The image and audio prompt shown with a label (XLSForm's `media::image`, `media::audio`): media
/// file names declared in the form's `media`, per language like a text; empty when there is none.
struct LabelMedia {
    LocalText image, audio;
};

/// One choice of a select question.
struct Choice {
    std::string value;
    LocalText label;
    LabelMedia media; ///< `media` of the choice: an image and an audio prompt with its label
    std::map<std::string, std::string, std::less<>> columns; ///< extra properties, for choice_filter
};

/// A named list of choices (shared, or the inline list of one question).
struct ChoiceList {
    std::string name;
    std::vector<Choice> choices;
    /// Index of the choice with `value`, or -1.
    [[nodiscard]] int find(std::string_view value) const;
};

/// A CSV media file's content: its header and rows (every row as long as the header).
struct MediaTable {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    /// Index of the column named `name`, or -1.
    [[nodiscard]] int column(std::string_view name) const;
};

/// A media file as the form's manifest lists it (`media`, docs/form-format.md "Media files"): its name
/// and kind, and once the form is bundled, the sha256 and size of its content.
struct MediaFile {
    std::string file;       ///< plain file name ("fruits.csv", "logo.png")
    std::string type;       ///< "csv", "image", "audio", "video" or "file", from the name
    std::string sha256;     ///< 64 lowercase hex; "" when the form is not bundled yet
    std::int64_t size = -1; ///< bytes; -1 when the form is not bundled yet
};

/// A media select's rows by the column its choice_filter requires equal to an expression
/// (`district_id = ${district}`, alone or in an `and`): a view evaluates the filter on those rows only.
struct ChoiceIndex {
    const Expr* value = nullptr;                              ///< the side of the equality that reads no choice column
    std::unordered_map<std::string, std::vector<int>> byText; ///< column text -> choice indexes
    std::map<double, std::vector<int>> byNumber;              ///< column as a number -> choice indexes
};

/// A page, group, repeat or question.
struct Item {
    int index = -1;
    ItemType type = ItemType::Text;
    std::string name;
    std::string pointer;         ///< JSON pointer in the form file, for messages
    int parent = -1;             ///< containing page/group/repeat, -1 for pages
    int repeat = -1;             ///< innermost repeat strictly containing this item, -1 if none
    int depth = 0;               ///< number of repeats strictly containing this item
    std::vector<int> repeatPath; ///< repeats strictly containing this item, outermost first
    int slot = -1;               ///< index in its repeat instance (or in the record's top level)
    int childScope = -1;         ///< repeats only: index among the repeats of the enclosing scope
    std::vector<int> children;

    LocalText label, hint, requiredMessage, constraintMessage;
    LabelMedia media; ///< `media` of a question: an image and an audio prompt with its label
    std::optional<Expression> relevant, required, constraint, calculation, readOnly, choiceFilter, repeatCount;
    bool requiredAlways = false;
    bool readOnlyAlways = false;
    bool personal = false;       ///< personal data: erased (Store::eraseFields, op `erase`) when a person asks
    nlohmann::json defaultValue; ///< null when there is none; already normalised
    std::string appearance;
    std::string pattern; ///< text questions: RE2 pattern, whole-answer match
    std::shared_ptr<const Regex> patternRegex;
    int choiceList = -1; ///< index in Form::choiceLists
    /// Selects with `choice_file`: the CSV file whose rows are the choices (filled by attachMedia), and
    /// its columns holding the value and the label.
    std::string choiceFile, choiceFileValue, choiceFileLabel;
    std::shared_ptr<const ChoiceIndex> choiceIndex; ///< set by attachMedia when the filter allows it
    /// Selects: offer the choices (after choice_filter) shuffled, as XLSForm's `randomize=true` does;
    /// with `choiceSeed`, in the order ODK gives for that seed (randomize(), odk::seededPermutation).
    bool randomizeChoices = false;
    std::optional<Expression> choiceSeed;
    double rangeStart = 0, rangeEnd = 10, rangeStep = 1;
    int minCount = 0, maxCount = -1; ///< repeats; -1 = no maximum

    // Dependency graph, built by the loader.
    int rank = 0;                 ///< topological rank over value edges
    std::vector<int> dependents;  ///< items to recompute when this item's value or relevance changes
    std::vector<int> labelRefs;   ///< items interpolated in the label
    std::vector<int> descendants; ///< containers: every item inside, at any depth
};

/// A form's top-level `followup`: finalizing a record of the form schedules a call with `form`
/// `afterDays` later (docs/form-format.md, docs/field-model.md).
struct Followup {
    std::string form;
    int afterDays = 0;
};

/// A loaded, validated form version.
struct Form {
    std::string id, version;
    LocalText title;
    std::string defaultLanguage;
    std::vector<std::string> languages;
    nlohmann::json settings = nlohmann::json::object();
    std::optional<Followup> followup; ///< top-level `followup`, when declared
    std::vector<Item> items;          ///< in document order; items[i].index == i
    std::vector<int> pages;
    std::vector<ChoiceList> choiceLists;
    std::unordered_map<std::string, int> byName;
    std::vector<int> rootSlots;                     ///< items stored at the record's top level, by slot
    std::map<int, std::vector<int>> repeatSlots;    ///< repeat item -> items stored per instance, by slot
    std::map<int, std::vector<int>> repeatChildren; ///< scope (-1 = top level) -> repeats directly in it
    std::string canonicalJson;                      ///< the source document, re-serialised canonically (for hashing)
    std::vector<std::string> media;                 ///< the declared media files (`media`), in order
    std::vector<MediaFile> mediaFiles;              ///< the same files with their manifest entries
    /// Declared files other than CSV attached (attachMedia): present, but not read by the engine.
    std::set<std::string, std::less<>> mediaPresent;
    /// The media files attached (attachMedia), by file name; a declared file absent here is missing.
    std::map<std::string, std::shared_ptr<const MediaTable>, std::less<>> mediaTables;

    /// The item named `name`, or nullptr.
    [[nodiscard]] const Item* find(std::string_view name) const;
    /// Number of questions a person can answer.
    [[nodiscard]] int questionCount() const;
    /// The declared media files that are not attached.
    [[nodiscard]] std::vector<std::string> missingMedia() const;
    /// The attached table of `file` ("fruits.csv", or "fruits" as pulldata() names it), or nullptr.
    [[nodiscard]] const MediaTable* mediaTable(std::string_view file) const;
};

} // namespace carnet::forms
