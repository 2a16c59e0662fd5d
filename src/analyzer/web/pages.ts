/**
 * The web page's views: pure functions from what the store and engine hold to HTML. server.ts
 * gathers the data and handles requests; nothing here reads a database or a request.
 */
import { SEVERITIES, type Severity } from '../../common/syslog/format.js';
import { formatDuration } from '../../common/duration.js';
import { compareVersions } from '../../common/version.js';
import { problemDuration, type StoredAlert } from '../store/alerts.js';
import type { Reading } from '../store/sensor-data.js';
import type { KeyStateView } from '../rules/kind.js';
import { lineChart } from './charts.js';
import { html, type Html } from './html.js';

export interface PageContext {
  /** The logged-in user; null when no login is configured. */
  readonly user: string | null;
  readonly csrf: string;
  /** Open alerts, counted up to OPEN_COUNT_MAX + 1. */
  readonly openCount: number;
  readonly now: number;
}

/** The menu counts open alerts up to this (every page shows it; the open list says how many there are). */
export const OPEN_COUNT_MAX = 10_000;

const NAV = [
  ['/', 'Open'],
  ['/history', 'History'],
  ['/rates', 'Event rates'],
  ['/sensors', 'Sensors'],
  ['/rules', 'Rules'],
] as const;

const time = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

/** A problem's state and duration (`open for 5m`, `resolved after 12m30s, re-opened 2×`); empty for a one-shot alert. */
function problemText(alert: StoredAlert, now: number): string {
  if (!alert.problem) return '';
  const duration = formatDuration(problemDuration(alert, now)!);
  const reopened = alert.problem.reopened ? `, re-opened ${alert.problem.reopened}×` : '';
  return alert.problem.resolvedAt === undefined ? `open for ${duration}${reopened}` : `resolved after ${duration}${reopened}`;
}

function problemCell(alert: StoredAlert, now: number): Html {
  return html`<td class="problem${alert.problem ? (alert.problem.resolvedAt === undefined ? ' open' : ' resolved') : ''}">${problemText(alert, now)}</td>`;
}

const ackText = (alert: StoredAlert) =>
  alert.ack ? html`${alert.ack.by}, ${time(alert.ack.at)}: ${alert.ack.comment}${alert.ack.baseline ? ' (added to the baseline)' : ''}` : '';

export function layout(context: PageContext, path: string, title: string, body: Html, message?: { kind: 'notice' | 'error'; text: string }): Html {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · envirowatch</title><link rel="stylesheet" href="/style.css"></head>
<body><header><span class="brand">envirowatch analyzer</span>
<nav>${NAV.map(([href, label]) => html`<a href="${href}"${path === href ? html` class="current" aria-current="page"` : ''}>${label}${href === '/' ? ` (${context.openCount > OPEN_COUNT_MAX ? `${OPEN_COUNT_MAX.toLocaleString('en-US')}+` : context.openCount})` : ''}</a> `)}</nav>
${context.user === null ? '' : html`<form method="post" action="/logout"><input type="hidden" name="csrf" value="${context.csrf}"><span>${context.user}</span> <button type="submit">Log out</button></form>`}
</header>
<main><h1>${title}</h1>${message ? html`<p class="${message.kind}" role="status">${message.text}</p>` : ''}${body}</main></body></html>`;
}

export function loginPage(error: string | undefined, csrf: string): Html {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Log in · envirowatch</title><link rel="stylesheet" href="/style.css"></head>
<body><form class="login" method="post" action="/login"><h1>envirowatch analyzer</h1>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<input type="hidden" name="csrf" value="${csrf}">
<label>User <input type="text" name="user" autocomplete="username" required autofocus></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit">Log in</button></form></body></html>`;
}

function severityCell(severity: Severity): Html {
  return html`<td class="sev sev-${severity}">${severity}</td>`;
}

export interface AlertFilters {
  readonly rule?: string | undefined;
  readonly host?: string | undefined;
  readonly severity?: Severity | undefined;
}

/** A list of choices, or a text field for an exact name when there are more than `FACET_CHOICES` of them. */
function select(name: string, label: string, options: readonly string[], selected: string | undefined, anyLabel: string): Html {
  if (options.length > FACET_CHOICES)
    return html`<label>${label} <input type="text" name="${name}" value="${selected ?? ''}" placeholder="${anyLabel} (exact name)"></label>`;
  const choices = selected === undefined || options.includes(selected) ? options : [...options, selected];
  return html`<label>${label} <select name="${name}"><option value="">${anyLabel}</option>${choices.map((option) => html`<option${option === selected ? html` selected` : ''}>${option}</option>`)}</select></label>`;
}

/** More rule ids or hosts than this are a text field, not a list (100,000 hosts would be megabytes). */
export const FACET_CHOICES = 200;

/**
 * Where a paged list is, said above it, and the links to go on: to its start, and to the pages
 * before and after (rel="prev"/"next"), each absent when there is none.
 */
export interface Paging {
  readonly where: string;
  readonly start?: string | undefined;
  readonly previous?: string | undefined;
  readonly next?: string | undefined;
}

function pager(paging: Paging, labels: { start: string; previous: string; next: string }): Html {
  const link = (href: string | undefined, rel: string, label: string) => (href === undefined ? '' : html` <a href="${href}" rel="${rel}">${label}</a>`);
  return html`<nav class="pager" aria-label="pages"><span>${paging.where}</span>${link(paging.start, 'start', labels.start)}${link(paging.previous, 'prev', labels.previous)}${link(paging.next, 'next', labels.next)}</nav>`;
}

const ALERT_PAGER = { start: 'Newest', previous: '← Newer', next: 'Older →' };

/** "2026-12-04 10:00:00 back to 2026-12-04 09:10:00": the times a page of alerts spans. */
export const alertsSpan = (alerts: readonly StoredAlert[]) =>
  alerts.length === 0 ? '' : `; this page ${time(alerts[0]!.time)} back to ${time(alerts.at(-1)!.time)}`;

/** Unresolved problems (acknowledged or not) and unacknowledged one-shot alerts, a page of them. */
export function openAlertsPage(
  alerts: readonly StoredAlert[],
  facets: { ruleIds: string[]; hosts: string[] },
  filters: AlertFilters,
  paging: Paging,
  context: PageContext,
): Html {
  const filterForm = html`<form class="filters" method="get" action="/">
${select('rule', 'Rule', facets.ruleIds, filters.rule, 'any rule')}
${select('host', 'Host', facets.hosts, filters.host, 'any host')}
${select('severity', 'Severity at least', SEVERITIES, filters.severity, 'any severity')}
<button type="submit" class="secondary">Filter</button></form>`;
  if (alerts.length === 0)
    return html`${filterForm}<p class="muted">Nothing open${filters.rule || filters.host || filters.severity ? ' matches these filters' : ''}.</p>`;
  const unacknowledged = alerts.filter((alert) => !alert.ack).length;
  return html`${filterForm}
<p class="muted">Problems leave this list by themselves when their condition clears (acknowledging one does not resolve it); other alerts leave it when acknowledged.</p>
${pager(paging, ALERT_PAGER)}
<form method="post" action="/ack">
<input type="hidden" name="csrf" value="${context.csrf}">
<table><thead><tr><th scope="col">Ack</th><th scope="col">Severity</th><th scope="col">Time (UTC)</th><th scope="col">Rule</th><th scope="col">Host</th><th scope="col">Alert</th><th scope="col">Problem</th><th scope="col">Acknowledged</th></tr></thead><tbody>
${alerts.map(
  (alert) =>
    html`<tr data-alert="${alert.id}"><td>${alert.ack ? '' : html`<input type="checkbox" name="id" value="${alert.id}" aria-label="acknowledge ${alert.summary}"><input type="hidden" name="shown" value="${alert.id}">`}</td>${severityCell(alert.severity)}<td class="time">${time(alert.time)}</td><td>${alert.ruleId}</td><td>${alert.host}</td><td><a href="/alert?id=${alert.id}">${alert.summary}</a></td>${problemCell(alert, context.now)}<td>${ackText(alert)}</td></tr>`,
)}
</tbody></table>
${pager(paging, ALERT_PAGER)}
${
  unacknowledged === 0
    ? ''
    : html`<div class="ackbar">
<label>Comment <input type="text" name="comment" size="40" required placeholder="why this is fine, or what was done"></label>
${context.user === null ? html`<label>Acknowledged by <input type="text" name="by" required value="operator"></label>` : ''}
<label class="inline"><input type="checkbox" name="baseline" value="1"> anomaly alerts: add the value to the baseline</label>
<button type="submit" name="scope" value="selected">Acknowledge selected</button>
<button type="submit" name="scope" value="shown" class="secondary">Acknowledge all ${unacknowledged} shown</button>
</div>`
}</form>`;
}

/** Every alert and problem, newest first, a page of them; problems with how long they were (or have been) open. */
export function historyPage(alerts: readonly StoredAlert[], paging: Paging, now: number): Html {
  return html`${pager(paging, ALERT_PAGER)}<table><thead><tr><th scope="col">Severity</th><th scope="col">Time (UTC)</th><th scope="col">Rule</th><th scope="col">Host</th><th scope="col">Alert</th><th scope="col">Problem</th><th scope="col">Acknowledged</th></tr></thead><tbody>
${alerts.map(
  (alert) =>
    html`<tr data-alert="${alert.id}">${severityCell(alert.severity)}<td class="time">${time(alert.time)}</td><td>${alert.ruleId}</td><td>${alert.host}</td><td><a href="/alert?id=${alert.id}">${alert.summary}</a></td>${problemCell(alert, now)}<td>${
      alert.ack ? ackText(alert) : alert.problem?.resolvedAt !== undefined ? 'no' : html`<span class="sev-warning">open</span>`
    }</td></tr>`,
)}
</tbody></table>
${pager(paging, ALERT_PAGER)}`;
}

export function alertPage(alert: StoredAlert, now: number): Html {
  const rows: [string, string][] = [
    ['Id', alert.id],
    ['Rule', `${alert.ruleId} (${alert.kind})`],
    ['Severity', alert.severity],
    ['Time (UTC)', time(alert.time)],
    ['Host', alert.host],
    ['Key', alert.key],
    ...(alert.value !== undefined ? ([['Value', alert.value]] as [string, string][]) : []),
    ...(alert.state !== undefined ? ([['State', alert.state]] as [string, string][]) : []),
    ...(alert.problem
      ? ([
          ['Problem', problemText(alert, now)],
          ['Resolved (UTC)', alert.problem.resolvedAt === undefined ? 'not yet' : time(alert.problem.resolvedAt)],
        ] as [string, string][])
      : []),
    [
      'Acknowledged',
      alert.ack ? `${alert.ack.by}, ${time(alert.ack.at)}: ${alert.ack.comment}${alert.ack.baseline ? ' (value added to the baseline)' : ''}` : 'no',
    ],
  ];
  const resolution = alert.problem?.resolution;
  return html`<table><tbody>${rows.map(([name, value]) => html`<tr><th scope="row">${name}</th><td>${value}</td></tr>`)}</tbody></table>
<h2>Evidence${alert.problem ? ' (what opened it)' : ''}</h2><pre>${JSON.stringify(alert.evidence, null, 2)}</pre>
${resolution ? html`<h2>What resolved it</h2><p>${resolution.summary}</p><pre>${JSON.stringify(resolution.evidence, null, 2)}</pre>` : ''}`;
}

export interface HostRate {
  readonly host: string;
  readonly perMinute: readonly { minute: number; count: number }[];
}

/** A rule's key with its state, as the rule's kind gives it (kind.ts). */
export type RuleKeyState = KeyStateView & { readonly ruleId: string };

/** The rows a page leaves out to stay small, said below its table. */
function notShown(count: number, what: string, which: string): Html | string {
  return count > 0 ? html`<p class="muted">${count.toLocaleString('en-US')} more ${what} not shown (${which}).</p>` : '';
}

/** `rates` are the hosts most active lately and `eps` the keys out of range, then the busiest; `hidden` counts those left out. */
export function ratesPage(
  rates: readonly HostRate[],
  eps: readonly RuleKeyState[],
  window: { from: number; to: number },
  hidden: { hosts: number; keys: number },
): Html {
  const total = (rate: HostRate) => rate.perMinute.reduce((sum, { count }) => sum + count, 0);
  return html`<h2>EPS rules: state of each key</h2>
${
  eps.length === 0
    ? html`<p class="muted">No eps rule is configured, or none has counted anything yet.</p>`
    : html`<table><thead><tr><th scope="col">Rule</th><th scope="col">Key</th><th scope="col">State</th><th scope="col">Events in the open window</th><th scope="col">Thresholds</th></tr></thead><tbody>
${eps.map((row) => html`<tr><td>${row.ruleId}</td><td>${row.key}</td><td class="state-${row.state}">${row.state}</td><td class="num">${row.count}</td><td>${row.thresholds}</td></tr>`)}
</tbody></table>${notShown(hidden.keys, 'keys', 'out-of-range keys come first, then the busiest')}`
}
<h2>Events per minute, last hour</h2>
${
  rates.length === 0
    ? html`<p class="muted">Nothing received in the last hour.</p>`
    : html`<table><thead><tr><th scope="col">Host</th><th scope="col">Events</th><th scope="col">Per minute</th></tr></thead><tbody>
${rates.map(
  (rate) =>
    html`<tr data-host="${rate.host}"><td>${rate.host}</td><td class="num">${total(rate)}</td><td>${lineChart({ points: rate.perMinute.map(({ minute, count }) => ({ time: minute, value: count })), from: window.from, to: window.to, width: 360, height: 60, label: `${rate.host}: events per minute`, floor: 0 })}</td></tr>`,
)}
</tbody></table>${notShown(hidden.hosts, 'hosts', 'they sent events in the last hour but less lately: an event counts half as much 10 minutes later')}`
}`;
}

export interface SensorView {
  readonly host: string;
  /** Its envirowatch version, from its latest heartbeat (older agents send none). */
  readonly version?: string | undefined;
  readonly latest: readonly Reading[];
  readonly series: readonly { quantity: string; unit: string; points: readonly { time: number; value: number }[] }[];
}

/** A page of sensors, by host name; `newest`: the newest version any sensor runs (those behind it are marked). */
export function sensorsPage(sensors: readonly SensorView[], window: { from: number; to: number }, paging: Paging, newest: string | undefined): Html {
  if (sensors.length === 0)
    return html`<p class="muted">No sensor has sent a heartbeat yet. Sensors send one every minute to the analyzer they are configured for (<code>syslog.destinations</code> in agent.yaml).</p>`;
  return html`${pager(paging, SENSOR_PAGER)}<div class="cards">${sensors.map(
    (sensor) => html`<section class="card" data-sensor="${sensor.host}"><h2>${sensor.host}</h2>
${versionLine(sensor.version, newest)}
<div class="readings">${sensor.latest.map((reading) => html`<div class="reading"><div class="muted">${reading.quantity}</div><div class="value state-${reading.status}">${reading.value} ${reading.unit}</div><div class="muted">${reading.status}, ${time(reading.time).slice(11)}</div></div>`)}</div>
${sensor.series.map((series) => html`<div class="muted">${series.quantity}, last 24 h</div>${lineChart({ points: series.points, from: window.from, to: window.to, unit: series.unit, label: `${sensor.host} ${series.quantity}, last 24 h`, maxGapMs: 5 * 60_000 })}`)}
</section>`,
  )}</div>${pager(paging, SENSOR_PAGER)}`;
}

const SENSOR_PAGER = { start: 'First', previous: '← Previous', next: 'Next →' };

/** A sensor's version; one behind the newest any sensor runs is marked, so an operator sees which to update. */
function versionLine(version: string | undefined, newest: string | undefined): Html {
  if (!version) return html`<div class="muted" data-version="">version unknown (its heartbeat has none)</div>`;
  const behind = newest !== undefined && compareVersions(version, newest) < 0;
  return behind
    ? html`<div class="state-warning" data-version="${version}">envirowatch ${version}, behind ${newest}</div>`
    : html`<div class="muted" data-version="${version}">envirowatch ${version}</div>`;
}

export interface RuleView {
  readonly id: string;
  readonly kind: string;
  readonly description: string;
  readonly counters: Readonly<Record<string, number>>;
}

export function rulesPage(rules: readonly RuleView[]): Html {
  if (rules.length === 0) return html`<p class="muted">No rules configured (<code>rules:</code> in analyzer.yaml).</p>`;
  return html`<table><thead><tr><th scope="col">Rule</th><th scope="col">Kind</th><th scope="col">Description</th><th scope="col">Counters since start</th></tr></thead><tbody>
${rules.map(
  (rule) =>
    html`<tr data-rule="${rule.id}"><td>${rule.id}</td><td>${rule.kind}</td><td>${rule.description}</td><td>${Object.entries(rule.counters)
      .map(([name, value]) => `${name} ${value}`)
      .join(', ')}</td></tr>`,
)}
</tbody></table>`;
}
