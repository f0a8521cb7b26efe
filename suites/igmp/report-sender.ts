// The report-without-Leave keepalive needs a raw IPPROTO_IGMP socket (Router Alert, TTL 1,
// TOS 0xc0), which node:dgram cannot open: it comes from the native addon, whose binary is only
// loaded on first use (so the pure parts of the suite run where it is not built).
import { sendIgmpV2Report } from '../../native/index.js';

type SendReport = (opts: { ifname: string; group: string }) => void;

export async function loadReportSender(): Promise<SendReport> {
  return sendIgmpV2Report;
}
