// Constants of the classic pcap and pcapng file formats (shared by reader and writer).

export const LINKTYPE_ETHERNET = 1;

/** Classic pcap magic numbers as read with the file's own byte order. */
export const PCAP_MAGIC_MICROSECONDS = 0xa1b2c3d4;
export const PCAP_MAGIC_NANOSECONDS = 0xa1b23c4d;

/** pcapng block types. */
export const PCAPNG_SECTION_HEADER = 0x0a0d0d0a;
export const PCAPNG_INTERFACE_DESCRIPTION = 0x00000001;
export const PCAPNG_OBSOLETE_PACKET = 0x00000002;
export const PCAPNG_SIMPLE_PACKET = 0x00000003;
export const PCAPNG_ENHANCED_PACKET = 0x00000006;
export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** Interface Description Block option: timestamp resolution. */
export const PCAPNG_OPTION_IF_TSRESOL = 9;
