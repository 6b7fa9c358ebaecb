# REPWATCH_SANITIZE: AddressSanitizer + UndefinedBehaviorSanitizer for
# every target (CI's test build).
if(REPWATCH_SANITIZE)
	add_compile_options(-fsanitize=address,undefined
		-fno-sanitize-recover=undefined -fno-omit-frame-pointer -g)
	add_link_options(-fsanitize=address,undefined)
endif()
