/**
 * What scripts/bundle.mjs puts in the built CLI (`npm test` builds first). zod's `z` object
 * re-exports every locale (~50), so `import { z } from 'zod'` made esbuild keep all of them:
 * 350 KB more source that the agent parsed and kept in its heap, about 2 MB of RSS (#19). With
 * `import * as z from 'zod'` esbuild keeps only what is used, and English, which zod sets itself.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI_DIR = fileURLToPath(new URL('../../dist/src/cli', import.meta.url));

function bundledSources(): { file: string; text: string }[] {
  return readdirSync(CLI_DIR, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.mjs'))
    .map((file) => ({ file, text: readFileSync(join(CLI_DIR, file), 'utf8') }));
}

describe('the bundled CLI', () => {
  it("carries zod's English messages and none of its other locales", () => {
    const sources = bundledSources();
    // English, from zod/v4/locales/en.js: proves the scan reads the chunks zod went into.
    expect(sources.filter(({ text }) => text.includes('Invalid input: expected')).length).toBeGreaterThan(0);
    // German (de.js) and French (fr.js), as two witnesses of the locales tree-shaking drops.
    expect(sources.filter(({ text }) => /erwartet|Entrée invalide|Entr\\u00E9e invalide/i.test(text)).map(({ file }) => file)).toEqual([]);
  });
});
