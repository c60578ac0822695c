#pragma once
// RFC 3264 offer/answer rules the B2BUA enforces on what peers send it:
//  - checkAnswer(): an answer matches its offer (same m= lines, in order, same media types,
//    formats taken from the offer, disabled streams stay disabled);
//  - compareOffers(): what changed between two successive offers (or answers) of one leg:
//    hold and resume, codecs, the peer's media address, the o= version.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "control/sdp/sdp_attributes.h"
#include "control/sdp/sdp_session.h"

namespace sbc::sdp {

struct OfferAnswerError {
  std::string reason;      // "m=1 (video): payload type 99 (H264/90000) was not offered"
  std::size_t mediaIndex;  // the m= line at fault (0-based); the offer's count when it is the
                           // number of m= lines that differs
};

// nullopt when `answer` is a valid answer to `offer`. Payload type numbers may differ from the
// offer's for the same codec (RFC 3264 section 6.1 only says SHOULD); the transport profiles
// must match up to the feedback variant (AVP/AVPF, SAVP/SAVPF), which peers mix in practice.
std::optional<OfferAnswerError> checkAnswer(const SessionDescription& offer,
                                            const SessionDescription& answer);

// How a stream's hold state moved between two descriptions of one leg.
enum class HoldChange : std::uint8_t { None, Hold, Resume };

struct MediaChange {
  std::size_t index = 0;
  Direction directionBefore = Direction::SendRecv;
  Direction directionAfter = Direction::SendRecv;
  bool heldBefore = false;  // sendonly, inactive or c=0.0.0.0
  bool heldAfter = false;
  HoldChange hold = HoldChange::None;
  bool codecsChanged = false;    // payload types, their codecs, fmtp or their order
  bool addressChanged = false;   // the peer's RTP address or port
  bool rejectedChanged = false;  // port 0 came or went

  bool any() const {
    return directionBefore != directionAfter || heldBefore != heldAfter || codecsChanged ||
           addressChanged || rejectedChanged;
  }
};

struct SessionChanges {
  bool versionChanged = false;     // o= sess-version differs
  bool contentChanged = false;     // anything but o= differs
  bool mediaCountChanged = false;  // m= lines added (RFC 3264 section 8.1) or gone
  std::vector<MediaChange> media;  // one per m= line present in both

  bool hold() const;    // some stream went on hold
  bool resume() const;  // some stream came off hold
  bool codecsChanged() const;
  // RFC 3264 section 8: a changed body must carry a new version. A peer that breaks this is
  // worth a log line; the B2BUA still acts on the content.
  bool unversionedChange() const { return contentChanged && !versionChanged; }
};

SessionChanges compareOffers(const SessionDescription& previous, const SessionDescription& next);

}  // namespace sbc::sdp
