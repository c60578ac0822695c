#include "control/sip/via_received.h"

#include <string>
#include <vector>

#include "control/sip/sip_headers.h"

namespace sbc::sip {

namespace {

std::string withoutBrackets(const std::string& host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    return host.substr(1, host.size() - 2);
  return host;
}

// The first Via field's values, rejoined with the new top one. A field may hold a
// comma-separated list ("Via: a, b"), and only its first element is ours to change.
std::string replaceTop(const HeaderField& field, const std::string& newTop) {
  Message scratch;
  scratch.add(HeaderId::Via, field.value);
  std::vector<std::string> values = scratch.values(HeaderId::Via);
  std::string joined = newTop;
  for (std::size_t i = 1; i < values.size(); ++i) joined.append(", ").append(values[i]);
  return joined;
}

}  // namespace

void stampReceived(Message& request, const dataplane::SocketAddress& source) {
  HeaderField* field = request.find(HeaderId::Via);
  if (!field) return;
  Message scratch;
  scratch.add(HeaderId::Via, field->value);
  const std::vector<std::string> values = scratch.values(HeaderId::Via);
  if (values.empty()) return;
  std::optional<Via> via = parseVia(values.front());
  if (!via) return;

  const std::string sourceIp = source.ip.toString();
  bool changed = false;
  const std::optional<std::string_view> rport = findParam(via->params, "rport");
  const bool fillRport = rport && rport->empty();
  if (fillRport) {
    setParam(via->params, "rport", std::to_string(source.port));
    changed = true;
  }
  const std::optional<dataplane::IpAddress> sentByIp =
      dataplane::IpAddress::parse(withoutBrackets(via->host));
  if (fillRport || !sentByIp || !(*sentByIp == source.ip)) {
    setParam(via->params, "received", sourceIp);
    changed = true;
  }
  if (changed) field->value = replaceTop(*field, via->str());
}

}  // namespace sbc::sip
