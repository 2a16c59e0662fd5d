/**
 * Sends the agent's events to the configured syslog destinations: start/stop, status changes,
 * sensor faults and recoveries, display failures, and a heartbeat with the readings every
 * `syslog.heartbeat`. Never blocks the agent: see destination.ts for queueing and reconnects.
 */
import { hostname as osHostname } from 'node:os';
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { formatRfc3164, formatRfc5424 } from '../../common/syslog/format.js';
import type { SensorAgent } from '../agent.js';
import type { UnitSystem } from '../readings/units.js';
import type { SyslogConfig } from './config.js';
import { openDestination, type SyslogDestination } from '../../common/syslog/destination.js';
import * as messages from './messages.js';

export class SyslogForwarder {
  private readonly destinations: { destination: SyslogDestination; format: (m: messages.AgentMessage) => string }[];
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly options: { config: SyslogConfig; units: UnitSystem; clock: Clock; logger: Logger; version: string }) {
    const { config } = options;
    const hostname = config.hostname ?? osHostname();
    const common = { facility: config.facility, hostname, appName: config.appName, procId: String(process.pid) };
    this.destinations = config.destinations.map((destinationConfig) => {
      const format = (m: messages.AgentMessage) => (destinationConfig.format === 'rfc5424' ? formatRfc5424 : formatRfc3164)({ ...common, ...m });
      const destination = openDestination(destinationConfig, {
        logger: options.logger,
        queue: config.queue,
        notice: (dropped) => format(messages.droppedMessage(dropped, options.clock.now())),
      });
      return { destination, format };
    });
  }

  get counters() {
    return Object.fromEntries(this.destinations.map(({ destination }) => [destination.name, destination.counters]));
  }

  send(message: messages.AgentMessage): void {
    for (const { destination, format } of this.destinations) destination.send(format(message));
  }

  /** Follows the agent's events and starts the heartbeat. */
  attach(agent: SensorAgent): void {
    const { units, clock, config } = this.options;
    agent.on('statusChange', (change) => this.send(messages.statusChangeMessage(change, units)));
    agent.on('fault', (fault) => this.send(messages.faultMessage(fault)));
    agent.on('recovered', (recovery) => this.send(messages.recoveryMessage(recovery)));
    this.heartbeat = setInterval(() => this.send(messages.heartbeatMessage(agent.snapshot(), units, this.options.version)), config.heartbeat);
    this.heartbeat.unref();
    this.send(messages.lifecycleMessage('started', this.options.version, clock.now()));
  }

  displayFailed(error: string): void {
    this.send(messages.displayMessage(true, error, this.options.clock.now()));
  }

  displayRecovered(): void {
    this.send(messages.displayMessage(false, undefined, this.options.clock.now()));
  }

  /** Says the agent is stopping, gives queued messages a moment to leave, and closes. */
  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    this.send(messages.lifecycleMessage('stopping', this.options.version, this.options.clock.now()));
    await Promise.all(this.destinations.map(({ destination }) => destination.close()));
  }
}
