#include "dataplane/packet_capture.h"

#include <pcap/pcap.h>
#include <rte_branch_prediction.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <sys/time.h>

#include <algorithm>
#include <cstring>

#include <rte_cycles.h>

#include "dataplane/packet_pool.h"

namespace sbc::dataplane {
namespace {

constexpr unsigned kSnapLength = 65535;
constexpr unsigned kCaptureRingSize = 4096;
constexpr uint16_t kEtherIpv4 = 0x0800, kEtherIpv6 = 0x86dd, kEtherVlan = 0x8100;

uint16_t readBe16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

uint64_t& stampOf(rte_mbuf* m) { return *static_cast<uint64_t*>(rte_mbuf_to_priv(m)); }

}  // namespace

bool CaptureFilter::matches(uint8_t interfaceIndex, const rte_mbuf* m) const {
  if (!((interfaceMask >> interfaceIndex) & 1)) return false;
  if (!hasPrefix && port == 0 && protocol == kAnyProtocol) return true;
  // The headers a filter looks at fit in the first segment of any frame we receive.
  const uint8_t* p = rte_pktmbuf_mtod(m, const uint8_t*);
  const uint32_t length = rte_pktmbuf_data_len(m);
  uint32_t offset = 14;
  if (length < offset) return false;
  uint16_t etherType = readBe16(p + 12);
  if (etherType == kEtherVlan) {
    if (length < offset + 4) return false;
    etherType = readBe16(p + 16);
    offset += 4;
  }
  bool v4;
  uint8_t l4Protocol;
  const uint8_t *src, *dst;
  uint32_t l4Offset;
  bool hasPorts;
  if (etherType == kEtherIpv4) {
    if (length < offset + 20) return false;
    const uint8_t* ip = p + offset;
    v4 = true;
    l4Protocol = ip[9];
    src = ip + 12;
    dst = ip + 16;
    l4Offset = offset + (ip[0] & 0x0f) * 4u;
    hasPorts = (readBe16(ip + 6) & 0x1fff) == 0;  // only the first fragment has them
  } else if (etherType == kEtherIpv6) {
    if (length < offset + 40) return false;
    const uint8_t* ip = p + offset;
    v4 = false;
    l4Protocol = ip[6];
    src = ip + 8;
    dst = ip + 24;
    l4Offset = offset + 40;
    hasPorts = true;
  } else {
    return false;  // ARP and the rest: only an unfiltered capture takes them
  }
  if (protocol != kAnyProtocol && l4Protocol != protocol) return false;
  if (hasPrefix && !prefix.contains(v4 ? IpFamily::kV4 : IpFamily::kV6, src) &&
      !prefix.contains(v4 ? IpFamily::kV4 : IpFamily::kV6, dst)) return false;
  if (port != 0) {
    if (!hasPorts || (l4Protocol != 6 && l4Protocol != 17) || length < l4Offset + 4) return false;
    if (readBe16(p + l4Offset) != port && readBe16(p + l4Offset + 2) != port) return false;
  }
  return true;
}

void captureBurst(CaptureFilter& filter, uint8_t interfaceIndex, rte_mbuf* const* packets,
                  uint16_t count, uint64_t nowTsc) {
  for (uint16_t i = 0; i < count; ++i) {
    if (!filter.matches(interfaceIndex, packets[i])) continue;
    if (filter.taken.load(std::memory_order_relaxed) >= filter.maxPackets) return;
    rte_mbuf* copy = rte_pktmbuf_copy(packets[i], filter.pool, 0, UINT32_MAX);
    if (unlikely(copy == nullptr)) {
      filter.dropped.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    stampOf(copy) = nowTsc;
    copy->port = interfaceIndex;
    if (unlikely(rte_ring_mp_enqueue(filter.ring, copy) != 0)) {
      rte_pktmbuf_free(copy);
      filter.dropped.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    filter.taken.fetch_add(1, std::memory_order_relaxed);
  }
}

rte_mempool* createCapturePool(const char* name, unsigned mbufs, int socket) {
  return createPacketPool(name, mbufs, 64, RTE_ALIGN(sizeof(uint64_t), RTE_MBUF_PRIV_ALIGN), RTE_MBUF_DEFAULT_BUF_SIZE,
                          socket);
}

std::unique_ptr<CaptureSession> CaptureSession::open(const CaptureSpec& spec, uint64_t interfaceMask,
                                                     rte_mempool* pool, uint64_t tscHz,
                                                     std::string& error) {
  if (spec.file.empty()) {
    error = "capture: no file named";
    return nullptr;
  }
  if (spec.maxPackets == 0) {
    error = "capture: max packets must be at least 1";
    return nullptr;
  }
  if (pool == nullptr || rte_pktmbuf_priv_size(pool) < sizeof(uint64_t)) {
    error = "capture: no pool for the copies";
    return nullptr;
  }
  std::unique_ptr<CaptureSession> s(new CaptureSession());
  s->spec_ = spec;
  s->tscHz_ = tscHz;
  s->pcap_ = pcap_open_dead(DLT_EN10MB, kSnapLength);
  if (s->pcap_ == nullptr) {
    error = "capture: libpcap cannot start a dead handle";
    return nullptr;
  }
  s->dumper_ = pcap_dump_open(s->pcap_, spec.file.c_str());
  if (s->dumper_ == nullptr) {
    error = "capture: cannot write '" + spec.file + "': " + pcap_geterr(s->pcap_);
    return nullptr;
  }
  // Ring names are global to the EAL: one per session ever opened.
  static unsigned sessions = 0;
  const std::string name = "sbc_capture" + std::to_string(sessions++);
  s->filter_.ring = rte_ring_create(name.c_str(), kCaptureRingSize, rte_socket_id(), RING_F_SC_DEQ);
  if (s->filter_.ring == nullptr) {
    error = std::string("capture: cannot create its ring: ") + rte_strerror(rte_errno);
    return nullptr;
  }
  s->filter_.pool = pool;
  s->filter_.interfaceMask = interfaceMask;
  s->filter_.hasPrefix = spec.address.has_value();
  if (spec.address) s->filter_.prefix = *spec.address;
  s->filter_.port = spec.port;
  s->filter_.protocol = spec.protocol;
  s->filter_.maxPackets = spec.maxPackets;
  timeval tv;
  gettimeofday(&tv, nullptr);
  s->startTsc_ = rte_rdtsc();
  s->startWallUs_ = uint64_t(tv.tv_sec) * 1'000'000 + uint64_t(tv.tv_usec);
  s->linear_.resize(kSnapLength);
  return s;
}

CaptureSession::~CaptureSession() {
  close();
  if (filter_.ring != nullptr) rte_ring_free(filter_.ring);
  if (pcap_ != nullptr) pcap_close(pcap_);
}

unsigned CaptureSession::drain() {
  if (filter_.ring == nullptr) return 0;
  unsigned total = 0;
  rte_mbuf* burst[64];
  unsigned n;
  while ((n = rte_ring_sc_dequeue_burst(filter_.ring, reinterpret_cast<void**>(burst), 64, nullptr)) != 0) {
    for (unsigned i = 0; i < n; ++i) {
      rte_mbuf* m = burst[i];
      if (dumper_ != nullptr) {
        const uint32_t length = rte_pktmbuf_pkt_len(m);
        const uint32_t captured = std::min<uint32_t>(length, kSnapLength);
        const auto* bytes = static_cast<const uint8_t*>(rte_pktmbuf_read(m, 0, captured, linear_.data()));
        // The worker's TSC stamp on the wall clock of the session's start.
        const uint64_t us = startWallUs_ + (stampOf(m) - startTsc_) * 1'000'000 / tscHz_;
        pcap_pkthdr header{};
        header.ts.tv_sec = static_cast<time_t>(us / 1'000'000);
        header.ts.tv_usec = static_cast<suseconds_t>(us % 1'000'000);
        header.caplen = captured;
        header.len = length;
        pcap_dump(reinterpret_cast<u_char*>(dumper_), &header, bytes);
        ++written_;
      }
      rte_pktmbuf_free(m);
    }
    total += n;
  }
  if (total != 0 && dumper_ != nullptr) pcap_dump_flush(dumper_);
  return total;
}

bool CaptureSession::complete() const {
  return filter_.taken.load(std::memory_order_relaxed) >= filter_.maxPackets &&
         written_ >= filter_.taken.load(std::memory_order_relaxed);
}

void CaptureSession::close() {
  drain();
  if (dumper_ != nullptr) {
    pcap_dump_close(dumper_);
    dumper_ = nullptr;
  }
}

CaptureView CaptureSession::view(bool running) const {
  CaptureView v;
  v.running = running;
  v.spec = spec_;
  v.captured = written_;
  v.dropped = filter_.dropped.load(std::memory_order_relaxed);
  return v;
}

}  // namespace sbc::dataplane
