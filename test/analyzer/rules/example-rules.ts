/** The shipped example rules (config/rules.example.yaml), by id, and times for the rule tests. */
import { readFileSync } from 'node:fs';
import { parseConfigText } from '../../../src/common/config-file.js';
import { referenceForYear } from '../../../src/analyzer/replay.js';
import { rulesFileSchema, type Rule } from '../../../src/analyzer/rules/schema.js';

const EXAMPLE = readFileSync(new URL('../../../config/rules.example.yaml', import.meta.url), 'utf8');
export const exampleRules = parseConfigText(rulesFileSchema, EXAMPLE, 'rules.example.yaml').rules;
export const rule = (id: string): Rule[] => exampleRules.filter((r) => r.id === id);
/** The reference for replays of RFC 3164 lines (no year): 2026. */
export const YEAR = referenceForYear(2026);
export const t = (text: string) => new Date(`${text}`).getTime();
