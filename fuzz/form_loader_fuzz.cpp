// libFuzzer target: a form file as a coordinator might write (or mangle) it. A form the loader accepts
// is then opened as a new record and evaluated, as the app does when a form is published; a refused
// form must say why.
#include "core/i18n.hpp"
#include "forms/loader.hpp"
#include "forms/session.hpp"
#include "fuzz_expect.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace carnet::forms;

using carnet::fuzz::expect;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const LoadResult loaded = loadForm(text);
    if (!loaded.ok()) {
        expect(!loaded.problems.empty());
        for (const auto& p : loaded.problems) {
            expect(carnet::hasTranslation(p.key));
            expect(!p.format("fuzz.json", carnet::Lang::Fr).empty());
        }
        return 0;
    }
    expect(loaded.problems.empty());

    SessionOptions options;
    options.now = [] { return 20412.5; }; // a fixed clock (2025-11-20, noon) keeps runs reproducible
    Session session(loaded.form, options);
    expect(session.loadAnswers(nlohmann::json::object()).empty());
    const FormView view = session.view();
    expect(view.complete == session.complete());
    (void)session.record();
    (void)session.issues();

    // Answer every visible question and add an instance to each top-level repeat, leniently as when a
    // draft is loaded: type checks, constraints, relevance and repeats all run again.
    for (const auto& path : session.visiblePaths())
        (void)session.setAnswer(path, "1", Validation::Lenient);
    for (const auto& item : loaded.form->items)
        if (item.type == ItemType::Repeat && item.depth == 0) (void)session.addRepeat(item.name);
    (void)session.view();

    // What a session stores, another session loads back to the same answers and record.
    Session reopened(loaded.form, options);
    expect(reopened.loadAnswers(session.answers()).empty());
    expect(reopened.answers() == session.answers());
    expect(reopened.record() == session.record());
    return 0;
}
