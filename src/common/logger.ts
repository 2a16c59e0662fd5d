/**
 * Structured logging to stdout/stderr for journald: one logfmt line per event
 * (`level=warn ns=agent.bme280 msg="..." key=value`). Hand-written because it is ~50 lines and
 * needs nothing a logging library adds (transports, rotation) while journald does the rest.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string | (() => string), fields?: LogFields | (() => LogFields)): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(namespace: string): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LogSink {
  (level: LogLevel, line: string): void;
}

const consoleSink: LogSink = (level, line) => {
  (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(`${line}\n`);
};

function formatValue(value: unknown): string {
  if (value instanceof Error) value = value.message;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /^[\w.:/+-]+$/.test(text ?? '') ? (text ?? '') : JSON.stringify(text ?? String(value));
}

export function formatLine(level: LogLevel, namespace: string, message: string, fields: LogFields): string {
  const parts = [`level=${level}`, `ns=${namespace}`, `msg=${JSON.stringify(message)}`];
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) parts.push(`${key}=${formatValue(value)}`);
  }
  return parts.join(' ');
}

export function createLogger(options: { namespace?: string; level?: LogLevel; sink?: LogSink } = {}): Logger {
  const namespace = options.namespace ?? 'envirowatch';
  const min = ORDER[options.level ?? 'info'];
  const sink = options.sink ?? consoleSink;
  const emit = (level: LogLevel, message: string, fields: LogFields = {}) => {
    if (ORDER[level] >= min) sink(level, formatLine(level, namespace, message, fields));
  };
  return {
    debug(message, fields) {
      if (ORDER.debug < min) return;
      emit('debug', typeof message === 'function' ? message() : message, typeof fields === 'function' ? fields() : fields);
    },
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
    child: (child) => createLogger({ ...options, namespace: `${namespace}.${child}` }),
  };
}

/** A logger that drops everything; for tests that do not look at logs. */
export const silentLogger: Logger = createLogger({ sink: () => {} });
