/** The lock's key is hashtextextended(prefix || schedule id, 0). */
export const SCHEDULE_BOOKING_LOCK_PREFIX = 'schedule-bookings:';

/**
 * A FROM item, lateral to a row holding the schedule's id, that waits for and takes the
 * transaction's lock on booking that schedule. Every statement that puts an appointment into a
 * schedule's time (booking, rescheduling) takes it before writing, so that one such change per
 * schedule is in flight at a time. Without it, concurrent inserts into one slot wait on each other
 * inside the exclusion constraint's check and deadlock, each deadlock resolved only after
 * deadlock_timeout (1 s): 64 clients on one slot waited up to 42 s (bench scenario 4, p99). With
 * it, a late comer waits for the commit before it and is refused at once by the constraint.
 */
export const scheduleBookingLock = (scheduleId: string): string =>
  `CROSS JOIN LATERAL pg_advisory_xact_lock(hashtextextended('${SCHEDULE_BOOKING_LOCK_PREFIX}' || ${scheduleId}::text, 0)) AS schedule_booking_lock`;

