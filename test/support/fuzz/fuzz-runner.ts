import type { GraphQLSchema } from 'graphql';
import { allowedChangesOnRejection, changedSources, type DatabaseDigest } from './database-digest';
import type { FailureLog } from './failure-report';
import type { FuzzStats } from './fuzz-stats';
import { toVariableValue } from './fuzz-value';
import type { FuzzWorld } from './fuzz-world';
import { httpRequestFor, type HttpRequest } from './http-request';
import type { HttpTransport } from './http-transport';
import { observeFailure, observeHttp, observeWs, type ObservedResponse } from './observed-response';
import type { PlannedOperation } from './planned-operation';
import { authorizationFor, isUnauthenticated } from './principals';
import type { ReadWriteLock } from './read-write-lock';
import { mutationWasRejected, outcomeCode } from './rejection';
import { renderOperation, type GraphQLRequestParts } from './render-operation';
import { checkResponse, type CheckContext } from './response-checks';
import type { ServerErrorLog } from './server-error-log';
import type { WsTransport } from './ws-transport';

export interface FuzzRunnerDeps {
  schema: GraphQLSchema;
  world: FuzzWorld;
  http: HttpTransport;
  ws: WsTransport;
  digest: DatabaseDigest;
  lock: ReadWriteLock;
  stats: FuzzStats;
  failures: FailureLog;
  typedFailures: ReadonlySet<string>;
  limits: { maxDepth: number; wsMaxMessageBytes: number };
  /** Where callers without a valid token connect from (see client-addresses.ts); undefined: the default address. */
  untrustedAddress: string | undefined;
  serverLog: ServerErrorLog;
}

/** Bytes of graphql-ws framing around the payload (`{"id":"<uuid>","type":"subscribe","payload":…}`), generously. */
const WS_FRAMING_BYTES = 128;

interface Sent {
  observed: ObservedResponse;
  httpRequest?: HttpRequest;
  checks: CheckContext;
}

function wsMessageBytes(parts: GraphQLRequestParts): number {
  const variables = Object.fromEntries(Object.entries(parts.variables).map(([name, value]) => [name, toVariableValue(value)]));
  return Buffer.byteLength(JSON.stringify({ query: parts.query, operationName: parts.operationName, variables })) + WS_FRAMING_BYTES;
}

async function send(deps: FuzzRunnerDeps, operation: PlannedOperation, parts: GraphQLRequestParts, authorization: string | undefined): Promise<Sent> {
  const unauthenticated = isUnauthenticated(operation.principal);
  const localAddress = unauthenticated ? deps.untrustedAddress : undefined;
  if (operation.transport === 'http') {
    const httpRequest = httpRequestFor(parts, operation.envelope, authorization);
    const checks = { unauthenticated, oversizedWsMessage: false, wsMessageNearLimit: false };
    try {
      return { observed: observeHttp(await deps.http.send(httpRequest, localAddress)), httpRequest, checks };
    } catch (error) {
      return { observed: observeFailure('http', error), httpRequest, checks };
    }
  }
  const bytes = wsMessageBytes(parts);
  const limit = deps.limits.wsMaxMessageBytes;
  const checks = { unauthenticated, oversizedWsMessage: bytes - WS_FRAMING_BYTES > limit, wsMessageNearLimit: bytes > limit };
  // Operations that are to close their socket get a socket of their own.
  const route = { authorization, localAddress, ownConnection: unauthenticated || checks.wsMessageNearLimit };
  try {
    return { observed: observeWs(await deps.ws.run(parts, route, operation.root.rootKind === 'subscription')), checks };
  } catch (error) {
    return { observed: observeFailure('ws', error), checks };
  }
}

/**
 * One operation: sent, checked, counted. A mutation runs alone, between two database snapshots;
 * if it was turned down, the snapshots must be equal (except what the rules allow, see
 * database-digest.ts).
 */
async function runOne(deps: FuzzRunnerDeps, operation: PlannedOperation): Promise<void> {
  const parts = renderOperation(deps.schema, operation, deps.limits.maxDepth);
  const authorization = authorizationFor(deps.world.credentials, operation.principal, operation.index);
  const field = operation.root.field.name;
  const problems: Array<{ problem: string; detail?: string }> = [];

  let sent: Sent;
  if (operation.root.rootKind === 'mutation') {
    sent = await deps.lock.exclusive(async () => {
      const before = await deps.digest.take();
      const result = await send(deps, operation, parts, authorization);
      if (mutationWasRejected(result.observed, field, deps.typedFailures)) {
        deps.stats.rejectedMutationsChecked += 1;
        const allowed = allowedChangesOnRejection(field, !isUnauthenticated(operation.principal));
        const changed = changedSources(before, await deps.digest.take(), allowed);
        if (changed.length > 0) {
          const outcome = outcomeCode(result.observed, field, deps.typedFailures);
          problems.push({ problem: `rows changed although the mutation was turned down (${outcome}): ${changed.map((source) => source.split(' ')[0]).join(', ')}`, detail: changed.join(', ') });
        }
      }
      return result;
    });
  } else {
    sent = await deps.lock.shared(() => send(deps, operation, parts, authorization));
  }

  problems.push(...checkResponse(sent.observed, sent.checks).map((problem) => ({ problem })));
  // The server logs at error level only what it did not expect: that is a problem even behind a proper answer.
  const serverLog = deps.serverLog.take(sent.observed.requestIds);
  if (problems.length === 0) problems.push(...[...new Set(serverLog)].map((line) => ({ problem: `answered, but the server logged an error: ${line}` })));
  deps.stats.record(operation, outcomeCode(sent.observed, field, deps.typedFailures));
  for (const { problem, detail } of problems) {
    deps.failures.add({ problem, detail, operation, parts, authorization, httpRequest: sent.httpRequest, response: sent.observed.raw, serverLog });
  }
}

/** Runs the plan with `concurrency` operations in flight, in plan order. */
export async function runOperations(deps: FuzzRunnerDeps, operations: readonly PlannedOperation[], concurrency: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < operations.length) {
      const operation = operations[next++];
      await runOne(deps, operation);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
