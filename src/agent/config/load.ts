import { access } from 'node:fs/promises';
import { loadConfigFile, parseConfigText } from '../../common/config-file.js';
import { agentConfigSchema, type AgentConfig } from './schema.js';

export const DEFAULT_AGENT_CONFIG_PATH = '/etc/envirowatch/agent.yaml';
export const AGENT_CONFIG_ENV = 'ENVIROWATCH_CONFIG';

export interface LoadedAgentConfig {
  readonly config: AgentConfig;
  /** The file read, or undefined when none exists and built-in defaults apply. */
  readonly file: string | undefined;
}

/**
 * Finds and validates the agent config: `--config` flag, else $ENVIROWATCH_CONFIG, else
 * /etc/envirowatch/agent.yaml (`defaultPath`: under another root). A named file must exist; the
 * default path may be absent, and then every key takes its default (a freshly installed sensor
 * works without a file).
 */
export async function loadAgentConfig(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  defaultPath = DEFAULT_AGENT_CONFIG_PATH,
): Promise<LoadedAgentConfig> {
  const named = flag ?? env[AGENT_CONFIG_ENV];
  if (named) return { config: await loadConfigFile(agentConfigSchema, named), file: named };
  const exists = await access(defaultPath).then(
    () => true,
    () => false,
  );
  if (exists) return { config: await loadConfigFile(agentConfigSchema, defaultPath), file: defaultPath };
  return { config: parseConfigText(agentConfigSchema, ''), file: undefined };
}
