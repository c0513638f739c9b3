import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestContext } from '../context/request-context';
import { singleResultMediaType } from './answer-media-type';
import type { CompiledExecution } from './compiled-execution';
import type { Admitted } from './operation-gate';
import type { OperationLog } from './operation-log';

export interface DirectExecutionDeps {
  execution: CompiledExecution;
  operationLog: OperationLog;
}

/**
 * Runs an admitted operation without Apollo's request pipeline and answers it when it succeeds.
 *
 * Apollo's pipeline costs more than a small operation itself (bench scenario 6): it hashes the
 * text, parses and validates it again through its own caches, negotiates the media type, and calls
 * every plugin hook. The gate has already done that work: it parsed, validated, limited and priced
 * the document and resolved its one operation. So a POST whose parameters Apollo would
 * take as they are runs straight on the compiled executor, and a result without errors is answered
 * here, byte for byte as Apollo would answer it.
 *
 * Everything else stays Apollo's ('apollo'): unusual bodies (extensions, variables or operationName
 * of the wrong kind) and an Accept header that takes no JSON (406), before anything runs; and results
 * with errors (variables that do not coerce among them: then nothing ran), handed over with `replay`
 * so that Apollo's error path (status from the errors, formatting, masking) answers them without
 * running anything twice.
 */
export async function answerDirectly(
  deps: DirectExecutionDeps, req: IncomingMessage, res: ServerResponse, body: unknown, admitted: Admitted, context: RequestContext,
): Promise<'answered' | 'apollo'> {
  const mediaType = singleResultMediaType(req.headers.accept);
  const params = body as { variables?: unknown; operationName?: unknown; extensions?: unknown };
  if (req.method !== 'POST' || mediaType === null || !plainParameters(params)) return 'apollo';
  const variables = (params.variables ?? {}) as Record<string, unknown>;
  const { document, operation } = admitted;
  const startedAt = process.hrtime.bigint();
  const operationName = operation.name?.value;
  const result = await deps.execution.run({ document, operation, operationName, variables, context });
  if (result.errors?.length) {
    deps.execution.replay(context, result, startedAt);
    return 'apollo';
  }
  // Apollo's serialisation: its field order, then a newline.
  const text = `${JSON.stringify({ data: result.data, extensions: result.extensions })}\n`;
  res.statusCode = 200;
  res.setHeader('content-type', mediaType);
  deps.operationLog.answered(context, { type: operation.operation, operationName: operationName ?? null, errorCodes: [], startedAt }, (name, value) => res.setHeader(name, value));
  // One write for head and body: setting the length lets node send both in a single packet.
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
  return 'answered';
}

/** Parameters Apollo takes as they are: no extensions, variables an object (or none), operationName a string (or none). */
function plainParameters(params: { variables?: unknown; operationName?: unknown; extensions?: unknown }): boolean {
  const { variables, operationName, extensions } = params;
  return (extensions === undefined || extensions === null)
    && (variables === undefined || variables === null || (typeof variables === 'object' && !Array.isArray(variables)))
    && (operationName === undefined || operationName === null || typeof operationName === 'string');
}
