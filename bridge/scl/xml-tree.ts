// XML text, fed in chunks, → a small element tree of only the elements a reader keeps (element
// name without its namespace prefix, attributes as written, kept children in document order,
// text where asked). saxes parses in one pass and checks well-formedness, so a broken file is
// reported with its line and column; memory follows what is kept, not the file. Limits on
// nesting depth, on elements read and on elements kept stop a hostile file with an error naming
// the limit instead of exhausting memory. Document order matters: an SCL DOType's DA and SDO
// children, in order, are the members of a DO-level dataset entry. Prefixes are taken off
// element names only: an attribute like xsi:type must not replace type.
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

/** The bounds a document must stay within; each error names the option that raises it. */
export interface XmlLimits {
  /** Deepest element nesting. */
  maxDepth: number;
  /** Elements in the whole document (read, kept or not). */
  maxElements: number;
  /** Elements kept in the tree at one time. */
  maxKept: number;
}

export const XML_LIMIT_OPTION: Record<keyof XmlLimits, string> = { maxDepth: '--max-depth', maxElements: '--max-elements', maxKept: '--max-kept' };

export class XmlLimitError extends Error {
  override readonly name = 'XmlLimitError';
  constructor(
    readonly limit: keyof XmlLimits,
    readonly value: number,
    readonly line: number,
    what: string,
  ) {
    super(`${what} exceeds ${value} at line ${line} (limit ${XML_LIMIT_OPTION[limit]} ${value})`);
  }
}

/** What a reader keeps. The root element is always kept. */
export interface KeepPolicy {
  /** Throws when the document's root element (local name) is not the one the reader reads. */
  root(tag: string): void;
  /** Keep the element `tag` (local name) under the kept element `parent`? */
  keep(parent: XmlElement, tag: string): boolean;
  /** Keep the text of elements named `tag`? */
  keepText(tag: string): boolean;
  /** Called when a kept element closes; returns how many kept elements it dropped (pruning). */
  closed?(el: XmlElement): number;
}

function localName(tag: string): string {
  const colon = tag.indexOf(':');
  return colon < 0 ? tag : tag.slice(colon + 1);
}

// Kept elements can be many (a 50 MB SCD's templates and addresses, an IED's datasets): a leaf shares one empty children array and
// one empty attribute object, and saxes's attribute objects (prototype-less, in dictionary mode,
// ~300 bytes each) are copied into plain ones.
const NO_CHILDREN = Object.freeze([]) as unknown as XmlElement[];
const NO_ATTRS = Object.freeze({}) as Record<string, string>;

/**
 * A copy that does not hold on to the text it was cut from: V8 keeps a substring of 13 or more
 * characters as a slice of its parent, here the whole chunk being parsed.
 */
function detached(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

/** Strings kept once however often they occur (element names, short attribute values like "GGIO", "ST", "LD0"). */
class StringPool {
  private readonly pool = new Map<string, string>();
  get(s: string): string {
    if (s.length >= 13) return detached(s);
    const got = this.pool.get(s);
    if (got !== undefined) return got;
    this.pool.set(s, s);
    return s;
  }
}

/** Number of elements in a subtree, itself included. */
export function subtreeSize(el: XmlElement): number {
  let n = 1;
  for (const c of el.children) n += subtreeSize(c);
  return n;
}

export class XmlTreeBuilder {
  private readonly parser = new SaxesParser({ position: true });
  /** Open elements; `undefined` for an element not kept (its subtree is skipped). */
  private readonly open: (XmlElement | undefined)[] = [];
  /** Their names, for error messages. */
  private readonly names: string[] = [];
  private root: XmlElement | undefined;
  private failure: Error | undefined;
  private elements = 0;
  private kept = 0;
  private readonly strings = new StringPool();

  constructor(
    private readonly policy: KeepPolicy,
    private readonly limits: XmlLimits,
  ) {
    const p = this.parser;
    p.on('error', (err) => {
      // saxes prefixes its messages with "line:column: "
      const reason = err.message.replace(/^\d+:\d+: /, '');
      const cut = reason.startsWith('unclosed tag') ? `the document ends inside ${this.openPath()} (file cut short?)` : reason;
      this.failure ??= new XmlSyntaxError(p.line, p.column, cut);
    });
    p.on('opentag', (node) => this.opened(localName(node.name), node.attributes as Record<string, string>));
    p.on('closetag', () => this.closed());
    p.on('text', (t) => {
      const top = this.open[this.open.length - 1];
      if (top !== undefined && this.policy.keepText(top.tag) && /\S/.test(t)) top.text += detached(t);
    });
  }

  /** Feeds the next piece of the document; throws at the first error. */
  write(chunk: string): this {
    this.parser.write(chunk);
    if (this.failure) throw this.failure;
    return this;
  }

  /** Ends the document; returns its root element. */
  close(): XmlElement {
    this.parser.close();
    if (this.failure) throw this.failure;
    if (this.root === undefined) throw new XmlSyntaxError(1, 1, 'the document has no root element');
    return this.root;
  }

  private opened(tag: string, attrs: Record<string, string>): void {
    const { maxDepth, maxElements, maxKept } = this.limits;
    if (this.open.length >= maxDepth) throw new XmlLimitError('maxDepth', maxDepth, this.parser.line, `element nesting (inside ${this.openPath()})`);
    if (++this.elements > maxElements) throw new XmlLimitError('maxElements', maxElements, this.parser.line, 'the number of elements');
    const parent = this.open[this.open.length - 1];
    const isRoot = this.open.length === 0;
    this.names.push(tag);
    if (isRoot) this.policy.root(tag);
    if (!isRoot && (parent === undefined || !this.policy.keep(parent, tag))) {
      this.open.push(undefined);
      return;
    }
    if (++this.kept > maxKept) throw new XmlLimitError('maxKept', maxKept, this.parser.line, `the number of elements kept for the model (now in ${tag})`);
    const el: XmlElement = { tag: this.strings.get(tag), attrs: this.plainAttrs(attrs), children: NO_CHILDREN, text: '' };
    if (parent) {
      if (parent.children === NO_CHILDREN) parent.children = [];
      parent.children.push(el);
    }
    else this.root ??= el;
    this.open.push(el);
  }

  private plainAttrs(attrs: Record<string, string>): Record<string, string> {
    let out: Record<string, string> | undefined;
    for (const k in attrs) (out ??= {})[k] = this.strings.get(attrs[k]!);
    return out ?? NO_ATTRS;
  }

  private closed(): void {
    this.names.pop();
    const el = this.open.pop();
    if (el !== undefined && this.policy.closed) this.kept -= this.policy.closed(el);
  }

  /** The open elements' names, shortened in the middle when deep. */
  private openPath(): string {
    const names = this.names;
    const path = names.length > 12 ? [...names.slice(0, 6), `… ${names.length - 12} more …`, ...names.slice(-6)] : names;
    return path.join(' > ');
  }
}

export function childrenNamed(el: XmlElement, tag: string): XmlElement[] {
  return el.children.filter((c) => c.tag === tag);
}

export function firstChild(el: XmlElement, tag: string): XmlElement | undefined {
  return el.children.find((c) => c.tag === tag);
}
