import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The shift of `careslot_now()`, the partner feed's clock, from the database's time. Tests set it
 * (as the database owner) to move time; production leaves the table empty.
 */
@Entity('careslot_clock')
@Check('careslot_clock_only_row_check', `"only_row"`)
export class CareslotClock {
  @PrimaryColumn('boolean', { default: true, primaryKeyConstraintName: 'careslot_clock_pkey' })
  onlyRow!: boolean;

  @Column('interval')
  shift!: string;
}

/** How far the partner feed's window sweep got: appointments that crossed the window's edges up to here were touched. */
@Entity('partner_feed_sweeps')
@Check('partner_feed_sweeps_only_row_check', `"only_row"`)
export class PartnerFeedSweep {
  @PrimaryColumn('boolean', { default: true, primaryKeyConstraintName: 'partner_feed_sweeps_pkey' })
  onlyRow!: boolean;

  @Column('timestamptz')
  sweptTo!: Date;
}
