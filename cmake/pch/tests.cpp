// Compiles nothing: the target that builds the tests' precompiled header (cmake/pch/tests.hpp) once, for
// every test target to reuse (CMakeLists.txt, dialer_test_pch).
