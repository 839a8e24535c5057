// carnet-forms: check form files and evaluate answers against a form, from the command line.
#include "core/i18n.hpp"
#include "core/json_text.hpp"
#include "core/platform.hpp"
#include "forms/bundle.hpp"
#include "forms/loader.hpp"
#include "forms/media.hpp"
#include "forms/session.hpp"
#include "xlsform/import.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

using namespace carnet;
using namespace carnet::forms;

namespace {

Lang defaultLang() {
    for (const char* var : {"CARNET_LANG", "LC_ALL", "LC_MESSAGES", "LANG"}) {
        const char* v = std::getenv(var);
        if (v && *v) {
            if (auto l = parseLang(v)) return *l;
        }
    }
    return Lang::Fr;
}

int check(const std::vector<std::string>& files, Lang lang) {
    int status = 0;
    for (const auto& file : files) {
        const LoadResult r = loadFormFile(file);
        if (!r.ok()) {
            status = 1;
            for (const auto& p : r.problems)
                std::cout << p.format(file, lang) << '\n';
            continue;
        }
        // A bundled form: the files beside it must be the ones its manifest lists.
        auto media = readMediaDir(*r.form, std::filesystem::path(file).parent_path(), lang);
        Result<void> verified = media.ok() ? verifyMedia(*r.form, *media, lang) : Result<void>(media.error());
        if (!verified.ok()) {
            status = 1;
            std::cout << file << ": " << verified.error().message << '\n';
            continue;
        }
        std::cout << tr("cli.forms.check_ok", lang, {file, std::to_string(r.form->questionCount())}) << '\n';
    }
    return status;
}

int evalAnswers(const std::string& formFile, const std::string& answersFile, Lang lang, const std::string& now) {
    const LoadResult r = loadFormFile(formFile);
    if (!r.ok()) {
        for (const auto& p : r.problems)
            std::cerr << p.format(formFile, lang) << '\n';
        return 1;
    }
    auto text = readTextFile(answersFile);
    if (!text.ok()) {
        std::cerr << text.error().message << '\n';
        return 1;
    }
    nlohmann::json answers;
    JsonSyntaxError err;
    if (!parseJsonText(*text, answers, err)) {
        std::cerr << answersFile << ":" << err.line << ":" << err.column << ": "
                  << tr("load.json_syntax", lang, {err.message}) << '\n';
        return 1;
    }
    if (!answers.is_object()) {
        std::cerr << answersFile << ": " << tr("cli.forms.answers_not_object", lang) << '\n';
        return 1;
    }
    SessionOptions options;
    const std::string code(langCode(lang));
    const auto& langs = r.form->languages;
    options.language = std::find(langs.begin(), langs.end(), code) != langs.end() ? code : r.form->defaultLanguage;
    if (!now.empty()) {
        double days = 0;
        if (parseIsoDateTime(now, days) || parseIsoDate(now, days)) options.now = [days] { return days; };
    }
    // The media files the form declares are read from beside it; a missing one is named in the output.
    auto withMedia = attachMediaFromDir(*r.form, std::filesystem::path(formFile).parent_path(), lang);
    if (!withMedia.ok()) {
        std::cerr << withMedia.error().message << '\n';
        return 1;
    }
    Session session(*withMedia, options);
    const auto loadProblems = session.loadAnswers(answers);
    nlohmann::json out;
    out["visible"] = session.visiblePaths();
    out["values"] = session.record();
    nlohmann::json errors = nlohmann::json::object();
    for (const auto& p : loadProblems)
        errors[p.path] = p.message;
    for (const auto& i : session.issues())
        errors[i.path] = i.message;
    out["errors"] = errors;
    out["complete"] = session.complete() && loadProblems.empty();
    if (const auto missing = (*withMedia)->missingMedia(); !missing.empty()) out["missing_media"] = missing;
    std::cout << out.dump() << '\n';
    return 0;
}

// XLSForm -> Carnet form bundle: the form JSON, its manifest filled from the media files beside the
// workbook (a missing one is an error naming it), and with `out`, those files copied beside it. Messages
// go to stderr; the form to `out` (every file written through a temporary file and a rename, so an
// existing bundle is never left half written) or to stdout.
int importXlsform(const std::string& file, const std::string& out, Lang lang) {
    const xlsform::ImportResult r = xlsform::importXlsformFile(file);
    for (const auto& m : r.messages)
        std::cerr << m.format(file, lang) << '\n';
    if (!r.ok()) return 1;
    auto media = readMediaDir(*r.form, std::filesystem::path(file).parent_path(), lang);
    if (!media.ok()) {
        std::cerr << file << ": " << media.error().message << '\n';
        return 1;
    }
    auto text = bundleForm(r.json.dump(2) + "\n", *media, lang);
    if (!text.ok()) {
        std::cerr << file << ": " << text.error().message << '\n';
        return 1;
    }
    if (out.empty() || out == "-") {
        std::cout << *text;
        return 0;
    }
    const std::filesystem::path outDir = std::filesystem::path(out).parent_path();
    for (const auto& [name, bytes] : *media) {
        std::error_code ec;
        const std::filesystem::path from = std::filesystem::path(file).parent_path() / name;
        const std::filesystem::path to = outDir / name;
        if (std::filesystem::exists(to, ec) && std::filesystem::equivalent(from, to, ec)) continue;
        if (auto w = platform::writeFileDurably(to, bytes); !w.ok()) {
            std::cerr << tr("cli.forms.write_failed", lang, {to.string()}) << '\n';
            return 1;
        }
    }
    if (auto w = platform::writeFileDurably(out, *text); !w.ok()) {
        std::cerr << tr("cli.forms.write_failed", lang, {out}) << '\n';
        return 1;
    }
    std::cout << tr("cli.forms.import_ok", lang,
                    {file, r.form->id, std::to_string(r.form->questionCount()),
                     std::to_string(r.count(xlsform::Severity::Warning)), out})
              << '\n';
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    Lang lang = defaultLang();
    std::string now;
    std::vector<std::string> args;
    bool help = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--lang" && i + 1 < argc) {
            lang = parseLang(argv[++i]).value_or(lang);
        } else if (a == "--now" && i + 1 < argc) {
            now = argv[++i];
        } else if (a == "--help" || a == "-h") {
            help = true;
        } else {
            args.push_back(a);
        }
    }
    if (help) { // asked for: the usage on standard output, and success
        std::cout << tr("cli.forms.usage", lang) << '\n';
        return 0;
    }
    try {
        if (args.size() >= 2 && args[0] == "check") return check({args.begin() + 1, args.end()}, lang);
        if (args.size() == 3 && args[0] == "eval") return evalAnswers(args[1], args[2], lang, now);
        if (args.size() == 2 && args[0] == "import-xlsform") return importXlsform(args[1], "", lang);
        if (args.size() == 4 && args[0] == "import-xlsform" && args[2] == "-o")
            return importXlsform(args[1], args[3], lang);
    } catch (const std::exception& e) {
        std::cerr << "carnet-forms: " << e.what() << '\n';
        return 2;
    }
    std::cerr << tr("cli.forms.usage", lang) << '\n';
    return 2;
}
