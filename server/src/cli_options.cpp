#include "server/cli_options.hpp"

#include "core/json_text.hpp"
#include "core/strings.hpp"

#include <filesystem>
#include <map>
#include <string_view>

namespace carnet::server {
namespace {

constexpr std::uintmax_t kMaxConfigBytes = 64u << 10;

std::string t(const CliOptions& o, std::string_view key, std::initializer_list<std::string_view> args = {}) {
    return tr(key, o.lang, args);
}

bool digits(const std::string& v, std::size_t maxDigits) {
    return !v.empty() && v.size() <= maxDigits && v.find_first_not_of("0123456789") == std::string::npos;
}

enum class Kind {
    Flag, ///< no value on the command line; `true` or `false` in a file
    Value,
};

/// Applies a value; returns the problem (in the options' language), empty when it is fine.
using Apply = std::string (*)(CliOptions&, const std::string&);

/// One option: its name without `--`, and where its value goes (a text member, a flag member, or a
/// function that checks it). `setting`: it may be given in a config file; a command's own operands
/// (who to add, which organisation) may not.
struct Spec {
    std::string_view name;
    Kind kind = Kind::Value;
    bool setting = true;
    std::string CliOptions::*text = nullptr;
    bool CliOptions::*flag = nullptr;
    Apply apply = nullptr;
    /// A count or a duration in milliseconds, up to 999999999; 0 only when `zeroOk`.
    void (*number)(CliOptions&, long long) = nullptr;
    bool zeroOk = false;
};

std::string setLang(CliOptions& o, const std::string& v) {
    const auto l = parseLang(v);
    if (!l) return t(o, "server.bad_lang");
    o.lang = *l;
    return {};
}

std::string setPort(CliOptions& o, const std::string& v) {
    if (!digits(v, 5) || std::stoi(v) > 65535) return t(o, "server.bad_port");
    o.port = std::stoi(v);
    return {};
}

std::optional<int> days(const std::string& v) {
    if (!digits(v, 5) || std::stoi(v) == 0) return std::nullopt;
    return std::stoi(v);
}

std::string setIdleDays(CliOptions& o, const std::string& v) {
    o.tokenIdleDays = days(v);
    return o.tokenIdleDays ? std::string() : t(o, "server.bad_days", {"--token-idle-days"});
}

std::string setLifetimeDays(CliOptions& o, const std::string& v) {
    o.tokenLifetimeDays = days(v);
    return o.tokenLifetimeDays ? std::string() : t(o, "server.bad_days", {"--token-lifetime-days"});
}

std::string setMapTiles(CliOptions& o, const std::string& v) {
    if (tileOrigin(v).empty()) return t(o, "server.bad_map_tiles");
    o.map.tiles = v;
    return {};
}

std::string setMapAttribution(CliOptions& o, const std::string& v) {
    if (!isMapAttribution(v)) return t(o, "server.bad_map_attribution");
    o.map.attribution = v;
    return {};
}

std::string setLeafletDir(CliOptions& o, const std::string& v) {
    o.map.leafletDir = v;
    return {};
}

// Every option, in the order of the usage text.
const Spec kOptions[] = {
    {.name = "help", .kind = Kind::Flag, .setting = false, .flag = &CliOptions::help},
    {.name = "config", .setting = false, .text = &CliOptions::config},
    {.name = "lang", .apply = setLang},
    {.name = "data", .text = &CliOptions::data},
    {.name = "db", .text = &CliOptions::db},
    {.name = "port", .apply = setPort},
    {.name = "bind", .text = &CliOptions::bind},
    {.name = "tls-cert", .text = &CliOptions::tlsCert},
    {.name = "tls-key", .text = &CliOptions::tlsKey},
    {.name = "insecure-http", .kind = Kind::Flag, .flag = &CliOptions::insecureHttp},
    {.name = "token-idle-days", .apply = setIdleDays},
    {.name = "token-lifetime-days", .apply = setLifetimeDays},
    {.name = "header-timeout-ms",
     .number = [](CliOptions& o, long long n) { o.limits.headerTimeout = std::chrono::milliseconds(n); }},
    {.name = "body-timeout-ms",
     .number = [](CliOptions& o, long long n) { o.limits.bodyTimeout = std::chrono::milliseconds(n); }},
    {.name = "max-connections-per-address",
     .number = [](CliOptions& o, long long n) { o.limits.maxConnectionsPerAddress = static_cast<std::size_t>(n); }},
    {.name = "password-hashes",
     .number = [](CliOptions& o, long long n) { o.hashes.concurrent = static_cast<std::size_t>(n); }},
    {.name = "password-hash-queue",
     .number = [](CliOptions& o, long long n) { o.hashes.queued = static_cast<std::size_t>(n); },
     .zeroOk = true},
    {.name = "password-hash-wait-ms",
     .number = [](CliOptions& o, long long n) { o.hashes.wait = std::chrono::milliseconds(n); }},
    {.name = "metrics-token-file", .text = &CliOptions::metricsTokenFile},
    {.name = "leaflet-dir", .apply = setLeafletDir},
    {.name = "map-tiles", .apply = setMapTiles},
    {.name = "map-attribution", .apply = setMapAttribution},
    {.name = "campaign", .text = &CliOptions::campaign},
    {.name = "role", .setting = false, .text = &CliOptions::role},
    {.name = "org", .setting = false, .text = &CliOptions::org},
    {.name = "name", .setting = false, .text = &CliOptions::name},
    {.name = "password-stdin", .kind = Kind::Flag, .setting = false, .flag = &CliOptions::passwordStdin},
    {.name = "from", .setting = false, .text = &CliOptions::from},
    {.name = "to", .setting = false, .text = &CliOptions::to},
};

const Spec* findOption(std::string_view name) {
    for (const Spec& s : kOptions)
        if (s.name == name) return &s;
    return nullptr;
}

/// The option an argument names (`--port`, `-h`), or nullptr.
const Spec* optionOf(const std::string& arg) {
    if (arg == "-h") return findOption("help");
    if (arg.size() > 2 && arg.starts_with("--")) return findOption(std::string_view(arg).substr(2));
    return nullptr;
}

std::string applyValue(const Spec& s, CliOptions& o, const std::string& value) {
    if (s.flag) {
        o.*s.flag = value == "true";
        return {};
    }
    if (s.text) {
        o.*s.text = value;
        return {};
    }
    if (s.number) {
        const std::string flag = "--" + std::string(s.name);
        if (!digits(value, 9)) return t(o, s.zeroOk ? "server.needs_number" : "server.needs_positive_number", {flag});
        const long long n = std::stoll(value);
        if (n == 0 && !s.zeroOk) return t(o, "server.needs_positive_number", {flag});
        s.number(o, n);
        return {};
    }
    return s.apply(o, value);
}

/// Reads o.config's settings into `o`; returns the problem, naming FILE:LINE, or empty.
std::string readConfig(CliOptions& o) {
    const std::string& file = o.config;
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    if (ec) return t(o, "server.config_unreadable", {file, ec.message()});
    if (size > kMaxConfigBytes) return t(o, "server.config_too_large", {file});
    auto text = readTextFile(file);
    if (!text.ok()) return text.error().message;
    std::map<std::string, int, std::less<>> seen;
    std::string_view rest = *text;
    for (int number = 1; !rest.empty(); ++number) {
        const auto end = rest.find('\n');
        const std::string_view line = trim(rest.substr(0, end));
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
        if (line.empty() || line.front() == '#') continue;
        const std::string at = std::to_string(number);
        const auto eq = line.find('=');
        if (eq == std::string_view::npos) return t(o, "server.config_syntax", {file, at});
        const std::string key(trim(line.substr(0, eq)));
        const std::string value(trim(line.substr(eq + 1)));
        const Spec* spec = findOption(key);
        if (!spec) return t(o, "server.config_unknown_key", {file, at, key});
        if (!spec->setting) return t(o, "server.config_not_setting", {file, at, key});
        if (auto before = seen.find(key); before != seen.end())
            return t(o, "server.config_twice", {file, at, key, std::to_string(before->second)});
        seen.emplace(key, number);
        if (value.empty()) return file + ":" + at + ": " + t(o, "server.needs_value", {key});
        if (spec->kind == Kind::Flag && value != "true" && value != "false")
            return t(o, "server.config_flag", {file, at, key});
        if (auto problem = applyValue(*spec, o, value); !problem.empty()) return file + ":" + at + ": " + problem;
    }
    return {};
}

} // namespace

ParsedOptions parseOptions(const std::vector<std::string>& args, Lang lang) {
    ParsedOptions out;
    CliOptions o;
    o.lang = lang;
    auto failed = [&](std::string problem, bool usage) {
        out.problem = std::move(problem);
        out.showUsage = usage;
        out.lang = o.lang;
        return out;
    };
    // --lang and --config first: the language of the messages, and the file whose settings the command
    // line then overrides. A bad value is left to the second pass, which reports it.
    for (std::size_t i = 0; i < args.size(); ++i) {
        const Spec* s = optionOf(args[i]);
        if (!s || s->kind == Kind::Flag || i + 1 >= args.size()) continue;
        if (s->name == "lang" || s->name == "config") {
            if (auto problem = applyValue(*s, o, args[i + 1]); !problem.empty()) return failed(problem, true);
        }
        ++i;
    }
    if (!o.config.empty())
        if (auto problem = readConfig(o); !problem.empty()) return failed(problem, false);

    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        const Spec* s = optionOf(arg);
        if (!s) {
            if (arg.size() > 1 && arg[0] == '-') return failed(t(o, "server.unknown_option", {arg}), true);
            o.args.push_back(arg);
            continue;
        }
        if (s->kind == Kind::Flag) {
            o.*s->flag = true;
            continue;
        }
        if (i + 1 >= args.size()) return failed(t(o, "server.needs_value", {arg}), true);
        if (auto problem = applyValue(*s, o, args[++i]); !problem.empty()) return failed(problem, true);
    }
    // migrate-store names its source with --from; its --data (where the files go) is optional.
    const bool migrating = !o.args.empty() && o.args[0] == "migrate-store";
    if (o.data.empty() && !o.help && !migrating) return failed(t(o, "server.needs_data"), true);
    out.lang = o.lang;
    out.options = std::move(o);
    return out;
}

} // namespace carnet::server
