#include "control/sdp/offer_answer.h"

#include <algorithm>

#include "control/sdp/remote_media.h"
#include "control/sdp/sdp_codecs.h"
#include "control/sdp/sdp_render.h"
#include "control/sdp/sdp_text.h"

namespace sbc::sdp {

namespace {

// "RTP/AVPF" and "RTP/AVP" name one transport; the F only adds RTCP feedback.
std::string withoutFeedback(std::string_view proto) {
  std::string p = text::toLower(proto);
  if (p.ends_with("avpf")) p.pop_back();
  return p;
}

std::string where(std::size_t index, const MediaDescription& m) {
  return "m=" + std::to_string(index) + " (" + m.media + "): ";
}

std::optional<OfferAnswerError> checkRtpFormats(std::size_t index, const MediaDescription& offered,
                                                const MediaDescription& answered) {
  std::vector<Codec> offeredCodecs = codecsOf(offered);
  for (const Codec& codec : codecsOf(answered)) {
    bool sameNumber = std::any_of(offeredCodecs.begin(), offeredCodecs.end(),
                                  [&codec](const Codec& o) { return o.payloadType == codec.payloadType; });
    bool sameCodec = std::any_of(offeredCodecs.begin(), offeredCodecs.end(),
                                 [&codec](const Codec& o) { return o.sameCodecAs(codec); });
    // A number from the offer is taken as that codec even when the answer's rtpmap spells it
    // differently ("pcmu" against "PCMU", or a static type left unnamed).
    if (!sameNumber && !sameCodec)
      return OfferAnswerError{where(index, answered) + "payload type " +
                                  std::to_string(codec.payloadType) + " (" + codec.name() +
                                  ") was not offered",
                              index};
  }
  return std::nullopt;
}

std::optional<OfferAnswerError> checkStream(std::size_t i, const MediaDescription& o,
                                            const MediaDescription& a) {
  if (!text::equalsIgnoreCase(o.media, a.media))
    return OfferAnswerError{"m=" + std::to_string(i) + ": answer has media '" + a.media +
                                "' where the offer has '" + o.media + "'",
                            i};
  if (o.isRejected() && !a.isRejected())
    return OfferAnswerError{where(i, a) + "stream disabled in the offer is not disabled in the answer", i};
  if (a.isRejected()) return std::nullopt;
  if (withoutFeedback(o.proto) != withoutFeedback(a.proto))
    return OfferAnswerError{where(i, a) + "answer protocol " + a.proto + " does not match offered " +
                                o.proto,
                            i};
  if (a.formats.empty()) return OfferAnswerError{where(i, a) + "accepted stream lists no formats", i};
  if (o.isRtp()) return checkRtpFormats(i, o, a);
  for (const std::string& f : a.formats)
    if (!o.hasFormat(f))
      return OfferAnswerError{where(i, a) + "format '" + f + "' was not offered", i};
  return std::nullopt;
}

std::string bodyWithoutOrigin(const SessionDescription& sdp) {
  SessionDescription copy = sdp;
  copy.origin = Origin{};
  return render(copy);
}

HoldChange holdChange(bool before, bool after) {
  if (before == after) return HoldChange::None;
  return after ? HoldChange::Hold : HoldChange::Resume;
}

}  // namespace

std::optional<OfferAnswerError> checkAnswer(const SessionDescription& offer,
                                            const SessionDescription& answer) {
  if (offer.media.size() != answer.media.size())
    return OfferAnswerError{"answer has " + std::to_string(answer.media.size()) +
                                " m= lines, offer has " + std::to_string(offer.media.size()),
                            offer.media.size()};
  for (std::size_t i = 0; i < offer.media.size(); ++i)
    if (auto error = checkStream(i, offer.media[i], answer.media[i])) return error;
  return std::nullopt;
}

bool SessionChanges::hold() const {
  return std::any_of(media.begin(), media.end(),
                     [](const MediaChange& m) { return m.hold == HoldChange::Hold; });
}
bool SessionChanges::resume() const {
  return std::any_of(media.begin(), media.end(),
                     [](const MediaChange& m) { return m.hold == HoldChange::Resume; });
}
bool SessionChanges::codecsChanged() const {
  return std::any_of(media.begin(), media.end(),
                     [](const MediaChange& m) { return m.codecsChanged; });
}

SessionChanges compareOffers(const SessionDescription& previous, const SessionDescription& next) {
  SessionChanges changes;
  changes.versionChanged = previous.origin.sessionVersion != next.origin.sessionVersion ||
                           previous.origin.sessionId != next.origin.sessionId;
  changes.contentChanged = bodyWithoutOrigin(previous) != bodyWithoutOrigin(next);
  changes.mediaCountChanged = previous.media.size() != next.media.size();
  std::vector<RemoteMedia> before = describeRemoteMedia(previous);
  std::vector<RemoteMedia> after = describeRemoteMedia(next);
  for (std::size_t i = 0; i < std::min(before.size(), after.size()); ++i) {
    const RemoteMedia& b = before[i];
    const RemoteMedia& a = after[i];
    MediaChange c;
    c.index = i;
    c.directionBefore = b.direction;
    c.directionAfter = a.direction;
    // A disabled stream is neither held nor resumed; its coming or going is rejectedChanged.
    c.heldBefore = b.onHold && !b.rejected;
    c.heldAfter = a.onHold && !a.rejected;
    c.hold = (b.rejected || a.rejected) ? HoldChange::None : holdChange(c.heldBefore, c.heldAfter);
    c.codecsChanged = b.codecs != a.codecs;
    // With the hold address the port is often kept; the peer's real address is unknown then.
    c.addressChanged = !b.holdAddress && !a.holdAddress && !b.rejected && !a.rejected &&
                       (b.connectionAddress != a.connectionAddress || b.port != a.port);
    c.rejectedChanged = b.rejected != a.rejected;
    changes.media.push_back(c);
  }
  return changes;
}

}  // namespace sbc::sdp
