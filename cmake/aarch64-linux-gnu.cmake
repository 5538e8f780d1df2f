# cmake/aarch64-linux-gnu.cmake - cross-build tide for 64-bit Arm Linux with
# Debian's cross toolchain (gcc-aarch64-linux-gnu, g++-aarch64-linux-gnu,
# libc6-dev-arm64-cross) and run its tests under qemu-user (qemu-aarch64).
# Used by `make test-aarch64`:
#   cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_ASM_COMPILER aarch64-linux-gnu-gcc)
# tests/ builds one C++ program (the headers must stay valid C++); without
# this it would pick up the host's c++ and fail to link Arm objects.
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

set(TIDE_AARCH64_SYSROOT /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH ${TIDE_AARCH64_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# ctest runs every test executable through this (add_test with a target
# name does so by itself; conformance/CMakeLists.txt passes it to check.sh).
# -L finds the Arm dynamic loader and libc.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L ${TIDE_AARCH64_SYSROOT})
