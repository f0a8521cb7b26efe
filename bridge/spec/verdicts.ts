// The verdicts of the reference model: the native engine's drop reasons, in its order, so a code
// means the same on both sides. Codes are the C++ enumerators' positions and labels its strings
// (native/src/engine/engine-tables.h, the X-macro tables GB_TO_WAN_DROPS and GB_FROM_WAN_DROPS);
// verdicts.test.ts reads that header and requires these tables to equal it. FORWARD is kForward.
//
// Pure: no imports.

/** Not a drop: the frame or datagram goes on (C++ kForward). */
export const FORWARD = -1;
/** Its label, as the engine's test entry points give it (native/engine.ts FORWARDED). */
export const FORWARDED = 'forward';

/** [C++ enumerator, counter label], to-WAN drops in GB_TO_WAN_DROPS order. */
export const TO_WAN_DROP_TABLE = [
  ['kRunt', 'runt'],
  ['kVlanStacked', 'vlan-stacked'],
  ['kArp', 'arp'],
  ['kIpv4', 'ipv4'],
  ['kIpv6', 'ipv6'],
  ['kLldp', 'lldp'],
  ['kOtherEthertype', 'other-ethertype'],
  ['kSvDisabled', 'sv-disabled'],
  ['kGseDisabled', 'gse-disabled'],
  ['kLengthField', 'length-field'],
  ['kTrailingBytes', 'trailing-bytes'],
  ['kAppidRange', 'appid-range'],
  ['kAppidNotAllowed', 'appid-not-allowed'],
  ['kOversize', 'oversize'],
  ['kSendBacklog', 'send-backlog'],
  ['kSendError', 'send-error'],
  ['kWanUnavailable', 'wan-unavailable'],
  ['kL2Echo', 'echo'],
  ['kNotRoutable', 'not-routable'],
  ['kEncapsulationFailed', 'encapsulation-failed'],
  ['kSpduNumberUnavailable', 'spdu-number-unavailable'],
] as const;

/** [C++ enumerator, counter label], from-WAN drops in GB_FROM_WAN_DROPS order. */
export const FROM_WAN_DROP_TABLE = [
  ['kBadMagic', 'bad-magic'],
  ['kBadVersion', 'bad-version'],
  ['kBadLength', 'bad-length'],
  ['kBadSignature', 'bad-signature'],
  ['kOwnSender', 'own-sender'],
  ['kDuplicate', 'duplicate'],
  ['kStale', 'stale'],
  ['kInnerNotAllowed', 'inner-not-allowed'],
  ['kOversizeFrame', 'oversize-frame'],
  ['kBadDestination', 'bad-destination'],
  ['kL2WriteFailed', 'l2-write-failed'],
  ['kLoop', 'loop'],
  ['kMalformedSpdu', 'malformed-spdu'],
  ['kUnknownKey', 'unknown-key'],
  ['kUnsigned', 'unsigned'],
  ['kReplay', 'replay'],
  ['kExpiredKey', 'expired-key'],
  ['kUnconfirmedSender', 'unconfirmed-sender'],
  ['kStateNotSaved', 'state-not-saved'],
  ['kSendersFull', 'senders-full'],
  ['kRedundantCopy', 'redundant-copy'],
  ['kSameSite', 'same-site'],
] as const;

type Table = ReadonlyArray<readonly [string, string]>;
type Codes<T extends Table> = { readonly [K in T[number][0]]: number };

/** Enumerator → code (its position), as the C++ enum numbers them. */
function codes<T extends Table>(table: T): Codes<T> {
  return Object.freeze(Object.fromEntries(table.map(([name], i) => [name, i]))) as Codes<T>;
}

export const ToWanDrop = codes(TO_WAN_DROP_TABLE);
export const FromWanDrop = codes(FROM_WAN_DROP_TABLE);
/** Code → label. */
export const TO_WAN_DROP_LABELS: readonly string[] = TO_WAN_DROP_TABLE.map(([, label]) => label);
export const FROM_WAN_DROP_LABELS: readonly string[] = FROM_WAN_DROP_TABLE.map(([, label]) => label);

/** The label of a verdict: 'forward' or the drop's. */
export const toWanLabel = (verdict: number): string => (verdict === FORWARD ? FORWARDED : TO_WAN_DROP_LABELS[verdict]!);
export const fromWanLabel = (verdict: number): string => (verdict === FORWARD ? FORWARDED : FROM_WAN_DROP_LABELS[verdict]!);