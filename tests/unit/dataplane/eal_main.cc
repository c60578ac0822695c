// The dataplane tests need the EAL (mempools, rte_hash, rings), started once per process with
// 4 KiB pages and no devices. Started from a gtest Environment, so that listing the tests (as
// gtest_discover_tests does) never touches the EAL.

#include <gtest/gtest.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

namespace {

class EalEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    // The EAL keeps pointers into argv: the strings live as long as the environment.
    args_ = {"dataplane_unit_tests", "--no-huge", "--no-pci", "-m", "256",
             "--file-prefix", "dptest" + std::to_string(getpid()), "--lcores", "0@0",
             "--log-level", "lib.eal:error",
             // As sbcd does: SIMD paths as wide as the CPU has them (the relay's AVX-512 path).
             "--force-max-simd-bitwidth=512"};
    for (auto& a : args_) argv_.push_back(a.data());
    argv_.push_back(nullptr);
    if (rte_eal_init(static_cast<int>(args_.size()), argv_.data()) < 0)
      GTEST_FAIL() << "rte_eal_init: " << rte_strerror(rte_errno);
    started_ = true;
    runtimeDir_ = rte_eal_get_runtime_dir();
  }
  void TearDown() override {
    if (!started_) return;
    rte_eal_cleanup();
    // The EAL leaves its runtime files (some MiB in /var/run/dpdk) behind; ctest runs this binary
    // once per test, so remove this process's own directory (its name carries our pid).
    std::error_code ignored;
    if (runtimeDir_.find("dptest" + std::to_string(getpid())) != std::string::npos)
      std::filesystem::remove_all(runtimeDir_, ignored);
  }

 private:
  std::vector<std::string> args_;
  std::vector<char*> argv_;
  std::string runtimeDir_;
  bool started_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new EalEnvironment);
  return RUN_ALL_TESTS();
}
