import { registerEnumType } from 'type-graphql';

export enum StaffRoleEnum {
  ADMIN = 'ADMIN',
  CLINIC_HEAD = 'CLINIC_HEAD',
  SCHEDULER = 'SCHEDULER',
  VIEWER = 'VIEWER',
}
registerEnumType(StaffRoleEnum, {
  name: 'StaffRole',
  description: 'ADMIN configures; CLINIC_HEAD alone opens patient data to partners; SCHEDULER books and manages agendas; VIEWER reads.',
});

export enum StaffPermissionEnum {
  PARTNER_BOOKING = 'PARTNER_BOOKING',
}
registerEnumType(StaffPermissionEnum, { name: 'StaffPermission', description: 'Extra rights granted by an ADMIN.' });

export enum PrincipalKindEnum {
  STAFF_USER = 'STAFF_USER',
  PARTNER_USER = 'PARTNER_USER',
  PARTNER_APP = 'PARTNER_APP',
  PEER_SERVER = 'PEER_SERVER',
}
registerEnumType(PrincipalKindEnum, { name: 'PrincipalKind' });
