import { Check, Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Centre } from './centre.entity';

/**
 * A client centre's link to a sharing centre, here or on another careslot server. The token must
 * be sent on every peer call, so it is kept encrypted (AES-256-GCM, key from configuration).
 */
export const SHARE_LINK_STATUSES = ['OK', 'UNREACHABLE', 'REJECTED', 'REVOKED'] as const;
export type ShareLinkStatus = (typeof SHARE_LINK_STATUSES)[number];

@Entity('share_links')
@Check('share_links_status_check', `"status" IN ('OK', 'UNREACHABLE', 'REJECTED', 'REVOKED')`)
export class ShareLink {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'share_links_pkey' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'share_links_pkey' })
  id!: string;

  @Column('uuid')
  centreId!: string;

  @ManyToOne(() => Centre, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'share_links_centre_fkey' },
    { name: 'centre_id', referencedColumnName: 'id', foreignKeyConstraintName: 'share_links_centre_fkey' },
  ])
  centre?: Centre;

  @Column('text')
  remoteUrl!: string;

  @Column('uuid')
  remoteCentreId!: string;

  @Column('text')
  remoteCentreName!: string;

  /** The share's id on the sharing server (from the token): identifies the link there. */
  @Column('uuid')
  remoteShareId!: string;

  @Column('bytea')
  tokenCiphertext!: Buffer;

  @Column('text')
  label!: string;

  @Column('timestamptz', { nullable: true })
  removedAt!: Date | null;

  /** Kept from real traffic: OK, UNREACHABLE, REJECTED (token not accepted) or REVOKED. */
  @Column('text', { default: 'OK' })
  status!: ShareLinkStatus;

  @Column('timestamptz', { nullable: true })
  lastContactAt!: Date | null;

  @Column('text', { nullable: true })
  lastProblem!: string | null;

  @Column('timestamptz', { default: () => 'now()' })
  statusChangedAt!: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
