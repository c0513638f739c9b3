import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Tenant } from './tenant.entity';

/** The subject of care. Never logs in; the consents decide what partners may ever see. */
@Entity('patients')
@Index('patients_identity_number_key', ['tenantId', 'personalIdentityNumber'], { unique: true, where: 'personal_identity_number IS NOT NULL' })
// Expression index for name search, created by the migration; TypeORM cannot describe it, so it leaves it alone.
@Index('patients_name_search_idx', { synchronize: false })
@Index('patients_feed_idx', ['tenantId', 'feedXid', 'id'])
export class Patient {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'patients_pkey' })
  tenantId!: string;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'patients_tenant_fkey' })
  tenant?: Tenant;

  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'patients_pkey' })
  id!: string;

  @Column('text')
  familyName!: string;

  @Column('text')
  givenName!: string;

  @Column('text', { nullable: true })
  patronymic!: string | null;

  @Column('text', { nullable: true })
  phone!: string | null;

  @Column('text', { nullable: true })
  personalIdentityNumber!: string | null;

  @Column('boolean', { default: false })
  dataProcessingRefused!: boolean;

  @Column('boolean', { default: false })
  allNotificationsRefused!: boolean;

  @Column('boolean', { default: false })
  advertisingRefused!: boolean;

  /** The transaction (64-bit id) that last changed what a partner would see of it: the partner feed's order (triggers keep it). */
  @Column('bigint', { default: () => 'careslot_xact()' })
  feedXid!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
