#!/usr/bin/env -S node --lite-mode --no-expose-wasm
// --lite-mode: V8 without its optimising compilers, its setting for memory-constrained devices.
// The agent runs for months on a Pi that may have 512 MB and does a few hundred µs of work per
// 2 s poll: with V8's defaults its RSS reaches ~100 MB, with this ~51 MB, at twice the (tiny)
// CPU time per poll (npm run bench). --no-expose-wasm only silences lite mode's warning that it
// turns WebAssembly off (nothing here uses it).
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { runAgentCommand, runCheckConfigCommand, runReadCommand } from './agent-commands.js';

const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('envirowatch')
  .description('Server-room environment sensor (BME280 + LTR-559) with SNMP, display and a small log analyzer')
  .version(version)
  .showHelpAfterError();

const configOption = () => new Option('-c, --config <file>', 'agent config file (default: $ENVIROWATCH_CONFIG or /etc/envirowatch/agent.yaml)');

program
  .command('read')
  .description('take one reading of every sensor, print it and exit')
  .addOption(configOption())
  .option('--json', 'print JSON instead of a line of text')
  .option('--simulate', 'read the emulated sensors instead of the I²C bus')
  .action(async (options: { config?: string; json?: boolean; simulate?: boolean }) => {
    process.exitCode = await runReadCommand(options);
  });

program
  .command('agent')
  .description('run the sensor agent: poll the sensors, apply thresholds, serve the readings')
  .addOption(configOption())
  .option('--simulate', 'run on emulated sensors playing a scripted one-minute scenario (no hardware, no root)')
  .option('--print-readings', 'print every reading as a line on stdout')
  .action(async (options: { config?: string; simulate?: boolean; printReadings?: boolean }) => {
    process.exitCode = await runAgentCommand({ ...options, version });
  });

program
  .command('check-config')
  .description('validate an agent config file and explain every mistake with its key path and line')
  .argument('[file]', 'config file (default: $ENVIROWATCH_CONFIG or /etc/envirowatch/agent.yaml)')
  .action(async (file: string | undefined) => {
    process.exitCode = await runCheckConfigCommand(file);
  });

await program.parseAsync();
