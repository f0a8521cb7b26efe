// Daemon errors carry stable codes: users grep logs for them and README lists every one.
// Add new codes here (one line each, with what it means) and to README's error table.

export const ERROR_CODES = {
  GB_ERR_CONFIG: 'a configuration value is invalid (the message names the key, the value and what is allowed)',
  GB_ERR_TAP_EXISTS: 'an interface with the TAP name exists and is not a TAP this process can own',
  GB_ERR_TAP_OPEN: 'the TAP device could not be created or opened (/dev/net/tun, permissions)',
  GB_ERR_PACKET_SOCKET: 'a raw packet socket could not be opened or bound to the interface',
  GB_ERR_NO_INTERFACE: 'a named network interface does not exist',
  GB_ERR_SOCKET: 'the UDP multicast socket could not be created, bound or joined',
  GB_ERR_IGMP: 'an IGMP membership report could not be sent',
  GB_ERR_PCAP: 'a capture file could not be read or written, or is not pcap/pcapng',
  GB_ERR_PERMISSION: 'the operation needs root or CAP_NET_ADMIN / CAP_NET_RAW',
  GB_ERR_SCL: 'an SCL file could not be read, is not well-formed XML or is not SCL',
  GB_ERR_KERNEL_PATH: 'the kernel data path (eBPF) could not be loaded, configured or run (the message names the step and the errno)',
  GB_ERR_INSTALL: 'goose-bridge install/uninstall could not write a file or run a command (useradd, systemctl, sysctl)',
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
