/**
 * What a config key holds and what its schema expects, in words, for check-config's messages:
 * zod's own text ("Invalid input: expected object, received string") names neither the value
 * found nor the shape wanted. Reads zod's schema definitions (`_zod.def`), which are zod 4's
 * public introspection surface.
 */
import type * as z from 'zod';

type PathKey = string | number;

/** The parts of a zod 4 definition read here; every kind of schema has `type`. */
interface SchemaDef {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly element?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly shape?: Readonly<Record<string, z.ZodType>>;
  readonly options?: readonly z.ZodType[];
  readonly discriminator?: string;
  readonly entries?: Readonly<Record<string, string | number>>;
  readonly values?: readonly unknown[];
}

const defOf = (schema: z.ZodType): SchemaDef => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;

/** Wrappers that do not change what is written in the file. */
const WRAPPERS = new Set(['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch', 'nonoptional']);

/** The schema past its wrappers and transforms. */
function unwrap(schema: z.ZodType): z.ZodType {
  for (;;) {
    const def = defOf(schema);
    if (WRAPPERS.has(def.type) && def.innerType) schema = def.innerType;
    else if (def.type === 'pipe' && def.in) schema = def.in;
    else return schema;
  }
}

/** A key is required when nothing supplies it: no optional, default or prefault around it. */
function isRequired(schema: z.ZodType): boolean {
  for (let def = defOf(schema); ; def = defOf(def.in ?? def.innerType!)) {
    if (def.type === 'optional' || def.type === 'default' || def.type === 'prefault') return false;
    if (!(WRAPPERS.has(def.type) && def.innerType) && !(def.type === 'pipe' && def.in)) return true;
  }
}

/** The option of a discriminated union that `value` names, else its first. */
function unionOption(def: SchemaDef, value: unknown): z.ZodType | undefined {
  const { options = [], discriminator } = def;
  if (discriminator === undefined) return undefined;
  const named = isMap(value) ? value[discriminator] : undefined;
  return options.find((option) => discriminatorValues(option, discriminator).includes(named)) ?? options[0];
}

function discriminatorValues(option: z.ZodType, discriminator: string): readonly unknown[] {
  const field = defOf(unwrap(option)).shape?.[discriminator];
  return field ? (defOf(unwrap(field)).values ?? []) : [];
}

const isMap = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The schema of the key at `path` in `data`, or undefined where the schema has no such key. */
export function schemaAt(schema: z.ZodType, data: unknown, path: readonly PathKey[]): z.ZodType | undefined {
  let current: z.ZodType | undefined = schema;
  let value = data;
  for (const key of path) {
    if (!current) return undefined;
    const def = defOf(unwrap(current));
    if (def.type === 'union') current = unionOption(def, value);
    const inner = defOf(unwrap(current!));
    current = inner.type === 'object' ? inner.shape?.[key] : inner.type === 'array' ? inner.element : inner.type === 'record' ? inner.valueType : undefined;
    value = isMap(value) || Array.isArray(value) ? (value as Record<PathKey, unknown>)[key] : undefined;
  }
  return current;
}

/** The value at `path` in `data` (undefined where it is missing). */
export function valueAt(data: unknown, path: readonly PathKey[]): unknown {
  let value = data;
  for (const key of path) value = isMap(value) || Array.isArray(value) ? (value as Record<PathKey, unknown>)[key] : undefined;
  return value;
}

/** Keys whose values are never echoed (messages go to logs and terminals). */
const SECRET_KEY = /pass|psk|secret|token|community/i;

/**
 * A value from the file in words: `the text "email"`, `a list`, `nothing (the key is missing)`;
 * a secret's value is not shown, nor is text whose length is what is wrong (`text of 5 characters`).
 */
export function describeFound(value: unknown, key: PathKey | undefined, lengthMatters = false): string {
  if (value !== undefined && typeof key === 'string' && SECRET_KEY.test(key)) return 'a value (not shown: it is a secret)';
  if (typeof value === 'string' && lengthMatters) return `text of ${value.length} character${value.length === 1 ? '' : 's'}`;
  if (value === undefined) return 'nothing (the key is missing)';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value === 'number' ? 'the number' : ''} ${value}`.trim();
  if (Array.isArray(value)) return 'a list';
  return 'a map of keys';
}

/** What `schema` wants, in words; lists of maps and maps get a one-line example after `e.g.`. */
export function describeExpected(schema: z.ZodType, key: PathKey | undefined, value: unknown): string {
  const target = unwrap(schema);
  const def = defOf(target);
  const example = (shape: string) => (key === undefined || typeof key === 'number' ? `, e.g. ${shape}` : `, e.g. ${key}: ${shape}`);
  switch (def.type) {
    case 'array': {
      const element = defOf(unwrap(def.element!));
      if (element.type === 'object' || element.type === 'union') return `a list of maps${example(`[${exampleOf(def.element!, undefined)}]`)}`;
      return `a list of ${nameOf(def.element!)}s${example(`[${exampleOf(def.element!, undefined)}]`)}`;
    }
    case 'object':
    case 'union':
      return `a map${example(exampleOf(target, value))}`;
    default:
      return nameOf(target);
  }
}

/** A short name for a scalar schema: `text`, `a number`, `one of a, b`. */
function nameOf(schema: z.ZodType): string {
  const def = defOf(unwrap(schema));
  switch (def.type) {
    case 'string':
      return 'text';
    case 'number':
    case 'int':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${Object.values(def.entries ?? {}).join(', ')}`;
    case 'literal':
      return (def.values ?? []).join(' or ');
    case 'record':
      return 'a map';
    case 'array':
      return 'a list';
    default:
      return def.type;
  }
}

/** A flow-style example of a value: a map's required keys with placeholders or their one value. */
function exampleOf(schema: z.ZodType, value: unknown): string {
  let def = defOf(unwrap(schema));
  // A union's map: its keys by the option the value names, its discriminator's choices when it names none.
  let choices: [string, string] | undefined;
  let inEveryOption = (_name: string) => true;
  if (def.type === 'union') {
    const option = unionOption(def, value);
    if (!option) return '…';
    const { discriminator, options = [] } = def;
    const named = discriminator !== undefined && isMap(value) && options.some((o) => discriminatorValues(o, discriminator).includes(value[discriminator]));
    if (discriminator !== undefined && !named) {
      choices = [discriminator, options.flatMap((o) => discriminatorValues(o, discriminator)).join('|')];
      inEveryOption = (name) => options.every((o) => defOf(unwrap(o)).shape?.[name] !== undefined);
    }
    def = defOf(unwrap(option));
  }
  if (def.type === 'object') {
    const shape = Object.entries(def.shape ?? {}).filter(([name]) => inEveryOption(name));
    // A map whose keys are all optional shows them all (a match: host, app, severity, regex).
    const shown = shape.some(([, field]) => isRequired(field)) ? shape.filter(([, field]) => isRequired(field)) : shape;
    const entries = shown.map(([name, field]) => `${name}: ${choices?.[0] === name ? choices[1] : exampleOf(field, undefined)}`);
    return `{ ${[...entries, ...(shown.length < shape.length ? ['…'] : [])].join(', ')} }`;
  }
  if (def.type === 'literal') return String(def.values?.[0]);
  if (def.type === 'enum') return String(Object.values(def.entries ?? {})[0]);
  if (def.type === 'array') return '[…]';
  return `<${nameOf(schema)}>`;
}
