import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Partner } from './partner.entity';

/**
 * A tenant's patient and appointment data opened to one partner by a clinic head (seed 002). Data
 * flows from 24 hours after `openedAt` until `closedAt`; each opening is a new `epoch`, so a
 * partner's cursor from before a closing starts over.
 */
@Entity('partner_data_access')
export class PartnerDataAccess {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'partner_data_access_pkey' })
  tenantId!: string;

  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'partner_data_access_pkey' })
  partnerId!: string;

  @ManyToOne(() => Partner, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'partner_data_access_partner_fkey' },
    { name: 'partner_id', referencedColumnName: 'id', foreignKeyConstraintName: 'partner_data_access_partner_fkey' },
  ])
  partner?: Partner;

  @Column('timestamptz')
  openedAt!: Date;

  /** The clinic head who opened it (actor kind:id). */
  @Column('text')
  openedBy!: string;

  @Column('timestamptz', { nullable: true })
  closedAt!: Date | null;

  @Column('text', { nullable: true })
  closedBy!: string | null;

  @Column('integer', { default: 1 })
  epoch!: number;
}
