import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { toVariableValue } from './fuzz-value';
import type { HttpRequest } from './http-request';
import { describeInputShape, type PlannedOperation } from './planned-operation';
import { isUnauthenticated } from './principals';
import type { GraphQLRequestParts } from './render-operation';

/** One broken invariant on one operation, with everything needed to send it again. */
export interface FuzzFailure {
  /** Phrased so that the same problem reads the same on every operation (no ids, no counts). */
  problem: string;
  /** Specifics of this occurrence (which rows changed, …). */
  detail?: string;
  operation: PlannedOperation;
  parts: GraphQLRequestParts;
  authorization: string | undefined;
  /** HTTP only: the request exactly as sent. */
  httpRequest?: HttpRequest;
  response: string;
  /** What the server logged at error level for this request. */
  serverLog: readonly string[];
}

const EXAMPLES_PER_PROBLEM_IN_FILE = 5;
const SHAPES_PER_PROBLEM = 6;

const shortList = (names: string): string => shorten(names, 300);

function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = Math.floor(max * 0.75);
  return `${text.slice(0, head)}…<${text.length - max} more chars>…${text.slice(text.length - (max - head))}`;
}

/** Variables for reading: long strings and long lists cut, with their real size said. */
function readableVariables(parts: GraphQLRequestParts): string {
  const values = Object.fromEntries(Object.entries(parts.variables).map(([name, value]) => [name, toVariableValue(value)]));
  return JSON.stringify(values, (_key, value: unknown) => {
    if (typeof value === 'string' && value.length > 120) return `${value.slice(0, 40)}…<${value.length} chars>`;
    if (Array.isArray(value) && value.length > 10) return [...value.slice(0, 3), `…<${value.length} items>`];
    return value;
  });
}

/** Tokens are long and say nothing in a report; their kind and start do. */
const readableAuthorization = (authorization: string | undefined): string => (authorization === undefined ? '(none)' : shorten(authorization, 40));

const requestSize = (failure: FuzzFailure): number => failure.parts.query.length + JSON.stringify(readableVariables(failure.parts)).length;

/** Document forms that change what the request means whatever the field: a failure under them is theirs, not the field's. */
const FIELD_INDEPENDENT_DOCUMENTS: ReadonlySet<PlannedOperation['document']> = new Set([
  'twoOperationsNoName', 'unknownOperationName', 'syntaxError', 'unknownField', 'unknownArgument', 'undeclaredVariable', 'wrongVariableType',
]);

/**
 * Where a failure belongs: to the caller when it had no valid token, to the request's envelope or
 * document form when that is unusual (the same problem then shows on every field and is one
 * problem), else to the root field.
 */
function placeOf(operation: PlannedOperation): string {
  // Without a valid token nothing of the operation should matter: the caller is refused first.
  if (isUnauthenticated(operation.principal)) return 'any field, no valid token';
  if (operation.envelope !== 'json') return `any field, HTTP envelope ${operation.envelope}`;
  if (FIELD_INDEPENDENT_DOCUMENTS.has(operation.document)) return `any field, document ${operation.document}`;
  return `${operation.root.rootKind} ${operation.root.field.name}`;
}

/** The request of an example: the GraphQL parts, or the HTTP request itself when its envelope is unusual (it may not even carry the query). */
function requestLines(failure: FuzzFailure): string[] {
  const http = failure.httpRequest;
  if (http && failure.operation.envelope !== 'json') {
    return [`     ${http.method} ${shorten(http.path, 1500)} (envelope ${failure.operation.envelope})`, ...(http.body !== undefined ? [`     body: ${shorten(http.body, 1500)}`] : [])];
  }
  return [
    `     query: ${shorten(failure.parts.query, 1500)}`,
    `     variables: ${shorten(readableVariables(failure.parts), 1500)}`,
    `     operationName: ${failure.parts.operationName ?? '(none)'}`,
  ];
}

/** Every failure of the run, grouped into distinct problems (where + what). */
export class FailureLog {
  private readonly failures: FuzzFailure[] = [];
  /** Server error lines that no answer of the run explains (background work, requests without an id). */
  private readonly strayServerErrors: string[] = [];

  add(failure: FuzzFailure): void {
    this.failures.push(failure);
  }

  addStrayServerErrors(lines: readonly string[]): void {
    this.strayServerErrors.push(...lines);
  }

  get count(): number {
    return this.failures.length + this.strayServerErrors.length;
  }

  get distinctCount(): number {
    return this.distinct().size + (this.strayServerErrors.length > 0 ? 1 : 0);
  }

  distinct(): Map<string, FuzzFailure[]> {
    const groups = new Map<string, FuzzFailure[]>();
    for (const failure of this.failures) {
      const key = `${placeOf(failure.operation)} → ${failure.problem}`;
      groups.set(key, [...(groups.get(key) ?? []), failure]);
    }
    return new Map([...groups].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** The readable list: per problem, who and how, the input shapes, and the smallest example. */
  report(reproductionFile: string | undefined): string {
    const groups = this.distinct();
    const lines = [`${this.distinctCount} distinct problems in ${this.count} failures${reproductionFile ? ` (exact requests: ${reproductionFile})` : ''}:`];
    let number = 0;
    for (const [key, failures] of groups) {
      number += 1;
      const unique = (values: string[]) => [...new Set(values)].sort().join(', ');
      const shapes = [...new Set(failures.map((failure) => describeInputShape(failure.operation)))];
      const example = [...failures].sort((a, b) => requestSize(a) - requestSize(b))[0];
      lines.push(
        '',
        `${number}. ${key}  (×${failures.length})`,
        `   fields: ${shortList(unique(failures.map((failure) => failure.operation.root.field.name)))}`,
        `   principals: ${unique(failures.map((failure) => failure.operation.principal))}; transports: ${unique(failures.map((failure) => failure.operation.transport))}`,
        `   input shapes: ${shapes.slice(0, SHAPES_PER_PROBLEM).join(' | ')}${shapes.length > SHAPES_PER_PROBLEM ? ` | …${shapes.length - SHAPES_PER_PROBLEM} more` : ''}`,
        `   example #${example.operation.index} as ${example.operation.principal} over ${example.operation.transport}${example.httpRequest ? ` (${example.httpRequest.method})` : ''}:`,
        `     authorization: ${readableAuthorization(example.authorization)}`,
        ...requestLines(example),
        ...(example.detail ? [`     detail: ${example.detail}`] : []),
        `     response: ${shorten(example.response.trim(), 1500)}`,
        ...(example.serverLog.length > 0 ? [`     server logged: ${shorten([...new Set(example.serverLog)].join(' | '), 1000)}`] : []),
      );
    }
    if (this.strayServerErrors.length > 0) {
      const counted = [...new Set(this.strayServerErrors)].map((line) => `   ${shorten(line, 500)}  (×${this.strayServerErrors.filter((other) => other === line).length})`);
      lines.push('', `${number + 1}. server error lines that no answer of the run explains:`, ...counted);
    }
    return lines.join('\n');
  }

  /** The exact requests (a few per problem), for replaying one by hand. */
  writeReproductions(path: string): void {
    const examples = [...this.distinct()].map(([problem, failures]) => ({
      problem,
      occurrences: failures.length,
      examples: failures.slice(0, EXAMPLES_PER_PROBLEM_IN_FILE).map((failure) => ({
        index: failure.operation.index,
        principal: failure.operation.principal,
        transport: failure.operation.transport,
        inputShape: describeInputShape(failure.operation),
        detail: failure.detail,
        serverLog: failure.serverLog,
        authorization: failure.authorization,
        http: failure.httpRequest,
        graphqlWs: failure.operation.transport === 'ws'
          ? { query: failure.parts.query, operationName: failure.parts.operationName, variables: Object.fromEntries(Object.entries(failure.parts.variables).map(([name, value]) => [name, toVariableValue(value)])) }
          : undefined,
        response: failure.response,
      })),
    }));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${JSON.stringify({ problems: examples, strayServerErrors: this.strayServerErrors }, null, 2)}\n`);
  }
}
