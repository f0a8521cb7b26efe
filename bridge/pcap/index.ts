// pcap/pcapng reading and writing: the one place the codec CLI, simulator and suites use.
export { PcapWriter, type PcapWriterOptions } from './pcap-writer.js';
export { CaptureFileReader, readCapture } from './pcap-reader.js';
export { CaptureParser, parseCapture, type CaptureDamage, type CaptureEnd, type CaptureResult, type CapturedFrame } from './capture-parser.js';
export { LINKTYPE_ETHERNET } from './pcap-format.js';
