// Readable listing of an SCL file's control blocks (addresses, references, member types) and
// of its inconsistencies, each with its SCL path. Pure text.
import { formatAppId, type ControlBlock, type SclAddress, type SclFile, type SclIssue, type SvAttributes } from './scl-model.js';
import { formatSclType } from './type-templates.js';


/** The VLAN id as the file writes it (hex) and in decimal, as Wireshark shows it: `0x00A (10)`. */
function vlanText(a: SclAddress): string {
  if (a.vlanId === undefined) return '- (0)';
  return `0x${a.vlanIdText ?? a.vlanId.toString(16).toUpperCase()} (${a.vlanId})`;
}

function addressLine(cb: ControlBlock): string {
  const a = cb.address;
  if (a === undefined) return 'no address in the Communication section';
  const parts = [`APPID ${a.appId === undefined ? '?' : formatAppId(a.appId)}`, `MAC ${a.mac ?? '?'}`];
  if (a.vlanId !== undefined || a.vlanPriority !== undefined) parts.push(`VLAN-ID ${vlanText(a)} priority ${a.vlanPriority ?? '-'}`);
  else parts.push('untagged');
  if (cb.kind === 'goose') parts.push(`MinTime ${cb.minTimeMs ?? '?'} ms`, `MaxTime ${cb.maxTimeMs ?? '?'} ms`);
  parts.push(`subnetwork ${cb.subNetwork ?? '?'}`);
  return parts.join('  ');
}

function svLine(sv: SvAttributes): string {
  const opts = Object.entries(sv.opts).filter(([, on]) => on).map(([k]) => k);
  return `smpRate ${sv.smpRate ?? '?'} (${sv.smpMod})  nofASDU ${sv.nofASDU ?? '?'}  SmvOpts ${opts.join(',') || 'none'}`;
}

export function formatControlBlock(cb: ControlBlock): string {
  const lines = [
    `  ${cb.kind === 'goose' ? 'GOOSE' : 'SV'} ${cb.ref}`,
    `      ${addressLine(cb)}`,
    `      ${cb.kind === 'goose' ? 'goID' : 'smvID'} ${cb.appID}  datSet ${cb.datSetRef || '(none)'}  confRev ${cb.confRev}  ${cb.members.length} entries`,
  ];
  if (cb.sv) lines.push(`      ${svLine(cb.sv)}`);
  cb.members.forEach((m, i) => lines.push(`      ${String(i + 1).padStart(3)}  ${m.ref}  ${formatSclType(m.type)}`));
  return lines.join('\n');
}

/** The inconsistency report in parts of up to 1,000 issues, to be written one after the other. */
export function* issueParts(issues: readonly SclIssue[]): Generator<string> {
  if (issues.length === 0) {
    yield 'no inconsistencies\n';
    return;
  }
  yield `${issues.length} inconsistenc${issues.length === 1 ? 'y' : 'ies'}:\n`;
  for (let k = 0; k < issues.length; k += 1000) {
    yield issues
      .slice(k, k + 1000)
      .map((i) => `  ${i.code}  ${i.path}\n      ${i.message}\n`)
      .join('');
  }
}

export function formatIssues(issues: readonly SclIssue[]): string {
  return [...issueParts(issues)].join('');
}

/**
 * The listing, one part per IED: a station of thousands of IEDs is written as it is formatted
 * rather than held whole (tens of MB) beside the model.
 */
export function* listingParts(file: SclFile, source: string): Generator<string> {
  yield `${source}: SCL ${file.edition === '' ? 'version not given' : file.edition}, ${file.ieds.length} IED(s), ${file.subNetworks.length} subnetwork(s), ${file.controlBlocks.length} control block(s)\n`;
  const byIed = new Map<string, ControlBlock[]>(file.ieds.map((ied) => [ied, []]));
  for (const cb of file.controlBlocks) byIed.get(cb.ied)?.push(cb);
  for (const [ied, cbs] of byIed) yield [`IED ${ied}: ${cbs.length} control block(s)`, ...cbs.map(formatControlBlock)].join('\n') + '\n';
}

export function formatListing(file: SclFile, source: string): string {
  return [...listingParts(file, source)].join('');
}
