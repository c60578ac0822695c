#pragma once
// The SIP side of sbcd in one piece: the transports on the configured addresses (reached
// through the dataplane's exception path), the transaction layer, the B2BUA with its media
// anchored through the dataplane, the call records and the timers. The event loop of sbcd adds
// pollFd() to its epoll set, calls handleEvents() when it is readable and runTimers() at least
// by nextTimerMs().

#include <memory>
#include <string>

#include "control/b2bua/b2bua.h"
#include "control/b2bua/sdp_media_anchor.h"
#include "control/cli/command_table.h"
#include "control/common/clock.h"
#include "control/common/timer_queue.h"
#include "control/config/sip_config.h"
#include "control/records/call_record.h"
#include "control/sip/socket_transports.h"
#include "dataplane/dataplane.h"

namespace sbc::control {

class SipService {
 public:
  // Opens the listeners and starts the health checks; nullptr and `error` when it cannot.
  static std::unique_ptr<SipService> start(const SipConfig& sip,
                                           const dataplane::DataplaneConfig& dataplaneConfig,
                                           dataplane::Dataplane& dataplane, std::string& error);
  ~SipService();

  int pollFd() const { return transports_->pollFd(); }
  void handleEvents() { transports_->handleEvents(); }
  // Runs the timers that are due; returns ms until the next one (-1: none).
  int runTimers();
  void addCommands(CommandTable& table);
  // Hangs up every call (BYE both ways) before sbcd stops.
  void shutdown();

  const B2bua& b2bua() const { return *b2bua_; }

 private:
  SipService() = default;

  SteadyClock clock_;
  std::unique_ptr<TimerQueue> timers_;
  std::unique_ptr<sip::SocketTransports> transports_;
  std::unique_ptr<SdpMediaAnchor> media_;
  std::unique_ptr<CallRecordWriter> records_;
  std::unique_ptr<B2bua> b2bua_;
};

}  // namespace sbc::control
