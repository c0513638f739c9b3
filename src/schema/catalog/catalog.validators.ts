import { IsDefined, ValidateBy, ValidateIf, type ValidationArguments } from 'class-validator';

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const TIME_OR_END_OF_DAY = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
const DATE = /^([1-9]\d{3})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^([1-9]\d{3}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d$/;

function isCalendarDate(text: string): boolean {
  const match = DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export const isLocalTimeText = (value: unknown, endOfDay = false): value is string =>
  typeof value === 'string' && (endOfDay ? TIME_OR_END_OF_DAY : TIME).test(value);
/** Any time "HH:MM" a block may end at, "24:00" included. */
export const isEndTimeText = (value: unknown): value is string => isLocalTimeText(value, true);
export const isLocalDateText = (value: unknown): value is string => typeof value === 'string' && isCalendarDate(value);
export const isLocalDateTimeText = (value: unknown): value is string => {
  const match = typeof value === 'string' ? DATE_TIME.exec(value) : null;
  return match !== null && isCalendarDate(match[1]);
};

/** "HH:MM", 24-hour clock; with endOfDay, "24:00" too (a block that runs until midnight). */
export const IsLocalTime = (options: { endOfDay?: boolean } = {}): PropertyDecorator =>
  ValidateBy({
    name: 'isLocalTime',
    validator: {
      validate: (value) => isLocalTimeText(value, options.endOfDay),
      defaultMessage: () => `$property must be a time "HH:MM" between 00:00 and ${options.endOfDay ? '24:00' : '23:59'}`,
    },
  });

/** "YYYY-MM-DD", a real calendar day. */
export const IsLocalDate = (): PropertyDecorator =>
  ValidateBy({
    name: 'isLocalDate',
    validator: { validate: isLocalDateText, defaultMessage: () => '$property must be a date "YYYY-MM-DD"' },
  });

/** "YYYY-MM-DDTHH:MM" without a zone: a wall-clock time in the centre's time zone. */
export const IsLocalDateTime = (): PropertyDecorator =>
  ValidateBy({
    name: 'isLocalDateTime',
    validator: { validate: isLocalDateTimeText, defaultMessage: () => '$property must be a local date-time "YYYY-MM-DDTHH:MM"' },
  });

/**
 * Later than another field of the same input, both in one of the formats above (they order as
 * text the way they order in time). A malformed value is left to its own format rule.
 */
export const IsLaterThan = (
  property: string,
  wellFormed: (value: unknown) => value is string,
  options: { orEqual?: boolean } = {},
): PropertyDecorator =>
  ValidateBy({
    name: 'isLaterThan',
    constraints: [property],
    validator: {
      validate: (value, args?: ValidationArguments) => {
        const other = (args?.object as Record<string, unknown> | undefined)?.[property];
        if (!wellFormed(value) || !wellFormed(other)) return true;
        return options.orEqual ? value >= other : value > other;
      },
      defaultMessage: () => `$property must be ${options.orEqual ? 'the same as or later than' : 'later than'} ${property}`,
    },
  });

/** An update field that may be omitted (keep the value) but not set to null (the column requires one). */
export const IsOmittableButNotNull = (): PropertyDecorator => (target, key) => {
  ValidateIf((_object, value) => value !== undefined)(target, key as string);
  IsDefined({ message: '$property cannot be null; omit it to keep the current value' })(target, key as string);
};
