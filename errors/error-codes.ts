// Errors carry stable codes: users grep logs for them. The ground floor: every layer (native,
// bridge, sim, testkit, suites) imports this file and it imports nothing.
// This table is the one list of codes and what each means; docs/errors.md's table repeats it row
// for row with the exit code of `run` (scripts/docs/docs.test.ts checks they agree), so a new code
// is one line here and one row there.

export const ERROR_CODES = {
  GB_ERR_CONFIG: 'a configuration value is invalid (the message names the key, the value and what is allowed)',
  GB_ERR_TAP_EXISTS: 'an interface with the TAP name exists and is not a TAP this process can own (a veth, bridge or TUN with that name, or a TAP another process holds)',
  GB_ERR_TAP_OPEN: 'the TAP device could not be created or opened (/dev/net/tun, permissions), or a TAP write failed with an unexpected errno',
  GB_ERR_PACKET_SOCKET: 'a raw packet socket could not be opened or bound to the interface, or a send failed unexpectedly',
  GB_ERR_NO_INTERFACE: 'a named network interface does not exist (also: the uplink has no IPv4 address, or there is no default route to pick it from)',
  GB_ERR_SOCKET: 'the UDP multicast socket could not be created, bound or joined',
  GB_ERR_IGMP: 'an IGMP membership report could not be sent, or the group is not in 224.0.0.0/4. At run time it is logged, counted and retried at the next interval',
  GB_ERR_PCAP: 'a capture file could not be read or written, or is not pcap/pcapng',
  GB_ERR_PERMISSION: 'the operation needs root or CAP_NET_ADMIN / CAP_NET_RAW (e.g. `keepalive_strategy = report` without CAP_NET_RAW)',
  GB_ERR_SCL: 'an SCL file could not be read, is not SCL, or names an IED that is not in it',
  GB_ERR_INSTALL: '`install`/`uninstall` could not write a file or a command it runs failed (useradd, systemctl, sysctl; the message names it and its stderr), or the checkout is where the unit cannot read it',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class GbError extends Error {
  override readonly name = 'GbError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
  }
}
