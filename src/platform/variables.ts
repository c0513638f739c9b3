import { GraphQLError, getOperationAST, type DocumentNode, type GraphQLSchema } from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import { ErrorCode } from './errors';

/**
 * graphql-js names the offending value in variable errors ('got invalid value "…"'). We keep the
 * variable's name and the reason, never the value: it may be patient data.
 */
export function withoutSubmittedValue(message: string): string {
  return message.replace(/ got invalid value .*?;/s, ' got an invalid value;').replace(/ got invalid value .*$/s, ' got an invalid value.');
}

/** Variables that do not fit the operation, as BAD_USER_INPUT errors (WebSocket; Apollo does this on HTTP). */
export function variableErrors(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown> | null | undefined): GraphQLError[] {
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) return [];
  const { errors } = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  return (errors ?? []).map((error) => new GraphQLError(withoutSubmittedValue(error.message), { nodes: error.nodes, extensions: { code: ErrorCode.BAD_USER_INPUT } }));
}
