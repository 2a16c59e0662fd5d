/**
 * Regex backtracking (ReDoS) from the network. The review's datagram, 65,000 `\r` and an `x`, cost
 * 4.9 s of CPU in the parser's `/[\r\n\0]+$/`; rule regexes are the admin's but run on text an
 * attacker writes. Checked against an independent tool, not our reading: recheck
 * (makenowjust-labs/recheck, "the trustworthy ReDoS checker", automata-theoretic analysis) must
 * find every regex in src/ linear; rule regexes run under V8's linear-time fallback
 * (src/analyzer/rules/regex.ts), shown on inputs that take the backtracking engine minutes.
 */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/common/config-file.js';
import { parseSyslog } from '../../src/common/syslog/parse.js';
import { rulesFileSchema } from '../../src/analyzer/rules/schema.js';
import { RuleEngine } from '../../src/analyzer/rules/engine.js';
import { cli } from '../helpers/analyzer-process.js';
import { alertListed, analyzerPerTest, CANARY_RULE, canaryLine } from '../helpers/analyzer-per-test.js';
import { backtrackingRun, backtrackingRuns } from '../helpers/hostile-inputs.js';

const ROOT = new URL('../../', import.meta.url);
// recheck is CommonJS; its synchronous check runs its native or pure-JS backend, whichever is installed.
const { checkSync } = createRequire(import.meta.url)('recheck') as typeof import('recheck');

/** Every regex literal in the project's source, with where it is. */
function sourceRegexes(): { where: string; source: string; flags: string }[] {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', 'src/**.ts'], { cwd: ROOT, encoding: 'utf8' })
    .trim()
    .split('\n');
  const found: { where: string; source: string; flags: string }[] = [];
  for (const file of files) {
    const sourceFile = ts.createSourceFile(file, readFileSync(new URL(file, ROOT), 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const text = node.getText(sourceFile);
        const end = text.lastIndexOf('/');
        found.push({
          where: `${file}:${sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1}`,
          source: text.slice(1, end),
          flags: text.slice(end + 1),
        });
      }
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
  }
  return found;
}

describe('every regex in src/ is linear, by recheck', () => {
  it("finds no super-linear regex (the parser's trailing-newline regex was polynomial)", () => {
    const regexes = sourceRegexes();
    expect(regexes.length).toBeGreaterThan(30);
    const vulnerable = regexes
      .map((regex) => ({ ...regex, result: checkSync(regex.source, regex.flags, { timeout: 20_000, randomSeed: 1 }) }))
      .filter(({ result }) => result.status !== 'safe')
      .map(
        ({ where, source, result }) =>
          `${where} /${source}/: ${result.status}${result.status === 'vulnerable' ? ` ${result.complexity.summary}, attack ${result.attack.pattern}` : ''}`,
      );
    expect(vulnerable).toEqual([]);
    // The check itself finds what it should: the old parser regex and a textbook exponential one.
    expect(checkSync('[\\r\\n\\0]+$', '').status).toBe('vulnerable');
    expect(checkSync('^(\\w+\\s?)*$', '').status).toBe('vulnerable');
  }, 300_000);

  it('the parser reads 64 KiB runs of every syntax character (each completes; the old one took 5 s per run of CRs)', () => {
    for (const run of backtrackingRuns(65_000)) {
      for (const line of [run, `<13>${run}`, `<13>1 - h a - - [x@1 a="${run}`, `<13>Dec  4 10:00:00 ${run}`]) {
        expect(parseSyslog(line, { receivedAt: 0, source: 'x:1' }).message.length).toBeLessThanOrEqual(line.length);
      }
    }
  });
});

const rules = (regex: string) =>
  parseConfigText(rulesFileSchema, `rules:\n  - { id: r, kind: event, match: { regex: ${JSON.stringify(regex)} }, key: "\${host}" }\n`, 'rules.yaml').rules;

describe('rule regexes run under the linear-time fallback', () => {
  it('an exponential rule regex on its attack string completes (the backtracking engine alone: about 145 s for 40 characters)', () => {
    const engine = new RuleEngine(rules('^(\\w+\\s?)*$'));
    const event = parseSyslog(`<13>1 - h app - - - ${backtrackingRun('a', 5000, '!')}`, { receivedAt: 0, source: 'x:1' });
    expect(engine.process(event, 1)).toEqual([]);
    // And it still matches what it should.
    expect(engine.process(parseSyslog('<13>1 - h app - - - word and word', { receivedAt: 0, source: 'x:1' }), 2)).toHaveLength(1);
  });

  it('a quadratic rule regex (unanchored .* between two words, as the Windows logon rules have) completes on 64 KiB', () => {
    const engine = new RuleEngine(rules('(4634|4647): .*Logon ID:\\s*(?<id>0x[0-9a-f]+)'));
    const attack = parseSyslog(`<13>1 - h app - - - ${'I4634: '.repeat(9000)}`, { receivedAt: 0, source: 'x:1' });
    expect(engine.process(attack, 1)).toEqual([]);
    expect(
      engine.process(parseSyslog('<13>1 - h app - - - 4634: An account was logged off. Logon ID: 0x3e7', { receivedAt: 0, source: 'x:1' }), 2),
    ).toHaveLength(1);
  });

  it.each([
    ['lookahead', 'user (?=admin)\\w+'],
    ['negative lookbehind', '(?<!sudo )session opened'],
    ['backreference', '(\\w+) \\1'],
    ['named backreference', '(?<w>\\w+) \\k<w>'],
  ])('a rule regex with a %s is refused at load, naming the key, by check-config', async (_, regex) => {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-redos-'));
    const config = join(dir, 'analyzer.yaml');
    await writeFile(config, `dataDir: ${dir}\nrules:\n  - id: r\n    kind: event\n    match: { regex: ${JSON.stringify(regex)} }\n    key: "\${host}"\n`);
    const { code, stderr } = await cli(['check-config', '--analyzer', config]);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/analyzer\.yaml:5: rules\.0\.match\.regex: uses a lookaround .* or a backreference .*which the linear-time regex engine cannot run/);
  });
});

describe('the daemon as shipped', () => {
  const daemon = analyzerPerTest();

  it('keeps raising alerts while receiving attack strings for its parser and for an exponential rule regex', async () => {
    const { analyzer, config, send } = await daemon.start([
      '  - { id: words, kind: event, match: { regex: "^(\\\\w+\\\\s?)*$" }, key: "${host}" }',
      CANARY_RULE,
    ]);
    for (let i = 0; i < 3; i++) {
      await send(backtrackingRun('\r', 65_000));
      await send(`<13>1 - h app - - - ${backtrackingRun('a', 60_000, '!')}`);
    }
    await send(canaryLine(1));
    await alertListed(config, 'canary 1');
    expect(analyzer.child.exitCode).toBeNull();
  });
});
