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
  dataplane::Status applyFirewall(const dataplane::FirewallConfig& config) override {
    firewallsOffered.push_back(config);
    if (!firewallAnswer.ok()) return firewallAnswer;
    appliedFirewall = config;
    ++firewallView.commits;
    return {};
  }
  dataplane::FirewallView firewall() const override { return firewallView; }
  void clearFirewallCounters() override { ++countersCleared; }
  std::vector<dataplane::BlockedSourceView> blockedSources() const override { return blocked; }
  std::vector<dataplane::AclLogEntry> aclLog() const override { return logLines; }
  dataplane::Status startCapture(const dataplane::CaptureSpec& spec) override {
    captureView.running = true;
    captureView.spec = spec;
    return {};
  }
  dataplane::Status stopCapture() override {
    if (!captureView.running) return dataplane::Status::failure("no capture is running");
    captureView.running = false;
    return {};
  }
  dataplane::CaptureView capture() const override { return captureView; }
  void stop() override {}

  // What the commands asked for.
  std::vector<dataplane::MediaSessionSpec> created, updated;
  std::vector<uint32_t> deleted;
  std::vector<dataplane::FirewallConfig> firewallsOffered;  // every applyFirewall() call
  std::optional<dataplane::FirewallConfig> appliedFirewall;  // the last one taken
  int countersCleared = 0;
  // What the fake answers.
  dataplane::Status answer;
  std::vector<dataplane::SessionView> sessionViews;
  std::vector<dataplane::InterfaceView> interfaceViews;
  std::vector<dataplane::NeighborView> neighborViews;
  std::vector<dataplane::WorkerView> workerViews;
  std::vector<dataplane::AclLogEntry> logLines;
  dataplane::DataplaneTotals totalsView;
  dataplane::Status firewallAnswer;  // a failure: applyFirewall refuses with it
  dataplane::FirewallView firewallView;
  std::vector<dataplane::BlockedSourceView> blocked;
  dataplane::CaptureView captureView;
};

}  // namespace sbc::control::testing
