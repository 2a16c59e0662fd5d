/**
 * YAML config files an attacker (or a slip) can make hostile: an alias bomb, duplicate keys,
 * broken syntax, deep nesting and 40,000 unknown keys all end as ConfigError lines naming the
 * file (and the line where there is one), through the real `envirowatch check-config` and the
 * first boot, which always writes its log.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { parseConfigText } from '../../src/common/config-file.js';
import { ConfigError } from '../../src/common/errors.js';
import { applyFirstBoot, FIRSTBOOT_FILE, LOG_FILE } from '../../src/firstboot/apply.js';
import { cli } from '../helpers/analyzer-process.js';

/** "Billion laughs": each level repeats the one before ten times; fully expanded it is 10^9 strings. */
const ALIAS_BOMB = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...Array.from({ length: 8 }, (_, i) => {
    const [name, previous] = [String.fromCharCode(98 + i), String.fromCharCode(97 + i)];
    return `${name}: &${name} [${Array.from({ length: 10 }, () => `*${previous}`).join(',')}]`;
  }),
  '',
].join('\n');

async function tempFile(name: string, text: string): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'envirowatch-yaml-')), name);
  await writeFile(file, text);
  return file;
}

function configErrorOf(text: string): ConfigError {
  try {
    parseConfigText(z.looseObject({}), text, 'test.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw new Error(`expected a ConfigError, got ${String(error)}`);
  }
  throw new Error('expected a ConfigError, got none');
}

describe('hostile YAML', () => {
  it('an alias bomb is a ConfigError naming the file and line, not a ReferenceError with a stack trace', async () => {
    const error = configErrorOf(ALIAS_BOMB);
    expect(error.file).toBe('test.yaml');
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]!.message).toMatch(/alias/);
    expect(error.issues[0]!.line).toBe(2); // the first alias

    const file = await tempFile('agent.yaml', ALIAS_BOMB);
    const { code, stdout, stderr } = await cli(['check-config', file]);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(new RegExp(`^${file}:2: .*alias.*\\n$`));
    expect(stderr).not.toMatch(/ReferenceError|\n\s+at /);
  });

  it.each([
    ['a duplicate key', 'poll:\n  interval: 5s\n  interval: 10s\n', 3, /Map keys must be unique \(interval is on line 2 too\)/],
    ['broken syntax', 'poll:\n  interval: [5s\n', 3, /YAML syntax/],
    ['an alias to a missing anchor', 'poll: *nowhere\n', 1, /no &nowhere anchor before it/],
  ])('%s is a ConfigError with its line', (_name, text, line, message) => {
    const [issue, ...rest] = configErrorOf(text).issues;
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({ line });
    expect(issue!.message).toMatch(message);
  });

  it('deep nesting is a ConfigError, not a stack overflow', () => {
    const error = configErrorOf(`a: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
    expect(error.issues.length).toBeGreaterThan(0);
  });

  it('check-config reports 40,000 unknown keys as the first 50 and a count of the rest, in one pass', { timeout: 20_000 }, async () => {
    const keys = Array.from({ length: 40_000 }, (_, i) => `  unknown${i}: ${i}\n`).join('');
    const file = await tempFile('agent.yaml', `poll:\n${keys}`);
    const { code, stderr } = await cli(['check-config', file]);
    expect(code).toBe(2);
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(51);
    expect(lines[0]).toBe(`${file}:2: poll.unknown0: unknown key (check its spelling and indentation)`);
    expect(lines[49]).toBe(`${file}:51: poll.unknown49: unknown key (check its spelling and indentation)`);
    expect(lines[50]).toBe(`${file}: 39,950 more problems not shown`);
  });

  it('first boot logs why an alias bomb changed nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-firstboot-'));
    const [boot, root] = [join(dir, 'boot'), join(dir, 'root')];
    await mkdir(boot);
    await mkdir(root);
    await writeFile(join(boot, FIRSTBOOT_FILE), ALIAS_BOMB);
    const result = await applyFirstBoot({ boot, root });
    expect(result.applied).toBe(false);
    const log = await readFile(join(boot, LOG_FILE), 'utf8');
    expect(log).toMatch(/envirowatch\.yaml has mistakes; nothing was changed/);
    expect(log).toMatch(/envirowatch\.yaml:2: .*alias/);
  });
});
