/**
 * A generated argument value, kept as a tree rather than plain JSON so that one value can be
 * written both ways the GraphQL API accepts it — as a variable (JSON) and as an inline literal —
 * and so that every part carries a `shape` label ("id:sql-injection", "list:oversized") that the
 * failure report uses to say what kind of input broke the server.
 */

/** An enum value: bare in a literal (`BOOKED`), a string in variables. */
export class EnumLiteral {
  constructor(readonly name: string) {}
}

/**
 * A value JS numbers and strings cannot carry as is, e.g. `1e400` (Infinity once parsed):
 * `literal` is its text in a document, `variableJson` its JSON text in an HTTP body, `fallback`
 * what to send where only JS values travel (graphql-ws serialises them itself).
 */
export class RawLiteral {
  constructor(readonly literal: string, readonly variableJson: string, readonly fallback: JsonScalar) {}
}

export type JsonScalar = string | number | boolean | null;

export type FuzzValue =
  | { kind: 'leaf'; value: JsonScalar | EnumLiteral | RawLiteral; shape: string }
  | { kind: 'list'; items: readonly FuzzValue[]; shape: string }
  | { kind: 'object'; fields: Readonly<Record<string, FuzzValue>>; shape: string };

/** The shape of a value generated to be acceptable; any other shape names what is unusual about it. */
export const VALID = 'valid';

export const leaf = (value: JsonScalar | EnumLiteral | RawLiteral, shape: string = VALID): FuzzValue => ({ kind: 'leaf', value, shape });
export const list = (items: readonly FuzzValue[], shape: string = VALID): FuzzValue => ({ kind: 'list', items, shape });
export const object = (fields: Readonly<Record<string, FuzzValue>>, shape: string = VALID): FuzzValue => ({ kind: 'object', fields, shape });

/** The value as the JS value a graphql-ws client would serialise. */
export function toVariableValue(value: FuzzValue): unknown {
  switch (value.kind) {
    case 'leaf':
      if (value.value instanceof EnumLiteral) return value.value.name;
      if (value.value instanceof RawLiteral) return value.value.fallback;
      return value.value;
    case 'list':
      return value.items.map(toVariableValue);
    case 'object':
      return Object.fromEntries(Object.entries(value.fields).map(([name, field]) => [name, toVariableValue(field)]));
  }
}

/** The value as JSON text for an HTTP body: raw literals keep their own text (e.g. `1e400`). */
export function toVariableJson(value: FuzzValue): string {
  switch (value.kind) {
    case 'leaf':
      if (value.value instanceof EnumLiteral) return JSON.stringify(value.value.name);
      if (value.value instanceof RawLiteral) return value.value.variableJson;
      return JSON.stringify(value.value);
    case 'list':
      return `[${value.items.map(toVariableJson).join(',')}]`;
    case 'object':
      return `{${Object.entries(value.fields).map(([name, field]) => `${JSON.stringify(name)}:${toVariableJson(field)}`).join(',')}}`;
  }
}

/**
 * The value as a GraphQL literal. JSON string syntax is GraphQL string syntax (same escapes), so
 * strings go through JSON.stringify; a lone surrogate becomes a `\uD800` escape, which the GraphQL
 * parser refuses: that is one of the malformations we want to send.
 */
export function toGraphQLLiteral(value: FuzzValue): string {
  switch (value.kind) {
    case 'leaf':
      if (value.value instanceof EnumLiteral) return value.value.name;
      if (value.value instanceof RawLiteral) return value.value.literal;
      if (typeof value.value === 'number') return Number.isFinite(value.value) ? String(value.value) : 'null';
      return value.value === null ? 'null' : JSON.stringify(value.value);
    case 'list':
      return `[${value.items.map(toGraphQLLiteral).join(', ')}]`;
    case 'object':
      return `{${Object.entries(value.fields).map(([name, field]) => `${name}: ${toGraphQLLiteral(field)}`).join(', ')}}`;
  }
}

/**
 * `path=shape` for every part that is not a plain valid value — malformations, and legal nulls —
 * (lists of thousands of items are described once, not per item), so that a failure says
 * "input.centreId=id:sql-injection", not just "input".
 */
export function unusualParts(value: FuzzValue, path: string): string[] {
  const own = value.shape === VALID ? [] : [`${path}=${value.shape}`];
  // A malformed list is described by its own shape ("list:10k-items"), not item by item.
  if (value.kind === 'list' && value.shape === VALID) return value.items.flatMap((item, index) => unusualParts(item, `${path}[${index}]`));
  if (value.kind === 'object') return [...own, ...Object.entries(value.fields).flatMap(([name, field]) => unusualParts(field, `${path}.${name}`))];
  return own;
}
