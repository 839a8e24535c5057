#pragma once
// carnet-server's options: one table for the command line and the config file (`--config FILE`),
// so that every setting of `serve` can live in /etc/carnet/server.conf (docs/deployment.md).

#include "core/i18n.hpp"
#include "server/limits.hpp"
#include "server/map_options.hpp"
#include "server/password_gate.hpp"

#include <optional>
#include <string>
#include <vector>

namespace carnet::server {

/// What the command line and the config file say, the command line's options over the file's.
struct CliOptions {
    ServerLimits limits;
    HashLimits hashes;
    std::string data, db, bind = "127.0.0.1", role, org, name, campaign, tlsCert, tlsKey, metricsTokenFile;
    std::string config;   ///< the file given with --config, empty when none
    std::string from, to; ///< migrate-store's source and target, backup's target
    MapOptions map;       ///< the console's map: --leaflet-dir, --map-tiles, --map-attribution
    std::optional<int> port, tokenIdleDays, tokenLifetimeDays;
    bool passwordStdin = false, insecureHttp = false, help = false;
    Lang lang = Lang::Fr;          ///< the language of the messages (--lang, `lang =`, else the caller's)
    std::vector<std::string> args; ///< the command and its operands
};

/// The outcome of parsing: the options, or what is wrong with them.
struct ParsedOptions {
    std::optional<CliOptions> options; ///< set when the options are usable
    std::string problem;               ///< otherwise what is wrong, in the options' language
    bool showUsage = false;            ///< a command-line problem; a config file's names its FILE:LINE instead
    Lang lang = Lang::Fr;              ///< the language `problem` is in
};

/// Parses the arguments after the program name. With `--config FILE`, FILE's `key = value` lines
/// (the option names without `--`; `#` starts a comment line) are read first and the command line's
/// options override them. No file is read without --config: an installed /etc/carnet/server.conf never
/// changes what a command run by hand or by a test does. An unknown key, a command's own option
/// (role, org, name, password-stdin, from, to), a key given twice or a bad value is an error naming FILE:LINE.
[[nodiscard]] ParsedOptions parseOptions(const std::vector<std::string>& args, Lang lang);

} // namespace carnet::server
