/** snmpEngineBoots kept in a file across starts (RFC 3414 §2.2.2). */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineBootsError, nextEngineBoots } from '../../../src/snmp/v3/usm-boots.js';

const ENGINE_ID = '8000546005656e7669726f'; // 80005460 (21600, new format), 05 (octets), "enviro"

describe('engineBoots file', () => {
  it('counts 1, 2, 3 across starts, restarts at 1 for a new engine ID, refuses a corrupt file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-boots-'));
    try {
      const file = join(dir, 'snmp-engine.json');
      const id = Buffer.from(ENGINE_ID, 'hex');
      expect([await nextEngineBoots(file, id), await nextEngineBoots(file, id), await nextEngineBoots(file, id)]).toEqual([1, 2, 3]);
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ engineId: ENGINE_ID, engineBoots: 3 });
      expect(await nextEngineBoots(file, Buffer.from('800054600501', 'hex'))).toBe(1);
      await writeFile(file, '{"engineId": "800054600501", "engineBoots": -4}');
      await expect(nextEngineBoots(file, id)).rejects.toBeInstanceOf(EngineBootsError);
      await writeFile(file, 'garbage');
      await expect(nextEngineBoots(file, id)).rejects.toThrow(/not the JSON this agent writes/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
