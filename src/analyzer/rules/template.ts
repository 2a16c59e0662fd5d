/**
 * `${name}` templates over a match's named groups and the event's own fields. Compiled once at
 * load, where unknown names are reported; applying one is a string join.
 */
import type { SyslogEvent } from '../../common/syslog/event.js';

/** Event fields a template may name besides the regex's groups. */
export const EVENT_FIELDS = ['host', 'app', 'procId', 'msgId', 'message', 'source'] as const;

export interface Template {
  readonly text: string;
  readonly names: readonly string[];
  apply(groups: Readonly<Record<string, string | undefined>>, event: SyslogEvent): string;
}

export function compileTemplate(text: string): Template {
  const parts = text.split(/\$\{([^}]*)\}/);
  const names = parts.filter((_, i) => i % 2 === 1);
  return {
    text,
    names,
    apply: (groups, event) =>
      parts.map((part, i) => (i % 2 === 0 ? part : (groups[part] ?? ((EVENT_FIELDS as readonly string[]).includes(part) ? String(event[part as (typeof EVENT_FIELDS)[number]]) : '')))).join(''),
  };
}

/** Names in `template` that are neither a group of `regex` nor an event field. */
export function unknownNames(template: Template, groups: readonly string[]): string[] {
  return template.names.filter((name) => !groups.includes(name) && !(EVENT_FIELDS as readonly string[]).includes(name));
}

export function namedGroups(regex: RegExp): string[] {
  return [...regex.source.matchAll(/\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g)].map((m) => m[1]!);
}
