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

function lookup(name: string, groups: Readonly<Record<string, string | undefined>>, event: SyslogEvent): string {
  return groups[name] ?? ((EVENT_FIELDS as readonly string[]).includes(name) ? String(event[name as (typeof EVENT_FIELDS)[number]]) : '');
}

export function compileTemplate(text: string): Template {
  const parts = text.split(/\$\{([^{}]*)\}/);
  const names = parts.filter((_, i) => i % 2 === 1);
  // `${name}` alone, the common case: no joining (templates run for every matching event).
  if (parts.length === 3 && parts[0] === '' && parts[2] === '') {
    const name = names[0]!;
    return { text, names, apply: (groups, event) => lookup(name, groups, event) };
  }
  return {
    text,
    names,
    apply: (groups, event) => {
      let result = parts[0]!;
      for (let i = 1; i < parts.length; i += 2) result += lookup(parts[i]!, groups, event) + parts[i + 1]!;
      return result;
    },
  };
}

/** Names in `template` that are neither a group of `regex` nor an event field. */
export function unknownNames(template: Template, groups: readonly string[]): string[] {
  return template.names.filter((name) => !groups.includes(name) && !(EVENT_FIELDS as readonly string[]).includes(name));
}

export function namedGroups(regex: RegExp): string[] {
  return [...regex.source.matchAll(/\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g)].map((m) => m[1]!);
}
