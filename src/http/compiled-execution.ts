import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import {
  TypeInfo, execute, getNamedType, getVariableValues, isInputObjectType, printSchema, typeFromAST, valueFromASTUntyped, visit, visitWithTypeInfo,
  type DocumentNode, type ExecutionResult, type GraphQLInputObjectType, type GraphQLInputType, type GraphQLSchema, type OperationDefinitionNode,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

type Execution = CompiledQuery | 'graphql-js';

/** An operation to run: the gate's document and operation, the request's variables, the caller's context. */
export interface OperationRun {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  operationName: string | undefined;
  variables: Record<string, unknown>;
  context: object;
}

/**
 * Executes read operations with graphql-jit: each validated document is compiled once into plain
 * JavaScript, so a list answer (hundreds of intervals, an agenda) costs a fraction of graphql-js's
 * per-field work. Mutations, and operations with arguments of input types that declare field
 * defaults (graphql-jit does not fill those in), run on graphql-js as before.
 *
 * Two callers: the HTTP transport runs admitted operations itself (direct-execution.ts), and Apollo
 * runs the rest through `gateway()`. A result the transport has already computed but cannot answer
 * alone (one with errors) is handed to Apollo with `replay`, so that Apollo's error path answers it
 * without running the operation twice.
 *
 * Why the gateway interface: it is Apollo Server 5's one public option that replaces the executor
 * and keeps the rest of its pipeline (parsing, validation, limits, plugins, and its error path:
 * variable coercion → 400 BAD_USER_INPUT, didEncounterErrors, formatError). The other hook that can
 * take over execution, a plugin's responseForOperation, bypasses that error path, which we would
 * then have to write again. No supergraph is involved: Apollo validates and executes against
 * `apiSchema`; `coreSupergraphSdl` is only read by schema reporting, which is disabled.
 */
export class CompiledExecution {
  private readonly executions = new WeakMap<DocumentNode, Map<string, Execution>>();
  private readonly withDefaults: Set<GraphQLInputObjectType>;
  private readonly replays = new WeakMap<object, { result: ExecutionResult; startedAt: bigint }>();

  constructor(private readonly schema: GraphQLSchema) {
    this.withDefaults = inputTypesWithFieldDefaults(schema);
  }

  /**
   * Runs an operation. Variables that do not coerce answer graphql-js's coercion errors (with the
   * nodes by which Apollo answers 400 BAD_USER_INPUT) and nothing runs: graphql-js's execute
   * coerces on its own, the compiled function is given coerced variables only.
   */
  run(run: OperationRun): Promise<ExecutionResult> | ExecutionResult {
    const execution = this.executionOf(run.document, run.operation, run.operationName);
    if (execution === 'graphql-js') {
      return execute({
        schema: this.schema, document: run.document, contextValue: run.context, variableValues: run.variables, operationName: run.operationName,
      }) as Promise<ExecutionResult>;
    }
    const { errors } = getVariableValues(this.schema, run.operation.variableDefinitions ?? [], run.variables);
    if (errors) return { errors };
    return execution.query(undefined, run.context, withDeclaredDefaults(run.operation, run.variables));
  }

  /** Apollo's next execution with this context answers `result` instead of running the operation. */
  replay(context: object, result: ExecutionResult, startedAt: bigint): void {
    this.replays.set(context, { result, startedAt });
  }

  /** When the operation of a result handed over with `replay` started. */
  replayStartedAt(context: object): bigint | undefined {
    return this.replays.get(context)?.startedAt;
  }

  gateway(): GatewayInterface {
    const executor: GatewayExecutor = async (request) => {
      const replayed = this.replays.get(request.context);
      if (replayed) {
        this.replays.delete(request.context);
        return replayed.result;
      }
      const variables = request.request.variables ?? {};
      return this.run({ document: request.document, operation: request.operation, operationName: request.operationName ?? undefined, variables, context: request.context });
    };
    const schema = this.schema;
    return {
      load: async () => ({ executor }),
      onSchemaLoadOrUpdate: (callback) => {
        callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
        return () => undefined;
      },
      stop: async () => undefined,
    };
  }

  private executionOf(document: DocumentNode, operation: OperationDefinitionNode | undefined, operationName: string | undefined): Execution {
    let byOperation = this.executions.get(document);
    if (!byOperation) {
      byOperation = new Map<string, Execution>();
      this.executions.set(document, byOperation);
    }
    let execution = byOperation.get(operationName ?? '');
    if (!execution) {
      const compiled = compilable(this.schema, this.withDefaults, operation) ? compileQuery(this.schema, document, operationName) : undefined;
      execution = compiled && isCompiledQuery(compiled) ? compiled : 'graphql-js';
      byOperation.set(operationName ?? '', execution);
    }
    return execution;
  }
}

/** Apollo's executor over a fresh CompiledExecution (the unit tests' entry). */
export function compiledExecution(schema: GraphQLSchema): GatewayInterface {
  return new CompiledExecution(schema).gateway();
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
