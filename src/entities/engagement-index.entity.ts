import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Centre } from './centre.entity';
import { Tenant } from './tenant.entity';

/** A tenant's engagement-index configuration (seed 003) and its delivery's health. The client key is sealed. */
@Entity('engagement_index_settings')
@Check('engagement_index_settings_version_check', `"contract_version" IN ('1.1', '2.0')`)
export class EngagementIndexSettings {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'engagement_index_settings_pkey' })
  tenantId!: string;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'engagement_index_settings_tenant_fkey' })
  tenant?: Tenant;

  @Column('boolean', { default: false })
  enabled!: boolean;

  /** The source system's HSA-id, whitelisted at 1177. */
  @Column('text', { nullable: true })
  sourceSystem!: string | null;

  /** The data controller's organisation number. */
  @Column('text', { nullable: true })
  dataController!: string | null;

  @Column('text', { nullable: true })
  endpointUrl!: string | null;

  /** The index's own HSA-id: the call's logical address. */
  @Column('text', { nullable: true })
  endpointHsaId!: string | null;

  @Column('text', { nullable: true })
  clientCertificate!: string | null;

  /** The client certificate's private key, sealed with the secret box; never returned. */
  @Column('bytea', { nullable: true })
  clientKeyCiphertext!: Buffer | null;

  @Column('text', { nullable: true })
  trustedCa!: string | null;

  @Column('text', { default: '1.1' })
  contractVersion!: string;

  @Column('timestamptz', { nullable: true })
  retryAt!: Date | null;

  @Column('integer', { default: 0 })
  failedAttempts!: number;

  @Column('text', { nullable: true })
  lastError!: string | null;

  @Column('timestamptz', { nullable: true })
  lastErrorAt!: Date | null;

  @Column('bigint', { default: 0 })
  deliveredRequests!: string;

  @Column('bigint', { default: 0 })
  deliveredTransactions!: string;

  @Column('timestamptz', { nullable: true })
  lastDeliveredAt!: Date | null;

  @Column('text')
  updatedBy!: string;

  @Column('timestamptz', { default: () => 'now()' })
  updatedAt!: Date;
}

/** A centre that takes part in the engagement index (it must carry an HSA-id). */
@Entity('engagement_index_centres')
export class EngagementIndexCentre {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'engagement_index_centres_pkey' })
  tenantId!: string;

  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'engagement_index_centres_pkey' })
  centreId!: string;

  @ManyToOne(() => Centre, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'engagement_index_centres_centre_fkey' },
    { name: 'centre_id', referencedColumnName: 'id', foreignKeyConstraintName: 'engagement_index_centres_centre_fkey' },
  ])
  centre?: Centre;
}

/** The transactional outbox: an appointment to reconcile with the index, written in the transaction of its change. */
@Entity('engagement_index_outbox')
@Index('engagement_index_outbox_appointment_idx', ['tenantId', 'appointmentId'])
export class EngagementIndexOutbox {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'engagement_index_outbox_pkey' })
  tenantId!: string;

  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'engagement_index_outbox_pkey' })
  id!: string;

  @Column('uuid')
  appointmentId!: string;

  /** A resend: the post goes even when the index already holds it. */
  @Column('boolean', { default: false })
  resend!: boolean;

  @Column('timestamptz', { default: () => 'now()' })
  queuedAt!: Date;
}

/** What the index holds for an appointment, as of the last accepted Update. */
@Entity('engagement_index_posts')
@Index('engagement_index_posts_address_idx', ['tenantId', 'logicalAddress'])
export class EngagementIndexPost {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'engagement_index_posts_pkey' })
  tenantId!: string;

  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'engagement_index_posts_pkey' })
  appointmentId!: string;

  @Column('text')
  resident!: string;

  @Column('text')
  serviceDomain!: string;

  @Column('text')
  logicalAddress!: string;

  @Column('text')
  sourceSystem!: string;

  @Column('text')
  dataController!: string;

  @Column('text')
  mostRecentContent!: string;

  @Column('timestamptz', { default: () => 'now()' })
  deliveredAt!: Date;
}

/** A dead letter: the index answered ERROR for an Update holding this appointment's transactions. */
@Entity('engagement_index_failures')
export class EngagementIndexFailure {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'engagement_index_failures_pkey' })
  tenantId!: string;

  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'engagement_index_failures_pkey' })
  appointmentId!: string;

  @Column('text')
  reason!: string;

  @Column('timestamptz', { default: () => 'now()' })
  failedAt!: Date;
}
