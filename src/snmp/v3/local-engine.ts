/**
 * Our SNMP engine (RFC 3411 §3.1.1), one per process: the ID, boots and time the agent answers
 * SNMPv3 requests with are the ones its SNMPv3 traps carry, so a receiver configured with
 * `createUser -e <engine ID>` and a manager walking the agent see the same engine.
 */
import { UsmEngine } from './usm.js';
import { nextEngineBoots } from './usm-boots.js';
import { deriveEngineId, localEngineIdSource } from './engine-id.js';
import type { SnmpV3User } from './config.js';

/** What v3 traps need of our engine (authoritative for them); UsmEngine has this shape. */
export interface LocalEngine {
  readonly engineId: Buffer;
  readonly boots: number;
  /** snmpEngineTime in seconds. */
  time(): number;
}

/**
 * The configured (`snmp.engineId`) or derived engine ID; with `snmp.engineBootsFile`, counts this
 * start in it (rejects with EngineBootsError when it cannot be read or written), else boots 1.
 * Localises `users`' keys (two 1 MB hashes each). Call once per process.
 */
export async function openLocalEngine(options: {
  /** Engine ID in hex and the boots file; null = derived, and not kept (boots 1). */
  readonly config: { readonly engineId: string | null; readonly engineBootsFile: string | null };
  readonly users: readonly SnmpV3User[];
  /** Monotonic milliseconds; snmpEngineTime counts seconds from `startedAt`. */
  readonly now: () => number;
  readonly startedAt: number;
}): Promise<UsmEngine> {
  const { engineId, engineBootsFile } = options.config;
  const id = engineId ? Buffer.from(engineId, 'hex') : deriveEngineId(localEngineIdSource());
  const boots = engineBootsFile ? await nextEngineBoots(engineBootsFile, id) : 1;
  return new UsmEngine({ engineId: id, boots, users: options.users, now: options.now, startedAt: options.startedAt });
}
