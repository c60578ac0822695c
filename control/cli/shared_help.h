#pragma once
// Help of the words that begin commands of several families (dataplane, firewall, SIP, the
// configuration): one text each, so that `?` after `show` or `no` says the same whichever file
// declared the command.

namespace sbc::control {

inline constexpr const char* kShowHelp = "Show the running state";
inline constexpr const char* kJsonHelp = "Print one JSON object instead of text";
inline constexpr const char* kNoHelp = "Remove a setting";

}  // namespace sbc::control
