/**
 * snmpEngineBoots kept across restarts (RFC 3414 §2.2.2: incremented at every start, never
 * reset while the engine ID stays). Without it, a restart puts engineTime back to 0 with the same
 * boots, and long-running managers, which only accept a later (boots, time) than they have seen
 * (RFC 3414 §3.2 step 7b), drop our responses as "not in time window" until they restart.
 *
 * The file is tiny JSON `{ "engineId": "<hex>", "engineBoots": N }`, replaced atomically
 * (write a temporary file, then rename), so a power cut leaves the old or the new value.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { EnvirowatchError } from '../../common/errors.js';

/** The boots file exists but cannot be trusted or written; the agent refuses to start. */
export class EngineBootsError extends EnvirowatchError {
  override name = 'EngineBootsError';
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
  }
}

/** RFC 3414 §2.2.2: at 2³¹−1 boots stays there (the engine then needs new keys). */
const MAX_BOOTS = 2 ** 31 - 1;

/** Reads the previous boots for `engineId` (0 when none, or the engine ID changed), stores and returns the next. */
export async function nextEngineBoots(file: string, engineId: Buffer): Promise<number> {
  const id = engineId.toString('hex');
  let previous = 0;
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new EngineBootsError(`cannot read ${file}: ${(error as Error).message}`, file);
  }
  if (text !== undefined) {
    let state: unknown;
    try {
      state = JSON.parse(text);
    } catch {
      throw new EngineBootsError(`${file} is not the JSON this agent writes; remove it to restart engineBoots at 1 (managers then need to rediscover)`, file);
    }
    const { engineId: storedId, engineBoots } = (state ?? {}) as { engineId?: unknown; engineBoots?: unknown };
    if (typeof engineBoots !== 'number' || !Number.isInteger(engineBoots) || engineBoots < 1 || engineBoots > MAX_BOOTS || typeof storedId !== 'string') {
      throw new EngineBootsError(`${file} does not hold an engineId and an engineBoots between 1 and 2^31-1; remove it to restart at 1`, file);
    }
    // A new engine ID starts a new engine: boots begins again at 1.
    if (storedId === id) previous = engineBoots;
  }
  const boots = Math.min(previous + 1, MAX_BOOTS);
  const temporary = `${file}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify({ engineId: id, engineBoots: boots })}\n`, { mode: 0o644 });
    await rename(temporary, file);
  } catch (error) {
    throw new EngineBootsError(`cannot write ${file}: ${(error as Error).message}`, file);
  }
  return boots;
}
