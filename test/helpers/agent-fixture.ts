import { ManualClock } from '../../src/common/clock.js';
import { parseConfigText } from '../../src/common/config-file.js';
import { createLogger, type LogLevel } from '../../src/common/logger.js';
import type { AgentEvents, SensorAgent } from '../../src/agent/agent.js';
import { agentConfigSchema } from '../../src/agent/config/schema.js';
import { resolveAgentConfig } from '../../src/agent/config/resolve.js';
import { createAgentRuntime } from '../../src/agent/runtime.js';
import type { SimulatedBoard } from '../../src/agent/simulation/board.js';

export interface AgentFixture {
  clock: ManualClock;
  agent: SensorAgent;
  board: SimulatedBoard;
  logs: { level: LogLevel; line: string }[];
  events: { [K in keyof AgentEvents]: AgentEvents[K][0][] };
  /** Advances the clock one poll interval and polls. */
  poll(): ReturnType<SensorAgent['pollOnce']>;
}

/** The real agent and drivers on the simulated board, on a manual clock, recording logs and events. */
export async function agentFixture(yaml = '', options: { followScenario?: boolean } = {}): Promise<AgentFixture> {
  const clock = new ManualClock();
  const logs: AgentFixture['logs'] = [];
  const logger = createLogger({ level: 'debug', sink: (level, line) => logs.push({ level, line }) });
  const config = resolveAgentConfig(parseConfigText(agentConfigSchema, yaml));
  const { agent, board } = await createAgentRuntime({ config, simulate: true, clock, logger });
  if (!board) throw new Error('expected a simulated board');
  const events: AgentFixture['events'] = { reading: [], statusChange: [], fault: [], recovered: [] };
  agent.on('reading', (e) => events.reading.push(e));
  agent.on('statusChange', (e) => events.statusChange.push(e));
  agent.on('fault', (e) => events.fault.push(e));
  agent.on('recovered', (e) => events.recovered.push(e));
  const poll = async () => {
    if (options.followScenario) board.update();
    const snapshot = await agent.pollOnce();
    clock.advance(config.config.poll.interval);
    return snapshot;
  };
  return { clock, agent, board, logs, events, poll };
}
