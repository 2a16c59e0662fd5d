import { hostname } from 'node:os';
import { join } from 'node:path';
import type { LocalEngine } from '../../snmp/v3/local-engine.js';
import { nextEngineBoots } from '../../snmp/v3/usm-boots.js';
import { UsmEngine } from '../../snmp/v3/usm.js';
import { EngineIdFormat, formatEngineId } from '../../snmp/v3/engine-id.js';

/** Where the analyzer keeps its snmpEngineBoots, in its data dir. */
export const ENGINE_BOOTS_FILE = 'snmp-engine-boots.json';

/**
 * The analyzer's own SNMP engine, authoritative for its SNMPv3 traps: the configured ID, or
 * `analyzer@<hostname>` (format 4, at most 27 octets), which differs from the ID an agent on the
 * same machine derives from its MAC. Each call counts a boot in the data dir; call once per start.
 */
export async function openAnalyzerEngine(options: { readonly engineId: string | null; readonly dataDir: string }): Promise<LocalEngine> {
  const engineId = options.engineId
    ? Buffer.from(options.engineId, 'hex')
    : formatEngineId(EngineIdFormat.text, Buffer.from(`analyzer@${hostname()}`, 'utf8').subarray(0, 27));
  const boots = await nextEngineBoots(join(options.dataDir, ENGINE_BOOTS_FILE), engineId);
  const startedAt = performance.now();
  return new UsmEngine({ engineId, boots, users: [], now: () => performance.now(), startedAt });
}
