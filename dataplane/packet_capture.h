#pragma once
// `monitor capture`: received frames that match a filter, copied by the workers into a ring and
// written by the control lcore into a pcap file with libpcap.
//
// Worker side (captureBurst): the dataplane publishes one CaptureFilter through an atomic
// pointer that a worker reads once per burst; with no capture running that is the only cost.
// A matching frame is copied (rte_pktmbuf_copy, from the capture's own pool so that a capture
// never starves the rx pools), stamped with the TSC and enqueued; a full ring or an empty pool
// counts a drop and never makes a worker wait. After maxPackets nothing more is taken.
//
// Control side (CaptureSession): owns the filter, the ring and the pcap dumper; drain() writes
// what the ring holds (the dataplane's poll() calls it), close() flushes and closes the file.
// The dataplane unpublishes the filter and waits for an RCU grace period before it closes a
// session, so that no worker still holds it.

#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dataplane/firewall_config.h"

typedef struct pcap pcap_t;
typedef struct pcap_dumper pcap_dumper_t;

namespace sbc::dataplane {

struct CaptureFilter {
  uint64_t interfaceMask = ~uint64_t{0};  // bit i: interface index i
  bool hasPrefix = false;
  IpPrefix prefix;
  uint16_t port = 0;  // host order; 0: any
  uint8_t protocol = kAnyProtocol;
  uint64_t maxPackets = 0;
  rte_ring* ring = nullptr;    // multi-producer, single consumer
  rte_mempool* pool = nullptr;  // capture copies; private area holds the TSC (8 bytes)
  std::atomic<uint64_t> taken{0};    // matched and given a place, counting toward maxPackets
  std::atomic<uint64_t> dropped{0};  // matched, but the ring or the pool was full

  // Parses the frame itself (Ethernet, one 802.1Q tag, IPv4/IPv6, UDP/TCP ports): it runs
  // before classify, so it sees every received frame, malformed ones included.
  bool matches(uint8_t interfaceIndex, const rte_mbuf* m) const;
};

// Worker side: copies the matching frames of a received burst into the capture ring.
void captureBurst(CaptureFilter& filter, uint8_t interfaceIndex, rte_mbuf* const* packets,
                  uint16_t count, uint64_t nowTsc);

// A pool for capture copies, with the private area captureBurst stamps the TSC into.
rte_mempool* createCapturePool(const char* name, unsigned mbufs, int socket);

class CaptureSession {
 public:
  // Opens spec.file for writing; `interfaceMask` is what spec.interface names (all when empty).
  static std::unique_ptr<CaptureSession> open(const CaptureSpec& spec, uint64_t interfaceMask,
                                              rte_mempool* pool, uint64_t tscHz, std::string& error);
  ~CaptureSession();
  CaptureSession(const CaptureSession&) = delete;
  CaptureSession& operator=(const CaptureSession&) = delete;

  CaptureFilter* filter() { return &filter_; }
  // Writes every frame in the ring to the file; returns how many.
  unsigned drain();
  // maxPackets were taken and written.
  bool complete() const;
  // Drains, flushes and closes the file (the destructor does too).
  void close();
  CaptureView view(bool running) const;

 private:
  CaptureSession() = default;

  CaptureSpec spec_;
  CaptureFilter filter_;
  pcap_t* pcap_ = nullptr;
  pcap_dumper_t* dumper_ = nullptr;
  uint64_t written_ = 0;
  uint64_t tscHz_ = 1;
  uint64_t startTsc_ = 0;
  uint64_t startWallUs_ = 0;
  std::vector<uint8_t> linear_;  // a chained copy is linearised here
};

}  // namespace sbc::dataplane
