import { readFile } from 'node:fs/promises';
import { isAlias, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document, type YAMLError } from 'yaml';
import type * as z from 'zod';
import { describeExpected, describeFound, schemaAt, valueAt } from './config-expectations.js';
import { ConfigError, type ConfigIssue } from './errors.js';

type PathKey = string | number;

/**
 * Alias uses allowed while turning the YAML into data: the `yaml` package's own default, named
 * here because past it `toJS` throws, and that is how an alias bomb ("billion laughs") is refused.
 */
const MAX_ALIAS_COUNT = 100;
/** check-config prints this many problems at most: past that it is one slip repeated (an indentation error makes every key below it unknown). */
const MAX_PRINTED_ISSUES = 50;

/** YAML text turned into data, with the line of every key path in it. */
export interface ParsedYaml {
  readonly data: unknown;
  /** 1-based line of the deepest node of `path` that exists in the text. */
  lineOf(path: readonly PathKey[]): number | undefined;
}

function joinPath(path: readonly PathKey[]): string {
  return path.map(String).join('.');
}

/** Map key for a key path ('.' can be part of a YAML key, NUL cannot be typed in one). */
const pathId = (path: readonly PathKey[]) => path.map(String).join('\0');

/**
 * Parses YAML text and validates it with `schema`, reporting every problem at once with the
 * key path and line. Shared by every daemon so all config errors read the same.
 */
export function parseConfigText<S extends z.ZodType>(schema: S, text: string, file?: string): z.output<S> {
  return validateConfig(schema, parseYamlText(text, file), file);
}

/**
 * YAML text to data, or a ConfigError for anything wrong with it as YAML: syntax, duplicate keys,
 * aliases without an anchor or past MAX_ALIAS_COUNT, and whatever else the parser throws.
 */
export function parseYamlText(text: string, file?: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const lineAt = (offset: number | undefined) => (offset === undefined ? undefined : lineCounter.linePos(offset).line);
  const readable = <T>(step: () => T): T => {
    try {
      return step();
    } catch (error) {
      throw configError(file, [{ path: '', message: `cannot read it as YAML: ${(error as Error).message}` }]);
    }
  };
  // uniqueKeys off: yaml compares each key with every earlier one (40,000 keys took 10 s); indexKeys finds duplicates in one pass.
  const doc = readable(() => parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false }));
  if (doc.errors.length > 0) throw configError(file, byLine(syntaxIssues(doc.errors, lineAt)));
  const index = readable(() => indexKeys(doc, lineAt));
  if (index.issues.length > 0) throw configError(file, index.issues);
  const data = toData(doc, index.firstAliasLine, file);
  return {
    data,
    lineOf: (path) => {
      for (let depth = path.length; depth > 0; depth--) {
        const line = index.lines.get(pathId(path.slice(0, depth)));
        if (line !== undefined) return line;
      }
      return undefined;
    },
  };
}

/**
 * The parser's errors as issues. A line indented deeper than the key above it, which already has a
 * value (`enabled: true` then `    bus: 1`), comes as two errors at the key above; it is reported
 * once, at the deeper line, where the slip is.
 */
function syntaxIssues(errors: readonly YAMLError[], lineAt: (offset: number | undefined) => number | undefined): ConfigIssue[] {
  const deeperLine = (e: YAMLError) =>
    e.code === 'MULTILINE_IMPLICIT_KEY' && errors.some((other) => other.code === 'BLOCK_AS_IMPLICIT_KEY' && other.pos[0] === e.pos[0]);
  return errors.flatMap((e) => {
    if (e.code === 'BLOCK_AS_IMPLICIT_KEY' && errors.some((other) => deeperLine(other) && other.pos[0] === e.pos[0])) return [];
    if (deeperLine(e)) {
      const above = lineAt(e.pos[0]);
      return [
        {
          path: '',
          line: lineAt(e.pos[1]),
          message: `YAML syntax: indented deeper than line ${above}, whose key already has a value: give it the indentation of the key it belongs beside`,
        },
      ];
    }
    return [{ path: '', line: lineAt(e.pos[0]), message: `YAML syntax: ${e.message.split('\n')[0]}` }];
  });
}

function toData(doc: Document, firstAliasLine: number | undefined, file: string | undefined): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch (error) {
    // yaml throws a ReferenceError when aliases expand past maxAliasCount.
    const message =
      error instanceof ReferenceError
        ? `*aliases expand to too much data (more than ${MAX_ALIAS_COUNT} alias uses; a file made to exhaust memory?): write the values out instead`
        : `cannot read it as YAML: ${(error as Error).message}`;
    throw configError(file, [{ path: '', line: error instanceof ReferenceError ? firstAliasLine : undefined, message }]);
  }
}

interface KeyIndex {
  /** pathId → line of the key (maps) or item (sequences). */
  readonly lines: Map<string, number | undefined>;
  /** Duplicate keys and aliases used before their anchor. */
  readonly issues: ConfigIssue[];
  readonly firstAliasLine: number | undefined;
}

interface Pending {
  readonly node: unknown;
  /** undefined inside a map key, which has no config path. */
  readonly path: readonly string[] | undefined;
}

/**
 * Every node once, in document order, with a stack rather than recursion (no depth limit): the
 * line of each key path, so finding the line of each of n problems is a lookup, not a walk.
 */
function indexKeys(doc: Document, lineAt: (offset: number | undefined) => number | undefined): KeyIndex {
  const lines = new Map<string, number | undefined>();
  const issues: ConfigIssue[] = [];
  const anchors = new Set<string>();
  let firstAliasLine: number | undefined;
  const pending: Pending[] = [{ node: doc.contents, path: [] }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { node, path } = next;
    if (isAlias(node)) {
      const line = lineAt(node.range?.[0]);
      firstAliasLine ??= line;
      if (!anchors.has(node.source)) issues.push({ path: joinPath(path ?? []), line, message: `*${node.source} has no &${node.source} anchor before it` });
      continue;
    }
    if (!isNode(node)) continue;
    if (node.anchor) anchors.add(node.anchor);
    const children: Pending[] = [];
    if (isMap(node)) {
      const seen = new Map<string, number | undefined>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const line = lineAt(isNode(pair.key) ? pair.key.range?.[0] : undefined);
        const at = path && [...path, key];
        if (seen.has(key)) issues.push({ path: '', line, message: `YAML syntax: Map keys must be unique (${key} is on line ${seen.get(key)} too)` });
        else if (at) lines.set(pathId(at), line);
        seen.set(key, line);
        children.push({ node: pair.key, path: undefined }, { node: pair.value, path: at });
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const at = path && [...path, String(i)];
        if (at) lines.set(pathId(at), lineAt(isNode(item) ? item.range?.[0] : undefined));
        children.push({ node: item, path: at });
      });
    }
    for (let i = children.length - 1; i >= 0; i--) pending.push(children[i]!); // first child on top
  }
  return { lines, issues, firstAliasLine };
}

/** Validates parsed YAML with `schema`; every problem at once, with its key path and line, in line order. */
export function validateConfig<S extends z.ZodType>(schema: S, parsed: ParsedYaml, file?: string): z.output<S> {
  const result = schema.safeParse(parsed.data);
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
        line: parsed.lineOf(fullPath),
        message: key === undefined ? explainIssue(schema, parsed.data, issue, path) : 'unknown key (check its spelling and indentation)',
      });
    }
  }
  throw configError(file, byLine(issues));
}

/**
 * zod's message with what was found and what is expected, for the issues whose own text says
 * neither (wrong type, missing key, not one of the choices, out of range); the schema's custom
 * messages already name both and are kept.
 */
function explainIssue(schema: z.ZodType, data: unknown, issue: z.core.$ZodIssue, path: readonly PathKey[]): string {
  const found = describeFound(valueAt(data, path), path.at(-1), issue.code === 'too_small' || issue.code === 'too_big');
  const expected = (at: readonly PathKey[]) => {
    const wanted = schemaAt(schema, data, at);
    return wanted ? describeExpected(wanted, at.at(-1), valueAt(data, at)) : undefined;
  };
  if (!ZOD_TEXT.test(issue.message)) return REWORDED.has(issue.code) ? `found ${found}: ${issue.message}` : issue.message;
  switch (issue.code) {
    case 'invalid_type':
    case 'invalid_value':
      return withExpected(found, expected(path), issue.message);
    case 'invalid_union':
      // A discriminated union reports at its discriminator: what is expected is the whole map.
      return withExpected(found, expected('discriminator' in issue ? path.slice(0, -1) : path), issue.message);
    case 'too_small':
    case 'too_big':
      return `found ${found}, ${issue.message.replace(/^Too (small|big): /, '')}`;
    default:
      return issue.message;
  }
}

/** zod's own wording, which the schema's custom messages (they name what is wanted) replace. */
const ZOD_TEXT = /^(Invalid|Too (small|big):)/;
/** Issues whose message gets what was found. */
const REWORDED = new Set(['invalid_type', 'invalid_value', 'invalid_union', 'too_small', 'too_big']);

const withExpected = (found: string, expected: string | undefined, fallback: string) =>
  expected ? `found ${found}, expected ${expected}` : `found ${found}: ${fallback}`;

/** In the order of the file; problems without a line (the whole file) first, as zod gave them otherwise. */
function byLine(issues: ConfigIssue[]): ConfigIssue[] {
  return issues
    .map((issue, order) => ({ issue, order }))
    .sort((a, b) => (a.issue.line ?? 0) - (b.issue.line ?? 0) || a.order - b.order)
    .map(({ issue }) => issue);
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

/** `file:line: path: message` lines, as check-config prints them: the first MAX_PRINTED_ISSUES, then how many more. */
export function formatConfigIssues(error: ConfigError): string[] {
  const file = error.file ?? 'config';
  const lines = error.issues.slice(0, MAX_PRINTED_ISSUES).map((issue) => {
    const where = [file, issue.line].filter((part) => part !== undefined).join(':');
    return `${where}: ${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
  });
  const hidden = error.issues.length - lines.length;
  if (hidden > 0) lines.push(`${file}: ${hidden.toLocaleString('en-US')} more problem${hidden === 1 ? '' : 's'} not shown`);
  return lines;
}
