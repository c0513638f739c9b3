import { Check, Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Partner } from './partner.entity';
import { User } from './user.entity';

/** Kinds of principal a bearer token can stand for; peer servers use share link tokens instead. */
export const TOKEN_PRINCIPAL_KINDS = ['STAFF_USER', 'PARTNER_APP'] as const;
export type TokenPrincipalKind = (typeof TOKEN_PRINCIPAL_KINDS)[number];

/** An opaque bearer token. Only a hash of its secret is stored; the id doubles as its visible prefix. */
@Entity('api_tokens')
@Check('api_tokens_owner_check', `("principal_kind" = 'STAFF_USER' AND "user_id" IS NOT NULL AND "partner_id" IS NULL) OR ("principal_kind" = 'PARTNER_APP' AND "partner_id" IS NOT NULL AND "user_id" IS NULL)`)
export class ApiToken {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'api_tokens_pkey' })
  tenantId!: string;

  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'api_tokens_pkey' })
  id!: string;

  @Column('text')
  principalKind!: TokenPrincipalKind;

  @Column('uuid', { nullable: true })
  userId!: string | null;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'api_tokens_user_fkey' },
    { name: 'user_id', referencedColumnName: 'id', foreignKeyConstraintName: 'api_tokens_user_fkey' },
  ])
  user?: User;

  /** A PARTNER_APP token stands for this partner. */
  @Column('uuid', { nullable: true })
  partnerId!: string | null;

  @ManyToOne(() => Partner, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'api_tokens_partner_fkey' },
    { name: 'partner_id', referencedColumnName: 'id', foreignKeyConstraintName: 'api_tokens_partner_fkey' },
  ])
  partner?: Partner;

  @Column('text')
  label!: string;

  @Column('bytea')
  secretHash!: Buffer;

  @Column('timestamptz', { nullable: true })
  expiresAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  revokedAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  lastUsedAt!: Date | null;

  @Column('uuid', { nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
