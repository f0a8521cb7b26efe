// The project's import graph and its layering rules (undici's: a lower layer never imports an
// upper one). Imports are read with TypeScript's own pre-processor (static, dynamic and
// `export … from`), plus `new URL('./x.ts', import.meta.url)` references to scripts and workers
// a file starts.
import ts from 'typescript';
import { dirname, join, normalize } from 'node:path';

/** The floors, lowest first; a file may import its own floor and the ones below. */
export const FLOORS: ReadonlyArray<readonly string[]> = [
  ['errors'],
  ['native'],
  ['bridge/codec', 'bridge/pcap'],
  ['bridge/scl', 'bridge/config', 'bridge/wan', 'bridge/igmp', 'bridge/install', 'bridge/spec'],
  ['bridge/daemon'],
  ['bridge/cli'],
  ['sim'],
  ['bin'],
];
/** Test support and the harness above everything shipped: below them only tests may import them. */
const TEST_LAYERS = ['testkit', 'suites'];
/** Folders that must never import suites/ (tests and benches included). */
const BELOW_SUITES = ['errors', 'native', 'bridge', 'sim', 'testkit'];

export type SourceFiles = ReadonlyMap<string, string>;

export interface Imports {
  /** Repository-relative paths of the project files imported (extension as written). */
  files: string[];
  /** Package names imported (`@scope/name` or `name`; node: built-ins left out). */
  packages: string[];
}

export function importsOf(path: string, text: string): Imports {
  const specs = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
  for (const m of text.matchAll(/new URL\(\s*'(\.{1,2}\/[^']+\.(?:ts|mjs|js))'\s*,\s*import\.meta\.url\s*\)/g)) specs.push(m[1]!);
  const files: string[] = [];
  const packages: string[] = [];
  for (const s of specs) {
    if (s.startsWith('.')) files.push(normalize(join(dirname(path), s)));
    else if (!s.startsWith('node:')) packages.push(s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!);
  }
  return { files, packages };
}

/** `bridge/x` for files under bridge/, else the top folder. */
export function folderOf(path: string): string {
  const parts = path.split('/');
  return parts[0] === 'bridge' && parts.length > 2 ? `bridge/${parts[1]}` : parts[0]!;
}

function floorOf(path: string): number {
  return FLOORS.findIndex((f) => f.includes(folderOf(path)));
}

const isTest = (path: string): boolean => /\.(test|bench)\.ts$/.test(path);

/** The source file an import names: `x.js` is `x.ts` when only that exists. */
function resolve(files: SourceFiles, path: string): string {
  return !files.has(path) && path.endsWith('.js') && files.has(`${path.slice(0, -3)}.ts`) ? `${path.slice(0, -3)}.ts` : path;
}

/** Files reachable from the entry points: what the CLI and the addon's wrapper ship. */
export function shippedFiles(files: SourceFiles, entries: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...entries];
  while (todo.length > 0) {
    const f = todo.pop()!;
    if (seen.has(f) || !files.has(f)) continue;
    seen.add(f);
    for (const i of importsOf(f, files.get(f)!).files) todo.push(resolve(files, i));
  }
  return seen;
}

/** Every breach of the layering, one line each (`from → to: rule`). */
export function layeringViolations(files: SourceFiles, entries: readonly string[], devDependencies: readonly string[]): string[] {
  const out: string[] = [];
  const shipped = shippedFiles(files, entries);
  for (const [path, text] of files) {
    const { files: targets, packages } = importsOf(path, text);
    const top = path.split('/')[0]!;
    for (const t of targets.map((x) => resolve(files, x))) {
      const to = t.split('/')[0]!;
      if (BELOW_SUITES.includes(top) && to === 'suites') out.push(`${path} → ${t}: ${top}/ never imports suites/`);
      if (shipped.has(path) && TEST_LAYERS.includes(to)) out.push(`${path} → ${t}: shipped code never imports ${to}/`);
      const [a, b] = [floorOf(path), floorOf(t)];
      if (!isTest(path) && a >= 0 && b > a) out.push(`${path} → ${t}: ${folderOf(path)} sits below ${folderOf(t)}`);
    }
    if (shipped.has(path)) for (const p of packages.filter((x) => devDependencies.includes(x))) out.push(`${path} → ${p}: shipped code never imports a devDependency`);
  }
  return out;
}
