# repwatch_layer(NAME DEPENDS lower...) - the static library of source
# folder NAME (repwatch_NAME), linking only the layers below it.
#
# The layers are one-way (doc/ARCHITECTURE.md): app -> out -> analyze,
# arf, ingest -> common. Sources include headers as "folder/file.h", so
# the include path decides what a folder can see: each library publishes a
# directory holding a single link, NAME -> the source folder, and gets the
# directories of the layers it links. An include of a higher (or sibling)
# folder's header finds no file and the build fails
# (tests/app/test_layers.sh shows it).
function(repwatch_layer name)
	cmake_parse_arguments(L "" "" "DEPENDS" ${ARGN})
	set(inc ${PROJECT_BINARY_DIR}/layers/${name})
	file(MAKE_DIRECTORY ${inc})
	file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${name} ${inc}/${name} SYMBOLIC)
	add_library(repwatch_${name} STATIC)
	target_include_directories(repwatch_${name} PUBLIC ${inc})
	target_link_libraries(repwatch_${name} PUBLIC repwatch_base
		${L_DEPENDS})
	repwatch_warnings(repwatch_${name})
endfunction()
