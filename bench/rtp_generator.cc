#include "bench/rtp_generator.h"

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include <numeric>

#include "dataplane/checksum.h"

namespace sbc::bench {

using dataplane::ChecksumDelta;

RtpGenerator::RtpGenerator(const SessionAddressing& addressing, uint32_t sessions,
                           const dataplane::MacAddress& sbcMac, bool nicChecksumOffload, uint32_t firstSession,
                           Side side)
    : addressing_(addressing),
      sessions_(sessions),
      firstSession_(firstSession),
      side_(side),
      offloadFlags_(nicChecksumOffload ? (RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD) : 0) {
  // A stride coprime with the session count, near the golden ratio of it, walks all sessions.
  stride_ = static_cast<uint32_t>(sessions * 0.6180339887) | 1;
  while (sessions > 1 && std::gcd(stride_, sessions) != 1) stride_ += 2;
  if (sessions <= 1) stride_ = 0;

  std::memset(template_, 0, sizeof template_);
  auto* eth = reinterpret_cast<rte_ether_hdr*>(template_);
  std::memcpy(eth->dst_addr.addr_bytes, sbcMac.data(), 6);
  const uint8_t peerMac[6] = {0x02, 0x5b, 0xc0, 0x00, 0x00, 0x10};
  std::memcpy(eth->src_addr.addr_bytes, peerMac, 6);
  eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
  auto* ip = reinterpret_cast<rte_ipv4_hdr*>(eth + 1);
  uint16_t udpLength = sizeof(rte_udp_hdr) + 12 + kPayloadBytes;
  ip->version_ihl = RTE_IPV4_VHL_DEF;
  ip->type_of_service = 0xb8;  // EF, as phones mark voice
  ip->total_length = rte_cpu_to_be_16(sizeof(rte_ipv4_hdr) + udpLength);
  ip->time_to_live = 64;
  ip->next_proto_id = IPPROTO_UDP;
  auto* udp = reinterpret_cast<rte_udp_hdr*>(ip + 1);
  udp->dgram_len = rte_cpu_to_be_16(udpLength);
  uint8_t* rtp = reinterpret_cast<uint8_t*>(udp + 1);
  rtp[0] = 0x80;  // version 2
  rtp[1] = 0;     // PCMU
  rtp[11] = 0x2a; // SSRC
  for (uint16_t i = 0; i < kPayloadBytes; ++i) rtp[12 + i] = static_cast<uint8_t>(0xff ^ (i * 7));
  frameLength_ = sizeof(rte_ether_hdr) + sizeof(rte_ipv4_hdr) + udpLength;
  // Checksums of the frame with zero addresses and ports; each packet adds its own words.
  ipChecksumSeed_ = rte_ipv4_cksum(ip);
  udpChecksumSeed_ = rte_ipv4_udptcp_cksum(ip, udp);
}

uint16_t RtpGenerator::generate(rte_mempool* pool, rte_mbuf** out, uint16_t count) {
  if (rte_pktmbuf_alloc_bulk(pool, out, count) != 0) return 0;
  const bool core = side_ == Side::kCore;
  for (uint16_t k = 0; k < count; ++k) {
    rte_mbuf* m = out[k];
    const uint32_t i = firstSession_ + next_;
    next_ += stride_;
    if (next_ >= sessions_) next_ -= sessions_;
    uint8_t* frame = rte_pktmbuf_mtod(m, uint8_t*);
    std::memcpy(frame, template_, frameLength_);
    m->data_len = m->pkt_len = frameLength_;
    m->port = core ? 1 : 0;
    m->ol_flags = offloadFlags_;
    auto* ip = reinterpret_cast<rte_ipv4_hdr*>(frame + sizeof(rte_ether_hdr));
    auto* udp = reinterpret_cast<rte_udp_hdr*>(ip + 1);
    ip->src_addr = rte_cpu_to_be_32(core ? addressing_.corePeer(i) : addressing_.accessPeer(i));
    ip->dst_addr = rte_cpu_to_be_32(core ? addressing_.coreLocal(i) : addressing_.accessLocal(i));
    udp->src_port = rte_cpu_to_be_16(addressing_.peerPort(i));
    udp->dst_port = rte_cpu_to_be_16(addressing_.localPort(i));
    ChecksumDelta addresses;
    addresses.insert(&ip->src_addr, 8);
    ip->hdr_checksum = addresses.apply(ipChecksumSeed_);
    ChecksumDelta udpWords = addresses;
    udpWords.insert(&udp->src_port, 4);
    udp->dgram_cksum = dataplane::udpChecksumForWire(udpWords.apply(udpChecksumSeed_));
  }
  return count;
}

}  // namespace sbc::bench
