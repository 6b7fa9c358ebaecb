# Every library as an imported target. Debian 12 package in brackets.
find_package(PkgConfig REQUIRED)
pkg_check_modules(GMIME REQUIRED IMPORTED_TARGET gmime-3.0)       # libgmime-3.0-dev
pkg_check_modules(GLIB REQUIRED IMPORTED_TARGET glib-2.0 gio-2.0) # libglib2.0-dev
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)          # libcurl4-openssl-dev
pkg_check_modules(XML2 REQUIRED IMPORTED_TARGET libxml-2.0)       # libxml2-dev
pkg_check_modules(PQ REQUIRED IMPORTED_TARGET libpq)              # libpq-dev
pkg_check_modules(JSONGLIB REQUIRED IMPORTED_TARGET json-glib-1.0) # libjson-glib-dev
pkg_check_modules(CRYPTO REQUIRED IMPORTED_TARGET libcrypto)     # libssl-dev (with libpq-dev)
pkg_check_modules(ZLIB REQUIRED IMPORTED_TARGET zlib)             # zlib1g-dev
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)          # libzstd-dev
find_package(GSL REQUIRED)                                        # libgsl-dev
find_package(CSV REQUIRED)                                        # libcsv-dev
