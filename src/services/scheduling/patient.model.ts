export interface PatientConsents {
  dataProcessingRefused: boolean;
  allNotificationsRefused: boolean;
  advertisingRefused: boolean;
}

export interface PatientRow extends PatientConsents {
  id: string;
  familyName: string;
  givenName: string;
  patronymic: string | null;
  phone: string | null;
  personalIdentityNumber: string | null;
  createdAt: Date;
}

export interface NewPatient {
  familyName: string;
  givenName: string;
  patronymic?: string;
  phone?: string;
  personalIdentityNumber?: string;
  consents?: Partial<PatientConsents>;
}

export interface PatientChange extends Partial<Omit<NewPatient, 'consents'>> {
  id: string;
  consents?: Partial<PatientConsents>;
}
