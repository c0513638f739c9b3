import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import {
  TypeInfo, execute, getNamedType, getVariableValues, isInputObjectType, printSchema, typeFromAST, visit, visitWithTypeInfo,
  type DocumentNode, type ExecutionResult, type GraphQLSchema, type OperationDefinitionNode,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

type Execution = CompiledQuery | 'graphql-js';

/**
 * Executes read operations with graphql-jit: each validated document is compiled once into plain
 * JavaScript, so a list answer (hundreds of intervals, an agenda) costs a fraction of graphql-js's
 * per-field work. Mutations, and operations with input-object arguments (graphql-jit does not fill
 * in input fields' defaults), run on graphql-js as before. Apollo Server 5 takes a custom executor
 * only through its gateway interface; the rest of its pipeline (parsing, validation, limits,
 * plugins, error formatting) is unchanged.
 */
export function compiledExecution(schema: GraphQLSchema): GatewayInterface {
  const executions = new WeakMap<DocumentNode, Map<string, Execution>>();
  const executionOf = (document: DocumentNode, operation: OperationDefinitionNode | undefined, operationName: string | undefined): Execution => {
    const byOperation = executions.get(document) ?? new Map<string, Execution>();
    executions.set(document, byOperation);
    let execution = byOperation.get(operationName ?? '');
    if (!execution) {
      const compiled = compilable(schema, operation) ? compileQuery(schema, document, operationName) : undefined;
      execution = compiled && isCompiledQuery(compiled) ? compiled : 'graphql-js';
      byOperation.set(operationName ?? '', execution);
    }
    return execution;
  };
  const executor: GatewayExecutor = async (request) => {
    const operationName = request.operationName ?? undefined;
    const execution = executionOf(request.document, request.operation, operationName);
    const variables = request.request.variables ?? {};
    if (execution !== 'graphql-js') {
      // graphql-js's own coercion first: its errors carry the nodes by which Apollo answers BAD_USER_INPUT.
      const coerced = getVariableValues(schema, request.operation.variableDefinitions ?? [], variables);
      if (coerced.errors) return { errors: coerced.errors };
      return execution.query(undefined, request.context, variables);
    }
    return execute({ schema, document: request.document, contextValue: request.context, variableValues: variables, operationName }) as Promise<ExecutionResult>;
  };
  return {
    load: async () => ({ executor }),
    onSchemaLoadOrUpdate: (callback) => {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => undefined;
    },
    stop: async () => undefined,
  };
}

/** A query whose arguments and variables are all scalars, enums or lists of them. */
function compilable(schema: GraphQLSchema, operation: OperationDefinitionNode | undefined): boolean {
  if (operation?.operation !== 'query') return false;
  const typeInfo = new TypeInfo(schema);
  let leafArgumentsOnly = true;
  const isInputObject = (type: Parameters<typeof getNamedType>[0] | undefined) => !!type && isInputObjectType(getNamedType(type));
  visit(operation, visitWithTypeInfo(typeInfo, {
    VariableDefinition: (node) => {
      if (isInputObject(typeFromAST(schema, node.type))) leafArgumentsOnly = false;
    },
    Argument: () => {
      if (isInputObject(typeInfo.getInputType() ?? undefined)) leafArgumentsOnly = false;
    },
  }));
  return leafArgumentsOnly;
}
