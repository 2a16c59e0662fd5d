/**
 * The I²C part of the first-boot log: which bus the agent's settings lead to, whether the
 * sensors answer there, and, when none does, every bus seen with its controller, so a user
 * without a screen or network can tell "wrong bus" from "no board" on the boot partition.
 *
 * It runs as envirowatch-firstboot-i2c.service, not inside `envirowatch firstboot`: that one runs
 * before udev has loaded i2c-bcm2835 and i2c-dev, so the bus does not exist yet. It only reads
 * identity registers (BME280 chip id, LTR-559 part id), which change nothing in the chips, so it
 * can run beside the agent; it is ordered after the agent is ready, i.e. after the agent's own
 * initialisation (the BME280's soft reset) is done.
 */
import { join } from 'node:path';
import { formatConfigIssues } from '../common/config-file.js';
import { ConfigError, hex } from '../common/errors.js';
import { DEFAULT_AGENT_CONFIG_PATH, loadAgentConfig } from '../agent/config/load.js';
import type { AgentConfig } from '../agent/config/schema.js';
import type { I2cBus } from '../agent/i2c/bus.js';
import { chooseI2cBusAmong, describeAdapters, listI2cAdapters, type I2cAdapterInfo, type I2cBusChoice } from '../agent/i2c/header-bus.js';
import { LinuxI2cBus } from '../agent/i2c/linux-bus.js';
import { BME280_ADDRESS_PRIMARY, BME280_ADDRESS_SECONDARY, Bme280Register } from '../agent/sensors/bme280/registers.js';
import { Ltr559Register } from '../agent/sensors/ltr559/registers.js';
import { appendToLog } from './apply.js';

/** What one sensor's identity register gave at each address tried. */
interface SensorAnswer {
  readonly sensor: string;
  readonly address: number;
  /** The identity register's value when the chip answered. */
  readonly id?: number | undefined;
  /** Why it did not (e.g. `EREMOTEIO`: nothing acknowledged the address). */
  readonly error?: string | undefined;
}

type I2cCheck =
  | { readonly found: true; readonly choice: I2cBusChoice; readonly answers: readonly SensorAnswer[]; readonly adapters: readonly I2cAdapterInfo[] }
  /** No bus to read: `problem` says why and lists the buses seen. */
  | { readonly found: false; readonly problem: string };

interface IdentityRegister {
  readonly sensor: string;
  readonly addresses: readonly number[];
  readonly register: number;
}

/** The enabled sensors' identity registers at the addresses the agent tries (BME280 auto: 0x76, then 0x77). */
function identityRegisters(sensors: AgentConfig['sensors']): IdentityRegister[] {
  const registers: IdentityRegister[] = [];
  const { bme280, ltr559 } = sensors;
  if (bme280.enabled)
    registers.push({
      sensor: 'BME280',
      addresses: bme280.address === 'auto' ? [BME280_ADDRESS_PRIMARY, BME280_ADDRESS_SECONDARY] : [bme280.address],
      register: Bme280Register.CHIP_ID,
    });
  if (ltr559.enabled) registers.push({ sensor: 'LTR-559', addresses: [ltr559.address], register: Ltr559Register.PART_ID });
  return registers;
}

/** Resolves the bus as the agent does and reads each sensor's identity register there. */
async function checkI2c(options: {
  readonly config: AgentConfig;
  readonly sysfsRoot: string;
  readonly openBus: (busNumber: number) => Promise<I2cBus>;
}): Promise<I2cCheck> {
  const adapters = await listI2cAdapters(options.sysfsRoot);
  let choice: I2cBusChoice;
  let bus: I2cBus;
  try {
    choice = chooseI2cBusAmong(options.config.i2c.bus, adapters);
  } catch (error) {
    return { found: false, problem: (error as Error).message }; // it lists the buses seen
  }
  try {
    bus = await options.openBus(choice.number);
  } catch (error) {
    return { found: false, problem: `${(error as Error).message}; I²C buses seen: ${describeAdapters(adapters)}` };
  }
  const answers: SensorAnswer[] = [];
  try {
    for (const { sensor, addresses, register } of identityRegisters(options.config.sensors)) {
      for (const address of addresses) {
        try {
          answers.push({ sensor, address, id: await bus.readByte(address, register) });
          break; // the agent also stops at the first address that answers
        } catch (error) {
          // The errno name when there is one; i2c-bus gave an empty one for EREMOTEIO on QEMU's raspi3b.
          answers.push({ sensor, address, error: (error as { code?: string }).code || (error as Error).message });
        }
      }
    }
  } finally {
    await bus.close();
  }
  return { found: true, choice, answers, adapters };
}

/** The log lines for a check. */
function describeI2cCheck(check: I2cCheck): string[] {
  if (!check.found) return [`I²C: ${check.problem}`];
  const device = `/dev/i2c-${check.choice.number}`;
  const lines = [`I²C bus ${device}: ${check.choice.reason}`];
  for (const answer of check.answers) {
    lines.push(
      `  ${answer.sensor} at ${hex(answer.address)}: ${answer.id === undefined ? `no answer (${answer.error})` : `answers, id register ${hex(answer.id)}`}`,
    );
  }
  if (check.answers.length === 0) lines.push('  no sensor enabled in agent.yaml');
  else if (check.answers.every((answer) => answer.id === undefined)) {
    lines.push(`no sensor answers on ${device}: the wrong bus, or no sensor board on the GPIO header? I²C buses seen: ${describeAdapters(check.adapters)}`);
  }
  return lines;
}

/**
 * `envirowatch firstboot --i2c`: checks with the agent settings under `root` and appends the
 * result to the first-boot log on `boot`. Returns the lines.
 */
export async function reportI2c(options: {
  readonly boot: string;
  readonly root: string;
  readonly sysfsRoot?: string;
  readonly openBus?: (busNumber: number) => Promise<I2cBus>;
  readonly now?: () => Date;
}): Promise<string[]> {
  let lines: string[];
  try {
    // The agent's settings as the agent finds them, under `root`.
    const { config } = await loadAgentConfig(undefined, {}, join(options.root, DEFAULT_AGENT_CONFIG_PATH));
    lines = describeI2cCheck(await checkI2c({ config, sysfsRoot: options.sysfsRoot ?? '/sys', openBus: options.openBus ?? LinuxI2cBus.open }));
  } catch (error) {
    // Whatever went wrong, the user without a screen reads why in the log.
    lines =
      error instanceof ConfigError
        ? ['I²C not checked: the agent settings have mistakes:', ...formatConfigIssues(error).map((line) => `  ${line}`)]
        : [`I²C not checked: ${(error as Error).message}`];
  }
  await appendToLog(options.boot, lines, options.now ?? (() => new Date()));
  return lines;
}
