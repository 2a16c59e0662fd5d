import type { Logger } from '../../common/logger.js';
import type { AgentSnapshot } from '../agent.js';
import type { ResolvedAgentConfig } from '../config/resolve.js';
import { AgentxSubagent } from './agentx-subagent.js';
import type { SnmpConfig } from './config.js';
import { SnmpAgent } from './snmp-agent.js';

/** The SNMP side of the running agent, whichever way it is served. */
export interface SnmpService {
  /** sysUpTime in hundredths of a second, for notifications. */
  upTimeTicks(): number;
  stop(): Promise<void>;
}

/**
 * Starts SNMP as `snmp.mode` says: our own agent on UDP (rejects when it cannot bind), or an
 * AgentX subagent of snmpd (never rejects: it retries in the background until snmpd is there).
 */
export async function startSnmpService(options: {
  config: SnmpConfig;
  snapshot: () => AgentSnapshot;
  resolved: ResolvedAgentConfig;
  logger: Logger;
  sysDescr: string;
}): Promise<SnmpService> {
  const { config, snapshot, resolved, logger, sysDescr } = options;
  const common = { snapshot, units: resolved.units, thresholds: resolved.thresholds };
  if (config.mode === 'agentx') {
    const startedAt = performance.now();
    const subagent = new AgentxSubagent({ ...common, config: config.agentx, logger: logger.child('snmp.agentx') });
    const { registered } = await subagent.start();
    if (!registered) logger.warn('SNMP: not registered with snmpd yet; retrying in the background', { socket: config.agentx.socket });
    return { upTimeTicks: () => Math.floor((performance.now() - startedAt) / 10), stop: () => subagent.stop() };
  }
  const agent = new SnmpAgent({ ...common, config, logger: logger.child('snmp'), sysDescr });
  await agent.start();
  return { upTimeTicks: () => agent.upTimeTicks(), stop: () => agent.stop() };
}
