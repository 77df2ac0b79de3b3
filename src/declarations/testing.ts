import type { Declaration } from './model.js';

/**
 * A small, valid import declaration (two goods items, HS 2022, USD values) for tests and examples. Each call returns
 * a fresh copy, so a test may change it.
 */
export function sampleDeclaration(overrides: Partial<Declaration> = {}): Declaration {
  return {
    type: 'import',
    procedure: '4000',
    functionalReference: 'LRN-2024-000042',
    ucr: '4NL123456789-LRN42',
    dates: { lodged: '2024-03-14', expectedArrival: '2024-03-20' },
    declarant: {
      name: 'Ørsted Customs Brokers B.V.',
      identifiers: [{ scheme: 'EORI', value: 'NL987654321' }],
      address: { city: 'Rotterdam', country: 'NL' },
    },
    exporter: {
      name: '深圳华信电子有限公司',
      address: { line: '88 Keji Road', city: 'Shenzhen', country: 'CN' },
    },
    importer: {
      name: 'Müller & Söhne Logistik B.V.',
      identifiers: [{ scheme: 'EORI', value: 'NL123456789' }],
      address: { city: 'Rotterdam', country: 'NL' },
      aeo: { status: 'AEOF', certificate: 'NLAEOF00042' },
    },
    carrier: { name: 'Mediterranean Shipping Company', identifiers: [{ scheme: 'TIN', value: 'CH1234567' }] },
    transport: { mode: 'sea', meansType: 'imo', meansId: '9074729', nationality: 'PA' },
    places: { loading: 'CNSHA', unloading: 'NLRTM' },
    dispatchCountry: 'CN',
    destinationCountry: 'NL',
    containers: ['CSQU3054383', 'TCNU7200794'],
    items: [
      {
        sequence: 1,
        description: 'Smartphones',
        hs: { code: '85171300', edition: 2022 },
        origin: 'CN',
        quantity: { value: 1000, unit: 'C62' },
        grossMass: { value: 260, unit: 'KGM' },
        netMass: { value: 200, unit: 'KGM' },
        customsValue: { amount: 250000, currency: 'USD' },
        packages: { count: 50, type: 'CT' },
        documents: [{ type: 'N954', id: 'COO-CN-123456', issuedOn: '2024-03-01' }],
      },
      {
        sequence: 2,
        description: 'Portable computers',
        hs: { code: '847130', edition: 2022 },
        origin: 'CN',
        quantity: { value: 200, unit: 'C62' },
        grossMass: { value: 0.5, unit: 'TNE' },
        netMass: { value: 400, unit: 'KGM' },
        customsValue: { amount: 120000, currency: 'USD' },
        packages: { count: 20, type: 'CT' },
      },
    ],
    totals: {
      itemCount: 2,
      packages: 70,
      grossMass: { value: 760, unit: 'KGM' },
      invoice: { amount: 370000, currency: 'USD' },
    },
    ...overrides,
  };
}
