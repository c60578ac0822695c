#include "control/common/json_writer.h"

#include <cassert>
#include <cstdio>

namespace sbc::control {

namespace {

// Length of the valid UTF-8 sequence starting at text[i], or 0 when the byte there does not
// start one (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
size_t utf8SequenceLength(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  size_t length;
  unsigned char secondMin = 0x80, secondMax = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) secondMin = 0xa0;
    if (lead == 0xed) secondMax = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) secondMin = 0x90;
    if (lead == 0xf4) secondMax = 0x8f;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < secondMin || byte(i + 1) > secondMax) return 0;
  for (size_t k = 2; k < length; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xbf) return 0;
  return length;
}

void appendEscaped(std::string& out, std::string_view text) {
  out += '"';
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const size_t length = utf8SequenceLength(text, i);
      if (length == 0) {
        out += "\\ufffd";
        ++i;
      } else {
        out.append(text.substr(i, length));
        i += length;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
}

}  // namespace

std::string jsonQuote(std::string_view text) {
  std::string out;
  appendEscaped(out, text);
  return out;
}

void JsonWriter::beforeValue() {
  if (keyPending_) {
    keyPending_ = false;
    return;
  }
  if (!scopeHasElement_.empty()) {
    if (scopeHasElement_.back()) out_ += ',';
    scopeHasElement_.back() = true;
  }
}

JsonWriter& JsonWriter::beginObject() {
  beforeValue();
  out_ += '{';
  scopeHasElement_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::endObject() {
  assert(!scopeHasElement_.empty() && !keyPending_);
  scopeHasElement_.pop_back();
  out_ += '}';
  return *this;
}

JsonWriter& JsonWriter::beginArray() {
  beforeValue();
  out_ += '[';
  scopeHasElement_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::endArray() {
  assert(!scopeHasElement_.empty() && !keyPending_);
  scopeHasElement_.pop_back();
  out_ += ']';
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  assert(!keyPending_);
  beforeValue();
  appendEscaped(out_, name);
  out_ += ':';
  keyPending_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
  beforeValue();
  appendEscaped(out_, text);
  return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
  beforeValue();
  out_ += flag ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::null() {
  beforeValue();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::signedValue(int64_t number) {
  beforeValue();
  out_ += std::to_string(number);
  return *this;
}

JsonWriter& JsonWriter::unsignedValue(uint64_t number) {
  beforeValue();
  out_ += std::to_string(number);
  return *this;
}

}  // namespace sbc::control
