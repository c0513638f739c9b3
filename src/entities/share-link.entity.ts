import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Centre } from './centre.entity';

/**
 * A client centre's link to a sharing centre, here or on another careslot server. The token must
 * be sent on every peer call, so it is kept encrypted (AES-256-GCM, key from configuration).
 */
@Entity('share_links')
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

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
