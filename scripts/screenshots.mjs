// `npm run docs:screenshots`: the README's pictures of the analyzer's web page, taken from a real
// run of `envirowatch demo` (emulated agent and analyzer) in headless Chromium (Debian
// `chromium`, driven by playwright-core). Writes docs/web/*.png. Takes about a minute: it waits
// for the scripted room to pass the critical temperature.
import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist/src/cli/envirowatch.mjs');
const out = join(root, 'docs/web');
const run = promisify(execFile);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The demo's configs, with a temporary database and a VPN learning period of 1 ms (1 min in the demo).
const dir = await mkdtemp(join(tmpdir(), 'envirowatch-screenshots-'));
const analyzerConfig = join(dir, 'analyzer.yaml');
const demoAnalyzer = await readFile(join(root, 'config/demo-analyzer.yaml'), 'utf8');
await writeFile(analyzerConfig, demoAnalyzer.replace('dataDir: .demo-data', `dataDir: ${join(dir, 'data')}`).replace('learning: 1m', 'learning: 1ms'));
const demo = spawn(
  cli,
  ['demo', '--agent-config', join(root, 'config/demo.yaml'), '--analyzer-config', analyzerConfig, '--display-snapshot', join(dir, 'display.png')],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
let log = '';
demo.stdout.on('data', (chunk) => (log += chunk));
while (!log.includes('envirowatch demo is running')) {
  if (demo.exitCode !== null) throw new Error(`the demo exited:\n${log}`);
  await sleep(200);
}
const vpn = (user, address) =>
  run('logger', ['-T', '-n', '127.0.0.1', '-P', '5514', '-t', 'openvpn', `openvpn server 'ovpns1' user '${user}' address '${address}:1194' - connected`]);
await vpn('alice', '198.51.100.20');
await vpn('bob', '198.51.100.31');
await sleep(100);
await vpn('alice', '203.0.113.5');
await vpn('bob', '192.0.2.77');
process.stdout.write('waiting for the scripted room to pass the critical temperature…\n');
while (!log.includes('sensor-critical')) await sleep(1000);
await sleep(3000);

await mkdir(out, { recursive: true });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
const page = await browser.newPage({ viewport: { width: 1180, height: 640 } });
for (const [path, name] of [
  ['/', 'open-alerts'],
  ['/sensors', 'sensors'],
  ['/rates', 'event-rates'],
  ['/rules', 'rules'],
]) {
  await page.goto(`http://127.0.0.1:8514${path}`);
  await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
}
// Acknowledge one alert, then show the history with it.
await page.goto('http://127.0.0.1:8514/');
await page.locator('tr[data-alert]').first().getByRole('checkbox').check();
await page.getByLabel('Comment').fill('alice is travelling this week');
await page.getByLabel('Acknowledged by').fill('erin');
await page.getByRole('button', { name: 'Acknowledge selected' }).click();
await page.goto('http://127.0.0.1:8514/history');
await page.screenshot({ path: join(out, 'history.png'), fullPage: true });
await browser.close();
await copyFile(join(dir, 'display.png'), join(out, 'display.png'));
demo.kill('SIGINT');
await new Promise((resolve) => demo.once('exit', resolve));
process.stdout.write(`screenshots in ${out}\n`);
