#pragma once
// A streaming writer for compact JSON. The show commands emit objects field by field; the writer
// places the commas and escapes every string, so what it produces is valid JSON (RFC 8259) even
// when a name holds quotes, control bytes or broken UTF-8.

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sbc::control {

class JsonWriter {
 public:
  JsonWriter& beginObject();
  JsonWriter& endObject();
  JsonWriter& beginArray();
  JsonWriter& endArray();
  // Inside an object: the name of the next value.
  JsonWriter& key(std::string_view name);

  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(bool flag);
  template <std::integral T>
    requires(!std::same_as<T, bool>)
  JsonWriter& value(T number) {
    if constexpr (std::is_signed_v<T>) return signedValue(number);
    else return unsignedValue(number);
  }
  JsonWriter& null();

  // key(name).value(v) in one call, for the common case.
  template <typename T>
  JsonWriter& field(std::string_view name, const T& v) {
    return key(name).value(v);
  }

  // The document so far; complete once every begin has its end.
  const std::string& text() const { return out_; }

 private:
  JsonWriter& signedValue(int64_t number);
  JsonWriter& unsignedValue(uint64_t number);
  void beforeValue();

  std::string out_;
  // One entry per open object or array: whether it holds an element yet (a comma is due).
  std::vector<bool> scopeHasElement_;
  bool keyPending_ = false;
};

// `text` as a quoted JSON string. Invalid UTF-8 bytes become U+FFFD.
std::string jsonQuote(std::string_view text);

}  // namespace sbc::control
