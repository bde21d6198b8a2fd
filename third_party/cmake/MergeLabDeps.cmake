# Finds the Debian packages MergeLab uses (installed by third_party/install-deps.sh).
# Nothing third-party is vendored: every target below comes from the system.
find_package(Eigen3 3.4 REQUIRED NO_MODULE)          # Eigen3::Eigen
find_package(nlohmann_json 3.11 REQUIRED)            # nlohmann_json::nlohmann_json
find_package(yaml-cpp REQUIRED)                      # yaml-cpp
find_package(Threads REQUIRED)
find_package(ICU REQUIRED COMPONENTS uc i18n)        # ICU::uc ICU::i18n (tokenizer regexes, NFC)
find_package(GTest REQUIRED)
include(GoogleTest)
if(MERGELAB_BENCH)
  find_package(benchmark REQUIRED)
endif()

if(MERGELAB_GUI)
  find_package(PkgConfig REQUIRED)
  # Debian's libimgui is a "+ds" build: stb comes from libstb, hence pkg-config.
  pkg_check_modules(IMGUI REQUIRED IMPORTED_TARGET imgui)
  find_package(glfw3 3.3 REQUIRED)
  set(OpenGL_GL_PREFERENCE GLVND)
  find_package(OpenGL REQUIRED)
  set(IMGUI_BACKEND_SRC_DIR /usr/share/doc/libimgui-dev/examples/backends)
  if(NOT EXISTS ${IMGUI_BACKEND_SRC_DIR}/imgui_impl_glfw.cpp)
    message(FATAL_ERROR "ImGui backend sources not found in ${IMGUI_BACKEND_SRC_DIR}; run third_party/install-deps.sh")
  endif()
  # The GLFW + OpenGL3 backends are compiled here so they follow our flags;
  # sanitizers are switched off for them (Debian's OpenGL3 backend trips UBSan harmlessly).
  add_library(imgui_backends STATIC
    ${IMGUI_BACKEND_SRC_DIR}/imgui_impl_glfw.cpp
    ${IMGUI_BACKEND_SRC_DIR}/imgui_impl_opengl3.cpp)
  target_include_directories(imgui_backends PUBLIC /usr/include/imgui/backends)
  target_link_libraries(imgui_backends PUBLIC PkgConfig::IMGUI glfw OpenGL::GL ${CMAKE_DL_LIBS})
  target_compile_options(imgui_backends PRIVATE -w)
  if(MERGELAB_SANITIZE)
    target_compile_options(imgui_backends PRIVATE -fno-sanitize=all)
  endif()
endif()
