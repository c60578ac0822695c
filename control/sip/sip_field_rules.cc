#include "control/sip/sip_field_rules.h"

#include <cstdint>

#include "control/sip/sip_grammar.h"
#include "control/sip/sip_header_scan.h"

namespace sbc::sip {
namespace {

using namespace grammar;

// Each element of a comma list through `check`; an empty element (",,", a trailing comma) is a
// fault of its own.
template <typename Check>
std::string checkList(std::string_view value, std::string_view what, Check&& check) {
  std::string why;
  forEachListElement(value, [&](std::string_view element) {
    if (element.empty()) {
      why = std::string("empty ") + std::string(what) + " value (stray comma)";
      return false;
    }
    const scan::Fault fault = check(element);
    if (!fault.empty()) why = fault;
    return fault.empty();
  });
  return why;
}

scan::Fault checkNameAddr(std::string_view element) {
  scan::NameAddrView view;
  return scan::scanNameAddr(element, view);
}

// Route and Record-Route entries are name-addr only: the URI must be in <> (RFC 3261 25.1).
scan::Fault checkRouteEntry(std::string_view element) {
  scan::NameAddrView view;
  const scan::Fault fault = scan::scanNameAddr(element, view);
  if (!fault.empty()) return fault;
  if (!view.angleBrackets) return "route entry must be a name-addr with the URI in <>";
  return {};
}

// callid = word [ "@" word ]
scan::Fault checkCallId(std::string_view value) {
  if (value.empty()) return "Call-ID is empty";
  const std::size_t at = value.find('@');
  const bool ok = isWord(value.substr(0, at)) &&
                  (at == std::string_view::npos || isWord(value.substr(at + 1)));
  if (!ok) return "Call-ID is not word[@word] (blank or forbidden character)";
  return {};
}

scan::Fault checkNumber(std::string_view value, std::uint64_t max, scan::Fault fault) {
  std::uint64_t number = 0;
  if (!parseDecimal(value, number) || number > max) return fault;
  return {};
}

}  // namespace

bool isCheckedField(HeaderId id) {
  switch (id) {
    case HeaderId::Via:
    case HeaderId::From:
    case HeaderId::To:
    case HeaderId::CallId:
    case HeaderId::CSeq:
    case HeaderId::MaxForwards:
    case HeaderId::ContentLength:
    case HeaderId::Contact:
    case HeaderId::Route:
    case HeaderId::RecordRoute:
    case HeaderId::Expires:
      return true;
    default:
      return false;
  }
}

std::string checkFieldValue(HeaderId id, std::string_view value) {
  switch (id) {
    case HeaderId::Via:
      return checkList(value, "Via", [](std::string_view element) {
        scan::ViaView view;
        return scan::scanVia(element, view);
      });
    case HeaderId::From:
    case HeaderId::To:
      return std::string(checkNameAddr(value));
    case HeaderId::Contact:
      if (value == "*") return {};  // REGISTER with Expires: 0 (RFC 3261 10.2.2)
      return checkList(value, "Contact", [](std::string_view element) -> scan::Fault {
        if (element == "*") return "Contact * must stand alone";
        return checkNameAddr(element);
      });
    case HeaderId::Route:
    case HeaderId::RecordRoute:
      return checkList(value, "route", checkRouteEntry);
    case HeaderId::CallId:
      return std::string(checkCallId(value));
    case HeaderId::CSeq: {
      scan::CSeqView view;
      return std::string(scan::scanCSeq(value, view));
    }
    case HeaderId::MaxForwards:
      // 1*DIGIT in the ABNF; RFC 3261 20.22 bounds it to 0..255 (RFC 4475 3.1.2.4).
      return std::string(checkNumber(value, 255, "Max-Forwards must be a number 0..255"));
    case HeaderId::ContentLength:
      return std::string(checkNumber(value, UINT64_MAX, "Content-Length is not a decimal number"));
    case HeaderId::Expires:
      // delta-seconds, 0..2^32-1 (RFC 3261 20.19).
      return std::string(
          checkNumber(value, 0xffffffffu, "Expires must be a number of seconds below 2^32"));
    default:
      return {};
  }
}

namespace {

std::string findHeaderSetFault(const Message& message, bool maxForwardsRequired) {
  struct Rule {
    HeaderId id;
    bool requiredInRequests;
    bool requiredInResponses;
  };
  const Rule rules[] = {
      {HeaderId::To, true, true},          {HeaderId::From, true, true},
      {HeaderId::CallId, true, true},      {HeaderId::CSeq, true, true},
      {HeaderId::MaxForwards, maxForwardsRequired, false},
  };
  const bool request = message.isRequest();
  for (const Rule& rule : rules) {
    const std::size_t count = message.findAll(rule.id).size();
    const bool required = request ? rule.requiredInRequests : rule.requiredInResponses;
    if (count == 0 && required) return "missing " + std::string(headerName(rule.id)) + " header";
    if (count > 1) return "more than one " + std::string(headerName(rule.id)) + " header";
  }
  if (!message.find(HeaderId::Via)) return "missing Via header";
  std::string_view length;
  for (const HeaderField* field : message.findAll(HeaderId::ContentLength)) {
    if (!length.empty() && field->value != length) return "Content-Length values disagree";
    length = field->value;
  }
  return {};
}

}  // namespace

std::string headerSetFault(const Message& message) {
  return findHeaderSetFault(message, /*maxForwardsRequired=*/true);
}

std::string headerSetFaultToRefuse(const Message& request) {
  return findHeaderSetFault(request, /*maxForwardsRequired=*/false);
}

}  // namespace sbc::sip
