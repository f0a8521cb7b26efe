// DataTypeTemplates resolution: an FCDA (doName[.sdo…], daName[.bda…], fc) of a logical node
// type down to basic types, LNodeType → DO → DOType → (SDO → DOType …) → DA → DAType → BDA …,
// Enum attributes to their EnumType. An FCDA without daName (DO level) is the structure of the
// DO's attributes with that functional constraint, in DOType order (sub-DOs as nested
// structures), as IEC 61850-8-1 maps it into a GOOSE dataset. Structures are resolved once per
// type id and shared.
import type { SclMember, SclType } from './scl-model.js';
import { childrenNamed, type XmlElement } from './xml-tree.js';

/** Where resolution stopped: what is missing and the template path of the element that names it. */
export class MissingMember extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

const NEST_LIMIT = 16;

export class TypeTemplates {
  private readonly lnTypes = new Map<string, XmlElement>();
  private readonly doTypes = new Map<string, XmlElement>();
  private readonly daTypes = new Map<string, XmlElement>();
  /** EnumType id → ord of its first EnumVal. */
  private readonly enumTypes = new Map<string, number>();
  private readonly daTypeCache = new Map<string, SclType>();
  private readonly doLevelCache = new Map<string, SclType>();

  constructor(templates: XmlElement | undefined) {
    for (const el of templates?.children ?? []) {
      const id = el.attrs.id ?? '';
      if (el.tag === 'LNodeType') this.lnTypes.set(id, el);
      else if (el.tag === 'DOType') this.doTypes.set(id, el);
      else if (el.tag === 'DAType') this.daTypes.set(id, el);
      else if (el.tag === 'EnumType') this.enumTypes.set(id, Number(childrenNamed(el, 'EnumVal')[0]?.attrs.ord ?? 0) || 0);
    }
  }

  /** The type of `doName`/`daName` with functional constraint `fc` in LNodeType `lnType`. */
  resolve(lnType: string, doName: string, daName: string, fc: string): SclType {
    const ln = this.lnTypes.get(lnType);
    if (ln === undefined) throw new MissingMember(`LNodeType "${lnType}" is not in the DataTypeTemplates`, `SCL/DataTypeTemplates/LNodeType[id=${lnType}]`);
    const [doFirst = '', ...sdos] = doName.split('.');
    const doEl = childrenNamed(ln, 'DO').find((d) => d.attrs.name === doFirst);
    if (doEl === undefined) throw new MissingMember(`DO "${doFirst}" is not in LNodeType "${lnType}"`, `SCL/DataTypeTemplates/LNodeType[id=${lnType}]`);
    let doTypeId = doEl.attrs.type ?? '';
    let doType = this.doType(doTypeId, `SCL/DataTypeTemplates/LNodeType[id=${lnType}]/DO[name=${doFirst}]`);
    for (const sdo of sdos) {
      const s = doType.children.find((c) => (c.tag === 'SDO' || c.tag === 'DO') && c.attrs.name === sdo);
      if (s === undefined) throw new MissingMember(`SDO "${sdo}" is not in DOType "${doTypeId}"`, `SCL/DataTypeTemplates/DOType[id=${doTypeId}]`);
      const at = `SCL/DataTypeTemplates/DOType[id=${doTypeId}]/SDO[name=${sdo}]`;
      doTypeId = s.attrs.type ?? '';
      doType = this.doType(doTypeId, at);
    }
    if (daName === '') return this.doLevel(doTypeId, fc, 0);
    const [daFirst = '', ...bdas] = daName.split('.');
    const daEl = childrenNamed(doType, 'DA').find((d) => d.attrs.name === daFirst);
    const doPath = `SCL/DataTypeTemplates/DOType[id=${doTypeId}]`;
    if (daEl === undefined) throw new MissingMember(`DA "${daFirst}" is not in DOType "${doTypeId}"`, doPath);
    if (daEl.attrs.fc !== fc) throw new MissingMember(`DA "${daFirst}" of DOType "${doTypeId}" has fc ${daEl.attrs.fc ?? '(none)'}, the FCDA asks for ${fc}`, `${doPath}/DA[name=${daFirst}]`);
    let type = this.attributeType(daEl, `${doPath}/DA[name=${daFirst}]`, 0);
    for (const bda of bdas) {
      if (type.kind !== 'struct') throw new MissingMember(`"${bda}" asked of "${daFirst}", which is not a structure`, `${doPath}/DA[name=${daFirst}]`);
      const m = type.members.find((x) => x.name === bda);
      if (m === undefined) throw new MissingMember(`BDA "${bda}" is not in DAType "${type.typeId}"`, `SCL/DataTypeTemplates/DAType[id=${type.typeId}]`);
      type = m.type;
    }
    return type;
  }

  private doType(id: string, referrer: string): XmlElement {
    const t = this.doTypes.get(id);
    if (t === undefined) throw new MissingMember(`DOType "${id}" is not in the DataTypeTemplates`, referrer);
    return t;
  }

  /** The structure of a DO's attributes with functional constraint fc (sub-DOs nested). */
  private doLevel(doTypeId: string, fc: string, depth: number): SclType {
    const key = `${doTypeId}|${fc}`;
    const cached = this.doLevelCache.get(key);
    if (cached) return cached;
    if (depth > NEST_LIMIT) throw new MissingMember(`DOType "${doTypeId}" nests deeper than ${NEST_LIMIT} (a loop?)`, `SCL/DataTypeTemplates/DOType[id=${doTypeId}]`);
    const doType = this.doType(doTypeId, `SCL/DataTypeTemplates/DOType[id=${doTypeId}]`);
    const members: SclMember[] = [];
    for (const c of doType.children) {
      const at = `SCL/DataTypeTemplates/DOType[id=${doTypeId}]/${c.tag}[name=${c.attrs.name ?? ''}]`;
      if (c.tag === 'DA' && c.attrs.fc === fc) members.push({ name: c.attrs.name ?? '', type: this.attributeType(c, at, depth + 1) });
      else if (c.tag === 'SDO') {
        this.doType(c.attrs.type ?? '', at);
        const sub = this.doLevelOrEmpty(c.attrs.type ?? '', fc, depth + 1);
        if (sub) members.push({ name: c.attrs.name ?? '', type: sub });
      }
    }
    if (members.length === 0) throw new MissingMember(`DOType "${doTypeId}" has no DA with fc ${fc}`, `SCL/DataTypeTemplates/DOType[id=${doTypeId}]`);
    const t: SclType = { kind: 'struct', typeId: doTypeId, members };
    this.doLevelCache.set(key, t);
    return t;
  }

  private doLevelOrEmpty(doTypeId: string, fc: string, depth: number): SclType | undefined {
    try {
      return this.doLevel(doTypeId, fc, depth);
    } catch (err) {
      if (err instanceof MissingMember && err.message.includes('has no DA with fc')) return undefined;
      throw err;
    }
  }

  /** A DA's or BDA's type: basic, Enum (its EnumType must exist) or Struct (its DAType). */
  private attributeType(el: XmlElement, at: string, depth: number): SclType {
    const bType = el.attrs.bType ?? '';
    const typeId = el.attrs.type ?? '';
    if (bType === 'Enum') {
      const firstOrd = this.enumTypes.get(typeId);
      if (firstOrd === undefined) throw new MissingMember(`EnumType "${typeId}" is not in the DataTypeTemplates`, at);
      return { kind: 'enum', enumType: typeId, firstOrd };
    }
    if (bType !== 'Struct') {
      if (bType === '') throw new MissingMember('the attribute has no bType', at);
      return { kind: 'basic', bType };
    }
    const cached = this.daTypeCache.get(typeId);
    if (cached) return cached;
    if (depth > NEST_LIMIT) throw new MissingMember(`DAType "${typeId}" nests deeper than ${NEST_LIMIT} (a loop?)`, at);
    const daType = this.daTypes.get(typeId);
    if (daType === undefined) throw new MissingMember(`DAType "${typeId}" is not in the DataTypeTemplates`, at);
    const members = childrenNamed(daType, 'BDA').map((b) => ({
      name: b.attrs.name ?? '',
      type: this.attributeType(b, `SCL/DataTypeTemplates/DAType[id=${typeId}]/BDA[name=${b.attrs.name ?? ''}]`, depth + 1),
    }));
    if (members.length === 0) throw new MissingMember(`DAType "${typeId}" has no BDA`, `SCL/DataTypeTemplates/DAType[id=${typeId}]`);
    const t: SclType = { kind: 'struct', typeId, members };
    this.daTypeCache.set(typeId, t);
    return t;
  }
}

/** Compact text of a type: `FLOAT32`, `Enum(Beh)`, `{stVal:BOOLEAN,q:Quality,t:Timestamp}`. */
export function formatSclType(t: SclType): string {
  if (t.kind === 'basic') return t.bType;
  if (t.kind === 'enum') return `Enum(${t.enumType})`;
  return `{${t.members.map((m) => `${m.name}:${formatSclType(m.type)}`).join(',')}}`;
}
