import { ManualClock } from '../src/common/clock.js';
import { parseConfigText } from '../src/common/config-file.js';
import { silentLogger } from '../src/common/logger.js';
import { agentConfigSchema } from '../src/agent/config/schema.js';
import { resolveAgentConfig } from '../src/agent/config/resolve.js';
import { createAgentRuntime } from '../src/agent/runtime.js';

/** The real agent and drivers on the emulated board, on a clock that only moves when polled. */
export async function simulatedAgent() {
  const clock = new ManualClock();
  const config = resolveAgentConfig(parseConfigText(agentConfigSchema, ''));
  const runtime = await createAgentRuntime({ config, simulate: true, clock, logger: silentLogger });
  const { agent, board } = runtime;
  if (!board) throw new Error('the bench needs the simulated board');
  const interval = config.config.poll.interval;
  /** One poll as the loop does it, the scripted room moved on to the poll's time. */
  const poll = async () => {
    board.update();
    await agent.pollOnce();
    clock.advance(interval);
  };
  return { agent, board, poll, close: () => runtime.close() };
}
