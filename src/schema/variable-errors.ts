import { GraphQLError, getOperationAST, type DocumentNode, type GraphQLSchema } from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import { ErrorCode, type FieldProblem } from '../platform/errors';

const INVALID_VALUE = /^Variable "\$([\w]+)" got invalid value [\s\S]*?(?: at "([^"]+)")?;/;

/**
 * graphql-js repeats the submitted value in variable errors ('got invalid value 1900…; String cannot
 * represent …: 1900…'), and that value may be patient data. We keep the variable, the field path and
 * a generic reason: never the value.
 */
export function describeVariableError(message: string): { message: string; fields: FieldProblem[] } | undefined {
  const invalid = INVALID_VALUE.exec(message);
  if (invalid) {
    const field = invalid[2] ?? invalid[1];
    return { message: `Variable "$${invalid[1]}" has an invalid value at "${field}"`, fields: [{ field, problems: ['is not a valid value for its type'] }] };
  }
  const missing = /^Variable "\$([\w]+)" of (?:required|non-null) type "[^"]+" (?:was not provided|must not be null)\.$/.exec(message);
  if (missing) return { message, fields: [{ field: missing[1], problems: ['is required'] }] };
  return undefined;
}

/** Variables that do not fit the operation, as BAD_USER_INPUT errors (WebSocket; Apollo does this on HTTP). */
export function variableErrors(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown> | null | undefined): GraphQLError[] {
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) return [];
  const { errors } = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  return (errors ?? []).map((error) => {
    const described = describeVariableError(error.message);
    return new GraphQLError(described?.message ?? 'Invalid variables', {
      nodes: error.nodes, extensions: { code: ErrorCode.BAD_USER_INPUT, fields: described?.fields ?? [] },
    });
  });
}
