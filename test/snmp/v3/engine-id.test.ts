/** snmpEngineID (RFC 3411 §5 SnmpEngineID) as the agent derives it. */
import { describe, expect, it } from 'vitest';
import { deriveEngineId, formatEngineId, localEngineIdSource } from '../../../src/snmp/v3/engine-id.js';

describe('engine ID', () => {
  it('is RFC 3411 format 3 (MAC) under enterprise 21600, physical interfaces first, stable for the same hardware', () => {
    const macs = { docker0: '02:42:ac:11:00:02', lo: '00:00:00:00:00:00', wlan0: 'b8:27:eb:00:00:02', eth0: 'b8:27:eb:00:00:01' };
    // 80 00 54 60 = 0x80000000 | 21600; 03 = MAC; then eth0's address.
    expect(deriveEngineId({ macs, hostname: 'pi' }).toString('hex')).toBe('8000546003b827eb000001');
    expect(deriveEngineId({ macs: { ...macs }, hostname: 'renamed' })).toEqual(deriveEngineId({ macs, hostname: 'pi' }));
  });

  it('on this machine: derived twice, the same, under 80005460', () => {
    const first = deriveEngineId(localEngineIdSource()).toString('hex');
    expect(first).toMatch(/^8000546(003[0-9a-f]{12}|04[0-9a-f]+)$/);
    expect(deriveEngineId(localEngineIdSource()).toString('hex')).toBe(first);
  });

  it('falls back to the host name (format 4) without a usable MAC', () => {
    expect(deriveEngineId({ macs: { lo: '00:00:00:00:00:00' }, hostname: 'pi' })).toEqual(formatEngineId(4, Buffer.from('pi')));
  });
});
