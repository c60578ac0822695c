#pragma once
// A Dataplane that records what the commands ask of it and answers with views the test sets:
// the seam between control and dataplane, so commands are tested without DPDK.

#include <algorithm>

#include "dataplane/dataplane.h"

namespace sbc::control::testing {

class FakeDataplane : public dataplane::Dataplane {
 public:
  dataplane::Status createSession(const dataplane::MediaSessionSpec& spec) override {
    created.push_back(spec);
    return answer;
  }
  dataplane::Status updateSession(const dataplane::MediaSessionSpec& spec) override {
    updated.push_back(spec);
    return answer;
  }
  dataplane::Status deleteSession(uint32_t id) override {
    deleted.push_back(id);
    return answer;
  }
  std::optional<dataplane::SessionView> session(uint32_t id) const override {
    for (const auto& view : sessionViews)
      if (view.spec.id == id) return view;
    return std::nullopt;
  }
  std::vector<dataplane::SessionView> sessions() const override { return sessionViews; }
  std::vector<dataplane::InterfaceView> interfaces() const override { return interfaceViews; }
  std::vector<dataplane::NeighborView> neighbors() const override { return neighborViews; }
  std::vector<dataplane::WorkerView> workers() const override { return workerViews; }
  dataplane::DataplaneTotals totals() const override { return totalsView; }
  std::vector<uint32_t> poll() override { return {}; }
  void stop() override {}

  // What the commands asked for.
  std::vector<dataplane::MediaSessionSpec> created, updated;
  std::vector<uint32_t> deleted;
  // What the fake answers.
  dataplane::Status answer;
  std::vector<dataplane::SessionView> sessionViews;
  std::vector<dataplane::InterfaceView> interfaceViews;
  std::vector<dataplane::NeighborView> neighborViews;
  std::vector<dataplane::WorkerView> workerViews;
  dataplane::DataplaneTotals totalsView;
};

}  // namespace sbc::control::testing
