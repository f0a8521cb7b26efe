// The forwarding engine's counter layout and drop reasons: ONE table each. Codes are the
// enumerators, labels the strings the stats file, `status` and the metrics use (stable: users
// alert on them). JavaScript reads the labels from the addon, so nothing is numbered twice.
#pragma once

#include <cstddef>

namespace gb {

// Drops on the way L2 side → WAN. The first block is the frame filter's verdicts.
#define GB_TO_WAN_DROPS(X)                                                                         \
  X(kRunt, "runt")                           /* shorter than Ethernet + IEC header */               \
  X(kVlanStacked, "vlan-stacked")            /* more than one VLAN tag */                           \
  X(kArp, "arp")                                                                                    \
  X(kIpv4, "ipv4")                                                                                  \
  X(kIpv6, "ipv6")                                                                                  \
  X(kLldp, "lldp")                                                                                  \
  X(kOtherEthertype, "other-ethertype")                                                             \
  X(kSvDisabled, "sv-disabled")                                                                     \
  X(kGseDisabled, "gse-disabled")                                                                   \
  X(kLengthField, "length-field")            /* IEC Length < 8 or beyond the bytes present */       \
  X(kTrailingBytes, "trailing-bytes")        /* bytes after Length beyond minimum-size padding */  \
  X(kAppidRange, "appid-range")              /* APPID outside its EtherType's range */              \
  X(kAppidNotAllowed, "appid-not-allowed")   /* not in appid_allow */                               \
  X(kOversize, "oversize")                   /* datagram would exceed the path MTU */               \
  X(kSendBacklog, "send-backlog")            /* socket send buffer full */                          \
  X(kSendError, "send-error")                /* the socket refused the datagram */                  \
  X(kWanUnavailable, "wan-unavailable")      /* no socket for the group (being recreated) */        \
  X(kL2Echo, "echo")                         /* gateway: a frame this bridge wrote, seen again */ \
  X(kNotRoutable, "not-routable")            /* R-GOOSE carries GOOSE and SV only (not GSE) */    \
  X(kEncapsulationFailed, "encapsulation-failed") /* the SPDU could not be built (crypto error) */ \
  X(kSpduNumberUnavailable, "spdu-number-unavailable") /* key's numbers used up, or not yet reserved */

// Drops on the way WAN → L2 side.
#define GB_FROM_WAN_DROPS(X)                                                                       \
  X(kBadMagic, "bad-magic")                  /* not one of ours */                                  \
  X(kBadVersion, "bad-version")                                                                     \
  X(kBadLength, "bad-length")                /* too short, or longer than buffer_size */            \
  X(kBadSignature, "bad-signature")          /* authentication failed */                            \
  X(kOwnSender, "own-sender")                /* our own datagram */                                 \
  X(kDuplicate, "duplicate")                                                                        \
  X(kStale, "stale")                         /* older than the duplicate window */                  \
  X(kInnerNotAllowed, "inner-not-allowed")   /* carried frame fails the protocol gate */            \
  X(kOversizeFrame, "oversize-frame")        /* carried frame longer than the L2 side's MTU allows */ \
  X(kBadDestination, "bad-destination")      /* carried frame not to a GOOSE/SV/GSE multicast MAC */ \
  X(kL2WriteFailed, "l2-write-failed")       /* the L2 side refused the frame or is being recreated */ \
  X(kLoop, "loop")                           /* gateway: a frame this bridge read from its LAN */  \
  X(kMalformedSpdu, "malformed-spdu")        /* not a well-formed R-GOOSE/R-SV SPDU */              \
  X(kUnknownKey, "unknown-key")              /* signed with a key id not configured */              \
  X(kUnsigned, "unsigned")                   /* an unsigned SPDU while keys are configured */       \
  X(kReplay, "replay")                       /* SPDU number already accepted from this sender */    \
  X(kExpiredKey, "expired-key")              /* signed with a key retired longer than the grace */  \
  X(kUnconfirmedSender, "unconfirmed-sender") /* a sender not admitted, nothing corroborates it */  \
  X(kStateNotSaved, "state-not-saved")       /* ahead of what the replay state file covers yet */   \
  X(kSendersFull, "senders-full")            /* no room for another sender's replay window */  \
  X(kRedundantCopy, "redundant-copy")        /* a frame already delivered (second path, second gateway) */ \
  X(kSameSite, "same-site")                  /* gateway: sent by a gateway of this LAN segment (site) */

// Plain counters (monotonic unless marked gauge).
#define GB_ENGINE_COUNTERS(X)                                                                      \
  X(kL2FramesRead, "l2_frames_read")                                                                \
  X(kL2BytesRead, "l2_bytes_read")                                                                  \
  X(kL2ReadCalls, "l2_read_calls")           /* read/recvmsg calls, or io_uring bursts */            \
  X(kWanDatagramsSent, "wan_datagrams_sent")                                                        \
  X(kWanBytesSent, "wan_bytes_sent")                                                                \
  X(kWanSendCalls, "wan_send_calls")         /* send/sendmmsg system calls */                       \
  X(kWanSegmentedDatagrams, "wan_segmented_datagrams") /* sent inside a UDP GSO run */              \
  X(kWanDatagramsReceived, "wan_datagrams_received")                                                \
  X(kWanBytesReceived, "wan_bytes_received")                                                        \
  X(kWanCoalescedDatagrams, "wan_coalesced_datagrams") /* received inside a UDP GRO run */          \
  X(kL2FramesWritten, "l2_frames_written")                                                          \
  X(kL2BytesWritten, "l2_bytes_written")                                                            \
  X(kL2WriteCalls, "l2_write_calls")         /* write/send calls, or io_uring batches */             \
  X(kGapFrames, "gap_frames")                                                                       \
  X(kGapEvents, "gap_events")                                                                       \
  X(kLateFrames, "late_frames")                                                                     \
  X(kSenders, "senders")                     /* gauge: senders tracked now */                       \
  X(kSendersSeen, "senders_seen")                                                                   \
  X(kSendersEvicted, "senders_evicted")                                                             \
  X(kRcvbufDrops, "kernel_rcvbuf_drops")     /* datagrams the kernel dropped, receive buffer full */ \
  X(kL2ReadErrors, "l2_read_errors")                                                                \
  X(kWanReceiveErrors, "wan_receive_errors")                                                      \
  X(kWanControlDatagrams, "wan_control_datagrams") /* gateway heartbeats received (not frames) */   \
  X(kL2FramesLeftToPeer, "l2_frames_left_to_peer") /* gateway standby: a site peer writes the LAN */ \
  X(kLanWriter, "lan_writer")                /* gauge: 1 while this gateway writes its LAN */        \
  X(kSitePeers, "site_peers")                /* gauge: gateways of this site heard from */

#define GB_ENUM(name, label) name,
enum ToWanDrop : int { GB_TO_WAN_DROPS(GB_ENUM) kToWanDropCount };
enum FromWanDrop : int { GB_FROM_WAN_DROPS(GB_ENUM) kFromWanDropCount };
enum Counter : int { GB_ENGINE_COUNTERS(GB_ENUM) kCounterCount };
#undef GB_ENUM

// Verdicts: -1 = forward, otherwise a drop code of the direction.
constexpr int kForward = -1;

// Shared counter block, read by JavaScript as one BigUint64Array:
//   [0, kCounterCount) counters, then to-WAN drops, then from-WAN drops, then per path.
constexpr size_t kToWanBase = kCounterCount;
constexpr size_t kFromWanBase = kToWanBase + kToWanDropCount;
constexpr size_t kCounterSlots = kFromWanBase + kFromWanDropCount;

// Per WAN path (uplink), behind the drops in the same block: kMaxPaths rows of these slots.
// The tx thread writes the send ones, the rx thread the others.
#define GB_PATH_COUNTERS(X)                                                                        \
  X(kPathDatagramsSent, "datagrams_sent")                                                           \
  X(kPathSendErrors, "send_errors")            /* datagrams the path's socket refused */           \
  X(kPathDatagramsReceived, "datagrams_received")                                                   \
  X(kPathFramesFirst, "frames_first")          /* delivered frames whose first copy came this way */ \
  X(kPathRedundantCopies, "redundant_copies")  /* later copies discarded on this path */            \
  X(kPathFramesSeen, "frames_seen")            /* delivered frames this path carried a copy of */    \
  X(kPathSkewSamples, "skew_samples")          /* copies that came here after the first elsewhere */ \
  X(kPathSkewEwmaUs, "skew_ewma_us")           /* gauge: how much later than the first, EWMA 1/8 */   \
  X(kPathSkewMaxUs, "skew_max_us")             /* gauge: the most, since start */

#define GB_ENUM(name, label) name,
enum PathCounter : int { GB_PATH_COUNTERS(GB_ENUM) kPathCounterCount };
#undef GB_ENUM
constexpr size_t kMaxPaths = 4;
constexpr size_t kPathBase = kCounterSlots;
constexpr size_t kAllSlots = kPathBase + kMaxPaths * kPathCounterCount;

// Per-APPID counters, a second block read the same way: 65536 rows of these slots. The tx thread
// writes the to-WAN ones, the rx thread the from-WAN ones (one writer per slot).
#define GB_APPID_COUNTERS(X)                   \
  X(kAppToWanFrames, "to_wan_frames")          \
  X(kAppToWanBytes, "to_wan_bytes")            \
  X(kAppToWanDropped, "to_wan_dropped")        \
  X(kAppFromWanFrames, "from_wan_frames")      \
  X(kAppFromWanBytes, "from_wan_bytes")        \
  X(kAppFromWanDropped, "from_wan_dropped")

#define GB_ENUM(name, label) name,
enum AppidCounter : int { GB_APPID_COUNTERS(GB_ENUM) kAppidCounterCount };
#undef GB_ENUM
constexpr size_t kAppidSlots = size_t{65536} * kAppidCounterCount;
// Behind the rows, one bit per APPID that was ever counted (1024 words): readers scan 8 KiB and read
// only the rows marked, never touching the rest of the block.
constexpr size_t kAppidSeenWords = 65536 / 64;

}  // namespace gb
