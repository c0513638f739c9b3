import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Tenant } from './tenant.entity';

/** A healthcare centre (institution, location). Its IANA time zone governs its schedules' opening hours. */
@Entity('centres')
export class Centre {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'centres_pkey' })
  tenantId!: string;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'centres_tenant_fkey' })
  tenant?: Tenant;

  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'centres_pkey' })
  id!: string;

  @Column('text')
  name!: string;

  @Column('text')
  timeZone!: string;

  /** Swedish HSA-id (logical address for the national booking services), when the centre has one. */
  @Column('text', { nullable: true })
  hsaId!: string | null;

  @Column('jsonb', { nullable: true })
  address!: { street?: string; postalCode?: string; city?: string; country?: string } | null;

  /** An offline centre takes no partner or shared bookings. */
  @Column('boolean', { default: false })
  offline!: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
