#pragma once
// Shared by the SDP tests: the RFC examples (written with LF, sent with CRLF), the location of
// the shared testdata, and a parse helper that fails the test with the parser's reason.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "control/sdp/sdp_parser.h"

namespace sbc::sdp::testing {

// LF line ends to CRLF, as SDP is sent.
inline std::string crlf(std::string_view lf) {
  std::string out;
  for (char c : lf) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

inline SessionDescription parseOrFail(std::string_view body) {
  ParseResult r = parse(body);
  EXPECT_TRUE(r.ok()) << "line " << r.error.line << ": " << r.error.reason;
  return r.ok() ? *r.sdp : SessionDescription{};
}

// ../shared/testdata beside the source tree, or $SBC_TESTDATA.
inline std::optional<std::filesystem::path> testdataDir() {
  if (const char* env = std::getenv("SBC_TESTDATA"); env && *env) {
    if (std::filesystem::is_directory(env)) return std::filesystem::path(env);
    return std::nullopt;
  }
  std::filesystem::path beside = std::filesystem::path(SBC_SOURCE_DIR) / ".." / "shared" / "testdata";
  if (std::filesystem::is_directory(beside)) return beside;
  return std::nullopt;
}

inline std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The body of a SIP message: everything after the first empty line. Content-Length is not
// trusted, since the RFC 5118 copies keep the RFC's printed length with CRLF line ends.
inline std::string sipBody(std::string_view message) {
  std::size_t at = message.find("\r\n\r\n");
  if (at == std::string_view::npos) return {};
  return std::string(message.substr(at + 4));
}

// RFC 8866 section 5 example.
inline const std::string kRfc8866Example = crlf(R"(v=0
o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1
s=Call to John Smith
i=SDP Offer #1
u=http://www.jdoe.example.com/home.html
e=Jane Doe <jane@jdoe.example.com>
p=+1 617 555-6011
c=IN IP4 198.51.100.1
t=0 0
m=audio 49170 RTP/AVP 0
m=audio 49180 RTP/AVP 0
m=video 51372 RTP/AVP 99
c=IN IP6 2001:db8::2
a=rtpmap:99 h263-1998/90000
)");

// RFC 4566 section 5 example: multicast c= with a TTL, session-level recvonly.
inline const std::string kRfc4566Example = crlf(R"(v=0
o=jdoe 2890844526 2890842807 IN IP4 10.47.16.5
s=SDP Seminar
i=A Seminar on the session description protocol
u=http://www.example.com/seminars/sdp.pdf
e=j.doe@example.com (Jane Doe)
c=IN IP4 224.2.17.12/127
t=2873397496 2873404696
a=recvonly
m=audio 49170 RTP/AVP 0
m=video 51372 RTP/AVP 99
a=rtpmap:99 h263-1998/90000
)");

// RFC 3264 section 10.1: Alice's offer and Bob's answer.
inline const std::string kRfc3264Offer = crlf(R"(v=0
o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com
s=
c=IN IP4 host.atlanta.example.com
t=0 0
m=audio 49170 RTP/AVP 0 8 97
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:97 iLBC/8000
m=video 51372 RTP/AVP 31 32
a=rtpmap:31 H261/90000
a=rtpmap:32 MPV/90000
)");

inline const std::string kRfc3264Answer = crlf(R"(v=0
o=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com
s=
c=IN IP4 host.biloxi.example.com
t=0 0
m=audio 49174 RTP/AVP 0
a=rtpmap:0 PCMU/8000
m=video 49170 RTP/AVP 32
a=rtpmap:32 MPV/90000
)");

// RFC 3264 section 10.1, second exchange: Bob disables video and moves audio.
inline const std::string kRfc3264Reoffer = crlf(R"(v=0
o=bob 2808844564 2808844565 IN IP4 host.biloxi.example.com
s=
c=IN IP4 host.biloxi.example.com
t=0 0
m=audio 65422 RTP/AVP 0
a=rtpmap:0 PCMU/8000
m=video 0 RTP/AVP 32
a=rtpmap:32 MPV/90000
)");

// A carrier's G.711 offer with DTMF, as an SBC sees hundreds a second.
inline const std::string kCarrierOffer = crlf(R"(v=0
o=carrier 1234 5678 IN IP4 198.51.100.10
s=call
c=IN IP4 198.51.100.10
t=0 0
m=audio 30000 RTP/AVP 18 0 8 101
a=rtpmap:18 G729/8000
a=fmtp:18 annexb=no
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-16
a=ptime:20
a=sendrecv
)");

}  // namespace sbc::sdp::testing
