import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { validateXML } from 'xmllint-wasm';
import type { CertificateAuthority } from './tls-certificates';

/**
 * A stand-in for the national engagement index: a real HTTPS server that demands a client
 * certificate of the test's CA (mutual TLS), validates every Update against the official XSD (the
 * copy in specs/engagementindex, through xmllint-wasm) and against the index's own rules, keeps
 * the resulting index, and answers OK, ResultCode ERROR, a SOAP fault or a 503 on demand.
 */
export const EI_HSA_ID = 'SE2321000016-EI01';
const RESERVED_HSA_IDS = [EI_HSA_ID, 'SE2321000016-RSVD'];
const SPECS = join(__dirname, '..', '..', 'specs', 'engagementindex');
const SOAP_ACTION = 'urn:riv:itintegration:engagementindex:UpdateResponder:1:Update';

/** The WSDL's binding as a schema: header part LogicalAddress, body part Update (the contract's own XSDs do the rest). */
const ENVELOPE_XSD = `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://schemas.xmlsoap.org/soap/envelope/"
  xmlns:itr="urn:riv:itintegration:registry:1" xmlns:upd="urn:riv:itintegration:engagementindex:UpdateResponder:1" elementFormDefault="qualified">
  <xs:import namespace="urn:riv:itintegration:registry:1" schemaLocation="core_components/itintegration_registry_1.0.xsd"/>
  <xs:import namespace="urn:riv:itintegration:engagementindex:UpdateResponder:1" schemaLocation="interactions/UpdateInteraction/UpdateResponder_1.0.xsd"/>
  <xs:element name="Envelope"><xs:complexType><xs:sequence>
    <xs:element name="Header"><xs:complexType><xs:sequence><xs:element ref="itr:LogicalAddress"/></xs:sequence></xs:complexType></xs:element>
    <xs:element name="Body"><xs:complexType><xs:sequence><xs:element ref="upd:Update"/></xs:sequence></xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>`;

const SCHEMA_FILES = ['core_components/itintegration_registry_1.0.xsd', 'core_components/itintegration_engagementindex_1.0.xsd', 'interactions/UpdateInteraction/UpdateResponder_1.0.xsd']
  .map((fileName) => ({ fileName, contents: readFileSync(join(SPECS, fileName)) }));

/** Validates a SOAP Update envelope against the official XSD; answers xmllint's errors (none: valid). */
export async function schemaErrors(xml: string): Promise<string[]> {
  const result = await validateXML({
    xml: { fileName: 'update.xml', contents: xml },
    schema: { fileName: 'envelope.xsd', contents: ENVELOPE_XSD },
    preload: SCHEMA_FILES,
  });
  return result.valid ? [] : result.errors.map((error) => error.message);
}

export const KEY_FIELDS = ['registeredResidentIdentification', 'serviceDomain', 'categorization', 'logicalAddress', 'businessObjectInstanceIdentifier', 'sourceSystem', 'dataController', 'owner', 'clinicalProcessInterestId'] as const;
const MANDATORY = ['registeredResidentIdentification', 'serviceDomain', 'categorization', 'logicalAddress', 'businessObjectInstanceIdentifier', 'clinicalProcessInterestId', 'sourceSystem', 'dataController'] as const;
const MAX_LENGTH: Record<string, number> = {
  registeredResidentIdentification: 32, serviceDomain: 255, categorization: 255, logicalAddress: 64, businessObjectInstanceIdentifier: 128,
  clinicalProcessInterestId: 128, sourceSystem: 64, dataController: 64, owner: 64, mostRecentContent: 14, creationTime: 14, updateTime: 14,
};

export type Engagement = Record<string, string>;
export interface Transaction { deleteFlag: boolean; engagement: Engagement }
export type Answer = 'OK' | 'ERROR' | 'FAULT' | 'UNAVAILABLE';
export interface ReceivedUpdate { at: number; logicalAddress: string; transactions: Transaction[]; answer: Answer; problems: string[]; xml: string }

interface XmlNode { name: string; children: XmlNode[]; text: string }

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: '\'' };
const decode = (text: string) => text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|\w+);/g, (_m, entity: string) =>
  entity.startsWith('#x') ? String.fromCodePoint(parseInt(entity.slice(2), 16)) : entity.startsWith('#') ? String.fromCodePoint(Number(entity.slice(1))) : ENTITIES[entity] ?? `&${entity};`);

/** Enough XML for a document xmllint already validated: elements by local name, text, no mixed content. */
function parseXml(xml: string): XmlNode {
  const root: XmlNode = { name: '#document', children: [], text: '' };
  const stack = [root];
  for (const token of xml.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g, '').match(/<[^>]+>|[^<]+/g) ?? []) {
    if (token.startsWith('</')) stack.pop();
    else if (token.startsWith('<')) {
      const node: XmlNode = { name: /^<\s*([^\s/>]+)/.exec(token)![1].replace(/^[^:]*:/, ''), children: [], text: '' };
      stack[stack.length - 1].children.push(node);
      if (!token.endsWith('/>')) stack.push(node);
    } else stack[stack.length - 1].text += decode(token);
  }
  return root;
}
const child = (node: XmlNode | undefined, name: string) => node?.children.find((c) => c.name === name);

export const keyOf = (engagement: Engagement): string => KEY_FIELDS.map((field) => engagement[field] ?? '').join('|');

export interface EngagementIndexEndpoint {
  url: string;
  hsaId: string;
  /** The index: key → engagement (with mostRecentContent). */
  index: Map<string, Engagement>;
  received: ReceivedUpdate[];
  /** Requests refused by the schema or the rules (answered ERROR). */
  rejected: ReceivedUpdate[];
  /** Requests that did not present a client certificate of the CA (refused by TLS). */
  tlsRefusals: number;
  /** The answer to give to the next `count` valid requests (then OK again). */
  answerNext(answer: Answer, count?: number, comment?: string): void;
  close(): Promise<void>;
}

export async function startEngagementIndexEndpoint(ca: CertificateAuthority): Promise<EngagementIndexEndpoint> {
  const server = ca.issue('localhost', 'server');
  const index = new Map<string, Engagement>();
  const received: ReceivedUpdate[] = [];
  const rejected: ReceivedUpdate[] = [];
  let planned: Array<{ answer: Answer; comment: string }> = [];
  let tlsRefusals = 0;

  const check = (logicalAddress: string, transactions: Transaction[]): string[] => {
    const problems: string[] = [];
    if (logicalAddress !== EI_HSA_ID) problems.push('logical address is not the index\'s HSA-id');
    if (transactions.length < 1 || transactions.length > 1000) problems.push(`${transactions.length} transactions (1–1000 allowed)`);
    const keys = new Set<string>();
    for (const { deleteFlag, engagement } of transactions) {
      const key = keyOf(engagement);
      if (keys.has(key)) problems.push('two transactions on one key');
      keys.add(key);
      for (const field of MANDATORY) if (!engagement[field]) problems.push(`${field} is missing`);
      for (const [field, value] of Object.entries(engagement)) {
        if (value !== value.trim()) problems.push(`${field} has leading or trailing white space`);
        if (MAX_LENGTH[field] !== undefined && value.length > MAX_LENGTH[field]) problems.push(`${field} is too long`);
      }
      for (const field of ['logicalAddress', 'sourceSystem', 'owner']) if (RESERVED_HSA_IDS.includes(engagement[field])) problems.push(`${field} is a reserved HSA-id`);
      if (deleteFlag && engagement.mostRecentContent !== undefined) problems.push('a delete carries mostRecentContent');
      if (!deleteFlag && engagement.mostRecentContent === undefined) problems.push('a create carries no mostRecentContent');
    }
    return problems;
  };

  const respond = (res: import('node:http').ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'text/xml; charset=utf-8' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${body}</soap:Body></soap:Envelope>`);
  };
  const result = (code: 'OK' | 'ERROR', comment?: string) =>
    `<upd:UpdateResponse xmlns:upd="urn:riv:itintegration:engagementindex:UpdateResponder:1"><upd:ResultCode>${code}</upd:ResultCode>${comment ? `<upd:comment>${comment.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</upd:comment>` : ''}</upd:UpdateResponse>`;

  const httpsServer = https.createServer({ key: server.key, cert: server.cert, ca: [ca.cert], requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => void (async () => {
      const xml = Buffer.concat(chunks).toString('utf8');
      const update: ReceivedUpdate = { at: Date.now(), logicalAddress: '', transactions: [], answer: 'OK', problems: [], xml };
      received.push(update);
      if (req.method !== 'POST' || String(req.headers.soapaction ?? '').replace(/"/g, '') !== SOAP_ACTION || !/^text\/xml/.test(req.headers['content-type'] ?? '')) {
        update.problems.push('not a SOAP 1.1 Update call');
      } else {
        update.problems.push(...await schemaErrors(xml));
      }
      if (update.problems.length === 0) {
        const body = child(parseXml(xml).children[0], 'Body');
        update.logicalAddress = child(child(parseXml(xml).children[0], 'Header'), 'LogicalAddress')?.text ?? '';
        update.transactions = (child(body, 'Update')?.children ?? []).filter((node) => node.name === 'engagementTransaction').map((node) => ({
          deleteFlag: child(node, 'deleteFlag')!.text === 'true',
          engagement: Object.fromEntries(child(node, 'engagement')!.children.map((field) => [field.name, field.text])),
        }));
        update.problems.push(...check(update.logicalAddress, update.transactions));
      }
      if (update.problems.length > 0) {
        update.answer = 'ERROR';
        rejected.push(update);
        return respond(res, 200, result('ERROR', update.problems.join('; ')));
      }
      const next = planned.shift() ?? { answer: 'OK' as const, comment: '' };
      update.answer = next.answer;
      if (next.answer === 'UNAVAILABLE') {
        res.writeHead(503);
        return res.end();
      }
      if (next.answer === 'FAULT') return respond(res, 500, '<soap:Fault><faultcode>soap:Server</faultcode><faultstring>index temporarily unavailable</faultstring></soap:Fault>');
      if (next.answer === 'ERROR') return respond(res, 200, result('ERROR', next.comment || 'refused on demand'));
      for (const { deleteFlag, engagement } of update.transactions) {
        if (deleteFlag) index.delete(keyOf(engagement));
        else index.set(keyOf(engagement), engagement);
      }
      respond(res, 200, result('OK'));
    })());
  });
  httpsServer.on('tlsClientError', () => tlsRefusals++);
  await new Promise<void>((resolve) => httpsServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpsServer.address() as AddressInfo;
  return {
    url: `https://localhost:${port}/ei/Update/1/rivtabp21`, hsaId: EI_HSA_ID, index, received, rejected,
    get tlsRefusals() { return tlsRefusals; },
    answerNext(answer, count = 1, comment = '') {
      planned = Array.from({ length: count }, () => ({ answer, comment }));
    },
    close: () => new Promise<void>((resolve) => {
      httpsServer.closeAllConnections();
      httpsServer.close(() => resolve());
    }),
  };
}
