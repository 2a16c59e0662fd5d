/**
 * The agent's events as syslog messages (pure): what is said, at which severity, with which
 * MSGID and structured data. SD-IDs are ours under enterprise 21600 (RFC 5424 §7.2.2); the STATUS
 * and HEARTBEAT format the analyzer reads is defined in src/common/sensor-messages.ts.
 */
import type { AgentSnapshot, SensorFault, SensorRecovery, StatusChange } from '../agent.js';
import { QUANTITY_NAME } from '../readings/quantities.js';
import type { Status } from '../readings/thresholds.js';
import { displayUnit, toDisplay, type UnitSystem } from '../readings/units.js';
import type { StructuredData } from '../../common/syslog/event.js';
import type { Severity } from '../../common/syslog/format.js';
import {
  AGENT_SD_ID,
  HEARTBEAT_MSG_ID,
  READINGS_SD_ID,
  STATUS_MSG_ID,
  STATUS_SD_ID,
  statusChangeText,
  statusParameter,
  TEMPERATURE_UNIT_PARAMETER,
  VERSION_PARAMETER,
} from '../../common/sensor-messages.js';

export interface AgentMessage {
  readonly severity: Severity;
  readonly msgId: string;
  readonly message: string;
  readonly structuredData?: StructuredData | undefined;
  readonly timestamp: number;
}

const STATUS_SEVERITY: Record<Status, Severity> = { ok: 'notice', warning: 'warning', critical: 'crit', error: 'err', stale: 'warning' };

const shown = (value: number) => String(Number(value.toFixed(2)));

export function statusChangeMessage(change: StatusChange, units: UnitSystem): AgentMessage {
  const name = QUANTITY_NAME[change.quantity];
  const unit = displayUnit(change.quantity, units);
  const value = change.value === undefined ? undefined : shown(toDisplay(change.quantity, change.value, units));
  const limit = change.limit ? `${change.limit.side} ${shown(toDisplay(change.quantity, change.limit.limit, units))}` : undefined;
  const params: Record<string, string[]> = { sensor: [name], from: [change.from], to: [change.to], unit: [unit] };
  if (value !== undefined) params['value'] = [value];
  if (limit) params['limit'] = [limit];
  if (change.reason) params['reason'] = [change.reason];
  const detail = [value !== undefined ? `${value} ${unit}` : undefined, limit ? `limit ${limit} ${unit}` : undefined, change.reason].filter(Boolean).join(', ');
  return {
    severity: STATUS_SEVERITY[change.to],
    msgId: STATUS_MSG_ID,
    message: statusChangeText(name, change.from, change.to, detail),
    structuredData: { [STATUS_SD_ID]: params },
    timestamp: change.timestamp,
  };
}

export function faultMessage(fault: SensorFault): AgentMessage {
  return {
    severity: 'err',
    msgId: 'FAULT',
    message: `${fault.sensor} failed: ${fault.reason}`,
    structuredData: { 'fault@21600': { sensor: [fault.sensor], reason: [fault.reason] } },
    timestamp: fault.timestamp,
  };
}

export function recoveryMessage(recovery: SensorRecovery): AgentMessage {
  const seconds = String(Math.round(recovery.downtimeMs / 1000));
  return {
    severity: 'notice',
    msgId: 'RECOVERED',
    message: `${recovery.sensor} answers again after ${seconds} s`,
    structuredData: { 'fault@21600': { sensor: [recovery.sensor], downtime: [seconds] } },
    timestamp: recovery.timestamp,
  };
}

/**
 * The current readings, one SD parameter per quantity (value in its unit) and one for its status,
 * and the agent's version (the analyzer's Sensors page shows which sensors are behind).
 */
export function heartbeatMessage(snapshot: AgentSnapshot, units: UnitSystem, version: string): AgentMessage {
  const readings: Record<string, string[]> = {};
  for (const state of snapshot.quantities) {
    if (state.reading) readings[state.quantity] = [shown(toDisplay(state.quantity, state.reading.value, units))];
    readings[statusParameter(state.quantity)] = [state.status];
  }
  readings[TEMPERATURE_UNIT_PARAMETER] = [displayUnit('temperature', units)];
  const summary = snapshot.quantities
    .map(
      (state) =>
        `${QUANTITY_NAME[state.quantity]} ${state.reading ? `${shown(toDisplay(state.quantity, state.reading.value, units))} ${displayUnit(state.quantity, units)}` : '--'} ${state.status}`,
    )
    .join(', ');
  return {
    severity: 'info',
    msgId: HEARTBEAT_MSG_ID,
    message: summary,
    structuredData: { [READINGS_SD_ID]: readings, [AGENT_SD_ID]: { [VERSION_PARAMETER]: [version] } },
    timestamp: snapshot.timestamp,
  };
}

export function lifecycleMessage(what: 'started' | 'stopping', version: string, timestamp: number): AgentMessage {
  return {
    severity: 'notice',
    msgId: what === 'started' ? 'START' : 'STOP',
    message: `envirowatch agent ${version} ${what}`,
    structuredData: { [AGENT_SD_ID]: { [VERSION_PARAMETER]: [version] } },
    timestamp,
  };
}

export function displayMessage(failed: boolean, error: string | undefined, timestamp: number): AgentMessage {
  return failed
    ? { severity: 'err', msgId: 'DISPLAY', message: `display failed: ${error ?? 'unknown error'}`, timestamp }
    : { severity: 'notice', msgId: 'DISPLAY', message: 'display works again', timestamp };
}

export function droppedMessage(dropped: number, timestamp: number): AgentMessage {
  return {
    severity: 'warning',
    msgId: 'DROPPED',
    message: `${dropped} messages were dropped while this destination was unreachable`,
    structuredData: { [AGENT_SD_ID]: { dropped: [String(dropped)] } },
    timestamp,
  };
}
