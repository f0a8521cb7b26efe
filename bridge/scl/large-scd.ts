// A synthetic station SCD of a given size for the parse benchmark: IEDs built like a real
// protection IED (two LDevices, a few dozen logical nodes with DOI/DAI instance values, or only
// what the model needs; two datasets and GoCBs per LDevice, GSE addresses on one of several
// subnetworks) sharing one set of
// DataTypeTemplates, repeated until the text reaches the target size. Pure; deterministic.

const TEMPLATES = `  <DataTypeTemplates>
    <LNodeType id="LLN0_T" lnClass="LLN0"><DO name="Mod" type="ENC_T"/><DO name="Beh" type="ENS_T"/><DO name="Health" type="ENS_T"/></LNodeType>
    <LNodeType id="GGIO_T" lnClass="GGIO"><DO name="Beh" type="ENS_T"/><DO name="AnIn1" type="MV_T"/><DO name="AnIn2" type="MV_T"/><DO name="Ind1" type="SPS_T"/><DO name="Ind2" type="SPS_T"/></LNodeType>
    <LNodeType id="XCBR_T" lnClass="XCBR"><DO name="Beh" type="ENS_T"/><DO name="Pos" type="DPC_T"/></LNodeType>
    <DOType id="ENC_T" cdc="ENC"><DA name="stVal" fc="ST" bType="Enum" type="Beh"/><DA name="q" fc="ST" bType="Quality"/><DA name="t" fc="ST" bType="Timestamp"/><DA name="ctlModel" fc="CF" bType="Enum" type="CtlModels"/></DOType>
    <DOType id="ENS_T" cdc="ENS"><DA name="stVal" fc="ST" bType="Enum" type="Beh"/><DA name="q" fc="ST" bType="Quality"/><DA name="t" fc="ST" bType="Timestamp"/></DOType>
    <DOType id="MV_T" cdc="MV"><DA name="mag" fc="MX" bType="Struct" type="AV_T"/><DA name="q" fc="MX" bType="Quality"/><DA name="t" fc="MX" bType="Timestamp"/><DA name="units" fc="CF" bType="Struct" type="Unit_T"/><DA name="d" fc="DC" bType="VisString255"/></DOType>
    <DOType id="SPS_T" cdc="SPS"><DA name="stVal" fc="ST" bType="BOOLEAN"/><DA name="q" fc="ST" bType="Quality"/><DA name="t" fc="ST" bType="Timestamp"/><DA name="d" fc="DC" bType="VisString255"/></DOType>
    <DOType id="DPC_T" cdc="DPC"><DA name="stVal" fc="ST" bType="Dbpos"/><DA name="q" fc="ST" bType="Quality"/><DA name="t" fc="ST" bType="Timestamp"/><DA name="ctlModel" fc="CF" bType="Enum" type="CtlModels"/></DOType>
    <DAType id="AV_T"><BDA name="f" bType="FLOAT32"/></DAType>
    <DAType id="Unit_T"><BDA name="SIUnit" bType="Enum" type="SIUnit"/><BDA name="multiplier" bType="Enum" type="Multiplier"/></DAType>
    <EnumType id="Beh"><EnumVal ord="1">on</EnumVal><EnumVal ord="2">blocked</EnumVal><EnumVal ord="3">test</EnumVal><EnumVal ord="4">test/blocked</EnumVal><EnumVal ord="5">off</EnumVal></EnumType>
    <EnumType id="CtlModels"><EnumVal ord="0">status-only</EnumVal><EnumVal ord="1">direct-with-normal-security</EnumVal></EnumType>
    <EnumType id="SIUnit"><EnumVal ord="29">V</EnumVal><EnumVal ord="5">A</EnumVal></EnumType>
    <EnumType id="Multiplier"><EnumVal ord="0"></EnumVal><EnumVal ord="3">k</EnumVal></EnumType>
  </DataTypeTemplates>
`;

/** How an IED is built: logical nodes per LDevice (at least 10: the datasets name GGIO1 … 10), with or without DOI/DAI instance values. */
export interface IedShape {
  lnsPerLd: number;
  instanceValues: boolean;
}

/** A protection IED as tools export it, ~35 kB. */
export const FULL_IED: IedShape = { lnsPerLd: 24, instanceValues: true };
/** Only what the model needs, ~7.5 kB: the most control blocks per MB. */
export const COMPACT_IED: IedShape = { lnsPerLd: 10, instanceValues: false };

function hex(n: number, width: number): string {
  return n.toString(16).toUpperCase().padStart(width, '0');
}

function ln(i: number, shape: IedShape): string {
  if (!shape.instanceValues) return `          <LN lnClass="GGIO" inst="${i}" lnType="GGIO_T"/>\n`;
  const doi = (name: string, desc: string): string =>
    `<DOI name="${name}" desc="${desc}"><DAI name="d"><Val>${desc} of input ${i}</Val></DAI><DAI name="units"><DAI name="SIUnit"><Val>V</Val></DAI><DAI name="multiplier"><Val>k</Val></DAI></DAI></DOI>`;
  return `          <LN lnClass="GGIO" inst="${i}" lnType="GGIO_T" desc="general I/O ${i}">\n            ${doi('AnIn1', 'busbar voltage')}\n            ${doi('AnIn2', 'line voltage')}\n            <DOI name="Ind1"><DAI name="d"><Val>trip ${i}</Val></DAI></DOI>\n          </LN>\n`;
}

function dataSet(name: string, ld: string, from: number): string {
  const fcda: string[] = [];
  for (let k = 0; k < 5; k++) {
    fcda.push(`<FCDA ldInst="${ld}" lnClass="GGIO" lnInst="${from + k}" doName="AnIn1" daName="mag.f" fc="MX"/>`, `<FCDA ldInst="${ld}" lnClass="GGIO" lnInst="${from + k}" doName="Ind1" fc="ST"/>`);
  }
  return `            <DataSet name="${name}">\n              ${fcda.join('\n              ')}\n            </DataSet>\n`;
}

function ied(n: number, shape: IedShape): string {
  const name = `IED${String(n).padStart(4, '0')}`;
  let s = `  <IED name="${name}" manufacturer="goose-bridge" type="SYNTH" configVersion="1.0">\n    <AccessPoint name="S1">\n      <Server>\n        <Authentication/>\n`;
  for (const ld of ['PROT', 'CTRL']) {
    s += `        <LDevice inst="${ld}">\n          <LN0 lnClass="LLN0" inst="" lnType="LLN0_T">\n`;
    s += dataSet('DS1', ld, 1) + dataSet('DS2', ld, 6);
    s += `            <GSEControl name="gcb01" datSet="DS1" confRev="1" appID="${name}_${ld}_1"/>\n            <GSEControl name="gcb02" datSet="DS2" confRev="1" appID="${name}_${ld}_2"/>\n          </LN0>\n`;
    for (let i = 1; i <= shape.lnsPerLd; i++) s += ln(i, shape);
    s += `          <LN lnClass="XCBR" inst="1" lnType="XCBR_T"/>\n        </LDevice>\n`;
  }
  return `${s}      </Server>\n    </AccessPoint>\n  </IED>\n`;
}

function connectedAp(n: number): string {
  const name = `IED${String(n).padStart(4, '0')}`;
  let s = `      <ConnectedAP iedName="${name}" apName="S1"><Address><P type="IP">10.${n >> 8}.${n & 255}.1</P></Address>\n`;
  ['PROT', 'CTRL'].forEach((ld, l) => {
    for (const g of [1, 2]) {
      const k = (n * 4 + l * 2 + g - 1) % 0x3fff;
      s += `        <GSE ldInst="${ld}" cbName="gcb0${g}"><Address><P type="MAC-Address">01-0C-CD-01-${hex(k >> 8, 2)}-${hex(k & 255, 2)}</P><P type="APPID">${hex(k, 4)}</P><P type="VLAN-ID">00A</P><P type="VLAN-PRIORITY">4</P></Address><MinTime unit="s" multiplier="m">4</MinTime><MaxTime unit="s" multiplier="m">1000</MaxTime></GSE>\n`;
    }
  });
  return `${s}      </ConnectedAP>\n`;
}

/** An SCD of at least `targetBytes` characters; returns the text and its number of IEDs. */
export function largeScd(targetBytes: number, shape = FULL_IED, subNetworks = 4): { text: string; ieds: number } {
  const iedSize = ied(1, shape).length + connectedAp(1).length;
  const count = Math.max(1, Math.ceil((targetBytes - TEMPLATES.length) / iedSize));
  const comm: string[] = [];
  for (let sn = 0; sn < subNetworks; sn++) {
    comm.push(`    <SubNetwork name="Bus${sn + 1}" type="8-MMS">\n`);
    for (let n = 1 + sn; n <= count; n += subNetworks) comm.push(connectedAp(n));
    comm.push('    </SubNetwork>\n');
  }
  const ieds: string[] = [];
  for (let n = 1; n <= count; n++) ieds.push(ied(n, shape));
  const text =
    `<?xml version="1.0" encoding="UTF-8"?>\n<SCL xmlns="http://www.iec.ch/61850/2003/SCL" version="2007" revision="B" release="4">\n  <Header id="SYNTH" version="1" revision="0"/>\n` +
    `  <Communication>\n${comm.join('')}  </Communication>\n${ieds.join('')}${TEMPLATES}</SCL>\n`;
  return { text, ieds: count };
}

/**
 * Hostile inputs of the benchmark, each an SCL root around something no engineering tool writes:
 * `flat` n empty elements side by side (4 bytes each), `deep` n elements nested in each other
 * (7 bytes each), `kept` n empty FCDA in a dataset a GoCB names (what the reader must keep).
 */
export function hostileScl(kind: 'flat' | 'deep' | 'kept', n: number): string {
  if (kind === 'flat') return `<SCL>${'<a/>'.repeat(n)}</SCL>\n`;
  if (kind === 'deep') return `<SCL>${'<a>'.repeat(n)}${'</a>'.repeat(n)}</SCL>\n`;
  return (
    '<SCL><IED name="H"><AccessPoint name="A"><Server><LDevice inst="L"><LN0 lnClass="LLN0" inst="" lnType="T"><DataSet name="D">' +
    `${'<FCDA/>'.repeat(n)}</DataSet><GSEControl name="g" datSet="D" appID="h"/></LN0></LDevice></Server></AccessPoint></IED></SCL>\n`
  );
}
