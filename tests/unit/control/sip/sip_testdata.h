#pragma once
// Where the shared, third-party test material lives: $SBC_TESTDATA, else ../shared/testdata
// beside the checkout. Nothing of it is copied into the repository; tests that need it skip
// with the reason when it is absent.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace sbc::sip::testing {

inline std::filesystem::path testdataRoot() {
  if (const char* fromEnvironment = std::getenv("SBC_TESTDATA"); fromEnvironment && *fromEnvironment)
    return fromEnvironment;
  return std::filesystem::path(SBC_SOURCE_DIR) / ".." / "shared" / "testdata";
}

// The whole file as bytes ("" when it cannot be read).
inline std::string readBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace sbc::sip::testing
