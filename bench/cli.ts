/** The `envirowatch` command as users run it: the bundled CLI and the node flags of its first line. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../src/cli/envirowatch.mjs', import.meta.url));

/** The node flags from the shebang of the built CLI. */
export function cliNodeFlags(): string[] {
  const shebang = readFileSync(CLI, 'utf8').split('\n', 1)[0] ?? '';
  const match = /^#!.*\bnode\b(.*)$/.exec(shebang);
  return match ? match[1]!.trim().split(/\s+/).filter(Boolean) : [];
}
