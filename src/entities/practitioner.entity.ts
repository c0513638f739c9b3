import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Tenant } from './tenant.entity';

@Entity('practitioners')
export class Practitioner {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'practitioners_pkey' })
  tenantId!: string;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'practitioners_tenant_fkey' })
  tenant?: Tenant;

  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'practitioners_pkey' })
  id!: string;

  @Column('text')
  name!: string;

  @Column('text', { array: true, default: () => "'{}'" })
  qualifications!: string[];

  /** Seed 002: appointments with this practitioner are never shared with partners. */
  @Column('boolean', { default: false })
  dataSharingBanned!: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
