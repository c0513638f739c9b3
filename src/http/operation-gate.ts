import {
  GraphQLError, NoSchemaIntrospectionCustomRule, getOperationAST, parse, specifiedRules, validate,
  type DocumentNode, type GraphQLSchema, type OperationDefinitionNode, type ValidationRule,
} from 'graphql';
import { ErrorCode } from '../platform/errors';
import { costError } from './limits/cost-limit';
import { documentShapeRule } from './limits/document-shape';
import { nestingExceeds } from './limits/document-nesting';
import { introspectionAllowance, type IntrospectionAllowance } from './limits/introspection-allowance';
import type { QueryLimits } from './limits/query-limits';
import { nulCharacterProblems, wellFormedInputRule } from '../schema/well-formed-input';

/** The deepest bracket nesting a document may have: far beyond any valid query, far below the parser's stack. */
export const MAX_NESTING = 128;
const MAX_DOCUMENTS = 500;

export interface GateRequest {
  query: unknown;
  operationName?: unknown;
  variables?: unknown;
}

export interface Admitted {
  document: DocumentNode;
  operation: OperationDefinitionNode;
}

/**
 * What every GraphQL request passes before it runs, on HTTP and WebSocket alike: the document
 * parses (within the token and nesting limits), validates against the schema and the limit rules,
 * names one operation, and that operation fits the cost limit with its variables. Parse and
 * validation results are cached by text, refusals too, so a repeated attack costs a map lookup.
 */
export class OperationGate {
  readonly validationRules: readonly ValidationRule[];
  private readonly allowance: IntrospectionAllowance;
  /** The text is kept with its document: thousands of subscribers of one operation share its first copy. */
  private readonly documents = new LruMap<{ text: string; document: DocumentNode }>(MAX_DOCUMENTS);
  private readonly refusals = new LruMap<GraphQLError[]>(MAX_DOCUMENTS);

  constructor(private readonly schema: GraphQLSchema, private readonly limits: QueryLimits, introspection: boolean) {
    this.allowance = introspectionAllowance(schema);
    this.validationRules = [
      documentShapeRule(limits, this.allowance.depth), wellFormedInputRule(), ...(introspection ? [] : [NoSchemaIntrospectionCustomRule]),
    ];
  }

  /** The document and operation to run, or the errors to answer with (nothing ran). */
  admit(request: GateRequest, transport: 'http' | 'websocket'): Admitted | GraphQLError[] {
    if (typeof request.query !== 'string') {
      // Automatic persisted queries would run a cached text without passing here: the text is always sent.
      return [badRequest('The request has no query: send the GraphQL document as the string "query" (persisted queries are not supported)')];
    }
    const document = this.documentOf(request.query);
    if (Array.isArray(document)) return document;
    const operationName = typeof request.operationName === 'string' ? request.operationName : undefined;
    const operation = getOperationAST(document, operationName);
    if (!operation) {
      return [badRequest(operationName === undefined
        ? 'The document holds several operations: name the one to run in "operationName"'
        : `The document has no operation named "${operationName}"`)];
    }
    if (operation.operation === 'subscription' && transport === 'http') {
      return [badRequest('Subscriptions are served over WebSocket (graphql-ws) at /graphql')];
    }
    const variables = isRecord(request.variables) ? request.variables : undefined;
    const unstorable = variables ? nulCharacterProblems(variables) : [];
    if (unstorable.length > 0) return [new GraphQLError('Invalid input', { extensions: { code: ErrorCode.BAD_USER_INPUT, fields: unstorable } })];
    const tooCostly = costError(this.schema, document, operation, variables, this.limits.maxCost, this.allowance, this.limits.maxTokens);
    return tooCostly ? [tooCostly] : { document, operation };
  }

  /** The parsed, validated document shared by every request with this text, or why it is refused. */
  documentOf(query: string): DocumentNode | GraphQLError[] {
    const known = this.documents.get(query);
    if (known) return known.document;
    const refused = this.refusals.get(query);
    if (refused) return refused;
    const checked = this.check(query);
    if (Array.isArray(checked)) this.refusals.set(query, checked);
    else this.documents.set(query, { text: query, document: checked });
    return checked;
  }

  /** The first copy of a known text (each subscriber's message brings its own), else the text itself. */
  sharedText(query: string): string {
    return this.documents.get(query)?.text ?? query;
  }

  private check(query: string): DocumentNode | GraphQLError[] {
    if (nestingExceeds(query, MAX_NESTING)) return [parseFailed(`Syntax Error: the document nests deeper than ${MAX_NESTING} levels`)];
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: this.limits.maxTokens });
    } catch (error) {
      // Only graphql-js's own syntax errors are safe to repeat; anything else (the stack) gets ours.
      return [parseFailed(error instanceof GraphQLError ? error.message : 'Syntax Error: the document cannot be parsed')];
    }
    const errors = validate(this.schema, document, [...specifiedRules, ...this.validationRules]);
    return errors.length > 0 ? errors.map(withValidationCode) : document;
  }
}

/**
 * A Map that forgets its least recently used entry when full (a Map iterates in insertion order).
 * A hit moves its entry to the newest end only once it has aged past half the capacity, so that the
 * hot path (the same few texts, request after request) is one lookup, not a delete and a set.
 */
class LruMap<V> {
  private readonly entries = new Map<string, { value: V; stamp: number }>();
  private insertions = 0;
  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (this.insertions - entry.stamp > this.capacity / 2) {
      this.entries.delete(key);
      this.entries.set(key, { value: entry.value, stamp: ++this.insertions });
    }
    return entry.value;
  }

  set(key: string, value: V): void {
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { value, stamp: ++this.insertions });
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function badRequest(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BAD_REQUEST } });
}

function parseFailed(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.GRAPHQL_PARSE_FAILED } });
}

function withValidationCode(error: GraphQLError): GraphQLError {
  if (error.extensions?.code) return error;
  return new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED } });
}
