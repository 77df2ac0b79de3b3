import { DEFAULT_CLASSIFICATIONS, type FieldClassification } from './classification.js';
import type { AgreementDocument } from './document.js';
import type { NationalRule } from './national-rules.js';
import { compileSharingPolicy, type Lifecycle, type PolicyAgreement, type SharingPolicy } from './policy.js';
import type { JsonObject } from './redaction.js';
import { agreementFromTemplate } from './templates.js';

/** Fixtures for the module's tests and benchmark; not part of the public surface. */

export const DAY_MS = 86_400_000;
/** A moment inside the validity of every fixture agreement. */
export const T0 = Date.parse('2026-03-01T12:00:00Z');
export const TEST_SECRET = Buffer.alloc(32, 7);

/** A CMAA between two administrations from the template, valid from 2026-01-01. */
export function cmaa(a: string, b: string, validity = { from: '2026-01-01', until: null as string | null }) {
  return agreementFromTemplate('cmaa', { parties: [a, b], today: '2026-01-01', validity });
}

/** An agreement signed by every party, in the given lifecycle state. */
export function signed(document: AgreementDocument, lifecycle: Lifecycle = { state: 'active' }): PolicyAgreement {
  return { id: document.id, latest: document, signedVersions: [document], lifecycle };
}

/** An agreement no party (or not every party) has signed. */
export function unsigned(document: AgreementDocument): PolicyAgreement {
  return { id: document.id, latest: document, signedVersions: [], lifecycle: { state: 'active' } };
}

export function testPolicy(input: {
  self: string;
  agreements: PolicyAgreement[];
  rules?: NationalRule[];
  classifications?: Record<string, FieldClassification>;
}): SharingPolicy {
  return compileSharingPolicy({
    self: input.self,
    agreements: input.agreements,
    rules: input.rules ?? [],
    classifications: input.classifications ?? DEFAULT_CLASSIFICATIONS,
    pseudonymSecret: TEST_SECRET,
  });
}

export function nationalRule(overrides: Partial<NationalRule>): NationalRule {
  return {
    id: 'rule-1',
    title: 'test rule',
    legalReference: 'Customs Act s. 1',
    direction: 'outbound',
    partners: ['*'],
    categories: ['*'],
    purposes: ['*'],
    deny: false,
    fields: {},
    maxRetentionDays: null,
    forbidOnwardTransfer: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/**
 * A declaration-like record (about 1.3 KB as JSON): three parties, five goods items, totals, transport, a risk
 * note. `variant` changes the parties' names and the values, so a series of records is not one record repeated.
 */
export function sampleDeclaration(variant = 0): JsonObject {
  return {
    ucr: `6NL123456789-2026-${String(variant).padStart(6, '0')}`,
    type: 'EX',
    lodgedAt: '2026-03-14T09:26:53.589Z',
    functionalReference: `LRN-${variant}`,
    office: { exit: 'NLRTM', export: 'NLAMS' },
    parties: {
      exporter: {
        role: 'exporter',
        name: `Müller & Söhne Logistik B.V. ${variant % 50}`,
        eori: `NL${123456789 + (variant % 50)}`,
        address: { street: 'Waalhaven 12', city: 'Rotterdam', country: 'NL' },
      },
      consignee: {
        role: 'consignee',
        name: `新加坡贸易私人有限公司 ${variant % 40}`,
        id: 'SG201912345K',
        address: { street: '1 Harbourfront Ave', city: 'Singapore', country: 'SG' },
      },
      declarant: { role: 'declarant', name: 'Ørsted Customs Brokers', eori: 'NL987654321' },
    },
    transport: { mode: 1, vessel: 'MSC Gülsün', imo: 9839430, containers: ['MSCU1234565', 'MSCU7654328'] },
    goods: [
      {
        seq: 1,
        hs: '851762',
        description: 'Routers',
        origin: 'CN',
        qty: 1200,
        unit: 'NAR',
        mass: 1834.5,
        value: 71999.99 + variant,
      },
      {
        seq: 2,
        hs: '847130',
        description: 'Laptops',
        origin: 'CN',
        qty: 300,
        unit: 'NAR',
        mass: 657.25,
        value: 239700,
      },
      {
        seq: 3,
        hs: '090111',
        description: 'Green coffee',
        origin: 'BR',
        qty: 18,
        unit: 'KGM',
        mass: 1.8e4,
        value: 63000.5,
      },
      {
        seq: 4,
        hs: '300490',
        description: 'Medicaments',
        origin: 'IN',
        qty: 5000,
        unit: 'NAR',
        mass: 0.125,
        value: 1e5,
      },
      {
        seq: 5,
        hs: '610910',
        description: 'T-shirts',
        origin: 'BD',
        qty: 2400,
        unit: 'NAR',
        mass: 480.3,
        value: 9600.1,
      },
    ],
    totals: { items: 5, value: 484300.58 + variant, currency: 'EUR' },
    risk: { score: 71, notes: 'consignee linked to 2025 seizure SG-2025-0413', profile: 'RP-17' },
    flags: { prearrival: true, aeo: false, note: null },
  };
}
