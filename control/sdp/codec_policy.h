#pragma once
// A trunk's codec policy, applied to an offer before it goes on: which audio codecs may pass
// (allow), which never may (strip), in which order of preference (order), and the packet time.
// telephone-event (RFC 4733) always passes, in the clock rate of a codec that is kept, since
// DTMF must reach the contact center whatever the codec. Only audio sections are filtered;
// video, image (T.38) and the rest pass untouched.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/sdp/sdp_codecs.h"
#include "control/sdp/sdp_session.h"

namespace sbc::sdp {

// A codec as an operator names it: "PCMA", "g722/8000", "opus/48000". The encoding name is
// matched without regard to case; the clock rate only where given.
struct CodecSpec {
  std::string encoding;
  std::optional<std::uint32_t> clockRate;

  static std::optional<CodecSpec> parse(std::string_view text);
  bool matches(const Codec& codec) const;
  std::string toString() const;
  bool operator==(const CodecSpec&) const = default;
};

struct CodecPolicy {
  std::vector<CodecSpec> allow;  // empty: every codec is allowed
  std::vector<CodecSpec> strip;  // removed even when allowed
  std::vector<CodecSpec> order;  // preferred first, in this order; the rest keep offered order
  std::optional<std::uint32_t> ptime;  // set a=ptime on audio; nullopt keeps the offered one
};

struct CodecPolicyOutcome {
  // No audio section kept a media codec: the B2BUA answers 488 with `warning`.
  bool noCommonCodec = false;
  std::vector<std::string> offered;  // media codecs of the audio sections, as offered ("PCMU")
  std::vector<std::uint8_t> removed;  // payload types removed, over all sections
  // An audio section left without a media codec is disabled (port 0); its index is listed.
  std::vector<std::size_t> disabledStreams;

  // The Warning header value for the 488, e.g.
  //   399 sbc "no common codec: offered PCMU,G729; allowed PCMA"
  std::string warning(std::string_view agent = "sbc") const;

  // Filled by applyCodecPolicy for warning().
  std::string allowedText;
};

// Filters, reorders and sets ptime on every audio section of `offer` that is not already
// disabled. rtpmap/fmtp/rtcp-fb lines of removed payload types go with them. When the outcome
// is noCommonCodec, `offer` is left as it was.
CodecPolicyOutcome applyCodecPolicy(SessionDescription& offer, const CodecPolicy& policy);

}  // namespace sbc::sdp
