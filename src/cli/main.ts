// The commands. Started by launcher.ts (the `envirowatch` command, the agent's node flags) or
// analyzer-main.ts (node's defaults), which choose the flags; see there.
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { SAMPLE_NAMES, type SampleName } from '../agent/display/samples.js';

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
    const { runReadCommand } = await import('./agent-commands.js');
    process.exitCode = await runReadCommand(options);
  });

program
  .command('agent')
  .description('run the sensor agent: poll the sensors, apply thresholds, serve the readings')
  .addOption(configOption())
  .option('--simulate', 'run on emulated sensors playing a scripted one-minute scenario (no hardware, no root)')
  .option('--print-readings', 'print every reading as a line on stdout')
  .option('--display-snapshot <file.png>', 'with --simulate: keep this PNG showing the emulated display, updated on change')
  .action(async (options: { config?: string; simulate?: boolean; printReadings?: boolean; displaySnapshot?: string }) => {
    const { runAgentCommand } = await import('./agent-commands.js');
    process.exitCode = await runAgentCommand({ ...options, version });
  });

program
  .command('display')
  .description('render what the display shows for a sample state to a PNG, once')
  .addOption(configOption())
  .requiredOption('--png <file>', 'PNG file to write')
  .addOption(new Option('--type <type>', 'display to draw for (default: display.type from the config, st7735 when none)').choices(['st7735', 'ssd1306']))
  .addOption(new Option('--sample <name>', 'state to show').choices([...SAMPLE_NAMES]).default('normal'))
  .action(async (options: { config?: string; png: string; type?: 'st7735' | 'ssd1306'; sample: SampleName }) => {
    // Loaded only for this command: the renderer and its fonts are not for every run of the CLI.
    const { runDisplayCommand } = await import('./display-command.js');
    process.exitCode = await runDisplayCommand(options);
  });

program
  .command('analyze')
  .description("replay a log file through analyzer rules, using the events' own times, and print the alerts")
  .requiredOption('--rules <file>', 'rules file (YAML)')
  .requiredOption('--input <file>', 'log file, one syslog message per line; - for stdin')
  .option('--json', 'one JSON object per alert')
  .option('--year <year>', "year of RFC 3164 lines, which carry none (default: the file's modification time)")
  .action(async (options: { rules: string; input: string; json?: boolean; year?: string }) => {
    const { runAnalyzeCommand } = await import('./analyze-command.js');
    process.exitCode = await runAnalyzeCommand(options);
  });

program
  .command('parse')
  .description('show how the analyzer reads each syslog line (one result per input line, in order)')
  .option('--input <file>', 'lines to read; - for standard input', '-')
  .option('--json', 'one JSON object per line: format, facility, severity, time, host, app, procId, msgId, structuredData, message')
  .option('--received-at <iso>', 'receive time, for the year of RFC 3164 stamps (default: now)')
  .option('--sender <host>', "host of a line that names none (the analyzer uses the sender's address)", '')
  .action(async (options: { input: string; json?: boolean; receivedAt?: string; sender: string }) => {
    const { runParseCommand } = await import('./parse-command.js');
    process.exitCode = await runParseCommand(options);
  });

const analyzerConfigOption = () => new Option('-c, --config <file>', 'analyzer config file (default: /etc/envirowatch/analyzer.yaml)');

program
  .command('analyzer')
  .description('run the central analyzer: receive syslog, apply the rules, store and log alerts')
  .addOption(analyzerConfigOption())
  .action(async (options: { config?: string }) => {
    const { runAnalyzerCommand } = await import('./analyzer-commands.js');
    process.exitCode = await runAnalyzerCommand(options);
  });

/** A whole number of 0 or more, for options such as --limit. */
function parseCount(text: string): number {
  if (!/^\d+$/.test(text)) throw new InvalidArgumentError('must be a whole number, 0 or more');
  return Number(text);
}

const alerts = program.command('alerts').description("the analyzer's alerts: list, show, acknowledge");
alerts
  .command('list')
  .description('open alerts, newest first (--all: acknowledged ones too); says how many more there are past --limit')
  .addOption(analyzerConfigOption())
  .option('--all', 'include acknowledged alerts')
  .option('--json', 'one JSON object per alert')
  .option('--limit <n>', 'show at most this many (default 100), 0 for all', parseCount)
  .action(async (options: { config?: string; all?: boolean; json?: boolean; limit?: number }) => {
    const { runAlertsCommand } = await import('./analyzer-commands.js');
    process.exitCode = await runAlertsCommand('list', options);
  });
alerts
  .command('show')
  .argument('<id>', 'alert id')
  .addOption(analyzerConfigOption())
  .action(async (id: string, options: { config?: string }) => {
    const { runAlertsCommand } = await import('./analyzer-commands.js');
    process.exitCode = await runAlertsCommand('show', { ...options, id });
  });
alerts
  .command('ack')
  .argument('<id>', 'alert id')
  .addOption(analyzerConfigOption())
  .option('--by <name>', 'who acknowledges (default: $USER)')
  .option('--comment <text>', 'why', '')
  .option('--baseline', "anomaly alerts: the value joins the key's baseline (the running analyzer learns it within a second)")
  .action(async (id: string, options: { config?: string; by?: string; comment?: string; baseline?: boolean }) => {
    const { runAlertsCommand } = await import('./analyzer-commands.js');
    process.exitCode = await runAlertsCommand('ack', { ...options, id });
  });

program
  .command('demo')
  .description('what npm start runs: the agent on emulated sensors and the analyzer, each in its own process')
  .option('--agent-config <file>', "the agent's config", 'config/demo.yaml')
  .option('--analyzer-config <file>', "the analyzer's config", 'config/demo-analyzer.yaml')
  .option('--display-snapshot <file.png>', 'the PNG the emulated display is kept in', 'display.png')
  .action(async (options: { agentConfig: string; analyzerConfig: string; displaySnapshot: string }) => {
    const { runDemoCommand } = await import('./demo-command.js');
    process.exitCode = await runDemoCommand(options);
  });

program
  .command('firstboot')
  .description('apply envirowatch.yaml from the boot partition (run at boot by envirowatch-firstboot.service)')
  .option('--boot <dir>', 'the FAT boot partition', '/boot/firmware')
  .option('--root <dir>', 'the system to configure', '/')
  .option('--i2c', "instead: log the I²C bus the agent's settings lead to and which sensors answer (run by envirowatch-firstboot-i2c.service)")
  .action(async (options: { boot: string; root: string; i2c?: boolean }) => {
    if (options.i2c) {
      const { reportI2c } = await import('../firstboot/i2c-report.js');
      for (const line of await reportI2c(options)) process.stdout.write(`${line}\n`);
      return;
    }
    const { applyFirstBoot } = await import('../firstboot/apply.js');
    const result = await applyFirstBoot(options);
    for (const line of result.log) process.stdout.write(`${line}\n`);
  });

program
  .command('hash-password')
  .description('read a password on stdin, print its hash for web.users[].passwordHash in analyzer.yaml')
  .action(async () => {
    const { runHashPasswordCommand } = await import('./analyzer-commands.js');
    process.exitCode = await runHashPasswordCommand();
  });

program
  .command('counters')
  .description("the running analyzer's counters: received, parsed, malformed, dropped; per rule; outbox")
  .addOption(analyzerConfigOption())
  .option('--json', 'one JSON object')
  .action(async (options: { config?: string; json?: boolean }) => {
    const { runCountersCommand } = await import('./analyzer-commands.js');
    process.exitCode = await runCountersCommand(options);
  });

program
  .command('check-config')
  .description('validate a config file and explain every mistake with its key path and line')
  .argument('[file]', 'config file (default: $ENVIROWATCH_CONFIG or /etc/envirowatch/agent.yaml; with --analyzer /etc/envirowatch/analyzer.yaml)')
  .option('--analyzer', "the file is the analyzer's (analyzer.yaml), not the agent's")
  .action(async (file: string | undefined, options: { analyzer?: boolean }) => {
    if (options.analyzer) {
      const { runCheckAnalyzerConfigCommand } = await import('./analyzer-commands.js');
      process.exitCode = await runCheckAnalyzerConfigCommand(file);
      return;
    }
    const { runCheckConfigCommand } = await import('./agent-commands.js');
    process.exitCode = await runCheckConfigCommand(file);
  });

await program.parseAsync();
