import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { toVariableValue } from './fuzz-value';
import type { HttpRequest } from './http-request';
import { describeInputShape, type PlannedOperation } from './planned-operation';
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
}

const EXAMPLES_PER_PROBLEM_IN_FILE = 5;
const SHAPES_PER_PROBLEM = 6;

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

/** Every failure of the run, grouped into distinct problems (root field + problem). */
export class FailureLog {
  private readonly failures: FuzzFailure[] = [];

  add(failure: FuzzFailure): void {
    this.failures.push(failure);
  }

  get count(): number {
    return this.failures.length;
  }

  distinct(): Map<string, FuzzFailure[]> {
    const groups = new Map<string, FuzzFailure[]>();
    for (const failure of this.failures) {
      const key = `${failure.operation.root.rootKind} ${failure.operation.root.field.name} → ${failure.problem}`;
      groups.set(key, [...(groups.get(key) ?? []), failure]);
    }
    return new Map([...groups].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** The readable list: per problem, who and how, the input shapes, and the smallest example. */
  report(reproductionFile: string | undefined): string {
    const groups = this.distinct();
    const lines = [`${groups.size} distinct problems in ${this.count} failed operations${reproductionFile ? ` (exact requests: ${reproductionFile})` : ''}:`];
    let number = 0;
    for (const [key, failures] of groups) {
      number += 1;
      const unique = (values: string[]) => [...new Set(values)].sort().join(', ');
      const shapes = [...new Set(failures.map((failure) => describeInputShape(failure.operation)))];
      const example = [...failures].sort((a, b) => requestSize(a) - requestSize(b))[0];
      lines.push(
        '',
        `${number}. ${key}  (×${failures.length})`,
        `   principals: ${unique(failures.map((failure) => failure.operation.principal))}; transports: ${unique(failures.map((failure) => failure.operation.transport))}`,
        `   input shapes: ${shapes.slice(0, SHAPES_PER_PROBLEM).join(' | ')}${shapes.length > SHAPES_PER_PROBLEM ? ` | …${shapes.length - SHAPES_PER_PROBLEM} more` : ''}`,
        `   example #${example.operation.index} as ${example.operation.principal} over ${example.operation.transport}${example.httpRequest ? ` (${example.httpRequest.method})` : ''}:`,
        `     authorization: ${readableAuthorization(example.authorization)}`,
        `     query: ${shorten(example.parts.query, 1500)}`,
        `     variables: ${shorten(readableVariables(example.parts), 1500)}`,
        `     operationName: ${example.parts.operationName ?? '(none)'}${example.operation.envelope !== 'json' ? `; envelope: ${example.operation.envelope}` : ''}`,
        ...(example.detail ? [`     detail: ${example.detail}`] : []),
        `     response: ${shorten(example.response, 1500)}`,
      );
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
        authorization: failure.authorization,
        http: failure.httpRequest,
        graphqlWs: failure.operation.transport === 'ws'
          ? { query: failure.parts.query, operationName: failure.parts.operationName, variables: Object.fromEntries(Object.entries(failure.parts.variables).map(([name, value]) => [name, toVariableValue(value)])) }
          : undefined,
        response: failure.response,
      })),
    }));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${JSON.stringify(examples, null, 2)}\n`);
  }
}
