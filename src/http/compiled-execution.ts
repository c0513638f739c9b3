import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import {
  TypeInfo, execute, getNamedType, getVariableValues, isInputObjectType, printSchema, typeFromAST, valueFromASTUntyped, visit, visitWithTypeInfo,
  type DocumentNode, type ExecutionResult, type GraphQLInputObjectType, type GraphQLInputType, type GraphQLSchema, type OperationDefinitionNode,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

type Execution = CompiledQuery | 'graphql-js';

/**
 * Executes read operations with graphql-jit: each validated document is compiled once into plain
 * JavaScript, so a list answer (hundreds of intervals, an agenda) costs a fraction of graphql-js's
 * per-field work. Mutations, and operations with arguments of input types that declare field
 * defaults (graphql-jit does not fill those in), run on graphql-js as before.
 *
 * Why the gateway interface: it is Apollo Server 5's one public option that replaces the executor
 * and keeps the rest of its pipeline (parsing, validation, limits, plugins, and its error path:
 * variable coercion → 400 BAD_USER_INPUT, didEncounterErrors, formatError). The other hook that can
 * take over execution, a plugin's responseForOperation, bypasses that error path, which we would
 * then have to write again. No supergraph is involved: Apollo validates and executes against
 * `apiSchema`; `coreSupergraphSdl` is only read by schema reporting, which is disabled.
 */
export function compiledExecution(schema: GraphQLSchema): GatewayInterface {
  const executions = new WeakMap<DocumentNode, Map<string, Execution>>();
  const withDefaults = inputTypesWithFieldDefaults(schema);
  const executionOf = (document: DocumentNode, operation: OperationDefinitionNode | undefined, operationName: string | undefined): Execution => {
    const byOperation = executions.get(document) ?? new Map<string, Execution>();
    executions.set(document, byOperation);
    let execution = byOperation.get(operationName ?? '');
    if (!execution) {
      const compiled = compilable(schema, withDefaults, operation) ? compileQuery(schema, document, operationName) : undefined;
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
      return execution.query(undefined, request.context, withDeclaredDefaults(request.operation, variables));
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

/**
 * The variables with the operation's declared defaults filled in where the request left them out
 * (`query($first: Int! = 20)`): graphql-js does this in its coercion, graphql-jit does not.
 */
function withDeclaredDefaults(operation: OperationDefinitionNode, variables: Record<string, unknown>): Record<string, unknown> {
  let filled: Record<string, unknown> | undefined;
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (definition.defaultValue === undefined || variables[name] !== undefined) continue;
    (filled ??= { ...variables })[name] = valueFromASTUntyped(definition.defaultValue);
  }
  return filled ?? variables;
}

/** A query none of whose arguments or variables is of an input type with field defaults. */
function compilable(schema: GraphQLSchema, withDefaults: Set<GraphQLInputObjectType>, operation: OperationDefinitionNode | undefined): boolean {
  if (operation?.operation !== 'query') return false;
  const typeInfo = new TypeInfo(schema);
  let safe = true;
  const hasDefaults = (type: GraphQLInputType | undefined | null) => {
    const named = type ? getNamedType(type) : undefined;
    return isInputObjectType(named) && withDefaults.has(named);
  };
  visit(operation, visitWithTypeInfo(typeInfo, {
    VariableDefinition: (node) => {
      if (hasDefaults(typeFromAST(schema, node.type) as GraphQLInputType | undefined)) safe = false;
    },
    Argument: () => {
      if (hasDefaults(typeInfo.getInputType())) safe = false;
    },
  }));
  return safe;
}

/** Input object types that declare a field default, directly or in a nested input type. */
function inputTypesWithFieldDefaults(schema: GraphQLSchema): Set<GraphQLInputObjectType> {
  const inputTypes = Object.values(schema.getTypeMap()).filter(isInputObjectType);
  const found = new Set(inputTypes.filter((type) => Object.values(type.getFields()).some((field) => field.defaultValue !== undefined)));
  for (let grew = true; grew;) {
    grew = false;
    for (const type of inputTypes) {
      if (found.has(type)) continue;
      if (Object.values(type.getFields()).some((field) => { const named = getNamedType(field.type); return isInputObjectType(named) && found.has(named); })) {
        found.add(type);
        grew = true;
      }
    }
  }
  return found;
}
