import { describe, expect, it } from 'vitest';
import { agentxConfigSchema, parseAgentxSocket } from '../../../src/snmp/agentx/config.js';

describe('agentxConfigSchema', () => {
  it('defaults to Net-SNMP’s Unix socket, 5 s timeout, 30 s maximum backoff', () => {
    expect(agentxConfigSchema.parse({})).toEqual({ socket: '/var/agentx/master', timeout: 5000, reconnectMaxDelay: 30_000 });
  });

  it('accepts tcp:HOST:PORT and unix: forms, and reports bad values', () => {
    expect(parseAgentxSocket('tcp:127.0.0.1:705')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 705 });
    expect(parseAgentxSocket('tcp:[::1]:705')).toEqual({ kind: 'tcp', host: '::1', port: 705 });
    expect(parseAgentxSocket('unix:/run/agentx')).toEqual({ kind: 'unix', path: '/run/agentx' });
    const result = agentxConfigSchema.safeParse({ socket: 'localhost', timeout: 'soon', retry: 1 });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path.join('.') || issue.code).sort()).toEqual(['socket', 'timeout', 'unrecognized_keys']);
  });
});
