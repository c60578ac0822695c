#pragma once
// The SDP model (RFC 8866). A session description is the session-level part (v= o= s= and the
// lines after them) followed by media sections, each opened by an m= line.
//
// What is typed and what is kept as text:
//  - o= and m= are typed (Origin, the m= fields), since the SBC rewrites them on every call;
//  - i= u= e= p= c= b= t= r= z= k= are kept as Lines, in the order received, so that a body
//    the SBC does not change renders back byte for byte; c= is read and written through
//    connection()/setConnection();
//  - a= lines are Attributes (name, optional value), in order, so unknown ones round-trip.
// Typed views of attributes (rtpmap, rtcp, crypto, direction, ...) are in sdp_attributes.h and
// sdp_media.h; the model itself stays a plain container.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/sdp/sdp_connection.h"

namespace sbc::sdp {

// One non-attribute line below a section's header: type letter and value as received.
struct Line {
  char type = 0;  // 'i', 'u', 'e', 'p', 'c', 'b', 't', 'r', 'z', 'k'
  std::string value;
  bool operator==(const Line&) const = default;
};

// a=<name> (a property) or a=<name>:<value>. The value is kept exactly as written, trailing
// blanks included, since some peers compare what they get back with what they sent.
struct Attribute {
  std::string name;
  std::optional<std::string> value;

  std::string toString() const;  // the text after "a="
  bool operator==(const Attribute&) const = default;
};

// What session level and media level share: the lines after the header, then attributes.
// Attribute names are matched without regard to case.
class Section {
 public:
  std::vector<Line> lines;
  std::vector<Attribute> attributes;

  // Lines.
  const Line* findLine(char type) const;
  std::vector<const Line*> findLines(char type) const;
  std::size_t removeLines(char type);

  // c= of this section; nullopt when absent (or, after a careless edit of `lines`, invalid).
  std::optional<Connection> connection() const;
  // Replaces the c= line, or adds one where RFC 8866 puts it: before b= t= r= z= k=.
  void setConnection(const Connection& c);
  void removeConnection() { removeLines('c'); }

  // Attributes.
  const Attribute* attribute(std::string_view name) const;
  std::vector<const Attribute*> attributesNamed(std::string_view name) const;
  bool hasAttribute(std::string_view name) const { return attribute(name) != nullptr; }
  // The value of the first attribute of that name; nullopt when absent or a property.
  std::optional<std::string_view> attributeValue(std::string_view name) const;
  void addAttribute(std::string name, std::optional<std::string> value = std::nullopt);
  // Replaces the first of that name (dropping the others) or appends.
  void setAttribute(std::string_view name, std::optional<std::string> value = std::nullopt);
  std::size_t removeAttributes(std::string_view name);
  template <typename Predicate>
  std::size_t removeAttributesIf(Predicate predicate) {
    return std::erase_if(attributes, predicate);
  }

  bool operator==(const Section&) const = default;
};

// m=<media> <port>[/<count>] <proto> <fmt> ... and what follows it.
struct MediaDescription : Section {
  std::string media;                    // "audio", "video", "image", "application", ...
  std::uint16_t port = 0;               // 0: the stream is rejected or disabled
  std::optional<std::uint16_t> portCount;
  std::string proto;                    // "RTP/AVP", "UDP/TLS/RTP/SAVPF", "udptl", ...
  std::vector<std::string> formats;     // payload type numbers for RTP protocols

  // True for every profile carried over RTP ("RTP/AVP", "RTP/SAVPF", "UDP/TLS/RTP/SAVPF" ...):
  // their formats are payload type numbers.
  bool isRtp() const;
  // SRTP profiles (SAVP, SAVPF).
  bool isSecureRtp() const;
  bool isRejected() const { return port == 0; }
  // Formats as payload types (0..127), in m= order; empty for a non-RTP protocol.
  std::vector<std::uint8_t> payloadTypes() const;
  bool hasFormat(std::string_view format) const;
  // Removes the format from the m= line and every attribute bound to it (rtpmap, fmtp,
  // rtcp-fb).
  void removeFormat(std::string_view format);

  std::string mediaLine() const;  // the value after "m="

  bool operator==(const MediaDescription&) const = default;
};

struct SessionDescription : Section {
  Origin origin;
  std::string sessionName = "-";  // s=; RFC 8866 wants "-" rather than empty, but empty is kept
  std::vector<MediaDescription> media;

  bool operator==(const SessionDescription&) const = default;
};

}  // namespace sbc::sdp
