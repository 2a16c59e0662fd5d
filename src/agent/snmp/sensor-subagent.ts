/**
 * The agent as an AgentX subagent of snmpd (`snmp.mode: agentx`, AGENTX.md beside this file):
 * registers sensorEntry and serves it from the same view the standalone agent serves, built the
 * same way (sensorRows → sensorTableVarbinds). The system group stays snmpd's.
 */
import { systemClock } from '../../common/clock.js';
import type { AgentxConfig } from '../../snmp/agentx/config.js';
import { AgentxSubagent } from '../../snmp/agentx/subagent.js';
import { MibView } from '../../snmp/responder/request-handler.js';
import { ENVIROWATCH_OID, SENSOR_ENTRY_OID } from './envirowatch-oids.js';
import { SENSOR_COLUMN_OIDS, sensorRows, sensorTableVarbinds, type SensorTableInput } from './sensor-table.js';
import type { SnmpAgentOptions } from './snmp-agent.js';

/** The sensor table as a MibView: the standalone agent's view without the system group. */
export function sensorTableView(input: SensorTableInput): MibView {
  return new MibView(sensorTableVarbinds(sensorRows(input)), SENSOR_COLUMN_OIDS);
}

/** The standalone agent's sources of the view (the snapshot, units, thresholds), and the master's socket. */
export type SensorSubagentOptions = Pick<SnmpAgentOptions, 'snapshot' | 'units' | 'thresholds' | 'logger' | 'clock'> & { readonly config: AgentxConfig };

export function sensorSubagent(options: SensorSubagentOptions): AgentxSubagent {
  const { snapshot, units, thresholds } = options;
  const clock = options.clock ?? systemClock;
  return new AgentxSubagent({
    config: options.config,
    id: ENVIROWATCH_OID,
    descr: 'envirowatch environment sensor',
    subtree: SENSOR_ENTRY_OID, // not the system group: snmpd serves its own
    view: () => sensorTableView({ snapshot: snapshot(), units, thresholds, now: clock.now() }),
    logger: options.logger,
    clock,
  });
}
