import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleDeclaration } from '../../declarations/index.js';
import { sessionHeaders, startTestNode, TEST_PASSWORD, type TestNode } from '../testing.js';

let t: TestNode;
let officer: { cookie: string; csrf: string };
let auditor: { cookie: string; csrf: string };

beforeAll(async () => {
  t = await startTestNode();
  await t.node.identity.createUser({ username: 'officer', password: TEST_PASSWORD, roles: ['officer'] });
  await t.node.identity.createUser({ username: 'auditor', password: TEST_PASSWORD, roles: ['auditor'] });
  officer = await t.login('officer');
  auditor = await t.login('auditor');
});
afterAll(async () => {
  await t.close();
});

const post = (payload: unknown, options: { url?: string; contentType?: string } = {}) =>
  t.app.inject({
    method: 'POST',
    url: options.url ?? '/api/v1/declarations',
    headers: { ...sessionHeaders(officer), ...(options.contentType ? { 'content-type': options.contentType } : {}) },
    payload: payload as string,
  });

describe('POST /api/v1/declarations', () => {
  it('lodges one declaration (201) and returns the stored one for a repeat (200, same id)', async () => {
    const first = await post(sampleDeclaration({ functionalReference: 'HTTP-1' }));
    expect(first.statusCode).toBe(201);
    const [result] = first.json<{ results: { id: string; status: string }[] }>().results;
    expect(result).toMatchObject({ status: 'created' });
    const again = await post(sampleDeclaration({ functionalReference: 'HTTP-1' }));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ results: [{ status: 'existing', id: result!.id }] });
  });

  it('reads a body of several megabytes (a file from the console), and refuses one over 16 MiB with 413', async () => {
    const line = JSON.stringify(sampleDeclaration({ functionalReference: 'BIG-1' }));
    // Over the 1 MiB of other routes: the declaration, then blank lines, which NDJSON skips.
    const body = line + '\n'.repeat(2 * 1024 * 1024);
    const big = await post(body, { contentType: 'application/x-ndjson' });
    expect(big.statusCode).toBe(201);
    expect(big.json()).toMatchObject({ results: [{ status: 'created', functionalReference: 'BIG-1' }] });
    const huge = await post(' '.repeat(16 * 1024 * 1024 + 1), { contentType: 'application/x-ndjson' });
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({ code: 'REQUEST_TOO_LARGE' });
  });

  it('refuses a single invalid declaration with 422 DECL_INVALID, each error with code and pointer', async () => {
    const bad = sampleDeclaration({ functionalReference: 'HTTP-BAD' });
    bad.containers = ['CONU1234567'];
    bad.items[0]!.origin = 'XZ';
    const response = await post(bad);
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({
      code: 'DECL_INVALID',
      errors: expect.arrayContaining([
        { pointer: '/containers/0', code: 'DECL_CONTAINER_CHECK_DIGIT', message: expect.any(String) },
        { pointer: '/items/0/origin', code: 'DECL_COUNTRY_UNKNOWN', message: expect.any(String) },
      ]),
    });
  });

  it('stores the good items of an NDJSON batch and reports the bad ones, malformed lines included', async () => {
    const body = [
      JSON.stringify(sampleDeclaration({ functionalReference: 'ND-1' })),
      '{"broken": ',
      JSON.stringify(sampleDeclaration({ functionalReference: 'ND-2' })),
    ].join('\n');
    const response = await post(body, { contentType: 'application/x-ndjson' });
    expect(response.statusCode).toBe(201);
    const { results } = response.json<{ results: { status: string; errors: { code: string }[] }[] }>();
    expect(results.map((r) => r.status)).toEqual(['created', 'rejected', 'created']);
    expect(results[1]!.errors[0]!.code).toBe('DECL_INPUT_MALFORMED');
  });

  it('stores nothing of an atomic array with a bad item: 422 DECL_BATCH_REJECTED with the results', async () => {
    const response = await post([sampleDeclaration({ functionalReference: 'AT-1' }), { type: 'import' }], {
      url: '/api/v1/declarations?atomic=true',
    });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({
      code: 'DECL_BATCH_REJECTED',
      results: [{ status: 'skipped' }, { status: 'rejected' }],
    });
    const list = await t.app.inject({ url: '/api/v1/declarations?limit=500', headers: sessionHeaders(officer) });
    expect(
      list.json<{ items: { functionalReference: string }[] }>().items.map((i) => i.functionalReference),
    ).not.toContain('AT-1');
  });

  it('refuses malformed JSON with REQUEST_MALFORMED_JSON and an auditor with AUTH_FORBIDDEN', async () => {
    const malformed = await post('{"type": ', { contentType: 'application/json' });
    expect(malformed.json()).toMatchObject({ code: 'REQUEST_MALFORMED_JSON' });
    const forbidden = await t.app.inject({
      method: 'POST',
      url: '/api/v1/declarations',
      headers: sessionHeaders(auditor),
      payload: sampleDeclaration() as never,
    });
    expect(forbidden.statusCode).toBe(403);
  });
});

describe('GET, amend and cancel', () => {
  it('reads a declaration with its canonical form and trace, amends it, cancels it, and keeps its history', async () => {
    const created = await post(sampleDeclaration({ functionalReference: 'LIFE-1' }));
    const id = created.json<{ results: { id: string }[] }>().results[0]!.id;

    const read = await t.app.inject({ url: `/api/v1/declarations/${id}`, headers: sessionHeaders(auditor) });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({
      id,
      canonical: { items: [{ hs: { code: '851713', edition: 2022 } }, {}] },
      trace: expect.arrayContaining([expect.objectContaining({ pointer: '/items/0/customsValue', rule: 'currency' })]),
    });

    const corrected = sampleDeclaration({ functionalReference: 'LIFE-1' });
    corrected.items[1]!.customsValue!.amount = 125000;
    corrected.totals!.invoice!.amount = 375000;
    const amended = await post(
      { reason: 'invoice corrected', declaration: corrected },
      {
        url: `/api/v1/declarations/${id}/amendments`,
      },
    );
    expect(amended.statusCode).toBe(200);
    expect(amended.json()).toMatchObject({ version: 2 });

    const cancelled = await post({ reason: 'goods not shipped' }, { url: `/api/v1/declarations/${id}/cancellation` });
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', cancellation: { by: 'officer' } });
    const again = await post({ reason: 'twice' }, { url: `/api/v1/declarations/${id}/cancellation` });
    expect(again.json()).toMatchObject({ status: 409, code: 'DECL_CANCELLED' });

    const versions = await t.app.inject({
      url: `/api/v1/declarations/${id}/versions`,
      headers: sessionHeaders(officer),
    });
    expect(versions.json<{ items: { version: number }[] }>().items.map((v) => v.version)).toEqual([1, 2]);

    const missing = await t.app.inject({ url: '/api/v1/declarations/nope', headers: sessionHeaders(officer) });
    expect(missing.json()).toMatchObject({ status: 404, code: 'DECL_UNKNOWN' });
  });

  it('lists with filters and a cursor', async () => {
    const first = await t.app.inject({
      url: '/api/v1/declarations?limit=1&type=import&hsChapter=85&origin=CN',
      headers: sessionHeaders(officer),
    });
    const page = first.json<{ items: unknown[]; nextCursor: string | null }>();
    expect(page.items).toHaveLength(1);
    expect(page.nextCursor).not.toBeNull();
    const bad = await t.app.inject({ url: '/api/v1/declarations?hsChapter=8', headers: sessionHeaders(officer) });
    expect(bad.json()).toMatchObject({ code: 'REQUEST_INVALID' });
    const found = await t.app.inject({
      url: '/api/v1/declarations?reference=http-1',
      headers: sessionHeaders(officer),
    });
    expect(found.json<{ items: { functionalReference: string }[] }>().items.map((i) => i.functionalReference)).toEqual([
      'HTTP-1',
    ]);
    const empty = await t.app.inject({ url: '/api/v1/declarations?reference=', headers: sessionHeaders(officer) });
    expect(empty.json()).toMatchObject({ code: 'REQUEST_INVALID' });
  });
});

describe('GET /api/v1/reference/hs', () => {
  it('gives an entry with its children, search hits and a translation between editions', async () => {
    const headers = sessionHeaders(officer);
    const entry = await t.app.inject({ url: '/api/v1/reference/hs/2022/8517', headers });
    expect(entry.json()).toMatchObject({ code: '8517', level: 'heading', children: expect.any(Array) });
    const search = await t.app.inject({ url: '/api/v1/reference/hs/search?q=coffee', headers });
    expect(search.json<{ items: unknown[] }>().items.length).toBeGreaterThan(0);
    const translated = await t.app.inject({
      url: '/api/v1/reference/hs/translate?from=2017&to=2022&code=851712',
      headers,
    });
    expect(translated.json()).toMatchObject({ from: 2017, to: 2022, code: '851712', exact: false });
    const unknown = await t.app.inject({ url: '/api/v1/reference/hs/2022/999999', headers });
    expect(unknown.json()).toMatchObject({ status: 404, code: 'REF_HS_CODE_UNKNOWN' });
  });
});

describe('POST /api/v1/declarations with CSV and WCO DM XML', () => {
  const SAMPLES = new URL('../../../../shared/data/customs-declarations/hmrc-cds/samples/', import.meta.url).pathname;
  const listed = async () =>
    (
      await t.app.inject({ method: 'GET', url: '/api/v1/declarations?limit=500', headers: sessionHeaders(officer) })
    ).json<{ items: { functionalReference: string }[] }>().items;

  it('lodges the declarations of a CSV body (text/csv), one row per goods item, and reports a bad row', async () => {
    const csv =
      'type,functional_reference,declarant_eori,lodged,importer_eori,description,hs_code,origin,customs_value,value_currency\n' +
      'import,CSV-1,NL987654321,2024-03-14,NL123456789,Smartphones,85171300,CN,1000,USD\n' +
      'import,CSV-1,NL987654321,2024-03-14,NL123456789,Laptops,847130,CN,2000,USD\n' +
      'import,CSV-2,NL987654321,2024-03-14,NL123456789,Tea,090210,CN,abc,USD\n';
    const response = await post(csv, { contentType: 'text/csv' });
    expect(response.statusCode).toBe(201);
    const { results } = response.json<{ results: { status: string; errors: { message: string }[] }[] }>();
    expect(results.map((r) => r.status)).toEqual(['created', 'rejected']);
    expect(results[1]!.errors[0]!.message).toContain('row 4');
  });

  it('lodges an HMRC CDS declaration (application/xml)', async () => {
    const xml = readFileSync(join(SAMPLES, 'IM001a_import_H1_declaration.xml'));
    const response = await post(xml, { contentType: 'application/xml' });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({
      results: [
        { status: 'created', notes: expect.arrayContaining([expect.objectContaining({ pointer: '/dates/lodged' })]) },
      ],
    });
  });

  it('applies an HMRC CDS amendment and invalidation to the declaration they name, and 404s an unknown one', async () => {
    const xml = (name: string) => readFileSync(join(SAMPLES, name));
    expect((await post(xml('IM011a_import_declaration.xml'), { contentType: 'application/xml' })).statusCode).toBe(201);
    const amended = await post(xml('IM011a_import_amendment.xml'), { contentType: 'application/xml' });
    expect(amended.statusCode).toBe(200);
    expect(amended.json()).toMatchObject({ results: [{ status: 'amended', functionalReference: '7849431M0ZUP' }] });
    const cancelled = await post(xml('IM011a_import_cancellation.xml'), { contentType: 'application/xml' });
    expect(cancelled.json()).toMatchObject({ results: [{ status: 'cancelled' }] });
    const unknown = await post(xml('IM002b_import_amendment.xml'), { contentType: 'application/xml' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'DECL_UNKNOWN' });
  });

  it('checks an XML declaration against the shipped HMRC CDS schemas with xsd=true, storing nothing it refuses', async () => {
    const xml = readFileSync(join(SAMPLES, 'EX039a_export_declaration.xml'), 'utf8');
    const url = '/api/v1/declarations?xsd=true';
    const before = (await listed()).length;
    const broken = xml.replace('<FunctionCode>9</FunctionCode>', '<FunctionCode>99</FunctionCode>');
    expect(broken).not.toBe(xml);
    const refused = await post(broken, { url, contentType: 'application/xml' });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({
      code: 'DECL_XSD_INVALID',
      errors: [{ pointer: '', line: expect.any(Number), message: expect.stringContaining('FunctionCode') }],
    });
    expect((await listed()).length).toBe(before);
    // Without the check the same document is only as good as the model needs: it is lodged.
    const valid = await post(xml, { url, contentType: 'application/xml' });
    expect(valid.statusCode).toBe(201);
    expect((await listed()).length).toBe(before + 1);
    const json = await post(sampleDeclaration({ functionalReference: 'XSD-JSON' }), { url });
    expect(json.statusCode).toBe(400);
    expect(json.json()).toMatchObject({ code: 'REQUEST_INVALID' });
  });

  it('refuses a billion-laughs document with 400 DECL_XML_FORBIDDEN and stores nothing', async () => {
    const before = (await listed()).length;
    const xml =
      '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>' +
      '<Declaration xmlns="urn:wco:datamodel:WCO:DEC-DMS:2"><FunctionalReferenceID>&b;</FunctionalReferenceID></Declaration>';
    const response = await post(xml, { contentType: 'application/xml' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'DECL_XML_FORBIDDEN' });
    expect((await listed()).length).toBe(before);
  });
});

describe('POST /api/v1/declarations/generate', () => {
  let training: TestNode;
  let trainer: { cookie: string; csrf: string };
  let trainee: { cookie: string; csrf: string };
  beforeAll(async () => {
    training = await startTestNode({ administration: 'KE', declarations: { syntheticLodging: true } });
    await training.node.identity.createUser({ username: 'trainer', password: TEST_PASSWORD, roles: ['officer'] });
    await training.node.identity.createUser({ username: 'trainee', password: TEST_PASSWORD, roles: ['analyst'] });
    trainer = await training.login('trainer');
    trainee = await training.login('trainee');
  });
  afterAll(async () => {
    await training.close();
  });

  type Generated = {
    declarations?: { functionalReference: string; type: string; dispatchCountry?: string }[];
    results?: { status: string; id?: string; functionalReference?: string }[];
    labels: { functionalReference: string; irregularities: { kind: string; note: string }[] }[];
  };
  const generate = (node: TestNode, session: { cookie: string; csrf: string }, payload: object) =>
    node.app.inject({
      method: 'POST',
      url: '/api/v1/declarations/generate',
      headers: sessionHeaders(session),
      payload,
    });
  const stored = async (node: TestNode, session: { cookie: string; csrf: string }) =>
    (await node.app.inject({ url: '/api/v1/declarations?limit=500', headers: sessionHeaders(session) })).json<{
      items: { functionalReference: string }[];
    }>().items;

  it('returns labelled declarations, the same for the same seed, lodged with the node’s country, storing nothing', async () => {
    const before = (await stored(training, trainee)).length;
    const request = { count: 40, seed: 'class-1', irregularRate: 0.5 };
    const first = await generate(training, trainee, request);
    expect(first.statusCode).toBe(200);
    const body = first.json<Generated>();
    expect(body.declarations).toHaveLength(40);
    expect(body.results).toBeUndefined();
    expect(body.labels.length).toBeGreaterThan(5);
    const references = new Set(body.declarations!.map((d) => d.functionalReference));
    for (const label of body.labels) {
      expect(references.has(label.functionalReference)).toBe(true);
      expect(label.irregularities[0]!.note).not.toBe('');
    }
    // The administration id KE gives the country: its honest exports leave from Kenya.
    const labelled = new Set(body.labels.map((l) => l.functionalReference));
    const exports = body.declarations!.filter((d) => d.type === 'export' && !labelled.has(d.functionalReference));
    expect(exports.length).toBeGreaterThan(0);
    expect(exports.every((d) => d.dispatchCountry === 'KE')).toBe(true);
    const again = await generate(training, trainee, request);
    expect(again.body).toBe(first.body);
    const other = await generate(training, trainee, { ...request, seed: 'class-2' });
    expect(other.body).not.toBe(first.body);
    const onlyUndervalued = await generate(training, trainee, { ...request, kinds: ['undervaluation'] });
    const kinds = onlyUndervalued.json<Generated>().labels.flatMap((l) => l.irregularities.map((i) => i.kind));
    expect(new Set(kinds)).toEqual(new Set(['undervaluation']));
    expect((await stored(training, trainee)).length).toBe(before);
  });

  it('lodges them on a node that allows it: created, then found again for the same seed', async () => {
    const request = { count: 25, seed: 'lodged-1', irregularRate: 0.2, lodge: true };
    const first = await generate(training, trainer, request);
    expect(first.statusCode).toBe(201);
    const body = first.json<Generated>();
    expect(body.declarations).toBeUndefined();
    expect(body.results).toHaveLength(25);
    expect(body.results!.every((r) => r.status === 'created' && r.id !== undefined)).toBe(true);
    const lodged = new Set((await stored(training, trainer)).map((d) => d.functionalReference));
    for (const result of body.results!) expect(lodged.has(result.functionalReference!)).toBe(true);
    for (const label of body.labels) expect(lodged.has(label.functionalReference)).toBe(true);
    const again = await generate(training, trainer, request);
    expect(again.statusCode).toBe(200);
    expect(again.json<Generated>().results!.map((r) => r.status)).toEqual(Array(25).fill('existing'));
  });

  it('refuses to lodge on a node holding real trade (403 DECL_SYNTHETIC_DISABLED) or without a lodging role', async () => {
    const before = (await stored(t, officer)).length;
    const real = await generate(t, officer, { count: 3, seed: 'x', lodge: true });
    expect(real.statusCode).toBe(403);
    expect(real.json()).toMatchObject({ code: 'DECL_SYNTHETIC_DISABLED' });
    expect((await stored(t, officer)).length).toBe(before);
    // The same request without lodging is allowed there: it stores nothing.
    expect((await generate(t, officer, { count: 3, seed: 'x' })).statusCode).toBe(200);
    const analyst = await generate(training, trainee, { count: 3, seed: 'analyst', lodge: true });
    expect(analyst.statusCode).toBe(403);
    expect(analyst.json()).toMatchObject({ code: 'AUTH_FORBIDDEN' });
    expect((await stored(training, trainee)).some((d) => d.functionalReference.startsWith('analyst'))).toBe(false);
  });

  it('refuses bad parameters with 400 REQUEST_INVALID', async () => {
    for (const payload of [
      { count: 0, seed: 's' },
      { count: 5001, seed: 's' },
      { count: 1.5, seed: 's' },
      { count: 3 },
      { count: 3, seed: '' },
      { count: 3, seed: 's', irregularRate: 1.5 },
      { count: 3, seed: 's', kinds: ['smuggling'] },
      { count: 3, seed: 's', country: 'XZ' },
      { count: 3, seed: 's', from: '2025-02-01', to: '2025-01-01' },
      { count: 3, seed: 's', from: 'yesterday' },
      { count: 3, seed: 's', to: '2025-02-30' },
      { count: 3, seed: 's', colour: 'red' },
    ]) {
      const response = await generate(training, trainer, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json()).toMatchObject({ code: 'REQUEST_INVALID' });
    }
  });
});
