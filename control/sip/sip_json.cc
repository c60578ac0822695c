#include "control/sip/sip_json.h"

#include <optional>
#include <string_view>

#include "control/sip/sip_grammar.h"

namespace sbc::sip {
namespace {

using control::JsonWriter;

void writeParams(JsonWriter& json, const std::vector<Param>& params) {
  json.beginArray();
  for (const Param& param : params) {
    json.beginObject().field("name", param.name);
    if (param.hasValue) json.field("value", param.value);
    json.endObject();
  }
  json.endArray();
}

// Each element of a comma list parsed by `parse` and written by `write`; an element that does
// not parse (only possible for messages built by hand) is written as null.
template <typename Parse, typename Write>
void writeList(JsonWriter& json, std::string_view value, Parse&& parse, Write&& write) {
  json.beginArray();
  grammar::forEachListElement(value, [&](std::string_view element) {
    if (element.empty()) return true;
    if (const auto parsed = parse(element)) write(json, *parsed);
    else json.null();
    return true;
  });
  json.endArray();
}

// The typed breakdown of the fields that have one, under a key named for its kind.
void writeTypedValue(JsonWriter& json, const HeaderField& field) {
  switch (field.id) {
    case HeaderId::Via:
      json.key("via");
      writeList(json, field.value, parseVia, writeViaJson);
      break;
    case HeaderId::From:
    case HeaderId::To:
      if (const auto nameAddr = parseNameAddr(field.value)) {
        json.key("address");
        writeNameAddrJson(json, *nameAddr);
      }
      break;
    case HeaderId::Contact:
      if (grammar::trimWsp(field.value) == "*") {
        json.field("star", true);
        break;
      }
      [[fallthrough]];
    case HeaderId::Route:
    case HeaderId::RecordRoute:
      json.key("addresses");
      writeList(json, field.value, parseNameAddr, writeNameAddrJson);
      break;
    case HeaderId::CSeq:
      if (const auto cseq = parseCSeq(field.value)) {
        json.key("cseq").beginObject();
        json.field("number", cseq->number).field("method", cseq->method);
        json.endObject();
      }
      break;
    case HeaderId::CallId: {
      // callid = word [ "@" word ]
      const std::string_view value = field.value;
      const std::size_t at = value.find('@');
      json.key("callId").beginObject().field("localId", value.substr(0, at));
      if (at != std::string_view::npos) json.field("host", value.substr(at + 1));
      json.endObject();
      break;
    }
    default:
      break;
  }
}

}  // namespace

void writeUriJson(JsonWriter& json, const Uri& uri) {
  json.beginObject().field("scheme", uri.scheme);
  if (!uri.isSip() && uri.scheme != "tel") {
    json.field("opaque", uri.opaque).endObject();
    return;
  }
  if (!uri.user.empty()) json.field("user", uri.user);
  if (!uri.password.empty()) json.field("password", uri.password);
  if (!uri.host.empty()) json.field("host", uri.host);
  if (uri.port != 0) json.field("port", uri.port);
  json.key("params");
  writeParams(json, uri.params);
  if (!uri.headers.empty()) json.field("headers", uri.headers);
  json.endObject();
}

void writeNameAddrJson(JsonWriter& json, const NameAddr& nameAddr) {
  json.beginObject();
  if (!nameAddr.displayName.empty()) json.field("displayName", nameAddr.displayName);
  json.field("uriText", nameAddr.uri.str());
  json.key("uri");
  writeUriJson(json, nameAddr.uri);
  json.key("params");
  writeParams(json, nameAddr.params);
  if (const auto tag = nameAddr.tag()) json.field("tag", *tag);
  json.endObject();
}

void writeViaJson(JsonWriter& json, const Via& via) {
  json.beginObject();
  json.field("protocol", via.protocol).field("transport", via.transport).field("host", via.host);
  if (via.port != 0) json.field("port", via.port);
  if (const auto branch = via.branch()) json.field("branch", *branch);
  json.key("params");
  writeParams(json, via.params);
  json.endObject();
}

void writeMessageJson(JsonWriter& json, const Message& message) {
  json.beginObject();
  if (message.isRequest()) {
    json.field("kind", "request").field("method", message.method);
    json.field("requestUri", message.requestUri);
    if (const auto uri = parseUri(message.requestUri)) {
      json.key("uri");
      writeUriJson(json, *uri);
    }
  } else {
    json.field("kind", "response").field("statusCode", message.statusCode);
    json.field("reasonPhrase", message.reasonPhrase);
  }
  json.field("version", message.version);
  json.key("headers").beginArray();
  for (const HeaderField& field : message.headers) {
    json.beginObject().field("name", field.name).field("value", field.value);
    writeTypedValue(json, field);
    json.endObject();
  }
  json.endArray();
  json.field("bodyLength", message.body.size()).field("body", message.body);
  json.endObject();
}

std::string messageToJson(const Message& message) {
  JsonWriter json;
  writeMessageJson(json, message);
  return json.text();
}

}  // namespace sbc::sip
