/** Booking statistics by origin, partner, centre, service, practitioner and period (seed 001). Being built. */
export class BookingStatisticsService {}
