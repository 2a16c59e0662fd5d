/**
 * Which of src/'s areas may import which (#18): the agent and the analyzer are two programs that
 * share src/common and the SNMP protocol layer src/snmp, never each other's code; src/snmp knows
 * neither. The imports are read with TypeScript's own scanner (`preProcessFile`): static
 * `import … from`, `import '…'`, `export … from` and dynamic `import()`, not comments or strings.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import ts from 'typescript';

export interface BoundaryRule {
  /** Files under this folder (repository-relative, with a trailing slash)… */
  readonly from: string;
  /** …may import nothing under these. */
  readonly forbidden: readonly string[];
}

export const RULES: readonly BoundaryRule[] = [
  { from: 'src/analyzer/', forbidden: ['src/agent/'] },
  { from: 'src/agent/', forbidden: ['src/analyzer/'] },
  { from: 'src/snmp/', forbidden: ['src/agent/', 'src/analyzer/'] },
];

export interface ImportSpecifier {
  readonly specifier: string;
  /** 1-based. */
  readonly line: number;
}

export interface Violation extends ImportSpecifier {
  readonly file: string;
  /** The imported path, repository-relative, as written (extension and all). */
  readonly target: string;
}

/** Every module specifier `source` imports or re-exports, statically or with import(). */
export function importSpecifiers(source: string): ImportSpecifier[] {
  const { importedFiles } = ts.preProcessFile(source, true, true);
  return importedFiles.map(({ fileName, pos }) => ({ specifier: fileName, line: source.slice(0, pos).split('\n').length }));
}

/** The imports of `file` (repository-relative, posix) that `rules` forbid. Package imports are never forbidden. */
export function boundaryViolations(file: string, source: string, rules: readonly BoundaryRule[] = RULES): Violation[] {
  const forbidden = rules.filter((rule) => file.startsWith(rule.from)).flatMap((rule) => rule.forbidden);
  if (forbidden.length === 0) return [];
  return importSpecifiers(source).flatMap((found) => {
    if (!found.specifier.startsWith('.')) return [];
    const target = posix.normalize(posix.join(posix.dirname(file), found.specifier));
    return forbidden.some((folder) => target.startsWith(folder)) ? [{ file, target, ...found }] : [];
  });
}

/** The TypeScript files under `folder` of the repository at `root`, repository-relative. */
export function typescriptFiles(root: string, folder: string): string[] {
  return readdirSync(posix.join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.[cm]?tsx?$/.test(name) && !name.endsWith('.d.ts'))
    .map((name) => posix.join(folder, name.split('\\').join('/')))
    .sort();
}

export function readSource(root: string, file: string): string {
  return readFileSync(posix.join(root, file), 'utf8');
}

export const describeViolation = (v: Violation) => `${v.file}:${v.line} imports '${v.specifier}' (${v.target})`;
