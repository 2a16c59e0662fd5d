/** src/analyzer and src/agent never import each other; src/snmp imports neither (#18). */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RULES, boundaryViolations, describeViolation, importSpecifiers, readSource, typescriptFiles } from './import-boundaries.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('import boundaries between src/agent, src/analyzer and src/snmp', () => {
  it('no file imports across them', () => {
    const files = typescriptFiles(ROOT, 'src');
    // The scan must see every area it guards, or an empty result would prove nothing.
    for (const rule of RULES) expect(files.filter((file) => file.startsWith(rule.from)).length, rule.from).toBeGreaterThan(5);
    const violations = files.flatMap((file) => boundaryViolations(file, readSource(ROOT, file)));
    expect(violations.map(describeViolation)).toEqual([]);
  });
});

describe('the import scanner', () => {
  const SAMPLE = [
    "import { a } from '../agent/a.js';",
    'import type { B } from "../agent/b.js";',
    "export { c } from '../agent/c.js';",
    "export * from '../agent/d.js';",
    "// import { e } from '../agent/e.js';",
    'const text = "import { f } from \'../agent/f.js\'";',
    'export async function load() {',
    "  return import('../agent/g.js');",
    '}',
    'import {',
    '  h,',
    "} from '../agent/h.js';",
    "import '../agent/i.js';",
    "import { readFileSync } from 'node:fs';",
    "import { parseOid } from '../snmp/oid.js';",
    "import { systemClock } from '../common/clock.js';",
  ].join('\n');

  it('finds static imports, type imports, re-exports, import() and side-effect imports with their lines, not comments or strings', () => {
    expect(importSpecifiers(SAMPLE)).toEqual([
      { specifier: '../agent/a.js', line: 1 },
      { specifier: '../agent/b.js', line: 2 },
      { specifier: '../agent/c.js', line: 3 },
      { specifier: '../agent/d.js', line: 4 },
      { specifier: '../agent/g.js', line: 8 },
      { specifier: '../agent/h.js', line: 12 },
      { specifier: '../agent/i.js', line: 13 },
      { specifier: 'node:fs', line: 14 },
      { specifier: '../snmp/oid.js', line: 15 },
      { specifier: '../common/clock.js', line: 16 },
    ]);
  });

  it('names each forbidden import of an analyzer file, with its file, line and target', () => {
    const violations = boundaryViolations('src/analyzer/notify/sample.ts', SAMPLE.replace(/(['"])\.\.\//g, '$1../../'));
    expect(violations.map(describeViolation)).toEqual([
      "src/analyzer/notify/sample.ts:1 imports '../../agent/a.js' (src/agent/a.js)",
      "src/analyzer/notify/sample.ts:2 imports '../../agent/b.js' (src/agent/b.js)",
      "src/analyzer/notify/sample.ts:3 imports '../../agent/c.js' (src/agent/c.js)",
      "src/analyzer/notify/sample.ts:4 imports '../../agent/d.js' (src/agent/d.js)",
      "src/analyzer/notify/sample.ts:8 imports '../../agent/g.js' (src/agent/g.js)",
      "src/analyzer/notify/sample.ts:12 imports '../../agent/h.js' (src/agent/h.js)",
      "src/analyzer/notify/sample.ts:13 imports '../../agent/i.js' (src/agent/i.js)",
    ]);
  });

  it('forbids src/snmp both sides and the agent the analyzer, and allows src/common, src/snmp and packages', () => {
    const source =
      "import { x } from '../analyzer/x.js';\nimport { y } from '../agent/y.js';\nimport { z } from '../common/z.js';\nimport { w } from './oid.js';\nimport 'zod';";
    expect(boundaryViolations('src/snmp/sample.ts', source).map((v) => v.target)).toEqual(['src/analyzer/x.js', 'src/agent/y.js']);
    expect(boundaryViolations('src/agent/sample.ts', source.replaceAll("'../", "'../../").replace("'./oid.js'", "'../../snmp/oid.js'"))).toEqual([]);
    expect(boundaryViolations('src/agent/snmp/sample.ts', "import { a } from '../../analyzer/daemon.js';").map(describeViolation)).toEqual([
      "src/agent/snmp/sample.ts:1 imports '../../analyzer/daemon.js' (src/analyzer/daemon.js)",
    ]);
    // Paths that only look alike are not under the forbidden folder.
    expect(boundaryViolations('src/analyzer/sample.ts', "import { a } from '../agent-like/a.js';\nimport { b } from '../cli/agent-commands.js';")).toEqual([]);
    // src/cli wires both programs and is not guarded.
    expect(boundaryViolations('src/cli/sample.ts', "import { a } from '../agent/a.js';\nimport { b } from '../analyzer/b.js';")).toEqual([]);
  });
});
