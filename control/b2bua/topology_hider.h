#pragma once
// The last word on what leaves toward a realm: every header value of a message sent to the
// access side is searched for the addresses of the core (the SBC's core addresses, the VIP, the
// backup host, the contact center's networks as literals) and each is replaced by the SBC's own
// access address. The B2BUA already builds each leg's headers from that leg's dialog alone; this
// catches what a copied header (P-Asserted-Identity, Refer-To, Warning, ...) might carry.

#include <string>
#include <vector>

#include "control/sip/sip_message.h"

namespace sbc::control {

class TopologyHider {
 public:
  // Adds a text that must not reach the access side (an address as written in SIP, without
  // brackets for IPv6; both the bare and the bracketed form are hidden).
  void hide(const std::string& text);
  // Rewrites every header value of `message` (start line included) in place; returns how many
  // replacements it made.
  std::size_t scrub(sip::Message& message, const std::string& replacement) const;
  const std::vector<std::string>& hidden() const { return hidden_; }

 private:
  std::vector<std::string> hidden_;
};

}  // namespace sbc::control
