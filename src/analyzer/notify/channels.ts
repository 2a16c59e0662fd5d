import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { createTransport } from 'nodemailer';
import type { LocalEngine } from '../../snmp/v3/local-engine.js';
import { NotificationSender } from '../../snmp/notification/sender.js';
import type { Logger } from '../../common/logger.js';
import { openDestination } from '../../common/syslog/destination.js';
import { formatRfc3164, formatRfc5424, SEVERITIES } from '../../common/syslog/format.js';
import type { Alert } from '../rules/alert.js';
import type { ChannelConfig } from './config.js';
import { alertVarbinds } from './snmp-alert.js';

export interface Channel {
  readonly id: string;
  /** Whether this channel wants `alert` (severity and rule filters; a resolution only with onResolve). */
  wants(alert: Alert): boolean;
  /** Resolves when delivered; rejects with the reason otherwise. */
  deliver(alert: Alert): Promise<void>;
  close(): Promise<void>;
}

export interface ChannelContext {
  readonly logger: Logger;
  /** The analyzer's SNMP engine, opened on first use (only SNMPv3 traps need it). */
  readonly snmpEngine: () => Promise<LocalEngine>;
}

export function openChannel(config: ChannelConfig, { logger, snmpEngine }: ChannelContext): Channel {
  const wants = (alert: Alert) =>
    (alert.problem !== 'resolved' || config.onResolve) &&
    SEVERITIES.indexOf(alert.severity) <= SEVERITIES.indexOf(config.minSeverity) &&
    (config.rules.length === 0 || config.rules.includes(alert.ruleId));
  if (config.type === 'webhook') {
    return {
      id: config.id,
      wants,
      deliver: async (alert) => {
        const response = await fetch(config.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...config.headers },
          body: JSON.stringify(alert),
          signal: AbortSignal.timeout(config.timeout),
        });
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
      template.replace(/\$\{(\w+)\}/g, (_, name: string) =>
        name === 'time'
          ? new Date(alert.time).toISOString()
          : Object.hasOwn(alert, name)
            ? String((alert as unknown as Record<string, unknown>)[name] ?? '')
            : '',
      );
    return {
      id: config.id,
      wants,
      deliver: async (alert) => {
        await transport.sendMail({ from: config.from, to: config.to, subject: fill(config.subject, alert), text: fill(config.body, alert) });
      },
      close: async () => transport.close(),
    };
  }
  if (config.type === 'snmp') {
    const { receiver } = config;
    const openedAt = performance.now();
    const senderOptions = { receivers: [receiver], logger, sysUpTime: () => (performance.now() - openedAt) / 10 };
    // A v3 trap is sent with our engine, whose boots come from the data dir: opened once, lazily.
    const sender =
      receiver.v3 && receiver.kind === 'trap'
        ? snmpEngine().then((localEngine) => new NotificationSender({ ...senderOptions, localEngine }))
        : Promise.resolve(new NotificationSender(senderOptions));
    sender.catch(() => {}); // a failure to open the engine is reported by each deliver, through the outbox
    return {
      id: config.id,
      wants,
      deliver: async (alert) => {
        const opened = await sender;
        const [outcome] = await opened.send(alertVarbinds(alert, senderOptions.sysUpTime()));
        if (outcome && !outcome.delivered) throw new Error(`SNMP ${receiver.kind} to ${outcome.to}: ${outcome.reason}`);
      },
      close: async () => (await sender.catch(() => undefined))?.close(),
    };
  }
  // Syslog: what leaves is the alert as a message; the destination queues and reconnects itself,
  // so delivery here means handed to it (UDP has no acknowledgement to wait for anyway).
  const destination = openDestination(config.destination, {
    logger,
    queue: 1000,
    notice: (dropped) => `${dropped} alerts were dropped while the collector was unreachable`,
  });
  const format = config.destination.format === 'rfc5424' ? formatRfc5424 : formatRfc3164;
  return {
    id: config.id,
    wants,
    deliver: async (alert) =>
      destination.send(
        format({
          facility: 'local1',
          severity: alert.severity,
          timestamp: alert.time,
          hostname: hostname(),
          appName: 'envirowatch-analyzer',
          msgId: 'ALERT',
          structuredData: {
            'alert@21600': {
              id: [alert.id],
              rule: [alert.ruleId],
              kind: [alert.kind],
              host: [alert.host],
              key: [alert.key],
              ...(alert.value ? { value: [alert.value] } : {}),
              ...(alert.problem ? { problem: [alert.problem] } : {}),
              ...(alert.resolves ? { durationMs: [String(alert.resolves.durationMs)] } : {}),
            },
          },
          message: alert.summary,
        }),
      ),
    close: () => destination.close(),
  };
}
