/** What `check-config` would say of a rules file: its text parsed with the rules schema, the ConfigError's issues formatted (with rules.yaml:LINE). */
import { expect } from 'vitest';
import { formatConfigIssues, parseConfigText } from '../../../src/common/config-file.js';
import { ConfigError } from '../../../src/common/errors.js';
import { rulesFileSchema } from '../../../src/analyzer/rules/schema.js';

export function rulesFileIssues(text: string): string[] {
  let error: unknown;
  try {
    parseConfigText(rulesFileSchema, text, 'rules.yaml');
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  return formatConfigIssues(error as ConfigError);
}
