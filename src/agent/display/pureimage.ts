/**
 * pureimage, loaded with require(). It is CommonJS (one 170 KB file), and an ESM `import` of a
 * CommonJS module makes node first scan its source for export names with cjs-module-lexer, whose
 * scanner the optimising compiler compiles three times on the way: about 5 MB of RSS that the agent
 * keeps for good (measured with the command's flags: 48.7 MB after `import('pureimage')`, 43.4 MB
 * after require). require() needs no scan.
 */
import { createRequire } from 'node:module';

const requireCommonJs = createRequire(import.meta.url);

export const pureimage = requireCommonJs('pureimage') as typeof import('pureimage');
