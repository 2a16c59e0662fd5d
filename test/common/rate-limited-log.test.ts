import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/common/clock.js';
import { createLogger } from '../../src/common/logger.js';
import { RateLimitedLog } from '../../src/common/rate-limited-log.js';

describe('RateLimitedLog', () => {
  it('logs the first occurrence, then at most one line per interval with the suppressed count', () => {
    const clock = new ManualClock();
    const lines: string[] = [];
    const log = new RateLimitedLog(createLogger({ sink: (_level, line) => lines.push(line) }), clock, 10_000);
    for (let i = 0; i < 5; i++) log.warn('malformed', 'bad packet', () => ({ n: i }));
    expect(lines).toHaveLength(1);
    clock.advance(9_999);
    log.warn('malformed', 'bad packet', () => ({}));
    expect(lines).toHaveLength(1);
    clock.advance(1);
    log.warn('malformed', 'bad packet', () => ({}));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('suppressed=5');
    log.warn('other', 'different kind', () => ({}));
    expect(lines).toHaveLength(3);
  });
});
