# Warnings live on an INTERFACE target that every first-party target links PRIVATE.
add_library(carnet_warnings INTERFACE)
target_compile_options(carnet_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Woverloaded-virtual -Wold-style-cast -Wnull-dereference)
if(CARNET_WERROR)
  target_compile_options(carnet_warnings INTERFACE -Werror)
endif()
