// Reading one whole Ethernet frame from a TAP or an AF_PACKET socket, shared by the reader
// endpoints and the forwarding engine. A packet socket's VLAN tag, stripped by the kernel and
// reported in PACKET_AUXDATA, is put back so the frame is byte-identical to what was sent.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>

namespace gb {

enum class ReceiveNote { kNone, kOutgoing, kTruncated, kVlanRestored };

// Reads into dst (capacity `cap`, at least 4 + the largest frame). Returns the frame length
// and sets *start (offset of the frame in dst); 0 for a frame to skip (see *note); -errno on error.
ssize_t ReceiveFrame(int fd, bool packetSocket, bool includeOutgoing, uint8_t* dst, size_t cap, size_t* start,
                     ReceiveNote* note);

}  // namespace gb
