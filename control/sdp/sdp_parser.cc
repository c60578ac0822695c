#include "control/sdp/sdp_parser.h"

#include <array>

#include "control/sdp/sdp_text.h"

namespace sbc::sdp {

namespace {

struct RawLine {
  char type = 0;
  std::string_view value;
  unsigned number = 0;
};

// Where a line may appear. Lines of the session header (v o s) are handled by position.
bool allowedAtSessionLevel(char type) {
  return std::string_view("iuepcbtrzka").find(type) != std::string_view::npos;
}
bool allowedInMedia(char type) {
  return std::string_view("icbka").find(type) != std::string_view::npos;
}
bool isKnownType(char type) {
  return std::string_view("vosiuepcbtrzkam").find(type) != std::string_view::npos;
}
// Lines RFC 8866 allows at most once per section.
bool atMostOnce(char type) { return std::string_view("iuczk").find(type) != std::string_view::npos; }

class Parser {
 public:
  explicit Parser(std::string_view body) : body_(body) {}

  ParseResult run() {
    SessionDescription sdp;
    if (!header(sdp)) return failed();
    std::array<unsigned, 128> seen{};  // per-section counts of the at-most-once lines
    bool sawTiming = false;
    char previous = 's';
    MediaDescription* media = nullptr;
    RawLine line;
    while (next(line)) {
      if (line.type == 'm') {
        if (!sawTiming) return fail(line.number, "no t= line before the first m= line");
        if (sdp.media.size() == kMaxMediaSections)
          return fail(line.number, "more than " + std::to_string(kMaxMediaSections) +
                                       " media sections");
        sdp.media.emplace_back();
        media = &sdp.media.back();
        if (!mediaLine(line, *media)) return failed();
        seen.fill(0);
        previous = 'm';
        continue;
      }
      if (line.type == 'v' || line.type == 'o' || line.type == 's')
        return fail(line.number, std::string("'") + line.type +
                                     "=' may appear only once, at the start of the body");
      if (media ? !allowedInMedia(line.type) : !allowedAtSessionLevel(line.type))
        return fail(line.number, std::string("'") + line.type + "=' is not allowed " +
                                     (media ? "in a media section" : "at session level"));
      if (atMostOnce(line.type) && seen[static_cast<unsigned char>(line.type)]++)
        return fail(line.number, std::string("more than one '") + line.type + "=' line " +
                                     (media ? "in a media section" : "at session level"));
      if (line.type == 'r' && previous != 't' && previous != 'r')
        return fail(line.number, "r= must follow a t= or r= line");
      if (!checkValue(line)) return failed();
      if (line.type == 't') sawTiming = true;
      Section& section = media ? static_cast<Section&>(*media) : sdp;
      if (line.type == 'a') {
        if (!attribute(line, section)) return failed();
      } else {
        section.lines.push_back(Line{line.type, std::string(line.value)});
      }
      previous = line.type;
    }
    if (hasError()) return failed();
    if (!sawTiming) return fail(lastLine_ + 1, "missing t= line");
    ParseResult result;
    result.sdp = std::move(sdp);
    return result;
  }

 private:
  // v= o= s=, each on its own fixed line.
  bool header(SessionDescription& sdp) {
    RawLine line;
    if (!next(line)) return !hasError() && setError(1, "empty body: missing v= line");
    if (line.type != 'v') return setError(line.number, "first line must be v=0");
    if (line.value != "0")
      return setError(line.number, "unsupported SDP version '" + std::string(line.value) + "'");
    if (!next(line)) return !hasError() && setError(2, "missing o= line");
    if (line.type != 'o') return setError(line.number, "second line must be o=");
    std::string why;
    auto origin = Origin::parse(line.value, &why);
    if (!origin) return setError(line.number, why);
    sdp.origin = std::move(*origin);
    if (!next(line)) return !hasError() && setError(3, "missing s= line");
    if (line.type != 's') return setError(line.number, "third line must be s=");
    sdp.sessionName = line.value;
    return true;
  }

  // The next line, split into type and value. Returns false at the end of the body (blank
  // lines at the very end included) or on a malformed line, with error_ set in that case.
  bool next(RawLine& out) {
    while (pos_ < body_.size()) {
      std::size_t end = body_.find('\n', pos_);
      std::string_view text = body_.substr(pos_, end == std::string_view::npos ? end : end - pos_);
      pos_ = end == std::string_view::npos ? body_.size() : end + 1;
      ++lastLine_;
      if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
      if (text.empty()) {
        if (onlyBlankLeft()) return false;
        return setError(lastLine_, "empty line");
      }
      if (text.find('\r') != std::string_view::npos) return setError(lastLine_, "stray CR in line");
      if (text.find('\0') != std::string_view::npos) return setError(lastLine_, "NUL in line");
      if (text.size() < 2 || text[1] != '=' || text[0] < 'a' || text[0] > 'z')
        return setError(lastLine_, "line is not of the form <letter>=<value>");
      if (!isKnownType(text[0]))
        return setError(lastLine_, std::string("unknown line type '") + text[0] + "='");
      out = RawLine{text[0], text.substr(2), lastLine_};
      return true;
    }
    return false;
  }

  bool onlyBlankLeft() const {
    for (std::size_t i = pos_; i < body_.size(); ++i)
      if (body_[i] != '\r' && body_[i] != '\n') return false;
    return true;
  }

  bool checkValue(const RawLine& line) {
    std::string why;
    switch (line.type) {
      case 'c':
        if (!Connection::parse(line.value, &why)) return setError(line.number, "bad c= line: " + why);
        return true;
      case 't': {
        auto fields = text::splitFields(line.value);
        if (fields.size() != 2 || !text::isDigits(fields[0]) || !text::isDigits(fields[1]))
          return setError(line.number, "t= needs two decimal times");
        return true;
      }
      case 'r':
        if (text::splitFields(line.value).size() < 3)
          return setError(line.number, "r= needs an interval, a duration and an offset");
        return true;
      case 'b': {
        auto [type, value] = text::splitOnce(line.value, ':');
        if (!text::isToken(type) || !value || !text::isDigits(*value))
          return setError(line.number, "b= must be <bwtype>:<bandwidth>");
        return true;
      }
      default:
        return true;
    }
  }

  bool attribute(const RawLine& line, Section& section) {
    auto [name, value] = text::splitOnce(line.value, ':');
    if (name.empty()) return setError(line.number, "attribute without a name");
    section.attributes.push_back(Attribute{
        std::string(name), value ? std::optional<std::string>(std::string(*value)) : std::nullopt});
    return true;
  }

  bool mediaLine(const RawLine& line, MediaDescription& m) {
    auto fields = text::splitFields(line.value);
    if (fields.size() < 3)
      return setError(line.number, "m= needs <media> <port> <proto> <fmt> ...");
    if (!text::isToken(fields[0]))
      return setError(line.number, "bad media type '" + std::string(fields[0]) + "'");
    m.media = fields[0];
    auto [port, count] = text::splitOnce(fields[1], '/');
    auto portValue = text::parseUnsigned(port, 65535);
    if (!portValue) return setError(line.number, "bad m= port '" + std::string(fields[1]) + "'");
    m.port = static_cast<std::uint16_t>(*portValue);
    if (count) {
      auto countValue = text::parseUnsigned(*count, 65535);
      if (!countValue || *countValue == 0)
        return setError(line.number, "bad m= port count '" + std::string(fields[1]) + "'");
      m.portCount = static_cast<std::uint16_t>(*countValue);
    }
    std::string_view proto = fields[2];
    for (std::string_view rest = proto; !rest.empty();) {
      auto [part, tail] = text::splitOnce(rest, '/');
      if (!text::isToken(part) || (tail && tail->empty()))
        return setError(line.number, "bad m= protocol '" + std::string(proto) + "'");
      rest = tail.value_or(std::string_view{});
    }
    m.proto = proto;
    // RFC 8866 wants at least one format; a rejected stream (port 0) without one is still
    // understood, so it is kept rather than refused.
    if (fields.size() == 3 && m.port != 0)
      return setError(line.number, "m= line lists no formats");
    if (fields.size() - 3 > kMaxFormatsPerMedia)
      return setError(line.number, "m= line lists more than " +
                                       std::to_string(kMaxFormatsPerMedia) + " formats");
    bool rtp = m.isRtp();
    for (std::size_t i = 3; i < fields.size(); ++i) {
      if (rtp && !text::parseUnsigned(fields[i], 127))
        return setError(line.number,
                        "RTP payload type '" + std::string(fields[i]) + "' is not 0..127");
      m.formats.emplace_back(fields[i]);
    }
    return true;
  }

  bool hasError() const { return !error_.reason.empty(); }
  bool setError(unsigned line, std::string reason) {
    error_ = ParseError{std::move(reason), line};
    return false;
  }
  ParseResult fail(unsigned line, std::string reason) {
    setError(line, std::move(reason));
    return failed();
  }
  ParseResult failed() {
    ParseResult result;
    result.error = error_;
    return result;
  }

  std::string_view body_;
  std::size_t pos_ = 0;
  unsigned lastLine_ = 0;
  ParseError error_;
};

}  // namespace

ParseResult parse(std::string_view body) {
  Parser parser(body);
  return parser.run();
}

}  // namespace sbc::sdp
