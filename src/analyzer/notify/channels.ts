import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { createTransport } from 'nodemailer';
import type { Logger } from '../../common/logger.js';
import { openDestination } from '../../common/syslog/destination.js';
import { formatRfc3164, formatRfc5424, SEVERITIES } from '../../common/syslog/format.js';
import type { Alert } from '../rules/alert.js';
import type { ChannelConfig } from './config.js';

export interface Channel {
  readonly id: string;
  /** Whether this channel wants `alert` (severity and rule filters). */
  wants(alert: Alert): boolean;
  /** Resolves when delivered; rejects with the reason otherwise. */
  deliver(alert: Alert): Promise<void>;
  close(): Promise<void>;
}

export function openChannel(config: ChannelConfig, logger: Logger): Channel {
  const wants = (alert: Alert) => SEVERITIES.indexOf(alert.severity) <= SEVERITIES.indexOf(config.minSeverity) && (config.rules.length === 0 || config.rules.includes(alert.ruleId));
  if (config.type === 'webhook') {
    return {
      id: config.id,
      wants,
      deliver: async (alert) => {
        const response = await fetch(config.url, { method: 'POST', headers: { 'content-type': 'application/json', ...config.headers }, body: JSON.stringify(alert), signal: AbortSignal.timeout(config.timeout) });
        await response.body?.cancel();
        if (!response.ok) throw new Error(`HTTP ${response.status} from ${config.url}`);
      },
      close: async () => {},
    };
  }
  if (config.type === 'email') {
    const { smtp } = config;
    const transport = createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.security === 'tls',
      requireTLS: smtp.security === 'starttls',
      ignoreTLS: smtp.security === 'none',
      ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
      ...(smtp.ca ? { tls: { ca: readFileSync(smtp.ca) } } : {}),
    });
    const fill = (template: string, alert: Alert) =>
      template.replace(/\$\{(\w+)\}/g, (_, name: string) => (name === 'time' ? new Date(alert.time).toISOString() : String((alert as unknown as Record<string, unknown>)[name] ?? '')));
    return {
      id: config.id,
      wants,
      deliver: async (alert) => {
        await transport.sendMail({ from: config.from, to: config.to, subject: fill(config.subject, alert), text: fill(config.body, alert) });
      },
      close: async () => transport.close(),
    };
  }
  // Syslog: what leaves is the alert as a message; the destination queues and reconnects itself,
  // so delivery here means handed to it (UDP has no acknowledgement to wait for anyway).
  const destination = openDestination(config.destination, { logger, queue: 1000, notice: (dropped) => `${dropped} alerts were dropped while the collector was unreachable` });
  const format = config.destination.format === 'rfc5424' ? formatRfc5424 : formatRfc3164;
  return {
    id: config.id,
    wants,
    deliver: async (alert) =>
      destination.send(
        format({ facility: 'local1', severity: alert.severity, timestamp: alert.time, hostname: hostname(), appName: 'envirowatch-analyzer', msgId: 'ALERT', structuredData: { 'alert@21600': { id: [alert.id], rule: [alert.ruleId], kind: [alert.kind], host: [alert.host], key: [alert.key], ...(alert.value ? { value: [alert.value] } : {}) } }, message: alert.summary }),
      ),
    close: () => destination.close(),
  };
}
