#include "control/b2bua/sip_service.h"

#include <chrono>

#include "control/b2bua/b2bua_cli.h"
#include "control/b2bua/b2bua_messages.h"

namespace sbc::control {

namespace {

Millis wallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::unique_ptr<SipService> SipService::start(const SipConfig& sip,
                                              const dataplane::DataplaneConfig& dataplaneConfig,
                                              dataplane::Dataplane& dataplane,
                                              std::string& error) {
  std::unique_ptr<SipService> service(new SipService());
  service->timers_ = std::make_unique<TimerQueue>(service->clock_);
  std::vector<sip::ListenerSpec> listeners;
  for (const SipListenConfig& listen : sip.listens) {
    sip::ListenerSpec spec;
    spec.transport = transportKindOf(listen.transport);
    spec.local.ip = listen.address;
    spec.local.port = listen.port;
    if (listen.transport == SipTransport::Tls) {
      spec.certificateFile = sip.tls.certificateFile;
      spec.privateKeyFile = sip.tls.privateKeyFile;
      spec.caFile = sip.tls.caFile;
    }
    listeners.push_back(spec);
  }
  service->transports_ = sip::SocketTransports::open(listeners, *service->timers_, error);
  if (!service->transports_) return nullptr;
  service->records_ = std::make_unique<CallRecordWriter>(sip.recordsFile);
  if (!service->records_->ok()) {
    error = service->records_->error();
    return nullptr;
  }
  service->media_ = std::make_unique<SdpMediaAnchor>(sip, dataplaneConfig, dataplane);
  service->b2bua_ = std::make_unique<B2bua>(sip, *service->transports_, *service->timers_,
                                            *service->media_, *service->records_, wallClockMs);
  service->b2bua_->transactions().attachToTransports();
  service->b2bua_->watchVipHolder(
      [&dataplane](const dataplane::IpAddress& ip) -> std::optional<dataplane::MacAddress> {
        for (const dataplane::NeighborView& neighbor : dataplane.neighbors())
          if (neighbor.resolved && neighbor.address == ip) return neighbor.mac;
        return std::nullopt;
      });
  service->b2bua_->start();
  return service;
}

SipService::~SipService() = default;

int SipService::runTimers() {
  timers_->runDue();
  const auto next = timers_->nextDue();
  if (!next) return -1;
  const Millis wait = *next - clock_.now();
  return wait < 0 ? 0 : static_cast<int>(std::min<Millis>(wait, 1000));
}

void SipService::addCommands(CommandTable& table) { addB2buaCommands(table, *b2bua_); }

void SipService::shutdown() { b2bua_->endAllCalls("shutdown"); }

}  // namespace sbc::control
