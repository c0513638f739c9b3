import { getNamedType, type GraphQLSchema } from 'graphql';
import { toGraphQLLiteral, type FuzzValue } from './fuzz-value';
import type { PlannedOperation } from './planned-operation';
import { selectionSetFor } from './selection-set';

/** A GraphQL request before it is put on a transport. */
export interface GraphQLRequestParts {
  query: string;
  operationName?: string;
  variables: Readonly<Record<string, FuzzValue>>;
}

const OTHER_OPERATION = 'query Other { __typename }';

/**
 * Writes the planned operation as a document: its arguments as variables or inline literals, its
 * selection built from the return type, in the planned document shape.
 */
export function renderOperation(schema: GraphQLSchema, operation: PlannedOperation, maxDepth: number): GraphQLRequestParts {
  const { root, document } = operation;
  const field = root.field;
  const name = `Fuzz_${field.name}`;
  const variableDefinitions: string[] = [];
  const argumentTexts: string[] = [];
  const variables: Record<string, FuzzValue> = {};

  for (const [argName, value] of Object.entries(operation.args)) {
    const definition = field.args.find((arg) => arg.name === argName)!;
    if (operation.argPassing === 'variables') {
      const declared = document === 'wrongVariableType' && variableDefinitions.length === 0 ? 'Boolean' : String(definition.type);
      variableDefinitions.push(`$${argName}: ${declared}`);
      argumentTexts.push(`${argName}: $${argName}`);
      variables[argName] = value;
    } else {
      argumentTexts.push(`${argName}: ${toGraphQLLiteral(value)}`);
    }
  }
  if (document === 'unknownArgument') argumentTexts.push('notAnArgument: 1');
  if (document === 'undeclaredVariable') argumentTexts.splice(0, 1, `${field.args[0]?.name ?? 'notAnArgument'}: $undeclared`);
  // Without any variable to mistype, declare one that is never used: invalid as well.
  if (document === 'wrongVariableType' && variableDefinitions.length === 0) variableDefinitions.push('$unused: Boolean');

  const selection = selectionSetFor(schema, field.type, maxDepth);
  const fragmentName = 'FuzzSelection';
  const useFragment = document === 'fragment' && selection !== undefined;
  const fieldText = `${field.name}${argumentTexts.length > 0 ? `(${argumentTexts.join(', ')})` : ''}${
    useFragment ? ` { ...${fragmentName} }` : selection ? ` ${selection}` : ''
  }`;
  const rootSelection = `{ ${fieldText}${document === 'unknownField' ? ' doesNotExist' : ''} }`;
  const header = `${root.rootKind}${document === 'anonymous' ? '' : ` ${name}`}${variableDefinitions.length > 0 ? `(${variableDefinitions.join(', ')})` : ''}`;
  let query = `${header} ${rootSelection}`;
  if (useFragment) query += ` fragment ${fragmentName} on ${getNamedType(field.type).name} ${selection}`;

  switch (document) {
    case 'twoOperationsNoName':
      return { query: `${query} ${OTHER_OPERATION}`, variables };
    case 'twoOperationsWithName':
      return { query: `${query} ${OTHER_OPERATION}`, operationName: name, variables };
    case 'unknownOperationName':
      return { query, operationName: 'DoesNotExist', variables };
    case 'syntaxError':
      return { query: query.slice(0, query.lastIndexOf('}')), operationName: name, variables };
    case 'anonymous':
      return { query, variables };
    default:
      return { query, operationName: name, variables };
  }
}
