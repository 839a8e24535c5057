// carnet-device: the headless device, on the same libraries as the app. Tests, scripts and power
// users drive a device's store through it.
#include "core/i18n.hpp"
#include "core/json_text.hpp"
#include "field_cli.hpp"
#include "store/store.hpp"
#include "sync/client.hpp"

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

using namespace carnet;
using nlohmann::json;

namespace {

Lang envLang() {
    for (const char* var : {"CARNET_LANG", "LC_ALL", "LC_MESSAGES", "LANG"}) {
        const char* v = std::getenv(var);
        if (v && *v)
            if (auto l = parseLang(v)) return *l;
    }
    return Lang::Fr;
}

int fail(const Error& e) {
    std::cerr << e.message << '\n';
    return 1;
}

// A value typed on the command line: JSON arrays/objects are parsed, everything else stays text and is
// normalised by the forms engine according to the question type.
json commandLineValue(const std::string& text) {
    if (!text.empty() && (text.front() == '[' || text.front() == '{')) {
        json j = json::parse(text, nullptr, false);
        if (!j.is_discarded()) return j;
    }
    return json(text);
}

struct Options {
    std::string data;
    std::string author;
    std::optional<std::string> pin; ///< --pin-stdin or CARNET_PIN
    std::string caFile;             ///< login --ca FILE: the private CA of the server's certificate
    std::string deviceName;         ///< login --name NAME: how the console names this device
    Lang lang = Lang::Fr;
    std::vector<std::string> args;
};

int run(const Options& o) {
    const auto& a = o.args;
    if (a.empty()) return 2;
    if (a[0] == "reset" && (a.size() == 1 || (a.size() == 2 && a[1] == "--confirm"))) {
        // A forgotten PIN: no store is opened. What is lost is said first, and nothing happens
        // without --confirm.
        auto lost = store::Store::unsyncedCount(o.data);
        if (!lost.ok()) return fail(lost.error());
        if (a.size() == 1) {
            std::cerr << tr("device.reset_warning", o.lang, {std::to_string(*lost)}) << '\n';
            return 1;
        }
        if (auto r = store::Store::reset(o.data); !r.ok()) return fail(r.error());
        std::cout << tr("device.reset_done", o.lang) << '\n';
        return 0;
    }
    store::StoreOptions so;
    so.language = std::string(langCode(o.lang));
    so.pin = o.pin;
    // Tests only: the cheapest key derivation when setting a PIN up (docs/security.md).
    if (const char* kdf = std::getenv("CARNET_PIN_KDF"); kdf && std::string(kdf) == "fastest")
        so.kdf = store::KdfLimits::fastest();
    auto opened = store::Store::open(o.data, so);
    if (!opened.ok()) return fail(opened.error());
    store::Store& st = *opened;
    const std::string& cmd = a[0];

    if (cmd == "forms" && a.size() == 3 && a[1] == "add") {
        auto text = readTextFile(a[2]);
        if (!text.ok()) return fail(text.error());
        auto r = st.installForm(*text);
        if (!r.ok()) {
            std::string line;
            std::size_t start = 0;
            const std::string& msg = r.error().message;
            // One line per loader problem, each naming the file.
            while (start <= msg.size()) {
                const auto nl = msg.find('\n', start);
                std::cerr << a[2] << ":" << (msg[start] == '/' ? " " : "")
                          << msg.substr(start, nl == std::string::npos ? std::string::npos : nl - start) << '\n';
                if (nl == std::string::npos) break;
                start = nl + 1;
            }
            return 1;
        }
        if (r->alreadyInstalled)
            std::cout << tr("device.form_unchanged", o.lang, {r->form.formId, r->form.version}) << '\n';
        else
            std::cout << tr("device.form_installed", o.lang,
                            {r->form.formId, r->form.version, std::to_string(r->draftsMigrated),
                             std::to_string(r->draftsKept)})
                      << '\n';
        return 0;
    }
    if (cmd == "forms" && a.size() == 2 && a[1] == "list") {
        auto r = st.forms();
        if (!r.ok()) return fail(r.error());
        for (const auto& f : *r)
            std::cout << json{{"form_id", f.formId},
                              {"version", f.version},
                              {"hash", f.hash},
                              {"installed_at", f.installedAt}}
                             .dump()
                      << '\n';
        return 0;
    }
    if (cmd == "new" && a.size() == 2) {
        auto r = st.createRecord(a[1], o.author);
        if (!r.ok()) return fail(r.error());
        std::cout << *r << '\n';
        return 0;
    }
    if (cmd == "set" && a.size() == 4) {
        auto r = st.setAnswer(a[1], a[2], commandLineValue(a[3]));
        if (!r.ok()) return fail(r.error());
        std::cout << tr("device.saved", o.lang) << std::endl; // only after the commit returned
        return 0;
    }
    if (cmd == "add-repeat" && a.size() == 3) {
        auto r = st.addRepeat(a[1], a[2]);
        if (!r.ok()) return fail(r.error());
        std::cout << *r << '\n';
        return 0;
    }
    if (cmd == "remove-repeat" && a.size() == 3) {
        auto r = st.removeRepeat(a[1], a[2]);
        if (!r.ok()) return fail(r.error());
        std::cout << tr("device.saved", o.lang) << '\n';
        return 0;
    }
    if (cmd == "delete" && a.size() == 2) {
        auto r = st.deleteRecord(a[1]);
        if (!r.ok()) return fail(r.error());
        std::cout << tr("device.saved", o.lang) << std::endl;
        return 0;
    }
    if (cmd == "erase" && a.size() >= 3) {
        // Only top-level questions of the record's form: a typo must not look like an erasure.
        auto rec = st.get(a[1]);
        if (!rec.ok()) return fail(rec.error());
        auto form = st.form(rec->formId, rec->formVersion);
        if (!form.ok()) return fail(form.error());
        const std::vector<std::string> fields(a.begin() + 2, a.end());
        for (const auto& f : fields) {
            const forms::Item* item = (*form)->find(f);
            if (item == nullptr || item->repeat >= 0 || item->type == forms::ItemType::Page ||
                item->type == forms::ItemType::Group) {
                std::cerr << tr("device.erase_not_field", o.lang, {rec->id, f, rec->formId}) << '\n';
                return 1;
            }
        }
        auto r = st.eraseFields(a[1], fields);
        if (!r.ok()) return fail(r.error());
        std::cout << tr("device.saved", o.lang) << std::endl;
        return 0;
    }
    if (cmd == "get" && a.size() == 2) {
        auto r = st.get(a[1]);
        if (!r.ok()) return fail(r.error());
        std::cout << r->toJson().dump() << '\n';
        return 0;
    }
    if (cmd == "list" && (a.size() == 1 || (a.size() == 3 && a[1] == "--status"))) {
        std::optional<store::Status> status;
        if (a.size() == 3) {
            status = store::parseStatus(a[2]);
            if (!status) return 2;
        }
        auto r = st.list(status, true);
        if (!r.ok()) return fail(r.error());
        for (const auto& rec : *r)
            std::cout << rec.toJson().dump() << '\n';
        return 0;
    }
    if (cmd == "finalize" && a.size() == 2) {
        auto r = st.finalize(a[1]);
        if (!r.ok()) return fail(r.error());
        if (!r->empty()) {
            std::cerr << tr("device.finalize_missing", o.lang, {a[1], std::to_string(r->size())}) << '\n';
            for (const auto& issue : *r)
                std::cerr << tr("store.field_error", o.lang, {a[1], issue.path, issue.message}) << '\n';
            return 1;
        }
        std::cout << tr("device.finalized", o.lang) << '\n';
        return 0;
    }
    if (cmd == "import-answers" && a.size() == 3) {
        auto text = readTextFile(a[2]);
        if (!text.ok()) return fail(text.error());
        json answers;
        JsonSyntaxError err;
        if (!parseJsonText(*text, answers, err)) {
            std::cerr << a[2] << ":" << err.line << ":" << err.column << ": "
                      << tr("load.json_syntax", o.lang, {err.message}) << '\n';
            return 1;
        }
        auto r = st.importAnswers(a[1], answers, o.author);
        if (!r.ok()) return fail(r.error());
        std::cout << *r << '\n';
        return 0;
    }
    if (cmd == "attach" && a.size() == 2) {
        auto r = st.addAttachment(a[1]);
        if (!r.ok()) return fail(r.error());
        std::cout << json{{"hash", r->hash}, {"size", r->size}}.dump() << '\n';
        return 0;
    }
    if (cmd == "outbox" && a.size() == 1) {
        auto r = st.outbox();
        if (!r.ok()) return fail(r.error());
        for (const auto& e : *r) {
            json line{{"seq", e.seq},         {"record_id", e.recordId}, {"base_version", e.baseVersion}, {"op", e.op},
                      {"changes", e.changes}, {"state", e.state()},      {"edited_at", e.editedAt}};
            if (!e.held.empty()) {
                line["reason"] = e.held;
                line["code"] = e.heldCode;
                line["retried"] = e.heldMayPass; // sent again on every sync
            }
            std::cout << line.dump() << '\n';
        }
        return 0;
    }
    if (cmd == "login" && a.size() == 3) {
        std::string password;
        std::getline(std::cin, password); // never on the command line, where ps would show it
        // A server with a certificate of a private CA: the CA's PEM is kept with the device's settings.
        std::string caPem;
        if (!o.caFile.empty()) {
            auto pem = readTextFile(o.caFile);
            if (!pem.ok()) return fail(pem.error());
            caPem = std::move(*pem);
        }
        auto transport = sync::makeCurlTransport(a[1], sync::TransportOptions{caPem});
        sync::SyncOptions options;
        options.deviceName = o.deviceName;
        auto r = sync::login(st, *transport, a[1], a[2], password, options);
        if (!r.ok()) return fail(r.error());
        if (auto s = st.setSetting("server_ca_pem", caPem); !s.ok()) return fail(s.error());
        std::cout << json{{"user", (*r)["user"]}, {"device_id", st.deviceId()}}.dump() << '\n';
        return 0;
    }
    if (cmd == "sync" && a.size() == 1) {
        auto url = st.setting("server_url");
        if (!url.ok() || url->empty()) return fail(makeError(ErrorCode::Invalid, tr("device.not_logged_in", o.lang)));
        auto transport =
            sync::makeCurlTransport(*url, sync::TransportOptions{st.setting("server_ca_pem").value_or("")});
        const sync::SyncReport report = sync::synchronize(st, *transport);
        std::cout << report.toJson().dump() << '\n';
        return report.ok ? 0 : 1;
    }
    if (cmd == "pin" && a.size() == 2 && a[1] == "change") {
        std::string newPin;
        std::getline(std::cin, newPin);
        if (!o.pin) return fail(makeError(ErrorCode::Invalid, tr("store.pin_required", o.lang, {o.data})));
        auto r = st.changePin(*o.pin, newPin);
        if (!r.ok()) return fail(r.error());
        std::cout << tr("device.pin_changed", o.lang) << '\n';
        return 0;
    }
    if (cmd == "check" && a.size() == 1) {
        auto r = st.integrityOk();
        if (!r.ok()) return fail(r.error());
        std::cout << (*r ? "ok" : "corrupt") << '\n';
        return *r ? 0 : 1;
    }
    if (auto rc = device_cli::runFieldCommand(st, a, o.author, o.lang)) return *rc;
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    Options o;
    bool help = false;
    o.lang = envLang();
    if (const char* d = std::getenv("CARNET_DATA")) o.data = d;
    if (const char* au = std::getenv("CARNET_AUTHOR")) o.author = au;
    if (const char* pin = std::getenv("CARNET_PIN")) o.pin = pin;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--data" && i + 1 < argc)
            o.data = argv[++i];
        else if (arg == "--author" && i + 1 < argc)
            o.author = argv[++i];
        else if (arg == "--ca" && i + 1 < argc)
            o.caFile = argv[++i];
        else if (arg == "--name" && i + 1 < argc)
            o.deviceName = argv[++i];
        else if (arg == "--lang" && i + 1 < argc)
            o.lang = parseLang(argv[++i]).value_or(o.lang);
        else if (arg == "--pin-stdin") { // never on the command line, where ps would show it
            std::string pin;
            std::getline(std::cin, pin);
            o.pin = pin;
        } else if (arg == "--help" || arg == "-h")
            help = true;
        else
            o.args.push_back(arg);
    }
    if (help) { // asked for: the usage on standard output, and success
        std::cout << tr("device.usage", o.lang) << '\n' << tr("device.usage_field", o.lang) << '\n';
        return 0;
    }
    int rc = 2;
    if (!o.data.empty()) {
        try {
            rc = run(o);
        } catch (const std::exception& e) {
            std::cerr << "carnet-device: " << e.what() << '\n';
            return 1;
        }
    }
    if (rc == 2) std::cerr << tr("device.usage", o.lang) << '\n' << tr("device.usage_field", o.lang) << '\n';
    return rc;
}
