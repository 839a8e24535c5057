# The server's Debian package (`make package`, docs/deployment.md): carnet-server, its systemd unit,
# its settings as a conffile and the scripts that create its system user. Only the server installs
# anything, so the package holds nothing else.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME carnet-server)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Carnet central server: device sync, coordinator console, exports")
set(CPACK_PACKAGE_DESCRIPTION
    "The central server of Carnet, an offline-first field data kit: it answers the devices' sync, serves \
the coordinator console and the exports, on SQLite or PostgreSQL. It runs as the carnet-server systemd \
service, as the carnet system user, with its data in /var/lib/carnet.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES TRUE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "Carnet maintainers <carnet@localhost>")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The libraries' packages come from dpkg-shlibdeps; adduser is what postinst calls.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql, haproxy | nginx")
# The console's records map (served from /usr/share/javascript/leaflet); without it, points are listed.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libjs-leaflet")
set(carnet_package_dir ${PROJECT_SOURCE_DIR}/server/package)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${carnet_package_dir}/conffiles ${carnet_package_dir}/postinst ${carnet_package_dir}/prerm
    ${carnet_package_dir}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
# `cpack` runs the install step: it should install what was built (carnet-server), not build the app.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY TRUE)
include(CPack)
