// Reads JSON that a person wrote (key files, stats files, sim plans) strictly and reports a
// mistake by place and kind, never by quoting the text: a key file's bytes are secrets, and a
// terminal must not receive raw control characters from a file. JSON.parse both quotes the text
// in its messages and keeps the last of two equal property names silently; this scan checks the
// grammar first (RFC 8259), refuses repeated properties, and only then lets JSON.parse build it.
// Pure.

export class JsonTextError extends Error {
  constructor(
    /** 1-based line and column of the first offending character (end of input: one past the last). */
    readonly line: number,
    readonly column: number,
    /** What is wrong, in words; never contains the input's characters, except safe property names. */
    readonly problem: string,
  ) {
    super(`line ${line}, column ${column}: ${problem}`);
  }
}

/** A property name as it may be shown: short identifier-like names only, and no run of hex digits (a key could be a name). */
export function safeName(name: string): string {
  return showable(name) ? `"${name}"` : `(a name of ${name.length} characters, not shown)`;
}

function showable(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_-]{0,23}$/.test(name) && !/[0-9a-fA-F]{12}/.test(name);
}

/** `text` with control characters written as \uXXXX escapes, so echoing it cannot drive a terminal. */
export function escapeControl(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Names the character at `c` without echoing it: a code point, and what kind of character it is. */
function describeChar(c: string): string {
  const cp = c.codePointAt(0)!;
  const u = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  if (cp < 0x20 || cp === 0x7f) return `control character ${u}`;
  if (/[A-Za-z0-9]/.test(c)) return 'letter or digit';
  return `character ${u}`;
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const WORDS = ['true', 'false', 'null'];
/** Deeper nesting is refused (no file of this project nests more than a few levels; recursion is bounded). */
export const MAX_JSON_DEPTH = 256;

class Scanner {
  private i = 0;
  private depth = 0;
  constructor(private readonly text: string) {}

  fail(problem: string, at = this.i): never {
    let line = 1;
    let lineStart = 0;
    for (let k = 0; k < at && k < this.text.length; k++) {
      if (this.text.charCodeAt(k) === 10) {
        line++;
        lineStart = k + 1;
      }
    }
    throw new JsonTextError(line, at - lineStart + 1, problem);
  }

  private unexpected(expected: string): never {
    if (this.i >= this.text.length) this.fail(`unexpected end of input, expected ${expected}`);
    this.fail(`unexpected ${describeChar(String.fromCodePoint(this.text.codePointAt(this.i)!))}, expected ${expected}`);
  }

  private space(): void {
    while (this.i < this.text.length && ' \t\n\r'.includes(this.text[this.i]!)) this.i++;
  }

  document(): void {
    if (this.text.charCodeAt(0) === 0xfeff) this.i = 1; // a byte-order mark, as editors write it
    this.space();
    this.value('a JSON value', '(top level)');
    this.space();
    if (this.i < this.text.length) this.fail(`unexpected ${describeChar(String.fromCodePoint(this.text.codePointAt(this.i)!))} after the end of the value`);
  }

  private value(expected: string, path: string): void {
    const c = this.text[this.i];
    if (c === '{' || c === '[') {
      if (++this.depth > MAX_JSON_DEPTH) this.fail(`nested deeper than ${MAX_JSON_DEPTH} levels`);
      if (c === '{') this.object(path);
      else this.array(path);
      this.depth--;
      return;
    }
    if (c === '"') {
      this.string();
      return;
    }
    NUMBER.lastIndex = this.i;
    if (c !== undefined && /[-0-9]/.test(c) && NUMBER.test(this.text)) {
      this.i = NUMBER.lastIndex;
      return;
    }
    const word = WORDS.find((w) => this.text.startsWith(w, this.i));
    if (word !== undefined) {
      this.i += word.length;
      return;
    }
    this.unexpected(expected);
  }

  private object(path: string): void {
    this.i++;
    const seen = new Set<string>();
    this.space();
    if (this.text[this.i] === '}') {
      this.i++;
      return;
    }
    for (;;) {
      this.space();
      if (this.text[this.i] !== '"') this.unexpected('a property name in double quotes');
      const at = this.i;
      const name = this.string();
      const where = path === '(top level)' ? name : `${path}.${name}`;
      if (seen.has(name)) this.fail(`property ${safeName(name)}${path === '(top level)' ? '' : ` of ${pathOf(path)}`} is given twice`, at);
      seen.add(name);
      this.space();
      if (this.text[this.i] !== ':') this.unexpected("':' after the property name");
      this.i++;
      this.space();
      this.value('a value', where);
      this.space();
      if (this.text[this.i] === ',') {
        this.i++;
        continue;
      }
      if (this.text[this.i] === '}') {
        this.i++;
        return;
      }
      this.unexpected("',' or '}'");
    }
  }

  private array(path: string): void {
    this.i++;
    this.space();
    if (this.text[this.i] === ']') {
      this.i++;
      return;
    }
    for (let n = 0; ; n++) {
      this.space();
      this.value('a value', `${path}[${n}]`);
      this.space();
      if (this.text[this.i] === ',') {
        this.i++;
        continue;
      }
      if (this.text[this.i] === ']') {
        this.i++;
        return;
      }
      this.unexpected("',' or ']'");
    }
  }

  /** Scans a string starting at the quote; returns its decoded value. */
  private string(): string {
    const start = this.i;
    this.i++;
    for (;;) {
      if (this.i >= this.text.length) this.fail('unterminated string', start);
      const code = this.text.charCodeAt(this.i);
      if (code === 0x22) {
        this.i++;
        return JSON.parse(this.text.slice(start, this.i)) as string;
      }
      if (code < 0x20) this.fail(`control character U+${code.toString(16).toUpperCase().padStart(4, '0')} inside a string (write it as an escape)`);
      if (code === 0x5c) {
        const e = this.text[this.i + 1];
        if (e !== undefined && '"\\/bfnrt'.includes(e)) this.i += 2;
        else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.i + 2, this.i + 6))) this.i += 6;
        else this.fail('a bad escape sequence inside a string');
      } else this.i++;
    }
  }
}

function pathOf(path: string): string {
  return path.split(/(?=\[)|\./).every((p) => /^\[[0-9]+\]$/.test(p) || showable(p)) ? path : 'an object';
}

/** Parses `text` as strict JSON with no repeated property; throws JsonTextError naming line, column and kind. */
export function parseJsonText(text: string): unknown {
  new Scanner(text).document();
  return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown;
}
