import { registerEnumType } from 'type-graphql';

export enum ScheduleExceptionKindEnum {
  CLOSED = 'CLOSED',
  EXTRA_HOURS = 'EXTRA_HOURS',
}
registerEnumType(ScheduleExceptionKindEnum, {
  name: 'ScheduleExceptionKind',
  description: 'CLOSED takes time out of the opening hours; EXTRA_HOURS opens the schedule outside them.',
});
