import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** Who did what, when: written in the same transaction as the change or read it records. */
@Entity('audit_events')
@Index('audit_events_tenant_occurred_idx', ['tenantId', 'occurredAt'])
@Index('audit_events_hold_placed_idx', ['tenantId', 'entityId'], { where: "action = 'hold.placed'" })
export class AuditEvent {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'audit_events_pkey' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'audit_events_pkey' })
  id!: string;

  @Column('timestamptz', { default: () => 'now()' })
  occurredAt!: Date;

  @Column('text')
  actorKind!: string;

  @Column('text', { nullable: true })
  actorId!: string | null;

  @Column('text')
  action!: string;

  @Column('text')
  entityType!: string;

  @Column('text', { nullable: true })
  entityId!: string | null;

  @Column('text', { nullable: true })
  requestId!: string | null;

  @Column('jsonb', { default: () => "'{}'" })
  details!: Record<string, unknown>;
}
