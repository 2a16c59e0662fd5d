// Bundles the compiled CLI into minified files beside it: dist/src/cli/envirowatch.mjs (from
// launcher.js), which is what the `envirowatch` command, `npm start`, systemd and the benchmarks
// run, with the agent's node flags; and envirowatch-analyzer.mjs (from analyzer-main.js), the same
// commands with node's default flags (the daemon's semi-spaces aside), which `envirowatch analyzer` and `analyze` re-execute into
// and the analyzer's systemd unit starts (src/cli/launcher.ts says why). Why: the agent lives for months on a Pi with little memory, and most of its
// RSS beyond node itself was module loading, not data: every ESM module keeps its source and
// records. Bundled and tree-shaken, the agent starts ~8 MB smaller (npm run bench:snmp prints its
// RSS). Tree-shaking needs `import * as z from 'zod'`: zod's `z` object re-exports its ~50 locales,
// and importing it kept all of them (test/cli/bundle.test.ts). Beside main.js so `import.meta.url`-relative paths
// (package.json) resolve the same. Packages with native addons or data files stay external, and so
// do those only an optional feature loads (prom-client), so the agent never parses them unless used.
import { chmodSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const outdir = 'dist/src/cli';
rmSync(`${outdir}/chunks`, { recursive: true, force: true }); // chunk names change with their content
await build({
  // The commands are an entry of their own, not a chunk, so that they stay beside package.json's
  // relative path (main.ts reads the version from it); both launchers import them.
  entryPoints: {
    envirowatch: 'dist/src/cli/launcher.js',
    'envirowatch-analyzer': 'dist/src/cli/analyzer-main.js',
    'envirowatch-commands': 'dist/src/cli/main.js',
  },
  outdir,
  outExtension: { '.js': '.mjs' },
  // Code behind a dynamic import() (optional features, other commands) goes into chunks loaded
  // only when used; without splitting esbuild would hoist their external imports to the top.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  minify: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // CommonJS dependencies (commander) call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);" },
  external: ['i2c-bus', 'spi-device', 'node-libgpiod', 'oled-i2c-bus', 'better-sqlite3', 'pureimage', 'prom-client', 'nodemailer'],
  logLevel: 'warning',
});
for (const entry of ['envirowatch', 'envirowatch-analyzer']) chmodSync(`${outdir}/${entry}.mjs`, 0o755);
