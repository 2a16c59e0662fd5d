/**
 * The agent as an AgentX subagent of snmpd (`snmp.mode: agentx`, AGENTX.md beside this file):
 * registers sensorEntry and serves it from the same view the standalone agent serves, built the
 * same way (sensorRows → sensorTableVarbinds). The system group stays snmpd's.
 */
import { systemClock, type Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { AgentxConfig } from '../../snmp/agentx/config.js';
import { AgentxSubagent } from '../../snmp/agentx/subagent.js';
import type { Oid } from '../../snmp/oid.js';
import { MibView } from '../../snmp/responder/request-handler.js';
import type { AgentSnapshot } from '../agent.js';
import type { ResolvedAgentConfig } from '../config/resolve.js';
import type { UnitSystem } from '../readings/units.js';
import { ENVIROWATCH_OID, SENSOR_ENTRY_OID } from './envirowatch-oids.js';
import { SENSOR_COLUMN_OIDS, sensorRows, sensorTableVarbinds, type SensorTableInput } from './sensor-table.js';

/** What this subagent registers: sensorEntry. The system group stays snmpd's. */
export const AGENTX_SUBTREE: Oid = SENSOR_ENTRY_OID;

/** The sensor table as a MibView: the standalone agent's view without the system group. */
export function sensorTableView(input: SensorTableInput): MibView {
  return new MibView(sensorTableVarbinds(sensorRows(input)), SENSOR_COLUMN_OIDS);
}

export interface SensorSubagentOptions {
  readonly config: AgentxConfig;
  /** The agent's in-memory state; called once per request, so it must not block. */
  readonly snapshot: () => AgentSnapshot;
  readonly units: UnitSystem;
  readonly thresholds: ResolvedAgentConfig['thresholds'];
  readonly logger: Logger;
  /** Timestamps (the age column), Open/Register timeouts and the reconnection backoff. */
  readonly clock?: Clock | undefined;
}

export function sensorSubagent(options: SensorSubagentOptions): AgentxSubagent {
  const { snapshot, units, thresholds } = options;
  const clock = options.clock ?? systemClock;
  return new AgentxSubagent({
    config: options.config,
    id: ENVIROWATCH_OID,
    descr: 'envirowatch environment sensor',
    subtree: AGENTX_SUBTREE,
    view: () => sensorTableView({ snapshot: snapshot(), units, thresholds, now: clock.now() }),
    logger: options.logger,
    clock,
  });
}
