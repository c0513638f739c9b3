import type { Tx } from '../../db/unit-of-work';
import type { StaffPermission, StaffRole, TokenPrincipalKind } from '../../entities';
import type { CredentialRow, TokenRow, UserRow } from './identity.model';
import { newestFirst } from '../common/keyset.sql';

const USER_COLUMNS = `id, email, display_name AS "displayName", roles, permissions, partner_id AS "partnerId", active, created_at AS "createdAt"`;
const TOKEN_COLUMNS = `t.id, t.principal_kind AS "principalKind", t.user_id AS "userId", t.partner_id AS "partnerId", t.label, t.expires_at AS "expiresAt",
  t.revoked_at AS "revokedAt", t.last_used_at AS "lastUsedAt", t.created_at AS "createdAt"`;

/** SQL for tenants, staff users and tokens. Every statement names the tenant too (RLS is the second wall). */

const TOKENS_PAGE = newestFirst('t', '$3', '$4');
export const identityRepository = {
  async insertTenant(tx: Tx, name: string): Promise<void> {
    await tx.query('INSERT INTO tenants (id, name) VALUES ($1, $2)', [tx.tenantId, name]);
  },

  /** A partner user names its partner; the foreign key refuses another tenant's (23503). */
  async insertUser(tx: Tx, user: Pick<UserRow, 'email' | 'displayName' | 'roles' | 'permissions'> & { partnerId?: string | null }): Promise<UserRow> {
    const [row] = await tx.query<UserRow>(
      `INSERT INTO users (tenant_id, email, display_name, roles, permissions, partner_id) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (tenant_id, email) DO NOTHING RETURNING ${USER_COLUMNS}`,
      [tx.tenantId, user.email, user.displayName, user.roles, user.permissions, user.partnerId ?? null],
    );
    return row;
  },

  async updateUserAccess(
    tx: Tx,
    userId: string,
    access: { roles?: StaffRole[]; permissions?: StaffPermission[]; active?: boolean },
  ): Promise<UserRow | undefined> {
    const [row] = await tx.query<UserRow>(
      `UPDATE users SET roles = COALESCE($3, roles), permissions = COALESCE($4, permissions),
         active = COALESCE($5, active), updated_at = now()
       WHERE tenant_id = $1 AND id = $2 RETURNING ${USER_COLUMNS}`,
      [tx.tenantId, userId, access.roles ?? null, access.permissions ?? null, access.active ?? null],
    );
    return row;
  },

  async partnerExists(tx: Tx, partnerId: string): Promise<boolean> {
    const rows = await tx.query('SELECT 1 FROM partners WHERE tenant_id = $1 AND id = $2', [tx.tenantId, partnerId]);
    return rows.length > 0;
  },

  async findUser(tx: Tx, userId: string): Promise<UserRow | undefined> {
    const [row] = await tx.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE tenant_id = $1 AND id = $2`, [tx.tenantId, userId]);
    return row;
  },

  async findUsersByIds(tx: Tx, ids: readonly string[]): Promise<UserRow[]> {
    return tx.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE tenant_id = $1 AND id = ANY($2::uuid[])`, [tx.tenantId, ids]);
  },

  /** Keyset page ordered by (created_at, id); milliseconds, because the cursor travels as a JavaScript Date. */
  async listUsers(tx: Tx, page: { limit: number; after?: { createdAt: Date; id: string } }): Promise<UserRow[]> {
    return tx.query<UserRow>(
      `SELECT ${USER_COLUMNS} FROM users WHERE tenant_id = $1
         AND ($2::timestamptz IS NULL OR (date_trunc('milliseconds', created_at), id) > ($2, $3::uuid))
       ORDER BY date_trunc('milliseconds', created_at), id LIMIT $4`,
      [tx.tenantId, page.after?.createdAt ?? null, page.after?.id ?? null, page.limit],
    );
  },

  async insertToken(
    tx: Tx,
    token: {
      id: string; principalKind: TokenPrincipalKind; userId: string | null; partnerId?: string | null; label: string; secretHash: Buffer;
      expiresAt: Date | null; createdBy: string | null;
    },
  ): Promise<TokenRow> {
    const [row] = await tx.query<TokenRow>(
      `INSERT INTO api_tokens AS t (tenant_id, id, principal_kind, user_id, partner_id, label, secret_hash, expires_at, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${TOKEN_COLUMNS}`,
      [tx.tenantId, token.id, token.principalKind, token.userId, token.partnerId ?? null, token.label, token.secretHash, token.expiresAt, token.createdBy],
    );
    return row;
  },

  async revokeToken(tx: Tx, tokenId: string): Promise<TokenRow | undefined> {
    const [row] = await tx.query<TokenRow>(
      `UPDATE api_tokens AS t SET revoked_at = COALESCE(revoked_at, now()) WHERE tenant_id = $1 AND id = $2 RETURNING ${TOKEN_COLUMNS}`,
      [tx.tenantId, tokenId],
    );
    return row;
  },

  /** Keyset page, newest first. */
  async listTokens(tx: Tx, userId: string | undefined, page: { limit: number; after?: { createdAt: Date; id: string } }): Promise<TokenRow[]> {
    return tx.query<TokenRow>(
      `SELECT ${TOKEN_COLUMNS} FROM api_tokens t WHERE t.tenant_id = $1 AND ($2::uuid IS NULL OR t.user_id = $2)
         AND ${TOKENS_PAGE.after} ORDER BY ${TOKENS_PAGE.orderBy} LIMIT $5`,
      [tx.tenantId, userId ?? null, page.after?.createdAt ?? null, page.after?.id ?? null, page.limit],
    );
  },

  async findCredential(tx: Tx, tokenId: string): Promise<CredentialRow | undefined> {
    const [row] = await tx.query<CredentialRow>(
      `SELECT ${TOKEN_COLUMNS}, t.secret_hash AS "secretHash", u.roles, u.permissions, u.active AS "userActive",
              u.partner_id AS "userPartnerId", p.active AS "partnerActive"
       FROM api_tokens t LEFT JOIN users u ON u.tenant_id = t.tenant_id AND u.id = t.user_id
       LEFT JOIN partners p ON p.tenant_id = t.tenant_id AND p.id = coalesce(t.partner_id, u.partner_id)
       WHERE t.tenant_id = $1 AND t.id = $2`,
      [tx.tenantId, tokenId],
    );
    return row;
  },

  async touchToken(tx: Tx, tokenId: string): Promise<void> {
    await tx.query(
      `UPDATE api_tokens SET last_used_at = now() WHERE tenant_id = $1 AND id = $2
         AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [tx.tenantId, tokenId],
    );
  },
};
