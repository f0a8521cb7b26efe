// XML text → a small element tree (element name without its namespace prefix, attributes, children in
// document order, text). fast-xml-parser does the parsing (well-formedness checked first, so a
// broken file is reported with its line and column); document order matters because an SCL
// DOType's DA and SDO children, in order, are the members of a DO-level dataset entry.
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface XmlElement {
  tag: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export class XmlSyntaxError extends Error {
  override readonly name = 'XmlSyntaxError';
  constructor(
    readonly line: number,
    readonly col: number,
    reason: string,
  ) {
    super(`not well-formed XML at line ${line}, column ${col}: ${reason}`);
  }
}

const ATTRS = ':@';
const TEXT = '#text';

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // prefixes are taken off element names only: an attribute like xsi:type must not replace type
  removeNSPrefix: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
});

type OrderedNode = Record<string, unknown>;

function convert(node: OrderedNode): XmlElement | string | undefined {
  let tag: string | undefined;
  for (const k of Object.keys(node)) if (k !== ATTRS) tag = k;
  if (tag === undefined) return undefined;
  if (tag === TEXT) return String(node[TEXT]);
  const colon = tag.indexOf(':');
  const el: XmlElement = { tag: colon < 0 ? tag : tag.slice(colon + 1), attrs: (node[ATTRS] as Record<string, string> | undefined) ?? {}, children: [], text: '' };
  for (const child of node[tag] as OrderedNode[]) {
    const c = convert(child);
    if (typeof c === 'string') el.text += c;
    else if (c !== undefined) el.children.push(c);
  }
  return el;
}

/** Parses a whole document; returns its root element. */
export function parseXml(text: string): XmlElement {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    // the validator reports elements still open at the end as a JSON list of their names
    const open = /^Invalid '(\[.*\])' found\.$/s.exec(valid.err.msg);
    if (open) {
      const names = (JSON.parse(open[1]!) as string[]).join(' > ');
      throw new XmlSyntaxError(text.split('\n').length, 1, `the document ends inside ${names} (file cut short?)`);
    }
    throw new XmlSyntaxError(valid.err.line, valid.err.col, valid.err.msg);
  }
  const nodes = parser.parse(text) as OrderedNode[];
  for (const n of nodes) {
    const el = convert(n);
    if (el !== undefined && typeof el !== 'string') return el;
  }
  throw new XmlSyntaxError(1, 1, 'the document has no root element');
}

export function childrenNamed(el: XmlElement, tag: string): XmlElement[] {
  return el.children.filter((c) => c.tag === tag);
}

export function firstChild(el: XmlElement, tag: string): XmlElement | undefined {
  return el.children.find((c) => c.tag === tag);
}
