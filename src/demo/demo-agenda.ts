import { randomUUID } from 'node:crypto';
import type { Principal } from '../context/principal';
import { RequestContext } from '../context/request-context';
import type { CareslotServer } from '../server';

/** What each demo tenant's clinic looks like: realistic names, three time zones, a living agenda. */
interface DemoCentre {
  name: string;
  timeZone: string;
  hsaId?: string;
  city: string;
  country: string;
  practitioners: Array<{ name: string; qualifications: string[] }>;
}

export const DEMO_CENTRES: Record<string, DemoCentre[]> = {
  '00000000-0000-4000-8000-00000000a001': [
    {
      name: 'Nordhälsa Stockholm City', timeZone: 'Europe/Stockholm', hsaId: 'SE2321000016-15CQ', city: 'Stockholm', country: 'SE',
      practitioners: [
        { name: 'Dr. Karin Berg', qualifications: ['occupational-physician'] },
        { name: 'Erik Holm (nurse)', qualifications: ['nurse', 'audiometry'] },
        { name: 'Dr. Sara Nilsson', qualifications: ['occupational-physician', 'spirometry'] },
      ],
    },
    {
      name: 'Nordhälsa Oslo Sentrum', timeZone: 'Europe/Oslo', city: 'Oslo', country: 'NO',
      practitioners: [
        { name: 'Dr. Ola Nordmann', qualifications: ['occupational-physician'] },
        { name: 'Ingrid Bakke (nurse)', qualifications: ['nurse', 'audiometry', 'spirometry'] },
      ],
    },
  ],
  '00000000-0000-4000-8000-00000000b002': [
    {
      name: 'Clínica Salud Madrid Centro', timeZone: 'Europe/Madrid', city: 'Madrid', country: 'ES',
      practitioners: [
        { name: 'Dra. Lucía Fernández', qualifications: ['occupational-physician'] },
        { name: 'Javier Ortega (enfermero)', qualifications: ['nurse', 'audiometry'] },
        { name: 'Dra. Carmen Ruiz', qualifications: ['occupational-physician', 'spirometry'] },
      ],
    },
  ],
};

const DEMO_SERVICES = [
  { code: 'HEALTH-CHECK', name: 'Periodic health examination', durationMinutes: 30, requiredQualification: 'occupational-physician' },
  { code: 'AUDIOMETRY', name: 'Hearing test (audiometry)', durationMinutes: 15, requiredQualification: 'audiometry' },
  { code: 'SPIROMETRY', name: 'Lung function test (spirometry)', durationMinutes: 30, requiredQualification: 'spirometry' },
  { code: 'VACCINATION', name: 'Vaccination', durationMinutes: 15, requiredQualification: 'nurse' },
];

const DEMO_PATIENTS = [
  ['Andersson', 'Maja'], ['Johansson', 'Liam'], ['Hansen', 'Nora'], ['Olsen', 'Jakob'], ['García', 'Sofía'],
  ['Martínez', 'Hugo'], ['Lindqvist', 'Elsa'], ['Berg', 'Oscar'], ['López', 'Martina'], ['Dahl', 'Emil'],
];

/** Adds centres, practitioners, services, schedules and two weeks of appointments, once per tenant. */
export async function seedDemoAgenda(server: CareslotServer, tenantId: string, adminUserId: string): Promise<void> {
  const centres = DEMO_CENTRES[tenantId] ?? [];
  const principal: Principal = { kind: 'STAFF_USER', tenantId, credentialId: randomUUID(), userId: adminUserId, roles: ['ADMIN', 'SCHEDULER'], permissions: [] };
  const ctx = new RequestContext(server.database.tenants, principal, server.logger);
  const [existing] = await ctx.transaction((tx) => tx.query('SELECT 1 FROM centres WHERE tenant_id = $1 LIMIT 1', [tenantId]));
  if (existing || centres.length === 0) return;

  const { catalog } = server.services;
  const services = [];
  for (const service of DEMO_SERVICES) services.push({ ...service, id: (await catalog.medicalServices.create(ctx, service)).id });
  const patients = [];
  for (const [i, [familyName, givenName]] of DEMO_PATIENTS.entries()) {
    // Identity numbers in the Swedish form (Andersson's is the one the GraphiQL partner tab looks up).
    const personalIdentityNumber = `1985${String(i + 1).padStart(2, '0')}01${2386 + i}`;
    patients.push((await server.services.patients.createPatient(ctx, { familyName, givenName, phone: '+46 70 000 00 00', personalIdentityNumber })).id);
  }

  const validFrom = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);
  const openingHours = [1, 2, 3, 4, 5].flatMap((weekday) => [
    { weekday, startTime: '08:00', endTime: '12:00', validFrom },
    { weekday, startTime: '13:00', endTime: '16:30', validFrom },
  ]);
  let seed = 7;
  const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);

  for (const demo of centres) {
    const centre = await catalog.centres.create(ctx, {
      name: demo.name, timeZone: demo.timeZone, hsaId: demo.hsaId ?? null, address: { city: demo.city, country: demo.country },
    });
    for (const person of demo.practitioners) {
      const practitioner = await catalog.practitioners.create(ctx, person);
      const offered = services.filter((s) => person.qualifications.includes(s.requiredQualification));
      const schedule = await catalog.schedules.create(ctx, {
        centreId: centre.id, practitionerId: practitioner.id, name: person.name, slotMinutes: 15,
        serviceIds: offered.map((s) => s.id), openingHours,
      });
      await bookSomeSlots(server, ctx, centre.id, schedule.id, offered, patients, random);
    }
  }
}

/** Books about a third of the free slots of the next two weeks, so the agenda looks lived-in. */
async function bookSomeSlots(
  server: CareslotServer, ctx: RequestContext, centreId: string, scheduleId: string,
  offered: Array<{ id: string; durationMinutes: number }>, patients: string[], random: () => number,
): Promise<void> {
  if (offered.length === 0) return;
  const from = new Date(Date.now() + 3_600_000);
  const to = new Date(from.getTime() + 14 * 86_400_000);
  const availability = await server.services.availability.availability(ctx, { centreId, from, to, includeSlots: true });
  const slots = availability.schedules.find((s) => s.scheduleId === scheduleId)?.slots ?? [];
  for (const [start] of slots) {
    if (random() > 0.3) continue;
    const service = offered[Math.floor(random() * offered.length)];
    await server.services.booking.book(ctx, {
      scheduleId, serviceId: service.id, start: new Date(start), patientId: patients[Math.floor(random() * patients.length)],
      idempotencyKey: `demo-${scheduleId}-${start}`,
    });
  }
}
