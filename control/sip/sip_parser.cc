// parseDatagram: one pass over the message. Lines are found with memchr, header names and the
// start line are checked in place, and a header value is copied once (unfolded only when it
// was folded). The fields the stack relies on are checked as they are read (sip_field_rules),
// so a bad message costs no more than the octets up to its fault.

#include "control/sip/sip_parser.h"

#include <cstring>

#include "control/sip/sip_field_rules.h"
#include "control/sip/sip_grammar.h"
#include "control/sip/sip_header_scan.h"

namespace sbc::sip {
namespace {

using namespace grammar;
constexpr auto npos = std::string_view::npos;

// A folded value with every [WSP] CRLF WSP run turned into one SP (RFC 3261 7.3.1), trimmed.
std::string unfold(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') {
      while (!out.empty() && isWsp(out.back())) out.pop_back();
      out += ' ';
      i = skipWsp(raw, i + 2) - 1;
      continue;
    }
    out += raw[i];
  }
  return std::string(trimWsp(out));
}

class DatagramParser {
 public:
  explicit DatagramParser(std::string_view input) : in_(input) {}

  ParseResult run() {
    message_.headers.reserve(24);
    if (!skipLeadingCrlf() || !parseStartLine() || !parseHeaderFields() ||
        !checkMandatoryFields() || !takeBody())
      return ParseResult{std::nullopt, std::move(error_)};
    return ParseResult{std::move(message_), ParseError{}};
  }

 private:
  bool fail(std::string reason, std::size_t offset, unsigned line, std::string_view header = {}) {
    error_.reason = std::move(reason);
    error_.offset = offset;
    error_.line = line;
    error_.header = header;
    return false;
  }

  // The CR of the CRLF ending the line that starts at `from`, or npos when the input ends
  // first. A lone CR or LF inside the line is a fault (RFC 3261 7: lines end in CRLF).
  std::size_t lineEnd(std::size_t from, const char*& fault) const {
    const char* base = in_.data();
    const void* lf = std::memchr(base + from, '\n', in_.size() - from);
    const std::size_t lfAt = lf ? static_cast<std::size_t>(static_cast<const char*>(lf) - base)
                                : in_.size();
    const void* cr = std::memchr(base + from, '\r', lfAt - from);
    if (cr) {
      const std::size_t crAt = static_cast<std::size_t>(static_cast<const char*>(cr) - base);
      if (lf && crAt + 1 == lfAt) return crAt;
      fault = crAt + 1 == in_.size() ? "message ends inside a line" : "bare CR inside a line";
      return crAt;
    }
    if (lf) {
      fault = "line ends with a bare LF instead of CRLF";
      return lfAt;
    }
    return npos;
  }

  // RFC 3261 7.5 lets CRLFs precede the start line (and RFC 5626 keep-alives are just CRLFs).
  bool skipLeadingCrlf() {
    while (pos_ + 1 < in_.size() && in_[pos_] == '\r' && in_[pos_ + 1] == '\n') {
      pos_ += 2;
      ++line_;
    }
    if (pos_ == in_.size())
      return fail(in_.empty() ? "empty message" : "message holds only CRLFs (a keep-alive)", pos_,
                  line_);
    return true;
  }

  bool parseStartLine() {
    const std::size_t start = pos_;
    const char* fault = nullptr;
    const std::size_t cr = lineEnd(start, fault);
    if (fault) return fail(fault, cr, line_);
    if (cr == npos) return fail("start line is not terminated by CRLF", start, line_);
    const std::string_view line = in_.substr(start, cr - start);
    // A request line starts with a method, a token that cannot hold '/'; a status line starts
    // with the SIP version.
    const std::string_view first = line.substr(0, line.find(' '));
    const bool ok = first.find('/') != npos ? parseStatusLine(line, start)
                                            : parseRequestLine(line, start);
    pos_ = cr + 2;
    ++line_;
    return ok;
  }

  // SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT, case-insensitive; only 2.0 is spoken.
  bool checkVersion(std::string_view version, std::size_t offset) {
    const std::size_t dot = version.find('.');
    const bool wellFormed = version.size() >= 7 && equalsIgnoreCase(version.substr(0, 4), "SIP/") &&
                            dot != npos && allOf(version.substr(4, dot - 4), kDigit) &&
                            allOf(version.substr(dot + 1), kDigit);
    if (!wellFormed) return fail("malformed SIP version (expected SIP/2.0)", offset, line_);
    if (version.substr(4) != "2.0") {
      error_.responseCode = 505;
      return fail("unsupported SIP version " + std::string(version) + " (only SIP/2.0)", offset,
                  line_);
    }
    return true;
  }

  // Request-Line = Method SP Request-URI SP SIP-Version CRLF, exactly one SP each.
  bool parseRequestLine(std::string_view line, std::size_t at) {
    const std::size_t sp1 = line.find(' ');
    if (sp1 == npos) return fail("request line has no Request-URI and SIP version", at, line_);
    const std::string_view method = line.substr(0, sp1);
    if (!isToken(method)) return fail("method is not a token", at, line_);
    if (isWsp(line.back()))
      return fail("request line ends with whitespace after the SIP version", at + line.size() - 1,
                  line_);
    const std::size_t sp2 = line.rfind(' ');
    if (sp2 == sp1) return fail("request line has no SIP version", at + sp1, line_);
    if (!checkVersion(line.substr(sp2 + 1), at + sp2 + 1)) return false;
    const std::string_view uri = line.substr(sp1 + 1, sp2 - sp1 - 1);
    if (uri.empty() || isWsp(uri.front()) || isWsp(uri.back()))
      return fail("request line separates its elements with more than one SP", at + sp1, line_);
    if (uri.find_first_of(" \t") != npos)
      return fail("Request-URI holds whitespace", at + sp1 + 1, line_);
    scan::UriView view;
    if (const scan::Fault fault = scan::scanUri(uri, view); !fault.empty())
      return fail("invalid Request-URI: " + std::string(fault), at + sp1 + 1, line_);
    if (view.kind == scan::UriKind::Sip && !view.headers.empty())
      return fail("Request-URI must not carry headers ('?', RFC 3261 19.1.5)", at + sp1 + 1, line_);
    message_.method = method;
    message_.requestUri = uri;
    message_.version = "SIP/2.0";
    return true;
  }

  // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF
  bool parseStatusLine(std::string_view line, std::size_t at) {
    const std::size_t sp = line.find(' ');
    if (!checkVersion(line.substr(0, sp), at)) return false;
    if (sp == npos) return fail("status line has no status code", at + line.size(), line_);
    const std::size_t codeEnd = skipClass(line, sp + 1, kDigit);
    const std::string_view code = line.substr(sp + 1, codeEnd - sp - 1);
    if (code.empty()) return fail("status line has no status code", at + sp + 1, line_);
    if (code.size() != 3 || (codeEnd < line.size() && line[codeEnd] != ' '))
      return fail("status code must be exactly three digits", at + sp + 1, line_);
    const int status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
    if (status < 100 || status > 699)
      return fail("status code " + std::string(code) + " is outside 100..699", at + sp + 1, line_);
    // Reason-Phrase: any text, UTF-8 included (RFC 4475 3.1.1.12), but no control bytes. A
    // missing SP before an empty phrase is let through.
    const std::string_view reason = codeEnd < line.size() ? line.substr(codeEnd + 1) : "";
    for (std::size_t i = 0; i < reason.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(reason[i]);
      if ((c < 0x20 && c != '\t') || c == 0x7f)
        return fail("reason phrase holds a control byte", at + codeEnd + 1 + i, line_);
    }
    message_.statusCode = status;
    message_.reasonPhrase = reason;
    message_.version = "SIP/2.0";
    return true;
  }

  bool parseHeaderFields() {
    while (true) {
      if (pos_ + 1 < in_.size() && in_[pos_] == '\r' && in_[pos_ + 1] == '\n') {
        pos_ += 2;
        ++line_;
        return true;
      }
      if (pos_ >= in_.size())
        return fail("header section is not terminated by an empty line", pos_, line_);
      if (!parseHeaderField()) return false;
    }
  }

  // One field: name, HCOLON, and the value over every folded line.
  bool parseHeaderField() {
    const std::size_t start = pos_;
    const unsigned fieldLine = line_;
    if (isWsp(in_[start]))
      return fail("line starts with whitespace but continues no header field", start, line_);
    const std::size_t nameEnd = skipClass(in_, start, kTokenChar);
    const std::string_view name = in_.substr(start, nameEnd - start);
    const std::size_t colon = skipWsp(in_, nameEnd);  // HCOLON = *( SP / HT ) ":" SWS
    if (name.empty()) {
      return fail(in_[start] == ':' ? "header field has an empty name"
                                    : "header field name is not a token",
                  start, line_);
    }
    if (colon >= in_.size() || in_[colon] != ':') {
      const bool lineEnds = colon >= in_.size() || in_[colon] == '\r' || in_[colon] == '\n';
      return fail(lineEnds ? "header line has no colon" : "header field name is not a token",
                  colon, line_, name);
    }
    const std::size_t valueStart = colon + 1;
    std::size_t cursor = valueStart;
    std::size_t valueEnd = 0;
    bool folded = false;
    while (true) {
      const char* fault = nullptr;
      const std::size_t cr = lineEnd(cursor, fault);
      if (fault) return fail(fault, cr, line_, name);
      if (cr == npos)
        return fail("header section is not terminated by an empty line", in_.size(), line_, name);
      ++line_;
      cursor = cr + 2;
      if (cursor < in_.size() && isWsp(in_[cursor])) {
        folded = true;
        continue;
      }
      valueEnd = cr;
      break;
    }
    pos_ = cursor;
    const std::string_view raw = in_.substr(valueStart, valueEnd - valueStart);
    HeaderField field;
    field.id = headerIdFromName(name);
    field.name = name;
    field.value = folded ? unfold(raw) : std::string(trimWsp(raw));
    const std::size_t valueOffset = skipWsp(in_, valueStart);
    if (!checkField(field, valueOffset, fieldLine)) return false;
    message_.headers.push_back(std::move(field));
    return true;
  }

  bool checkField(const HeaderField& field, std::size_t offset, unsigned line) {
    if (!isCheckedField(field.id)) return true;
    std::string why = checkFieldValue(field.id, field.value);
    if (!why.empty()) return fail(std::move(why), offset, line, field.name);
    switch (field.id) {
      case HeaderId::Via:
        sawVia_ = true;
        break;
      case HeaderId::CSeq: {
        sawCSeq_ = true;
        scan::CSeqView cseq;
        scan::scanCSeq(field.value, cseq);
        // RFC 3261 8.1.1.5: the CSeq method matches the request's (RFC 4475 3.1.2.17/18).
        if (message_.isRequest() && cseq.method != message_.method) {
          return fail("CSeq method " + std::string(cseq.method) +
                          " does not match the request method " + message_.method,
                      offset, line, field.name);
        }
        break;
      }
      case HeaderId::ContentLength: {
        std::uint64_t length = 0;
        parseDecimal(field.value, length);
        if (length_ == Length::Absent) {
          length_ = Length::Known;
          contentLength_ = length;
          lengthOffset_ = offset;
          lengthLine_ = line;
          lengthName_ = field.name;
        } else if (length != contentLength_) {
          // RFC 4475 3.3.9 (mcl01): on a datagram this is as if there were no value; the
          // element above answers 400 (headerSetFault). A stream cannot be framed at all.
          length_ = Length::Conflicting;
        }
        break;
      }
      default:
        break;
    }
    return true;
  }

  // Via and CSeq are what even an error response needs (RFC 3261 8.2.6, 17.2); without them a
  // message can be neither answered nor matched. Missing To, From, Call-ID or Max-Forwards is
  // for the application to answer (RFC 4475 3.3.1).
  bool checkMandatoryFields() {
    if (!sawVia_) return fail("Via header field is missing", pos_, line_);
    if (!sawCSeq_) return fail("CSeq header field is missing", pos_, line_);
    return true;
  }

  // RFC 3261 18.3: the body is Content-Length octets; on a datagram, octets beyond it are
  // dropped, fewer is an error, and without Content-Length the body runs to the end.
  bool takeBody() {
    const std::size_t available = in_.size() - pos_;
    if (length_ == Length::Known) {
      if (contentLength_ > available) {
        return fail("Content-Length " + std::to_string(contentLength_) + " is larger than the " +
                        std::to_string(available) + " octets of body",
                    lengthOffset_, lengthLine_, lengthName_);
      }
      message_.body = in_.substr(pos_, static_cast<std::size_t>(contentLength_));
    } else {
      message_.body = in_.substr(pos_);
    }
    return true;
  }

  enum class Length : std::uint8_t { Absent, Known, Conflicting };

  std::string_view in_;
  std::size_t pos_ = 0;
  unsigned line_ = 1;
  Message message_;
  ParseError error_;
  bool sawVia_ = false;
  bool sawCSeq_ = false;
  Length length_ = Length::Absent;
  std::uint64_t contentLength_ = 0;
  std::size_t lengthOffset_ = 0;
  unsigned lengthLine_ = 0;
  std::string lengthName_;
};

}  // namespace

ParseResult parseDatagram(std::string_view datagram) { return DatagramParser(datagram).run(); }

}  // namespace sbc::sip
