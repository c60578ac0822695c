#pragma once
// Small text helpers shared by the SDP files. Internal to control/sdp: SDP is ASCII where it
// matters (tokens, numbers, addresses), so these work on bytes and never on locales.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sbc::sdp::text {

bool equalsIgnoreCase(std::string_view a, std::string_view b);
// An attribute name as written ("sendrecv ", with a peer's stray blank) against a known one.
bool attributeNameIs(std::string_view written, std::string_view name);
std::string toLower(std::string_view s);

// Leading and trailing SP/HTAB removed.
std::string_view trim(std::string_view s);

// Fields separated by runs of SP. RFC 8866 asks for exactly one SP; extra blanks are tolerated
// on input because they change no meaning, and the renderer writes one.
std::vector<std::string_view> splitFields(std::string_view s);

// Splits at the first occurrence of `separator`; the second part is nullopt when it is absent.
std::pair<std::string_view, std::optional<std::string_view>> splitOnce(std::string_view s,
                                                                       char separator);

bool isDigits(std::string_view s);  // non-empty and 0-9 only
// A decimal number no larger than `max`; nullopt for anything else (signs, blanks, overflow).
std::optional<std::uint64_t> parseUnsigned(std::string_view s, std::uint64_t max);

// RFC 8866 token characters (RFC 8866 section 9, "token-char").
bool isToken(std::string_view s);

// Joins with one separator between items.
std::string join(const std::vector<std::string>& items, std::string_view separator);

}  // namespace sbc::sdp::text
