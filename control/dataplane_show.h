#pragma once
// What the dataplane's show commands print, as text for people and as one JSON object for
// scripts. Pure functions of the views, so tests compare their output exactly.
//
// In both forms a peer address that is not known (unspecified address or port 0) reads
// "unknown" / null. Sessions and neighbours are sorted, so that the output does not depend on
// the order of the dataplane's hash tables.

#include <string>
#include <vector>

#include "dataplane/dataplane.h"

namespace sbc::control {

std::string interfacesText(const std::vector<dataplane::InterfaceView>& interfaces);
std::string interfacesJson(const std::vector<dataplane::InterfaceView>& interfaces);

// Reasons with a zero count are left out unless `allReasons`.
std::string dropsText(const dataplane::DataplaneTotals& totals, bool allReasons);
std::string dropsJson(const dataplane::DataplaneTotals& totals, bool allReasons);

std::string sessionsText(std::vector<dataplane::SessionView> sessions);
std::string sessionsJson(std::vector<dataplane::SessionView> sessions);
std::string sessionText(const dataplane::SessionView& session);
std::string sessionJson(const dataplane::SessionView& session);

std::string neighborsText(std::vector<dataplane::NeighborView> neighbors);
std::string neighborsJson(std::vector<dataplane::NeighborView> neighbors);

// Busy is the share of loop passes that moved packets, in percent.
std::string workersText(const std::vector<dataplane::WorkerView>& workers);
std::string workersJson(const std::vector<dataplane::WorkerView>& workers);

// Helpers both forms share.
bool isKnownPeer(const dataplane::SocketAddress& address);
void sortSessions(std::vector<dataplane::SessionView>& sessions);
void sortNeighbors(std::vector<dataplane::NeighborView>& neighbors);
uint64_t totalDrops(const dataplane::DataplaneTotals& totals);
std::string busyPercent(const dataplane::WorkerView& worker);  // "37.5", or "-" before any pass

}  // namespace sbc::control
