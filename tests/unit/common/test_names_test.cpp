// Guards the suite itself: ctest's doctest discovery splits a test name at ';', and the halves then
// match no test case and pass without running anything. No TEST_CASE name may contain one.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

TEST_CASE("no test case name contains a semicolon (ctest would run nothing for it)") {
  const std::regex test_case(R"re(TEST_CASE\("([^"]*)"\))re");
  int scanned = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(DIALER_SOURCE_DIR "/tests")) {
    if (entry.path().extension() != ".cpp") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    const std::string source = text.str();
    for (std::sregex_iterator it(source.begin(), source.end(), test_case), end; it != end; ++it) {
      ++scanned;
      CAPTURE(entry.path().string());
      CHECK_MESSAGE((*it)[1].str().find(';') == std::string::npos, (*it)[1].str());
    }
  }
  CHECK(scanned > 100);
}
