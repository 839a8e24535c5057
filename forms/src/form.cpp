#include "forms/form.hpp"

#include <array>

namespace carnet::forms {

namespace {
struct TypeEntry {
    ItemType type;
    std::string_view name;
};
constexpr std::array kTypes{
    TypeEntry{ItemType::Page, "page"},
    TypeEntry{ItemType::Group, "group"},
    TypeEntry{ItemType::Repeat, "repeat"},
    TypeEntry{ItemType::Text, "text"},
    TypeEntry{ItemType::Integer, "integer"},
    TypeEntry{ItemType::Decimal, "decimal"},
    TypeEntry{ItemType::SelectOne, "select_one"},
    TypeEntry{ItemType::SelectMultiple, "select_multiple"},
    TypeEntry{ItemType::Date, "date"},
    TypeEntry{ItemType::Time, "time"},
    TypeEntry{ItemType::DateTime, "datetime"},
    TypeEntry{ItemType::Phone, "phone"},
    TypeEntry{ItemType::Email, "email"},
    TypeEntry{ItemType::Note, "note"},
    TypeEntry{ItemType::Acknowledge, "acknowledge"},
    TypeEntry{ItemType::Range, "range"},
    TypeEntry{ItemType::Geopoint, "geopoint"},
    TypeEntry{ItemType::Photo, "photo"},
    TypeEntry{ItemType::Signature, "signature"},
    TypeEntry{ItemType::Calculate, "calculate"},
    TypeEntry{ItemType::Geotrace, "geotrace"},
    TypeEntry{ItemType::Geoshape, "geoshape"},
    TypeEntry{ItemType::Barcode, "barcode"},
    TypeEntry{ItemType::Audio, "audio"},
    TypeEntry{ItemType::Video, "video"},
};
const std::string kEmpty;
} // namespace

std::string_view typeName(ItemType type) {
    for (const auto& t : kTypes)
        if (t.type == type) return t.name;
    return "?";
}

std::optional<ItemType> parseTypeName(std::string_view name) {
    for (const auto& t : kTypes)
        if (t.name == name) return t.type;
    return std::nullopt;
}

bool isContainer(ItemType type) {
    return type == ItemType::Page || type == ItemType::Group || type == ItemType::Repeat;
}

bool isAnswerable(ItemType type) {
    return !isContainer(type) && type != ItemType::Note && type != ItemType::Calculate;
}

const std::string& LocalText::get(std::string_view lang, std::string_view fallback) const {
    if (auto it = byLang.find(lang); it != byLang.end()) return it->second;
    if (auto it = byLang.find(fallback); it != byLang.end()) return it->second;
    if (auto it = byLang.find(std::string_view{}); it != byLang.end()) return it->second;
    return byLang.empty() ? kEmpty : byLang.begin()->second;
}

int ChoiceList::find(std::string_view value) const {
    for (std::size_t i = 0; i < choices.size(); ++i)
        if (choices[i].value == value) return static_cast<int>(i);
    return -1;
}

const Item* Form::find(std::string_view name) const {
    auto it = byName.find(std::string(name));
    return it == byName.end() ? nullptr : &items[static_cast<std::size_t>(it->second)];
}

int MediaTable::column(std::string_view name) const {
    for (std::size_t i = 0; i < header.size(); ++i)
        if (header[i] == name) return static_cast<int>(i);
    return -1;
}

std::vector<std::string> Form::missingMedia() const {
    std::vector<std::string> out;
    for (const auto& file : media)
        if (!mediaTables.count(file) && !mediaPresent.count(file)) out.push_back(file);
    return out;
}

const MediaTable* Form::mediaTable(std::string_view file) const {
    auto it = mediaTables.find(file);
    if (it == mediaTables.end()) it = mediaTables.find(std::string(file) + ".csv");
    return it == mediaTables.end() ? nullptr : it->second.get();
}

int Form::questionCount() const {
    int n = 0;
    for (const auto& item : items)
        if (isAnswerable(item.type)) ++n;
    return n;
}

} // namespace carnet::forms
