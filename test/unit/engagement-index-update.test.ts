import { planUpdate, transactionsFor, type AppointmentState, type DeliverySettings } from '../../src/services/engagement-index/engagement-index.rules';
import { readUpdateAnswer, updateEnvelope } from '../../src/services/engagement-index/update-message';
import { schemaErrors } from '../support/engagement-index-endpoint';

/** The engagement index's pure rules: what an Update holds, and how the index's answers are read. */
const SETTINGS: DeliverySettings = { sourceSystem: 'SE2321000016-SRC1', dataController: '2321000016', contractVersion: '1.1', endpointHsaId: 'SE2321000016-EI01' };
const state = (id: number, overrides: Partial<AppointmentState> = {}): AppointmentState => ({
  appointmentId: `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`, markerIds: [String(id)], resend: false, found: true, status: 'BOOKED',
  anonymous: false, future: true, resident: '191212121212', centreHsaId: 'SE2321000016-C1', takesPart: true, mirror: false,
  startContent: '20301212090000', changeContent: '20301201080000', posted: null, ...overrides,
});
const postedOf = (s: AppointmentState, overrides: Record<string, string> = {}) => ({
  registeredResidentIdentification: s.resident!, serviceDomain: 'riv:crm:scheduling', logicalAddress: s.centreHsaId!,
  businessObjectInstanceIdentifier: s.appointmentId, sourceSystem: SETTINGS.sourceSystem, dataController: SETTINGS.dataController,
  mostRecentContent: s.startContent!, ...overrides,
});

describe('engagement index rules', () => {
  it('never splits an appointment\'s delete-and-create across Updates: it waits for the next one when 1,000 would be passed', () => {
    const states = Array.from({ length: 999 }, (_, i) => state(i));
    const moved = state(999);
    states.push({ ...moved, posted: postedOf(moved, { logicalAddress: 'SE2321000016-OLD' }) }, state(1000));
    const { planned, transactions } = planUpdate(states, SETTINGS);
    expect(planned).toHaveLength(999);
    expect(transactions).toHaveLength(999);
    const next = planUpdate(states.slice(999), SETTINGS);
    expect(next.transactions.map((t) => [t.deleteFlag, t.engagement.logicalAddress])).toEqual([
      [true, 'SE2321000016-OLD'], [false, 'SE2321000016-C1'], [false, 'SE2321000016-C1'],
    ]);
  });

  it('sends nothing for an unchanged post, the post again on a resend, an update when only mostRecentContent moved', () => {
    const s = state(1);
    const same = { ...s, posted: postedOf(s) };
    expect(transactionsFor(same, postedOf(s))).toEqual([]);
    expect(transactionsFor({ ...same, resend: true }, postedOf(s))).toHaveLength(1);
    expect(transactionsFor(same, postedOf(s, { mostRecentContent: '20301213090000' }))).toEqual([
      { deleteFlag: false, engagement: postedOf(s, { mostRecentContent: '20301213090000' }) },
    ]);
  });

  it('every Update careslot builds validates against the official XSD, deletes without mostRecentContent', async () => {
    const created = state(1);
    const cancelled = state(2, { status: 'CANCELLED' });
    const { transactions } = planUpdate([created, { ...cancelled, posted: postedOf(cancelled) }], SETTINGS);
    expect(transactions.map((t) => [t.deleteFlag, t.engagement.mostRecentContent])).toEqual([[false, '20301212090000'], [true, undefined]]);
    expect(await schemaErrors(updateEnvelope(SETTINGS.endpointHsaId, transactions))).toEqual([]);
    // The check can fail: a time that is no TS is refused.
    expect(await schemaErrors(updateEnvelope(SETTINGS.endpointHsaId, [{ deleteFlag: false, engagement: { ...postedOf(created), mostRecentContent: '2030-12-12' } }]))).not.toEqual([]);
  });

  it('reads the index\'s answers: OK and INFO delivered, ERROR final with its comment, faults and 5xx retried', () => {
    const body = (code: string, comment = '') => `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:UpdateResponse xmlns:u="urn:riv:itintegration:engagementindex:UpdateResponder:1"><u:ResultCode>${code}</u:ResultCode>${comment}</u:UpdateResponse></s:Body></s:Envelope>`;
    expect(readUpdateAnswer(200, body('OK'))).toEqual({ kind: 'OK' });
    expect(readUpdateAnswer(200, body('INFO'))).toEqual({ kind: 'OK' });
    expect(readUpdateAnswer(200, body('ERROR', '<u:comment>Bad &amp; wrong</u:comment>'))).toEqual({ kind: 'ERROR', comment: 'Bad & wrong' });
    expect(readUpdateAnswer(500, '<s:Envelope><s:Body><s:Fault><faultcode>s:Server</faultcode><faultstring>down</faultstring></s:Fault></s:Body></s:Envelope>'))
      .toEqual({ kind: 'RETRY', reason: 'SOAP fault: down' });
    expect(readUpdateAnswer(503, '')).toEqual({ kind: 'RETRY', reason: 'HTTP 503' });
    expect(readUpdateAnswer(200, '<html/>')).toEqual({ kind: 'RETRY', reason: 'HTTP 200: no UpdateResponse' });
  });
});
