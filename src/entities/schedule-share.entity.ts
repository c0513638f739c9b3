import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Centre } from './centre.entity';

/** A weekly window in which a client may book, in the sharing centre's local time. */
export interface WeeklyWindow {
  weekday: number;
  startTime: string;
  endTime: string;
}

/**
 * A sharing centre opens some of its schedules to client centres of other tenants.
 * The shared link token is `csl_<tenant><share>_<secret>`: only a hash of the secret is kept.
 */
@Entity('schedule_shares')
export class ScheduleShare {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'schedule_shares_pkey' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'schedule_shares_pkey' })
  id!: string;

  @Column('uuid')
  centreId!: string;

  @ManyToOne(() => Centre, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'schedule_shares_centre_fkey' },
    { name: 'centre_id', referencedColumnName: 'id', foreignKeyConstraintName: 'schedule_shares_centre_fkey' },
  ])
  centre?: Centre;

  @Column('text')
  label!: string;

  @Column('bytea')
  secretHash!: Buffer;

  /** Services a client may book; empty means every service the shared schedules offer. */
  @Column('uuid', { array: true, default: () => "'{}'" })
  allowedServiceIds!: string[];

  @Column('integer', { default: 0 })
  earliestDaysAhead!: number;

  @Column('integer', { default: 90 })
  latestDaysAhead!: number;

  /** Empty means any time the schedules are open. */
  @Column('jsonb', { default: () => "'[]'" })
  weeklyWindows!: WeeklyWindow[];

  /** Bookings per local day the client may hold through this share; null means no quota. */
  @Column('integer', { nullable: true })
  dailyQuota!: number | null;

  @Column('timestamptz', { nullable: true })
  revokedAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  tokenRotatedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
