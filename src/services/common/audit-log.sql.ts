import { actorOf } from '../../context/principal';
import type { RequestContext } from '../../context/request-context';
import type { Tx } from '../../db/unit-of-work';

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId?: string;
  /** Ids and codes only: never patient data, secrets or free text typed by users. */
  details?: Record<string, unknown>;
}

export interface AuditActor {
  kind: string;
  id: string | null;
}

export const OPERATOR: AuditActor = { kind: 'OPERATOR', id: null };

/** Writes the audit record in the caller's transaction, so the record exists exactly when the change does. */
export function recordAudit(ctx: RequestContext, tx: Tx, entry: AuditEntry): Promise<void> {
  return writeAudit(tx, actorOf(ctx.caller), entry, ctx.requestId);
}

export async function writeAudit(tx: Tx, actor: AuditActor, entry: AuditEntry, requestId: string | null = null): Promise<void> {
  await tx.query(
    `INSERT INTO audit_events (tenant_id, actor_kind, actor_id, action, entity_type, entity_id, request_id, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [tx.tenantId, actor.kind, actor.id, entry.action, entry.entityType, entry.entityId ?? null, requestId, entry.details ?? {}],
  );
}
