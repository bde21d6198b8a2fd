# Project-wide warning and sanitizer flags (applied to project targets only).
function(mergelab_target_flags target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
endfunction()

if(MERGELAB_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
