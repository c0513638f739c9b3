import { NOT_APPLICABLE, type EngagementTransaction } from './engagement-index.rules';

/**
 * The Update call of RIVTA BP 2.1 (UpdateInteraction_1.0_RIVTABP21.wsdl): a SOAP 1.1 envelope whose
 * header carries the logical address (the index's own HSA-id) and whose body is an `Update` of
 * UpdateResponder_1.0.xsd. Element order follows the schema's sequences.
 */
export const UPDATE_SOAP_ACTION = 'urn:riv:itintegration:engagementindex:UpdateResponder:1:Update';
const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const REGISTRY_NS = 'urn:riv:itintegration:registry:1';
const RESPONDER_NS = 'urn:riv:itintegration:engagementindex:UpdateResponder:1';
const CORE_NS = 'urn:riv:itintegration:engagementindex:1';

const escapeXml = (value: string): string => value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&apos;' })[c]!);
const element = (name: string, value: string): string => `<ei:${name}>${escapeXml(value.trim())}</ei:${name}>`;

function transactionXml({ deleteFlag, engagement }: EngagementTransaction): string {
  return '<upd:engagementTransaction>'
    + element('deleteFlag', String(deleteFlag))
    + '<ei:engagement>'
    + element('registeredResidentIdentification', engagement.registeredResidentIdentification)
    + element('serviceDomain', engagement.serviceDomain)
    + element('categorization', NOT_APPLICABLE)
    + element('logicalAddress', engagement.logicalAddress)
    + element('businessObjectInstanceIdentifier', engagement.businessObjectInstanceIdentifier)
    + element('clinicalProcessInterestId', NOT_APPLICABLE)
    + (engagement.mostRecentContent === undefined ? '' : element('mostRecentContent', engagement.mostRecentContent))
    + element('sourceSystem', engagement.sourceSystem)
    + element('dataController', engagement.dataController)
    + '</ei:engagement></upd:engagementTransaction>';
}

export function updateEnvelope(logicalAddress: string, transactions: EngagementTransaction[]): string {
  return '<?xml version="1.0" encoding="UTF-8"?>'
    + `<soapenv:Envelope xmlns:soapenv="${SOAP_NS}" xmlns:itr="${REGISTRY_NS}" xmlns:upd="${RESPONDER_NS}" xmlns:ei="${CORE_NS}">`
    + `<soapenv:Header><itr:LogicalAddress>${escapeXml(logicalAddress.trim())}</itr:LogicalAddress></soapenv:Header>`
    + `<soapenv:Body><upd:Update>${transactions.map(transactionXml).join('')}</upd:Update></soapenv:Body>`
    + '</soapenv:Envelope>';
}

export type UpdateAnswer =
  | { kind: 'OK' }
  | { kind: 'ERROR'; comment: string }
  /** Worth another try later: a SOAP fault, a 5xx, an answer that is no UpdateResponse. */
  | { kind: 'RETRY'; reason: string };

const unescapeXml = (value: string): string => value
  .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, '\'')
  .replace(/&#(x?)([0-9a-fA-F]+);/g, (_m, hex: string, code: string) => String.fromCodePoint(parseInt(code, hex ? 16 : 10)))
  .replace(/&amp;/g, '&');

/** The text of the first element with this local name (any prefix), or undefined. */
function textOf(xml: string, localName: string): string | undefined {
  const match = new RegExp(`<(?:[A-Za-z_][\\w.-]*:)?${localName}(?:\\s[^>]*)?>([^<]*)</(?:[A-Za-z_][\\w.-]*:)?${localName}>`).exec(xml);
  return match ? unescapeXml(match[1]).trim() : undefined;
}

const clip = (text: string): string => (text.length > 500 ? `${text.slice(0, 500)}…` : text);

/** Reads the index's answer: ResultCode OK or INFO is delivered, ERROR is final; a fault or anything else is retried. */
export function readUpdateAnswer(status: number, body: string): UpdateAnswer {
  if (/<(?:[\w.-]+:)?Fault[\s>]/.test(body)) return { kind: 'RETRY', reason: clip(`SOAP fault: ${textOf(body, 'faultstring') ?? textOf(body, 'faultcode') ?? 'no fault string'}`) };
  if (status >= 500) return { kind: 'RETRY', reason: `HTTP ${status}` };
  const resultCode = textOf(body, 'ResultCode');
  if (status >= 200 && status < 300 && (resultCode === 'OK' || resultCode === 'INFO')) return { kind: 'OK' };
  if (status >= 200 && status < 300 && resultCode === 'ERROR') return { kind: 'ERROR', comment: clip(textOf(body, 'comment') ?? 'ResultCode ERROR without a comment') };
  return { kind: 'RETRY', reason: `HTTP ${status}: no UpdateResponse` };
}
