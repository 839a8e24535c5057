# Third-party libraries come from Debian packages only, as IMPORTED targets so that their
# headers are -isystem and never trip -Werror.
find_package(PkgConfig REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
add_library(carnet::sqlite3 ALIAS PkgConfig::SQLITE3)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
add_library(carnet::sodium ALIAS PkgConfig::SODIUM)
if(CARNET_TESTS)
  find_package(Catch2 2 REQUIRED)
  include(Catch)
endif()
