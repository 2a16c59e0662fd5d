import * as z from 'zod';
import { parseDuration } from './duration.js';

/**
 * A config duration written like `500ms`, `2s`, `1m30s`, parsed to milliseconds, with a default.
 * `max` bounds it (with the bound as people should read it, e.g. `{ ms: 60_000, label: '60s' }`).
 */
export function durationSchema(fallback: string, max?: { ms: number; label: string }) {
  return z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined || ms <= 0 || (max && ms > max.ms)) {
        const expected = max ? `a duration between 1ms and ${max.label}, like 500ms or 2s` : 'a duration like 500ms, 2s, 1m or 1h';
        ctx.addIssue({ code: 'custom', message: `"${text}" is not ${expected}` });
        return z.NEVER;
      }
      return ms;
    });
}
