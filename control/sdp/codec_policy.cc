#include "control/sdp/codec_policy.h"

#include <algorithm>

#include "control/sdp/sdp_text.h"

namespace sbc::sdp {

namespace {

bool matchesAny(const std::vector<CodecSpec>& specs, const Codec& codec) {
  return std::any_of(specs.begin(), specs.end(),
                     [&codec](const CodecSpec& s) { return s.matches(codec); });
}

bool passesLists(const CodecPolicy& policy, const Codec& codec) {
  if (!policy.allow.empty() && !matchesAny(policy.allow, codec)) return false;
  return !matchesAny(policy.strip, codec);
}

// Index of the first `order` entry the codec matches; codecs matching none sort last.
std::size_t preferenceRank(const CodecPolicy& policy, const Codec& codec) {
  for (std::size_t i = 0; i < policy.order.size(); ++i)
    if (policy.order[i].matches(codec)) return i;
  return policy.order.size();
}

// The codecs of one audio section that the policy keeps, in the new order.
std::vector<Codec> keptCodecs(const std::vector<Codec>& offered, const CodecPolicy& policy) {
  std::vector<Codec> kept;
  for (const Codec& c : offered)
    if (!c.isTelephoneEvent() && passesLists(policy, c)) kept.push_back(c);
  // telephone-event rides on a kept media codec of the same clock rate (RFC 4733 section 2.1).
  for (const Codec& te : offered) {
    if (!te.isTelephoneEvent()) continue;
    bool rateKept = std::any_of(kept.begin(), kept.end(), [&te](const Codec& c) {
      return c.isMediaCodec() && c.clockRate == te.clockRate;
    });
    if (rateKept) kept.push_back(te);
  }
  // Put them back in offered order before ranking, so ties keep the peer's preference.
  std::vector<Codec> inOfferOrder;
  for (const Codec& c : offered)
    if (std::find(kept.begin(), kept.end(), c) != kept.end()) inOfferOrder.push_back(c);
  std::stable_sort(inOfferOrder.begin(), inOfferOrder.end(),
                   [&policy](const Codec& a, const Codec& b) {
                     return preferenceRank(policy, a) < preferenceRank(policy, b);
                   });
  return inOfferOrder;
}

bool hasMediaCodec(const std::vector<Codec>& codecs) {
  return std::any_of(codecs.begin(), codecs.end(), [](const Codec& c) { return c.isMediaCodec(); });
}

std::string describeAllowed(const CodecPolicy& policy) {
  std::vector<std::string> names;
  for (const CodecSpec& s : policy.allow) names.push_back(s.toString());
  std::string text = names.empty() ? std::string() : "allowed " + text::join(names, ",");
  names.clear();
  for (const CodecSpec& s : policy.strip) names.push_back(s.toString());
  if (!names.empty()) text += (text.empty() ? "" : "; ") + std::string("stripped ") + text::join(names, ",");
  return text;
}

// Rewrites the m= format list to `kept` and drops the attributes of what went.
void applyToSection(MediaDescription& m, const std::vector<Codec>& offered,
                    const std::vector<Codec>& kept, std::vector<std::uint8_t>& removed) {
  for (const Codec& c : offered) {
    if (std::find(kept.begin(), kept.end(), c) != kept.end()) continue;
    m.removeFormat(std::to_string(c.payloadType));
    removed.push_back(c.payloadType);
  }
  m.formats.clear();
  for (const Codec& c : kept) m.formats.push_back(std::to_string(c.payloadType));
}

}  // namespace

std::optional<CodecSpec> CodecSpec::parse(std::string_view spec) {
  auto [encoding, rest] = text::splitOnce(text::trim(spec), '/');
  if (!text::isToken(encoding)) return std::nullopt;
  CodecSpec s;
  s.encoding = encoding;
  if (rest) {
    // "opus/48000/2": channels are not part of the match.
    auto [rate, channels] = text::splitOnce(*rest, '/');
    auto clock = text::parseUnsigned(rate, UINT32_MAX);
    if (!clock || *clock == 0) return std::nullopt;
    if (channels && !text::isDigits(*channels)) return std::nullopt;
    s.clockRate = static_cast<std::uint32_t>(*clock);
  }
  return s;
}

bool CodecSpec::matches(const Codec& codec) const {
  return codec.known() && text::equalsIgnoreCase(encoding, codec.encoding) &&
         (!clockRate || *clockRate == codec.clockRate);
}

std::string CodecSpec::toString() const {
  return clockRate ? encoding + "/" + std::to_string(*clockRate) : encoding;
}

std::string CodecPolicyOutcome::warning(std::string_view agent) const {
  std::string text = "no common codec: offered " +
                     (offered.empty() ? std::string("none") : text::join(offered, ","));
  if (!allowedText.empty()) text += "; " + allowedText;
  // A quoted-string (RFC 3261 section 25.1): backslash and quote are escaped.
  std::string quoted;
  for (char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return "399 " + std::string(agent) + " \"" + quoted + "\"";
}

CodecPolicyOutcome applyCodecPolicy(SessionDescription& offer, const CodecPolicy& policy) {
  CodecPolicyOutcome outcome;
  outcome.allowedText = describeAllowed(policy);

  struct Plan {
    std::size_t index;
    std::vector<Codec> offered;
    std::vector<Codec> kept;
  };
  std::vector<Plan> plans;
  bool anyAudio = false;
  bool anyKept = false;
  for (std::size_t i = 0; i < offer.media.size(); ++i) {
    const MediaDescription& m = offer.media[i];
    if (!text::equalsIgnoreCase(m.media, "audio") || !m.isRtp() || m.isRejected()) continue;
    Plan plan{i, codecsOf(m), {}};
    plan.kept = keptCodecs(plan.offered, policy);
    for (const Codec& c : plan.offered) {
      std::string name = c.known() ? c.encoding : c.name();
      if (c.isMediaCodec() &&
          std::find(outcome.offered.begin(), outcome.offered.end(), name) == outcome.offered.end())
        outcome.offered.push_back(name);
    }
    anyAudio = true;
    anyKept |= hasMediaCodec(plan.kept);
    plans.push_back(std::move(plan));
  }
  if (anyAudio && !anyKept) {
    outcome.noCommonCodec = true;
    return outcome;
  }

  for (const Plan& plan : plans) {
    MediaDescription& m = offer.media[plan.index];
    if (!hasMediaCodec(plan.kept)) {
      // The offer keeps its formats on a disabled stream: RFC 8866 wants at least one.
      m.port = 0;
      outcome.disabledStreams.push_back(plan.index);
      continue;
    }
    applyToSection(m, plan.offered, plan.kept, outcome.removed);
    if (policy.ptime) m.setAttribute("ptime", std::to_string(*policy.ptime));
  }
  return outcome;
}

}  // namespace sbc::sdp
