// What the SCL reader resolves from an SCD/CID/ICD file: per IED and access point, every GOOSE
// and Sampled Values control block with its Communication-section address, its dataset and each
// member's type down to basic types. Plain data (JSON-serialisable).

/** A dataset member's type: an IEC 61850-7-3 basic type, an enumeration or a structure. */
export type SclType =
  | { kind: 'basic'; bType: string }
  /** firstOrd: ord of the EnumType's first EnumVal (the value a simulated IED starts with). */
  | { kind: 'enum'; enumType: string; firstOrd: number }
  | { kind: 'struct'; typeId: string; members: SclMember[] };

export interface SclMember {
  name: string;
  type: SclType;
}

export interface DatasetMember {
  /** e.g. `LD0/GGIO1.AnIn1.mag.f [MX]` */
  ref: string;
  fc: string;
  type: SclType;
  /** Position of its FCDA in the DataSet, from 1 (a member that does not resolve leaves a gap). */
  fcda: number;
}

export interface SclAddress {
  mac?: string;
  appId?: number;
  vlanId?: number;
  /** VLAN-ID as the file writes it (hex digits, e.g. `00A`). */
  vlanIdText?: string;
  vlanPriority?: number;
}

export interface ControlBlock {
  kind: 'goose' | 'sv';
  ied: string;
  accessPoint: string;
  ldInst: string;
  name: string;
  /** gocbRef / svcbRef: `<IED><ldInst>/LLN0$GO$<name>` (`$MS$` / `$US$` for SV). */
  ref: string;
  /** Dataset name as in the control block's datSet attribute ('' when absent). */
  datSetName: string;
  /** datSet reference: `<IED><ldInst>/LLN0$<datSet>`. */
  datSetRef: string;
  /** appID (GOOSE goID) or smvID. */
  appID: string;
  confRev: number;
  subNetwork?: string;
  address?: SclAddress;
  minTimeMs?: number;
  maxTimeMs?: number;
  /** SampledValueControl only. */
  sv?: SvAttributes;
  members: DatasetMember[];
  /** SCL path of the control block element. */
  path: string;
}

/** A SampledValueControl's sampling: smpRate per smpMod, ASDUs per frame, SmvOpts. */
export interface SvAttributes {
  smpRate?: number;
  /** SmpPerPeriod (samples per nominal period, the default), SmpPerSec, SecPerSmp. */
  smpMod: 'SmpPerPeriod' | 'SmpPerSec' | 'SecPerSmp';
  nofASDU?: number;
  multicast: boolean;
  /** SmvOpts: the optional ASDU fields the stream carries (refrTm, smpSynch, smpRate, datSet) and security. */
  opts: { refreshTime: boolean; sampleSynchronized: boolean; sampleRate: boolean; dataSet: boolean; security: boolean };
}

export type IssueCode =
  | 'member-missing'
  | 'dataset-missing'
  | 'address-missing'
  | 'duplicate-appid'
  | 'duplicate-mac'
  | 'appid-range'
  | 'mac-range'
  | 'min-max-time-missing'
  | 'bad-value';

/** One table of the inconsistency codes and what each means (docs/scl.md lists them). */
export const ISSUE_CODES: Record<IssueCode, string> = {
  'member-missing': 'a dataset member (LDevice, LN, DO, DA, BDA or its type) is not in the IED or the DataTypeTemplates',
  'dataset-missing': "a control block's datSet names no DataSet of its LLN0",
  'address-missing': 'a control block has no GSE/SMV address in the Communication section',
  'duplicate-appid': 'two control blocks of the same kind share an APPID',
  'duplicate-mac': 'two control blocks share a destination MAC address',
  'appid-range': "an APPID is outside its EtherType's range (GOOSE 0x0000–0x3FFF, SV 0x4000–0x7FFF)",
  'mac-range': 'a destination MAC is outside the multicast range of its kind (GOOSE 01-0C-CD-01-xx-xx, SV 01-0C-CD-04-xx-xx)',
  'min-max-time-missing': 'a GSE address has no MinTime or no MaxTime',
  'bad-value': 'an attribute or address value cannot be read (not a number, not a MAC address)',
};

export interface SclIssue {
  code: IssueCode;
  message: string;
  /** SCL path of the element at fault. */
  path: string;
}

export interface SclFile {
  /** `2007A`, `2007B`, … from SCL@version + @revision; '' when the file gives no version (2003 edition). */
  edition: string;
  ieds: string[];
  subNetworks: string[];
  controlBlocks: ControlBlock[];
  issues: SclIssue[];
}

/**
 * SCL path of a control block's dataset member, the FCDA element. Derived rather than stored: a
 * large SCD has hundreds of thousands of members.
 */
export function memberPath(cb: ControlBlock, m: DatasetMember): string {
  return `${cb.path.slice(0, cb.path.lastIndexOf('/'))}/DataSet[name=${cb.datSetName}]/FCDA[${m.fcda}]`;
}

/** A control block as `--json` writes it: each member with its SCL path. */
export function controlBlockJson(cb: ControlBlock): ControlBlock & { members: (DatasetMember & { path: string })[] } {
  return { ...cb, members: cb.members.map((m) => ({ ...m, path: memberPath(cb, m) })) };
}

/** An APPID as the listings and reports write it: `0x0021`. */
export function formatAppId(n: number): string {
  return `0x${n.toString(16).padStart(4, '0')}`;
}
