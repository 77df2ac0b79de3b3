import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../kernel/index.js';
import { type AgreementView, signAgreement } from '../../agreements/index.js';
import { sessionHeaders, startTestNode, TEST_PASSWORD, type TestNode } from '../testing.js';

let t: TestNode;
let admin: Record<string, string>;
let officer: Record<string, string>;
const sg = generateSigningKey();
const ke = generateSigningKey();

beforeAll(async () => {
  t = await startTestNode({ administration: 'NL' });
  admin = sessionHeaders(await t.login());
  await t.node.identity.createUser({ username: 'officer', password: TEST_PASSWORD, roles: ['officer'] });
  officer = sessionHeaders(await t.login('officer'));
});
afterAll(async () => {
  await t.close();
});

function expectProblem(
  response: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
  status: number,
  code: string,
) {
  expect(response.statusCode).toBe(status);
  expect(String(response.headers['content-type'])).toMatch(/^application\/problem\+json/);
  expect(response.json()).toMatchObject({ status, code, type: `urn:concord:problem:${code}` });
}

const post = (url: string, payload: unknown, headers = admin) =>
  t.app.inject({ method: 'POST', url, payload: payload as object, headers });
const get = (url: string, headers = admin) => t.app.inject({ url, headers });

/** A small declaration-like record: a natural person, goods with values, a risk note. */
const declaration = {
  ucr: '6NL123456789-2026-000042',
  parties: {
    exporter: {
      role: 'exporter',
      name: 'Müller & Söhne Logistik B.V.',
      eori: 'NL123456789',
      address: { city: 'Rotterdam', country: 'NL' },
    },
    consignee: { role: 'consignee', name: 'Lim Trading', id: 'SG201912345K' },
  },
  goods: [{ seq: 1, hs: '851762', description: 'Routers', qty: 1200, value: 71999.99 }],
  risk: { score: 71, notes: 'consignee linked to a 2025 seizure' },
};

const decideBody = {
  receiver: 'SG',
  category: 'declaration.prearrival',
  purpose: 'risk-assessment',
  record: declaration,
};

describe('agreement parties', () => {
  it('registers partner keys (admin only) and lists them after the node’s own', async () => {
    expectProblem(
      await post('/api/v1/agreement-parties', { party: 'SG', jwk: sg.publicJwk }, officer),
      403,
      'AUTH_FORBIDDEN',
    );
    expect((await post('/api/v1/agreement-parties', { party: 'SG', jwk: sg.publicJwk })).statusCode).toBe(201);
    expect((await post('/api/v1/agreement-parties', { party: 'KE', jwk: ke.publicJwk })).statusCode).toBe(201);
    expectProblem(
      await post('/api/v1/agreement-parties', { party: 'JP', jwk: { kty: 'OKP', crv: 'Ed25519', x: 'short' } }),
      400,
      'KEY_INVALID',
    );
    const listed = (await get('/api/v1/agreement-parties')).json() as { items: { party: string; own: boolean }[] };
    expect(listed.items.map((k) => [k.party, k.own])).toEqual([
      ['NL', true],
      ['KE', false],
      ['SG', false],
    ]);
  });
});

describe('POST /api/v1/agreements/drafts', () => {
  it('returns the template’s draft document without storing anything', async () => {
    const before = (await get('/api/v1/agreements')).json() as { items: unknown[] };
    const response = await post('/api/v1/agreements/drafts', {
      template: 'convention',
      parties: ['SG', 'NL', 'KE'],
      validity: { from: '2025-01-01', until: null },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      kind: 'multilateral-convention',
      parties: ['KE', 'NL', 'SG'],
      version: 1,
      validity: { from: '2025-01-01', until: null },
    });
    expect((await get('/api/v1/agreements')).json()).toEqual(before);
  });

  it('refuses an unknown template with REQUEST_INVALID', async () => {
    expectProblem(
      await post('/api/v1/agreements/drafts', { template: 'treaty', parties: ['NL', 'SG'] }),
      400,
      'REQUEST_INVALID',
    );
  });
});

describe('POST /api/v1/agreements', () => {
  it('creates a CMAA from the template, pending signatures, and audits it', async () => {
    const response = await post('/api/v1/agreements', {
      template: 'cmaa',
      parties: ['NL', 'SG'],
      validity: { from: '2020-01-01', until: null },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({
      id: 'cmaa-nl-sg',
      status: 'pending-signatures',
      versions: [{ version: 1, missingSignatures: ['NL', 'SG'] }],
    });
    const audit = await t.node.identity.audit.list({ action: 'agreement.create' });
    expect(audit.items[0]).toMatchObject({ actor: 'admin', targetId: 'cmaa-nl-sg', outcome: 'success' });
  });

  it('refuses an unknown party with AGREEMENT_PARTY_UNKNOWN, and officers with AUTH_FORBIDDEN', async () => {
    expectProblem(
      await post('/api/v1/agreements', { template: 'cmaa', parties: ['NL', 'JP'] }),
      400,
      'AGREEMENT_PARTY_UNKNOWN',
    );
    expectProblem(
      await post('/api/v1/agreements', { template: 'aeo-mra', parties: ['NL', 'SG'] }, officer),
      403,
      'AUTH_FORBIDDEN',
    );
  });

  it('refuses a malformed document with AGREEMENT_INVALID naming the fields, and unknown body fields with REQUEST_INVALID', async () => {
    const response = await post('/api/v1/agreements', { document: { id: 'x' } });
    expectProblem(response, 400, 'AGREEMENT_INVALID');
    expect((response.json() as { errors: unknown[] }).errors.length).toBeGreaterThan(0);
    expectProblem(
      await post('/api/v1/agreements', { template: 'cmaa', parties: ['NL', 'SG'], signed: true }),
      400,
      'REQUEST_INVALID',
    );
  });
});

describe('POST /api/v1/agreements/{id}/signatures', () => {
  it('signs as this node, then verifies and stores the partner’s signature: the agreement is in force', async () => {
    const signedByNl = (await post('/api/v1/agreements/cmaa-nl-sg/signatures', {})).json() as AgreementView;
    expect(signedByNl.versions[0]!.missingSignatures).toEqual(['SG']);
    expect((await post('/api/v1/sharing/decide', decideBody)).json()).toMatchObject({
      allowed: false,
      code: 'SHARING_AGREEMENT_NOT_IN_FORCE',
    });
  });

  it('refuses a signature that does not verify (AGREEMENT_SIGNATURE_INVALID) and one by a non-party (AGREEMENT_SIGNER_NOT_PARTY)', async () => {
    const document = ((await get('/api/v1/agreements/cmaa-nl-sg')).json() as AgreementView).versions[0]!.document;
    const byKe = signAgreement(document, ke).signature;
    expectProblem(
      await post('/api/v1/agreements/cmaa-nl-sg/signatures', { party: 'SG', version: 1, signature: byKe }),
      400,
      'AGREEMENT_SIGNATURE_INVALID',
    );
    expectProblem(
      await post('/api/v1/agreements/cmaa-nl-sg/signatures', { party: 'KE', version: 1, signature: byKe }),
      403,
      'AGREEMENT_SIGNER_NOT_PARTY',
    );
    const bySg = signAgreement(document, sg).signature;
    const response = await post('/api/v1/agreements/cmaa-nl-sg/signatures', {
      party: 'SG',
      version: 1,
      signature: bySg,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'in-force', inForceVersion: 1 });
    expectProblem(await post('/api/v1/agreements/cmaa-nl-sg/signatures', {}), 409, 'AGREEMENT_ALREADY_SIGNED');
  });
});

describe('reading agreements', () => {
  it('lists, shows and returns versions to any signed-in user; an unknown one is AGREEMENT_UNKNOWN', async () => {
    const list = (await get('/api/v1/agreements', officer)).json() as { items: { id: string; status: string }[] };
    expect(list.items).toMatchObject([{ id: 'cmaa-nl-sg', status: 'in-force' }]);
    const version = (await get('/api/v1/agreements/cmaa-nl-sg/versions/1', officer)).json() as {
      document: { clauses: unknown[] };
    };
    expect(version.document.clauses).toHaveLength(6);
    expect(
      ((await get('/api/v1/agreements/cmaa-nl-sg/versions', officer)).json() as { items: unknown[] }).items,
    ).toHaveLength(1);
    expectProblem(await get('/api/v1/agreements/cmaa-nl-xx'), 404, 'AGREEMENT_UNKNOWN');
    expectProblem(await get('/api/v1/agreements/cmaa-nl-sg/versions/9'), 404, 'AGREEMENT_VERSION_UNKNOWN');
  });
});

describe('POST /api/v1/sharing/decide', () => {
  it('answers allowed with the treatment of each field, the redacted record and the clause', async () => {
    const response = await post('/api/v1/sharing/decide', decideBody, officer);
    expect(response.statusCode).toBe(200);
    const decision = response.json() as {
      allowed: boolean;
      record: Record<string, unknown>;
      fields: Record<string, string>;
    };
    expect(decision).toMatchObject({
      allowed: true,
      basis: { agreementId: 'cmaa-nl-sg', clause: 'prearrival-nl-sg', articles: [{ article: 'Art. 7' }] },
      fields: { '/parties/exporter/name': 'pseudonymized', '/risk': 'withheld' },
    });
    expect(decision.record.risk).toBeUndefined();
    expect(JSON.stringify(decision.record)).not.toContain('Müller');
  });

  it('answers denied with its code and reasons', async () => {
    const response = await post('/api/v1/sharing/decide', { ...decideBody, purpose: 'statistics' });
    expect(response.json()).toMatchObject({ allowed: false, code: 'SHARING_PURPOSE_NOT_ALLOWED', record: null });
    const other = await post('/api/v1/sharing/decide', { ...decideBody, receiver: 'KE' });
    expect(other.json()).toMatchObject({ allowed: false, code: 'SHARING_NO_AGREEMENT' });
  });
});

describe('national rules', () => {
  const rule = {
    title: 'No personal data to SG',
    legalReference: 'Customs Act s. 12(3)',
    direction: 'outbound',
    partners: ['SG'],
    categories: ['*'],
    purposes: ['*'],
    deny: false,
    fields: { personal: 'withheld' },
    maxRetentionDays: null,
    forbidOnwardTransfer: false,
  };

  it('are created, read, replaced and removed, and the stricter rule wins at once', async () => {
    const created = await post('/api/v1/national-rules', rule);
    expect(created.statusCode).toBe(201);
    const { id } = created.json() as { id: string };
    expect((await post('/api/v1/sharing/decide', decideBody)).json()).toMatchObject({
      treatment: { personal: 'withheld' },
    });

    const replaced = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/national-rules/${id}`,
      payload: { ...rule, deny: true },
      headers: admin,
    });
    expect(replaced.json()).toMatchObject({ id, deny: true });
    expect((await post('/api/v1/sharing/decide', decideBody)).json()).toMatchObject({
      allowed: false,
      code: 'SHARING_NATIONAL_RULE',
    });
    expect(((await get('/api/v1/national-rules', officer)).json() as { items: unknown[] }).items).toHaveLength(1);

    expect(
      (await t.app.inject({ method: 'DELETE', url: `/api/v1/national-rules/${id}`, headers: admin })).statusCode,
    ).toBe(204);
    expectProblem(await get(`/api/v1/national-rules/${id}`), 404, 'SHARING_RULE_UNKNOWN');
    expect((await post('/api/v1/sharing/decide', decideBody)).json()).toMatchObject({ allowed: true });
  });

  it('refuses a rule that restricts nothing with SHARING_RULE_INVALID', async () => {
    expectProblem(await post('/api/v1/national-rules', { ...rule, fields: {} }), 400, 'SHARING_RULE_INVALID');
  });
});

describe('suspension, amendment and termination', () => {
  it('suspend stops exchange at once; resume restores it; terminate ends it for good; each is logged', async () => {
    expect((await post('/api/v1/agreements/cmaa-nl-sg/suspend', { reason: 'consultations' })).json()).toMatchObject({
      status: 'suspended',
    });
    expect((await post('/api/v1/sharing/decide', decideBody)).json()).toMatchObject({
      code: 'SHARING_AGREEMENT_SUSPENDED',
    });
    expectProblem(await post('/api/v1/agreements/cmaa-nl-sg/suspend', { reason: 'again' }), 409, 'AGREEMENT_SUSPENDED');
    expect((await post('/api/v1/agreements/cmaa-nl-sg/resume', { reason: 'resolved' })).json()).toMatchObject({
      status: 'in-force',
    });

    const current = ((await get('/api/v1/agreements/cmaa-nl-sg')).json() as AgreementView).versions[0]!.document;
    const { version: _v, supersedes: _s, ...draft } = { ...current, title: 'Amended CMAA' };
    const amended = await post('/api/v1/agreements/cmaa-nl-sg/versions', { document: draft });
    expect(amended.statusCode).toBe(201);
    expect(amended.json()).toMatchObject({ latestVersion: 2, inForceVersion: 1 });

    expect((await post('/api/v1/agreements/cmaa-nl-sg/terminate', { reason: 'replaced' })).json()).toMatchObject({
      status: 'terminated',
    });
    expect((await post('/api/v1/sharing/decide', decideBody)).json()).toMatchObject({
      code: 'SHARING_AGREEMENT_TERMINATED',
    });
    expectProblem(await post('/api/v1/agreements/cmaa-nl-sg/signatures', { version: 2 }), 409, 'AGREEMENT_TERMINATED');

    expectProblem(await get('/api/v1/agreements/cmaa-nl-sg/events', officer), 403, 'AUTH_FORBIDDEN');
    const events = (await get('/api/v1/agreements/cmaa-nl-sg/events')).json() as {
      items: { event: { type: string } }[];
    };
    expect(events.items.map((e) => e.event.type)).toEqual([
      'agreement.created',
      'agreement.signed',
      'agreement.signed',
      'agreement.suspended',
      'agreement.resumed',
      'agreement.amended',
      'agreement.terminated',
    ]);
  });
});
