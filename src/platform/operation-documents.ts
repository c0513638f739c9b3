import { GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';
import { ErrorCode } from './errors';

const MAX_DOCUMENTS = 500;

/**
 * Parsed and validated WebSocket operations, by their text. Thousands of subscribers usually send
 * the same few operations: each would otherwise parse and validate its own copy and keep that
 * syntax tree (its tokens and locations) for as long as it stays subscribed. Validation depends on
 * the schema and the rules only, so a valid text stays valid; invalid texts are not kept.
 */
export class OperationDocuments {
  /** In least-recently-used order (a Map iterates in insertion order; a hit moves to the end). */
  private readonly documents = new Map<string, { text: string; document: DocumentNode }>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly rules: readonly ValidationRule[],
    private readonly maxTokens: number,
    private readonly maxDocuments = MAX_DOCUMENTS,
  ) {}

  /** The document, shared by every operation with this text, or the errors to answer with. */
  documentOf(query: string): DocumentNode | GraphQLError[] {
    const known = this.documents.get(query);
    if (known) {
      this.documents.delete(query);
      this.documents.set(query, known);
      return known.document;
    }
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: this.maxTokens });
    } catch (error) {
      return [new GraphQLError(error instanceof GraphQLError ? error.message : 'Syntax error', { extensions: { code: ErrorCode.GRAPHQL_PARSE_FAILED } })];
    }
    const validationErrors = validate(this.schema, document, this.rules);
    if (validationErrors.length > 0) return validationErrors.map(withValidationCode);
    if (this.documents.size >= this.maxDocuments) this.documents.delete(this.documents.keys().next().value as string);
    this.documents.set(query, { text: query, document });
    return document;
  }

  /** The first copy of a known text (each subscriber's message brings its own), else the text itself. */
  sharedText(query: string): string {
    return this.documents.get(query)?.text ?? query;
  }
}

function withValidationCode(error: GraphQLError): GraphQLError {
  if (error.extensions?.code) return error;
  return new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED } });
}
