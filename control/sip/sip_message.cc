#include "control/sip/sip_message.h"

#include <array>
#include <string>

#include "control/sip/sip_grammar.h"

namespace sbc::sip {
namespace {

struct NameEntry {
  HeaderId id;
  std::string_view name;
  char compact;  // 0: none
};

// Long names as RFC 3261 and the extension RFCs spell them; compact forms from RFC 3261 7.3.3,
// RFC 3515 (r), RFC 3892 (b), RFC 3265 (o, u), RFC 3841 (j is not used here).
constexpr std::array kNames{
    NameEntry{HeaderId::Via, "Via", 'v'},
    NameEntry{HeaderId::From, "From", 'f'},
    NameEntry{HeaderId::To, "To", 't'},
    NameEntry{HeaderId::CallId, "Call-ID", 'i'},
    NameEntry{HeaderId::CSeq, "CSeq", 0},
    NameEntry{HeaderId::Contact, "Contact", 'm'},
    NameEntry{HeaderId::MaxForwards, "Max-Forwards", 0},
    NameEntry{HeaderId::ContentLength, "Content-Length", 'l'},
    NameEntry{HeaderId::ContentType, "Content-Type", 'c'},
    NameEntry{HeaderId::ContentEncoding, "Content-Encoding", 'e'},
    NameEntry{HeaderId::Route, "Route", 0},
    NameEntry{HeaderId::RecordRoute, "Record-Route", 0},
    NameEntry{HeaderId::Require, "Require", 0},
    NameEntry{HeaderId::Supported, "Supported", 'k'},
    NameEntry{HeaderId::ProxyRequire, "Proxy-Require", 0},
    NameEntry{HeaderId::Unsupported, "Unsupported", 0},
    NameEntry{HeaderId::Allow, "Allow", 0},
    NameEntry{HeaderId::Expires, "Expires", 0},
    NameEntry{HeaderId::SessionExpires, "Session-Expires", 'x'},
    NameEntry{HeaderId::MinSE, "Min-SE", 0},
    NameEntry{HeaderId::RSeq, "RSeq", 0},
    NameEntry{HeaderId::RAck, "RAck", 0},
    NameEntry{HeaderId::PAssertedIdentity, "P-Asserted-Identity", 0},
    NameEntry{HeaderId::ReferTo, "Refer-To", 'r'},
    NameEntry{HeaderId::ReferredBy, "Referred-By", 'b'},
    NameEntry{HeaderId::Event, "Event", 'o'},
    NameEntry{HeaderId::SubscriptionState, "Subscription-State", 0},
    NameEntry{HeaderId::Authorization, "Authorization", 0},
    NameEntry{HeaderId::ProxyAuthorization, "Proxy-Authorization", 0},
    NameEntry{HeaderId::WwwAuthenticate, "WWW-Authenticate", 0},
    NameEntry{HeaderId::ProxyAuthenticate, "Proxy-Authenticate", 0},
    NameEntry{HeaderId::RetryAfter, "Retry-After", 0},
    NameEntry{HeaderId::Warning, "Warning", 0},
    NameEntry{HeaderId::UserAgent, "User-Agent", 0},
    NameEntry{HeaderId::Server, "Server", 0},
    NameEntry{HeaderId::Date, "Date", 0},
    NameEntry{HeaderId::Accept, "Accept", 0},
    NameEntry{HeaderId::AllowEvents, "Allow-Events", 'u'},
    NameEntry{HeaderId::Reason, "Reason", 0},
    NameEntry{HeaderId::Timestamp, "Timestamp", 0},
};

}  // namespace

std::string_view headerName(HeaderId id) {
  for (const NameEntry& entry : kNames)
    if (entry.id == id) return entry.name;
  return {};
}

HeaderId headerIdFromName(std::string_view name) {
  if (name.empty()) return HeaderId::Other;
  if (name.size() == 1) {
    const char c = grammar::toLower(name[0]);
    for (const NameEntry& entry : kNames)
      if (entry.compact == c) return entry.id;
    return HeaderId::Other;
  }
  const char first = grammar::toLower(name[0]);
  for (const NameEntry& entry : kNames) {
    if (entry.name.size() == name.size() && grammar::toLower(entry.name[0]) == first &&
        grammar::equalsIgnoreCase(entry.name, name))
      return entry.id;
  }
  return HeaderId::Other;
}

const HeaderField* Message::find(HeaderId id) const {
  for (const HeaderField& field : headers)
    if (field.id == id) return &field;
  return nullptr;
}

HeaderField* Message::find(HeaderId id) {
  for (HeaderField& field : headers)
    if (field.id == id) return &field;
  return nullptr;
}

std::string_view Message::value(HeaderId id) const {
  const HeaderField* field = find(id);
  return field ? std::string_view(field->value) : std::string_view();
}

std::vector<const HeaderField*> Message::findAll(HeaderId id) const {
  std::vector<const HeaderField*> found;
  for (const HeaderField& field : headers)
    if (field.id == id) found.push_back(&field);
  return found;
}

std::vector<std::string> Message::values(HeaderId id) const {
  std::vector<std::string> out;
  for (const HeaderField& field : headers)
    if (field.id == id)
      grammar::forEachListElement(field.value, [&out](std::string_view element) {
        if (!element.empty()) out.emplace_back(element);
        return true;
      });
  return out;
}

void Message::add(HeaderId id, std::string value) {
  headers.push_back({id, std::string(headerName(id)), std::move(value)});
}

void Message::add(std::string name, std::string value) {
  const HeaderId id = headerIdFromName(name);
  headers.push_back({id, std::move(name), std::move(value)});
}

void Message::prepend(HeaderId id, std::string value) {
  auto at = headers.begin();
  while (at != headers.end() && at->id != id) ++at;
  if (at == headers.end()) at = headers.begin();
  headers.insert(at, {id, std::string(headerName(id)), std::move(value)});
}

void Message::set(HeaderId id, std::string value) {
  // One compacting pass rather than an erase per duplicate.
  std::size_t first = 0;
  while (first < headers.size() && headers[first].id != id) ++first;
  if (first == headers.size()) {
    add(id, std::move(value));
    return;
  }
  headers[first].value = std::move(value);
  std::size_t kept = 0;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    if (i != first && headers[i].id == id) continue;
    if (kept != i) headers[kept] = std::move(headers[i]);
    ++kept;
  }
  headers.resize(kept);
}

void Message::remove(HeaderId id) {
  std::erase_if(headers, [id](const HeaderField& field) { return field.id == id; });
}

void Message::remove(std::string_view name) {
  const HeaderId id = headerIdFromName(name);
  if (id != HeaderId::Other) {
    remove(id);
    return;
  }
  std::erase_if(headers, [name](const HeaderField& field) {
    return field.id == HeaderId::Other && grammar::equalsIgnoreCase(field.name, name);
  });
}

std::string Message::serialize() const {
  std::string out;
  out.reserve(256 + body.size() + headers.size() * 48);
  if (isRequest()) {
    out.append(method).append(" ").append(requestUri).append(" ").append(version);
  } else {
    out.append(version).append(" ").append(std::to_string(statusCode)).append(" ");
    out.append(reasonPhrase);
  }
  out.append("\r\n");
  for (const HeaderField& field : headers) {
    if (field.id == HeaderId::ContentLength) continue;  // written once, below, from the body
    out.append(field.name).append(": ").append(field.value).append("\r\n");
  }
  out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n\r\n");
  out.append(body);
  return out;
}

}  // namespace sbc::sip
