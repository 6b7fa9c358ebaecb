# The one strict warning list; REPWATCH_WERROR turns it into errors (CI).
function(repwatch_warnings target)
	target_compile_options(${target} PRIVATE
		-Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes
		-Wmissing-prototypes -Wwrite-strings -Wformat=2 -Wcast-qual
		-Wundef -Wpointer-arith -Wvla -Wnull-dereference
		-Wimplicit-fallthrough -fno-common)
	if(REPWATCH_WERROR)
		set_target_properties(${target} PROPERTIES
			COMPILE_WARNING_AS_ERROR ON)
	endif()
endfunction()
