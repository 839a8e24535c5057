#!/usr/bin/env bash
# Installs the Debian 12 packages Carnet needs, only those missing; uses sudo when not root.
set -euo pipefail
pkgs=(build-essential cmake ninja-build pkg-config clang clang-format
      libsqlite3-dev nlohmann-json3-dev catch2 sqlite3 libsodium-dev libcurl4-openssl-dev libcpp-httplib-dev
      libimgui-dev libstb-dev libsdl2-dev libfreetype-dev zlib1g-dev libgl-dev libgl1-mesa-dri
      fonts-dejavu-core xvfb xauth libclang-rt-14-dev python3 curl
      libzip-dev libpugixml-dev chromium libre2-dev libssl-dev openssl libjs-leaflet
      libc++-14-dev libc++abi-14-dev libgles-dev libegl-dev
      libpq-dev postgresql haproxy
      dpkg-dev adduser systemd)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The console's browser test: node and npm (any source; Debian's when none is there).
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing missing packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
