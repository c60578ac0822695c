#pragma once
// RFC 3261 18.2.1 and RFC 3581: the server transport notes on the top Via where a request
// really came from. "received" is added when the sent-by host is not the source address, and
// an empty "rport" is filled with the source port (received is then added in any case). The
// responses built from the request carry them back, and a response whose connection has
// closed can still find its way (18.2.2).

#include "control/sip/sip_message.h"
#include "dataplane/ip_address.h"

namespace sbc::sip {

// Leaves the message alone when its top Via does not parse (the layer answers 400 for that).
void stampReceived(Message& request, const dataplane::SocketAddress& source);

}  // namespace sbc::sip
