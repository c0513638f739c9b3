import { Check, Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Centre } from './centre.entity';
import { ShareLink } from './share-link.entity';

/** A centre's connection to the booking system that holds its agenda (seed 004). One per centre. */
@Entity('booking_system_connections')
@Check('booking_system_connections_system_check', `"system" IN ('CARESLOT', 'FHIR_R4', 'SMART_SCHEDULING_LINKS')`)
@Check('booking_system_connections_status_check', `"status" IN ('OK', 'UNREACHABLE', 'REJECTED')`)
@Check('booking_system_connections_link_check', `("system" = 'CARESLOT') = ("link_id" IS NOT NULL)`)
export class BookingSystemConnection {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'booking_system_connections_pkey' })
  tenantId!: string;

  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'booking_system_connections_pkey' })
  centreId!: string;

  @ManyToOne(() => Centre, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'booking_system_connections_centre_fkey' },
    { name: 'centre_id', referencedColumnName: 'id', foreignKeyConstraintName: 'booking_system_connections_centre_fkey' },
  ])
  centre?: Centre;

  @Column('text')
  system!: string;

  @Column('text', { nullable: true })
  externalId!: string | null;

  @Column('text', { nullable: true })
  externalDepartmentId!: string | null;

  @Column('text', { nullable: true })
  bookingUrl!: string | null;

  /** The API key, sealed with the secret box; never returned. */
  @Column('bytea', { nullable: true })
  apiKeyCiphertext!: Buffer | null;

  @Column('text', { nullable: true })
  apiKeyLast4!: string | null;

  /** A careslot connection is a share link. */
  @Column('uuid', { nullable: true })
  linkId!: string | null;

  @ManyToOne(() => ShareLink)
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'booking_system_connections_link_fkey' },
    { name: 'link_id', referencedColumnName: 'id', foreignKeyConstraintName: 'booking_system_connections_link_fkey' },
  ])
  link?: ShareLink;

  /** What the system calls the location or schedule (from the last successful test). */
  @Column('text', { nullable: true })
  remoteName!: string | null;

  @Column('text', { default: 'OK' })
  status!: string;

  @Column('timestamptz', { nullable: true })
  lastContactAt!: Date | null;

  @Column('text', { nullable: true })
  lastProblem!: string | null;

  @Column('text')
  savedBy!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
