// XML text → a small element tree (element name without its namespace prefix, attributes as
// written, children in document order, text). saxes parses in one pass and checks
// well-formedness, so a broken file is reported with its line and column. Document order
// matters: an SCL DOType's DA and SDO children, in order, are the members of a DO-level
// dataset entry. Prefixes are taken off element names only: an attribute like xsi:type must
// not replace type.
import { SaxesParser } from 'saxes';

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

function localName(tag: string): string {
  const colon = tag.indexOf(':');
  return colon < 0 ? tag : tag.slice(colon + 1);
}

/**
 * Parses a whole document; returns its root element. Subtrees of elements named in `skip` are
 * checked for well-formedness but not kept (what a reader does not need costs no memory).
 */
export function parseXml(text: string, skip: ReadonlySet<string> = new Set()): XmlElement {
  const parser = new SaxesParser({ position: true });
  const stack: XmlElement[] = [];
  let skipDepth = 0;
  let root: XmlElement | undefined;
  let failure: XmlSyntaxError | undefined;
  parser.on('error', (err) => {
    // saxes prefixes its messages with "line:column: "
    const reason = err.message.replace(/^\d+:\d+: /, '');
    const cut = reason.startsWith('unclosed tag') ? `the document ends inside ${stack.map((e) => e.tag).join(' > ')} (file cut short?)` : reason;
    failure ??= new XmlSyntaxError(parser.line, parser.column, cut);
  });
  parser.on('opentag', (node) => {
    const tag = localName(node.name);
    if (skipDepth > 0 || skip.has(tag)) {
      skipDepth++;
      return;
    }
    const el: XmlElement = { tag, attrs: node.attributes as Record<string, string>, children: [], text: '' };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else root ??= el;
    stack.push(el);
  });
  parser.on('closetag', () => {
    if (skipDepth > 0) skipDepth--;
    else stack.pop();
  });
  parser.on('text', (t) => {
    const top = stack[stack.length - 1];
    if (skipDepth === 0 && top && /\S/.test(t)) top.text += t;
  });
  parser.write(text).close();
  if (failure) throw failure;
  if (root === undefined) throw new XmlSyntaxError(1, 1, 'the document has no root element');
  return root;
}

export function childrenNamed(el: XmlElement, tag: string): XmlElement[] {
  return el.children.filter((c) => c.tag === tag);
}

export function firstChild(el: XmlElement, tag: string): XmlElement | undefined {
  return el.children.find((c) => c.tag === tag);
}
