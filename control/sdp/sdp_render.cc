#include "control/sdp/sdp_render.h"

namespace sbc::sdp {

namespace {

void appendLine(std::string& out, char type, std::string_view value) {
  out += type;
  out += '=';
  out += value;
  out += "\r\n";
}

void appendSection(std::string& out, const Section& section) {
  for (const Line& l : section.lines) appendLine(out, l.type, l.value);
  for (const Attribute& a : section.attributes) {
    out += "a=";
    out += a.name;
    if (a.value) {
      out += ':';
      out += *a.value;
    }
    out += "\r\n";
  }
}

}  // namespace

std::string render(const SessionDescription& sdp) {
  std::string out;
  out.reserve(1024);
  appendLine(out, 'v', "0");
  appendLine(out, 'o', sdp.origin.toString());
  appendLine(out, 's', sdp.sessionName);
  appendSection(out, sdp);
  for (const MediaDescription& m : sdp.media) {
    appendLine(out, 'm', m.mediaLine());
    appendSection(out, m);
  }
  return out;
}

}  // namespace sbc::sdp
