#include "control/sdp/sdp_codecs.h"

#include <algorithm>
#include <array>

#include "control/sdp/sdp_text.h"

namespace sbc::sdp {

namespace {

struct StaticEntry {
  std::uint8_t payloadType;
  std::string_view encoding;
  std::uint32_t clockRate;
  std::string_view channels;
};

// RFC 3551 tables 4 and 5.
constexpr std::array<StaticEntry, 24> kStaticPayloadTypes = {{
    {0, "PCMU", 8000, ""},   {3, "GSM", 8000, ""},      {4, "G723", 8000, ""},
    {5, "DVI4", 8000, ""},   {6, "DVI4", 16000, ""},    {7, "LPC", 8000, ""},
    {8, "PCMA", 8000, ""},   {9, "G722", 8000, ""},     {10, "L16", 44100, "2"},
    {11, "L16", 44100, ""},  {12, "QCELP", 8000, ""},   {13, "CN", 8000, ""},
    {14, "MPA", 90000, ""},  {15, "G728", 8000, ""},    {16, "DVI4", 11025, ""},
    {17, "DVI4", 22050, ""}, {18, "G729", 8000, ""},    {25, "CelB", 90000, ""},
    {26, "JPEG", 90000, ""}, {28, "nv", 90000, ""},     {31, "H261", 90000, ""},
    {32, "MPV", 90000, ""},  {33, "MP2T", 90000, ""},   {34, "H263", 90000, ""},
}};

std::string_view channelsOrOne(const std::string& parameters) {
  return parameters.empty() ? std::string_view("1") : std::string_view(parameters);
}

}  // namespace

std::string Codec::name() const {
  if (!known()) return "PT " + std::to_string(payloadType);
  std::string s = encoding;
  if (clockRate) s += "/" + std::to_string(clockRate);
  if (!parameters.empty()) s += "/" + parameters;
  return s;
}

bool Codec::isTelephoneEvent() const { return text::equalsIgnoreCase(encoding, "telephone-event"); }
bool Codec::isComfortNoise() const { return text::equalsIgnoreCase(encoding, "CN"); }

bool Codec::isMediaCodec() const {
  static constexpr std::array<std::string_view, 6> kCompanions = {
      "telephone-event", "CN", "red", "ulpfec", "flexfec", "rtx"};
  for (std::string_view c : kCompanions)
    if (text::equalsIgnoreCase(encoding, c)) return false;
  return true;
}

bool Codec::sameCodecAs(const Codec& other) const {
  return known() && text::equalsIgnoreCase(encoding, other.encoding) &&
         clockRate == other.clockRate &&
         channelsOrOne(parameters) == channelsOrOne(other.parameters);
}

std::optional<RtpMap> staticPayloadType(std::uint8_t payloadType) {
  for (const StaticEntry& e : kStaticPayloadTypes) {
    if (e.payloadType == payloadType)
      return RtpMap{e.payloadType, std::string(e.encoding), e.clockRate, std::string(e.channels)};
  }
  return std::nullopt;
}

namespace {

// The rtpmap and fmtp of every payload type, read in one pass over the attributes so that a
// long format list costs linear time. The first line for a payload type wins.
struct PayloadTables {
  std::array<std::optional<RtpMap>, 128> rtpmap;
  std::array<std::optional<std::string>, 128> fmtp;

  explicit PayloadTables(const MediaDescription& media) {
    for (const Attribute& a : media.attributes) {
      if (!a.value) continue;
      if (text::attributeNameIs(a.name, "rtpmap")) {
        auto map = RtpMap::parse(*a.value);
        if (map && !rtpmap[map->payloadType]) rtpmap[map->payloadType] = std::move(map);
      } else if (text::attributeNameIs(a.name, "fmtp")) {
        auto parsed = Fmtp::parse(*a.value);
        if (parsed && !fmtp[parsed->payloadType]) fmtp[parsed->payloadType] = parsed->parameters;
      }
    }
  }

  Codec codec(std::uint8_t payloadType) const {
    Codec codec;
    codec.payloadType = payloadType;
    // An rtpmap wins over the static table: naming a static number explicitly is common, and
    // RFC 3264 lets a peer re-map one.
    std::optional<RtpMap> map = rtpmap[payloadType];
    if (!map) map = staticPayloadType(payloadType);
    if (map) {
      codec.encoding = map->encoding;
      codec.clockRate = map->clockRate;
      codec.parameters = map->parameters;
    }
    if (fmtp[payloadType]) codec.fmtp = *fmtp[payloadType];
    return codec;
  }
};

}  // namespace

std::optional<Codec> codecOf(const MediaDescription& media, std::uint8_t payloadType) {
  std::vector<std::uint8_t> types = media.payloadTypes();
  if (std::find(types.begin(), types.end(), payloadType) == types.end()) return std::nullopt;
  return PayloadTables(media).codec(payloadType);
}

std::vector<Codec> codecsOf(const MediaDescription& media) {
  std::vector<Codec> codecs;
  std::vector<std::uint8_t> types = media.payloadTypes();
  if (types.empty()) return codecs;
  PayloadTables tables(media);
  codecs.reserve(types.size());
  for (std::uint8_t pt : types) codecs.push_back(tables.codec(pt));
  return codecs;
}

}  // namespace sbc::sdp
