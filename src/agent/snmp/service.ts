import { systemClock, type Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { AgentSnapshot, StatusChange } from '../agent.js';
import type { ResolvedAgentConfig } from '../config/resolve.js';
import type { SnmpConfig } from './config.js';
import { openLocalEngine, type LocalEngine } from '../../snmp/v3/local-engine.js';
import type { NotificationCounters } from '../../snmp/notification/sender.js';
import { sensorSubagent } from './sensor-subagent.js';
import { StatusChangeNotifier } from './status-change-notifier.js';
import { SnmpAgent } from './snmp-agent.js';

/** The SNMP side of the running agent, whichever way it is served, with its notifications. */
export interface SnmpService {
  /** sysUpTime in hundredths of a second, as the notifications carry it. */
  upTimeTicks(): number;
  /** Sends `change` to every `snmp.notifications` receiver; never throws, never waits. */
  notify(change: StatusChange, snapshot: AgentSnapshot): void;
  readonly notificationCounters: Readonly<NotificationCounters>;
  /** Abandons informs still waiting, then stops serving. */
  stop(): Promise<void>;
}

/**
 * Starts SNMP as `snmp.mode` says: our own agent on UDP (rejects when it cannot bind), or an
 * AgentX subagent of snmpd (retries in the background until snmpd is there). Either way the
 * notification sender goes with it. SNMPv3 traps carry our engine's ID, boots and time: the
 * agent's own (it always opens one), else, as an AgentX subagent, one opened here (the same ID and
 * boots file), never a second one. Rejects with EngineBootsError when that engine's boots file is unusable.
 */
export async function startSnmpService(options: {
  config: SnmpConfig;
  snapshot: () => AgentSnapshot;
  resolved: ResolvedAgentConfig;
  logger: Logger;
  sysDescr: string;
  clock?: Clock;
}): Promise<SnmpService> {
  const { config, snapshot, resolved, logger, sysDescr } = options;
  const clock = options.clock ?? systemClock;
  const common = { snapshot, units: resolved.units, thresholds: resolved.thresholds };
  let served: { upTimeTicks(): number; stop(): Promise<void>; localEngine: LocalEngine | undefined };
  if (config.mode === 'agentx') {
    const startedAt = clock.monotonic();
    const subagent = sensorSubagent({ ...common, config: config.agentx, logger: logger.child('snmp.agentx'), clock });
    const { registered } = await subagent.start();
    if (!registered) logger.warn('SNMP: not registered with snmpd yet; retrying in the background', { socket: config.agentx.socket });
    served = { upTimeTicks: () => Math.floor((clock.monotonic() - startedAt) / 10), stop: () => subagent.stop(), localEngine: undefined };
  } else {
    const agent = new SnmpAgent({ ...common, config, logger: logger.child('snmp'), sysDescr, clock });
    await agent.start();
    served = { upTimeTicks: () => agent.upTimeTicks(), stop: () => agent.stop(), localEngine: agent.localEngine };
  }
  const { receivers } = config.notifications;
  let localEngine = served.localEngine;
  if (!localEngine && receivers.some((receiver) => receiver.v3 && receiver.kind === 'trap')) {
    try {
      localEngine = await openLocalEngine({ config, users: [], now: () => clock.monotonic(), startedAt: clock.monotonic() });
    } catch (error) {
      await served.stop();
      throw error;
    }
    logger.info('SNMPv3 traps are sent with this engine ID (snmptrapd: createUser -e 0x<engineId> ...)', {
      engineId: localEngine.engineId.toString('hex'),
      engineBoots: localEngine.boots,
    });
  }
  const sender = new StatusChangeNotifier({
    receivers,
    units: resolved.units,
    thresholds: resolved.thresholds,
    logger: logger.child('snmp.notifications'),
    clock,
    sysUpTime: () => served.upTimeTicks(),
    localEngine,
  });
  return {
    upTimeTicks: () => served.upTimeTicks(),
    notify: (change, at) => sender.notify(change, at),
    notificationCounters: sender.counters,
    stop: async () => {
      await sender.close();
      await served.stop();
    },
  };
}
