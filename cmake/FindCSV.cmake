# FindCSV - locate libcsv (Debian: libcsv-dev), which ships no pkg-config
# file: only csv.h, libcsv.a and libcsv.so.
#
# Result: CSV_FOUND, CSV_INCLUDE_DIR, CSV_LIBRARY and the imported target
# csv::csv.
find_path(CSV_INCLUDE_DIR NAMES csv.h)
find_library(CSV_LIBRARY NAMES csv)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(CSV
	REQUIRED_VARS CSV_LIBRARY CSV_INCLUDE_DIR)

if(CSV_FOUND AND NOT TARGET csv::csv)
	add_library(csv::csv UNKNOWN IMPORTED)
	set_target_properties(csv::csv PROPERTIES
		IMPORTED_LOCATION "${CSV_LIBRARY}"
		INTERFACE_INCLUDE_DIRECTORIES "${CSV_INCLUDE_DIR}")
endif()
mark_as_advanced(CSV_INCLUDE_DIR CSV_LIBRARY)
