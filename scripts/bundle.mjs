// Bundles the compiled CLI (dist/src/cli/main.js) into one minified file beside it,
// dist/src/cli/envirowatch.mjs, which is what the `envirowatch` command, `npm start`, systemd and
// the benchmarks run. Why: the agent lives for months on a Pi with little memory, and most of its
// RSS beyond node itself was module loading, not data: zod alone pulls in ~50 locale modules, and
// every ESM module keeps its source and records. Bundled and tree-shaken, the agent starts ~8 MB
// smaller (npm run bench:snmp prints its RSS). Beside main.js so `import.meta.url`-relative paths
// (package.json) resolve the same. Packages with native addons or data files stay external.
import { chmodSync } from 'node:fs';
import { build } from 'esbuild';

const outfile = 'dist/src/cli/envirowatch.mjs';
await build({
  entryPoints: ['dist/src/cli/main.js'],
  outfile,
  bundle: true,
  minify: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // CommonJS dependencies (commander) call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);" },
  external: ['i2c-bus', 'spi-device', 'node-libgpiod', 'oled-i2c-bus', 'better-sqlite3', 'pureimage', 'dejavu-fonts-ttf', 'nodemailer'],
  logLevel: 'warning',
});
chmodSync(outfile, 0o755);
