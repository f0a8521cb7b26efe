// Where each key of an INI file is written. The `ini` package keeps only the last of two equal
// keys and forgets line numbers; this line scan finds repeated keys (a silent override is a
// configuration mistake, not a feature) and lets errors name file:line. Pure.

export interface IniKeyLine {
  /** The key as written, trimmed. */
  key: string;
  /** 1-based line number. */
  line: number;
  /** The section it is under ('' at the top). */
  section: string;
}

/** Every `key = value` line of `text` (comments, blank lines and section headers skipped). */
export function scanIniKeys(text: string): IniKeyLine[] {
  const out: IniKeyLine[] = [];
  let section = '';
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) return;
    const header = /^\[(.*)\]$/.exec(line);
    if (header !== null) {
      section = header[1]!.trim();
      return;
    }
    const eq = line.indexOf('=');
    const key = (eq < 0 ? line : line.slice(0, eq)).trim();
    if (key !== '' && !key.endsWith('[]')) out.push({ key, line: i + 1, section });
  });
  return out;
}

/**
 * The first key written twice in the same namespace, with both lines. `namespace` says which
 * sections the reader merges (the bridge reads the top, [DEFAULT] and [goose-bridge] as one).
 */
export function findRepeatedKey(lines: IniKeyLine[], namespace: (section: string) => string): { key: string; first: number; again: number } | null {
  const seen = new Map<string, number>();
  for (const l of lines) {
    const id = `${namespace(l.section)}\n${l.key.toLowerCase()}`;
    const first = seen.get(id);
    if (first !== undefined) return { key: l.key, first, again: l.line };
    seen.set(id, l.line);
  }
  return null;
}
