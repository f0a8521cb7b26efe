// A minimal reader for tshark's PDML output (-T pdml), used by the Wireshark oracle test.
// PDML keeps field order, repeated fields and each field's raw bytes (`value`), which
// `-T json` loses (duplicate keys).

export interface PdmlNode {
  kind: 'packet' | 'proto' | 'field';
  name: string;
  attrs: Record<string, string>;
  children: PdmlNode[];
}

const TOKEN = /<(\/?)(packet|proto|field)\b([^>]*?)(\/?)>/g;
const ATTR = /([\w.-]+)="([^"]*)"/g;

export function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#x[0-9a-fA-F]+|#\d+);/g, (_m, e: string) => {
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'amp') return '&';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    return String.fromCodePoint(e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

/** Parses a PDML document into its packets. */
export function parsePdml(xml: string): PdmlNode[] {
  const packets: PdmlNode[] = [];
  const stack: PdmlNode[] = [];
  for (const m of xml.matchAll(TOKEN)) {
    const [, closing, kind, attrText, selfClosing] = m as unknown as [string, string, PdmlNode['kind'], string, string];
    if (closing) {
      stack.pop();
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of attrText.matchAll(ATTR)) attrs[a[1]!] = unescapeXml(a[2]!);
    const node: PdmlNode = { kind, name: attrs.name ?? '', attrs, children: [] };
    if (kind === 'packet') packets.push(node);
    else stack[stack.length - 1]?.children.push(node);
    if (!selfClosing) stack.push(node);
  }
  return packets;
}

/** Depth-first search for the first node with `name`. */
export function find(node: PdmlNode, name: string): PdmlNode | undefined {
  if (node.name === name) return node;
  for (const c of node.children) {
    const f = find(c, name);
    if (f) return f;
  }
  return undefined;
}

export function findAll(node: PdmlNode, predicate: (n: PdmlNode) => boolean, out: PdmlNode[] = []): PdmlNode[] {
  if (predicate(node)) out.push(node);
  for (const c of node.children) findAll(c, predicate, out);
  return out;
}
