// buildEalArgs (dataplane/ports.h): what sbcd adds to the EAL's arguments, and that an argument
// the operator gives (dataplane eal-arg, or after -- on the command line) wins.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "dataplane/ports.h"

namespace sbc::dataplane {
namespace {

DataplaneConfig oneNullPort() {
  DataplaneConfig c;
  InterfaceConfig i;
  i.name = "access0";
  i.device = "net_null0";
  i.realm = "access";
  c.interfaces.push_back(i);
  return c;
}

long countStartingWith(const std::vector<std::string>& args, const std::string& prefix) {
  return std::count_if(args.begin(), args.end(), [&](const std::string& a) { return a.rfind(prefix, 0) == 0; });
}

TEST(EalArgsTest, SimdPathsAreAsWideAsTheCpuUnlessTheOperatorSaysOtherwise) {
  DataplaneConfig c = oneNullPort();
  auto args = buildEalArgs(c, {"--no-huge", "-m", "64"}, "sbcd");
  EXPECT_EQ(std::count(args.begin(), args.end(), "--force-max-simd-bitwidth=512"), 1);

  args = buildEalArgs(c, {"--force-max-simd-bitwidth=256"}, "sbcd");
  EXPECT_EQ(countStartingWith(args, "--force-max-simd-bitwidth"), 1);
  EXPECT_EQ(std::count(args.begin(), args.end(), "--force-max-simd-bitwidth=256"), 1);

  c.extraEalArgs = {"--force-max-simd-bitwidth", "128"};
  args = buildEalArgs(c, {}, "sbcd");
  EXPECT_EQ(countStartingWith(args, "--force-max-simd-bitwidth"), 1);
  EXPECT_EQ(std::find(args.begin(), args.end(), "--force-max-simd-bitwidth") + 1,
            std::find(args.begin(), args.end(), "128"));
}

}  // namespace
}  // namespace sbc::dataplane
