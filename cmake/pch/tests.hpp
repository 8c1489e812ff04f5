// The precompiled header of the test targets (CMakeLists.txt: dialer_test_pch builds it, every unit_* and
// integration_tests reuses it): the product's common headers plus doctest and what the tests add. A
// separate PCH because the tests compile with other flags (-O1 in Release), and a PCH is per flag set.
#pragma once

#include "common.hpp"

#include <filesystem>
#include <fstream>
#include <thread>

#include <doctest/doctest.h>
