# Third-party libraries come from Debian packages only, as IMPORTED targets so that their
# headers are -isystem and never trip -Werror.
find_package(PkgConfig REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
add_library(carnet::sqlite3 ALIAS PkgConfig::SQLITE3)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
add_library(carnet::curl ALIAS PkgConfig::CURL)
add_library(carnet::sodium ALIAS PkgConfig::SODIUM)
# forms: regex() and a question's `regex` run on RE2 (UTF-8 characters, linear time).
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
add_library(carnet::re2 ALIAS PkgConfig::RE2)
# forms: digest() (MD5, SHA-1, SHA-256, SHA-384, SHA-512) with OpenSSL's libcrypto.
pkg_check_modules(LIBCRYPTO REQUIRED IMPORTED_TARGET libcrypto)
add_library(carnet::crypto ALIAS PkgConfig::LIBCRYPTO)
# xlsform and the server's exports: .xlsx workbooks are zips of XML parts.
if(CARNET_TOOLS OR CARNET_SERVER)
  pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip)
  add_library(carnet::zip ALIAS PkgConfig::LIBZIP)
  pkg_check_modules(PUGIXML REQUIRED IMPORTED_TARGET pugixml)
  add_library(carnet::pugixml ALIAS PkgConfig::PUGIXML)
endif()
if(CARNET_APP)
  # Debian's libimgui.a already holds the SDL2 and OpenGL3 backends (and imgui_freetype, imgui_stdlib).
  pkg_check_modules(IMGUI REQUIRED IMPORTED_TARGET imgui)
  pkg_check_modules(SDL2 REQUIRED IMPORTED_TARGET sdl2)
  pkg_check_modules(FREETYPE REQUIRED IMPORTED_TARGET freetype2)
  pkg_check_modules(ZLIB REQUIRED IMPORTED_TARGET zlib)
  find_package(OpenGL REQUIRED)
  add_library(carnet_imgui INTERFACE)
  target_link_libraries(carnet_imgui INTERFACE PkgConfig::IMGUI PkgConfig::SDL2 PkgConfig::FREETYPE OpenGL::GL
                                               ${CMAKE_DL_LIBS})
  target_include_directories(carnet_imgui SYSTEM INTERFACE ${IMGUI_INCLUDE_DIRS})
  add_library(carnet::imgui ALIAS carnet_imgui)
  add_library(carnet::sdl2 ALIAS PkgConfig::SDL2)
  add_library(carnet::zlib ALIAS PkgConfig::ZLIB)
  add_library(carnet::gl ALIAS OpenGL::GL)
  # Images in labels (PNG, JPEG, GIF, BMP) and Ogg Vorbis audio prompts: stb_image and stb_vorbis,
  # compiled in Debian's libstb.
  pkg_check_modules(STB REQUIRED IMPORTED_TARGET stb)
  add_library(carnet::stb ALIAS PkgConfig::STB)
endif()
# server: cpp-httplib is Debian's compiled library; its pkg-config flags carry the feature macros
# (OpenSSL, zlib, brotli) the library was built with, which must match for its ABI.
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
if(CARNET_SERVER)
  pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
  # https (`serve --tls-cert`): Debian's cpp-httplib is built with CPPHTTPLIB_OPENSSL_SUPPORT, and its
  # header calls OpenSSL inline, so the server links libssl and libcrypto itself (docs/security.md).
  pkg_check_modules(OPENSSL REQUIRED IMPORTED_TARGET openssl)
  add_library(carnet_httplib INTERFACE)
  target_link_libraries(carnet_httplib INTERFACE PkgConfig::HTTPLIB PkgConfig::OPENSSL Threads::Threads)
  target_include_directories(carnet_httplib SYSTEM INTERFACE ${HTTPLIB_INCLUDE_DIRS})
  add_library(carnet::httplib ALIAS carnet_httplib)
  # PostgreSQL (`serve --db postgresql://...`, docs/architecture.md): libpq, the C client library.
  pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
  add_library(carnet::pq ALIAS PkgConfig::LIBPQ)
endif()
pkg_check_modules(SERVER_ZLIB REQUIRED IMPORTED_TARGET zlib)
add_library(carnet::server_zlib ALIAS PkgConfig::SERVER_ZLIB)
# (libzip and pugixml, found above for xlsform, also write the XLSX exports and read them back in tests)
# end server

if(CARNET_TESTS)
  find_package(Catch2 2 REQUIRED)
  include(Catch)
endif()
