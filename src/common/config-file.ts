import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isMap, isNode } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from './errors.js';

type PathKey = string | number;

function joinPath(path: readonly PathKey[]): string {
  return path.map(String).join('.');
}

/**
 * Parses YAML text and validates it with `schema`, reporting every problem at once with the
 * key path and line. Shared by every daemon so all config errors read the same.
 */
export function parseConfigText<S extends z.ZodType>(schema: S, text: string, file?: string): z.output<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineOf = (offset: number | undefined) => (offset === undefined ? undefined : lineCounter.linePos(offset).line);

  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e) => ({ path: '', line: lineOf(e.pos[0]), message: `YAML syntax: ${e.message.split('\n')[0]}` }));
    throw configError(file, issues);
  }
  const data: unknown = doc.toJS() ?? {};

  const result = schema.safeParse(data);
  if (result.success) return result.data;

  const issues: ConfigIssue[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.filter((key): key is PathKey => typeof key !== 'symbol');
    // An unknown key is reported at the parent object; point at the key itself instead.
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    for (const key of keys) {
      const fullPath = key === undefined ? path : [...path, key];
      issues.push({
        path: joinPath(fullPath),
        line: lineOfPath(doc, fullPath, lineOf),
        message: key === undefined ? issue.message : 'unknown key (check its spelling and indentation)',
      });
    }
  }
  throw configError(file, issues);
}

/** Line of the deepest node of `path` that exists in the document. */
function lineOfPath(
  doc: ReturnType<typeof parseDocument>,
  path: readonly PathKey[],
  lineOf: (offset: number | undefined) => number | undefined,
): number | undefined {
  for (let depth = path.length; depth > 0; depth--) {
    const prefix = path.slice(0, depth);
    const parent = prefix.length > 1 ? doc.getIn(prefix.slice(0, -1), true) : doc.contents;
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isNode(item.key) && String((item.key as { value?: unknown }).value) === String(prefix.at(-1)));
      if (pair && isNode(pair.key)) return lineOf(pair.key.range?.[0]);
    }
    const node = doc.getIn(prefix, true);
    if (isNode(node)) return lineOf(node.range?.[0]);
  }
  return undefined;
}

function configError(file: string | undefined, issues: ConfigIssue[]): ConfigError {
  return new ConfigError(`${file ?? 'config'}: ${issues.length} problem${issues.length === 1 ? '' : 's'}`, file, issues);
}

export async function loadConfigFile<S extends z.ZodType>(schema: S, file: string): Promise<z.output<S>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new ConfigError(`${file}: ${reason}`, file, [{ path: '', message: reason }]);
  }
  return parseConfigText(schema, text, file);
}

/** `file:line: path: message` lines, as check-config prints them. */
export function formatConfigIssues(error: ConfigError): string[] {
  return error.issues.map((issue) => {
    const where = [error.file ?? 'config', issue.line].filter((part) => part !== undefined).join(':');
    return `${where}: ${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
  });
}
