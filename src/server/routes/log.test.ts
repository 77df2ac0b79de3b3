import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalBytes, loadSigningKey, sha256Hex } from '../../kernel/index.js';
import {
  LogStore,
  checkBundle,
  cosignatureVerifierFromKey,
  decodeBase64,
  ed25519NoteSigner,
  encodeBase64,
  ledgerMigrations,
  openCheckpoint,
  noteVerifierFromKey,
  verifyCosignatures,
  type DocumentBundle,
} from '../../ledger/index.js';
import { KEY_FILES } from '../../node/index.js';
import { migrate, openStore } from '../../storage/index.js';
import { sessionHeaders, startTestNode, TEST_PASSWORD, type TestNode } from '../testing.js';

let nl: TestNode;
let sg: TestNode;
let sgUrl: string;
let admin: { cookie: string; csrf: string };
let officer: { cookie: string; csrf: string };
let auditor: { cookie: string; csrf: string };

const at = () => new Date().toISOString();
const declaration = (i: number) => ({
  type: 'declaration.accepted' as const,
  at: at(),
  declarationId: `dcl-${i}`,
  declarationHash: sha256Hex(`declaration ${i}`),
});

beforeAll(async () => {
  nl = await startTestNode({ administration: 'NL' });
  sg = await startTestNode({ administration: 'SG' });
  await sg.app.listen({ host: '127.0.0.1', port: 0 });
  const address = sg.app.server.address();
  sgUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  admin = await nl.login();
  for (const [username, roles] of [
    ['officer', ['officer']],
    ['auditor', ['auditor']],
  ] as const) {
    await nl.node.identity.createUser({ username, password: TEST_PASSWORD, roles });
  }
  officer = await nl.login('officer');
  auditor = await nl.login('auditor');
}, 60_000);
afterAll(async () => {
  await nl?.close();
  await sg?.close();
});

function expectProblem(response: { statusCode: number; json(): unknown }, status: number, code: string) {
  expect({ status: response.statusCode, body: response.json() }).toMatchObject({ status, body: { status, code } });
}

describe('log reading routes (public)', () => {
  beforeAll(async () => {
    for (let i = 0; i < 5; i++) await nl.node.log.append(declaration(i));
    await nl.node.log.publishCheckpoint();
  });

  it('GET /api/v1/log/checkpoint serves the signed note as text/plain, verifiable with GET /api/v1/log/key', async () => {
    const key = await nl.app.inject({ url: '/api/v1/log/key' });
    expect(key.statusCode).toBe(200);
    expect(key.body.trim()).toMatch(/^concord\.nl\/log\+[0-9a-f]{8}\+/);
    const response = await nl.app.inject({ url: '/api/v1/log/checkpoint' });
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    const opened = openCheckpoint(response.body, [noteVerifierFromKey(key.body.trim())], { origin: 'concord.nl/log' });
    expect(opened.checkpoint.size).toBe(5);
  });

  it('GET /api/v1/log/entries returns the exact leaf bytes; refuses end < start or too wide a range', async () => {
    const response = await nl.app.inject({ url: '/api/v1/log/entries?start=1&end=3' });
    const body = response.json() as { size: number; entries: { index: number; entry: string }[] };
    expect(body.entries.map((e) => e.index)).toEqual([1, 2]);
    const bytes = decodeBase64(body.entries[0]!.entry)!;
    expect(JSON.parse(new TextDecoder().decode(bytes))).toMatchObject({ declarationId: 'dcl-1' });
    expectProblem(await nl.app.inject({ url: '/api/v1/log/entries?start=3&end=1' }), 400, 'LEDGER_SIZE_INVALID');
    expectProblem(await nl.app.inject({ url: '/api/v1/log/entries?start=0&end=5000' }), 400, 'LEDGER_SIZE_INVALID');
    expectProblem(await nl.app.inject({ url: '/api/v1/log/entries?start=x&end=1' }), 400, 'REQUEST_INVALID');
  });

  it('GET /api/v1/log/proof/inclusion by index and by hash; refuses sizes beyond the tree and bad hashes', async () => {
    const byIndex = (await nl.app.inject({ url: '/api/v1/log/proof/inclusion?index=2&size=5' })).json() as {
      hashes: string[];
    };
    expect(byIndex.hashes).toHaveLength(3);
    const [stored] = await nl.node.log.log.entries(2, 3);
    const hash = encodeURIComponent(encodeBase64(stored!.leafHash));
    const byHash = (await nl.app.inject({ url: `/api/v1/log/proof/inclusion?hash=${hash}` })).json();
    expect(byHash).toEqual({ index: 2, size: 5, hashes: byIndex.hashes });
    expectProblem(
      await nl.app.inject({ url: '/api/v1/log/proof/inclusion?index=2&size=99' }),
      400,
      'LEDGER_SIZE_INVALID',
    );
    expectProblem(
      await nl.app.inject({ url: '/api/v1/log/proof/inclusion?index=7&size=5' }),
      400,
      'LEDGER_INDEX_OUT_OF_RANGE',
    );
    expectProblem(await nl.app.inject({ url: '/api/v1/log/proof/inclusion?hash=bm9wZQ==' }), 400, 'REQUEST_INVALID');
    expectProblem(await nl.app.inject({ url: '/api/v1/log/proof/inclusion' }), 400, 'REQUEST_INVALID');
    const unknown = encodeURIComponent(encodeBase64(new Uint8Array(32)));
    expectProblem(
      await nl.app.inject({ url: `/api/v1/log/proof/inclusion?hash=${unknown}` }),
      404,
      'LEDGER_ENTRY_UNKNOWN',
    );
  });

  it('GET /api/v1/log/proof/consistency; refuses from > to and sizes beyond the tree', async () => {
    const response = await nl.app.inject({ url: '/api/v1/log/proof/consistency?from=3&to=5' });
    expect(response.json()).toMatchObject({ from: 3, to: 5, hashes: expect.any(Array) });
    expectProblem(
      await nl.app.inject({ url: '/api/v1/log/proof/consistency?from=4&to=2' }),
      400,
      'LEDGER_SIZE_INVALID',
    );
    expectProblem(
      await nl.app.inject({ url: '/api/v1/log/proof/consistency?from=1&to=50' }),
      400,
      'LEDGER_SIZE_INVALID',
    );
  });

  it('GET /api/v1/log/checkpoints lists the history', async () => {
    const response = await nl.app.inject({ url: '/api/v1/log/checkpoints' });
    const items = (response.json() as { items: { size: number }[] }).items;
    expect(items.at(-1)!.size).toBe(5);
  });
});

describe('witnessing over HTTP', () => {
  it('configuration is for admins only', async () => {
    const key = nl.node.log.verifierKey;
    expectProblem(
      await nl.app.inject({ method: 'POST', url: '/api/v1/log/witnessed', payload: { origin: 'x', key } }),
      401,
      'AUTH_REQUIRED',
    );
    expectProblem(
      await nl.app.inject({
        method: 'POST',
        url: '/api/v1/log/witnesses',
        headers: sessionHeaders(officer),
        payload: { url: sgUrl, key: sg.node.log.witnessVerifierKey },
      }),
      403,
      'AUTH_FORBIDDEN',
    );
    expectProblem(
      await nl.app.inject({
        method: 'POST',
        url: '/api/v1/log/witnesses',
        headers: sessionHeaders(admin),
        payload: { url: sgUrl, key: nl.node.log.verifierKey },
      }),
      400,
      'KEY_INVALID',
    );
  });

  it('refuses a checkpoint of an origin it does not witness with LEDGER_WITNESS_ORIGIN_UNKNOWN', async () => {
    const checkpoint = (await nl.node.log.latestCheckpoint()).note;
    const response = await sg.app.inject({
      method: 'POST',
      url: '/api/v1/log/witness',
      payload: { oldSize: 0, proof: [], checkpoint },
    });
    expectProblem(response, 404, 'LEDGER_WITNESS_ORIGIN_UNKNOWN');
  });

  it('cosigns the partner’s checkpoints once configured, and the checkpoint shows “witnessed by SG”', async () => {
    await sg.node.log.trustLog(nl.node.log.origin, nl.node.log.verifierKey);
    const added = await nl.app.inject({
      method: 'POST',
      url: '/api/v1/log/witnesses',
      headers: sessionHeaders(admin),
      payload: { url: sgUrl, key: sg.node.log.witnessVerifierKey },
    });
    expect(added.statusCode).toBe(201);
    await nl.node.log.append(declaration(100));
    const published = await nl.app.inject({
      method: 'POST',
      url: '/api/v1/log/checkpoint',
      headers: sessionHeaders(admin),
    });
    expect(published.json()).toMatchObject({ size: 6, witnessedBy: ['SG'] });
    const served = (await nl.app.inject({ url: '/api/v1/log/checkpoint' })).body;
    const cosigs = verifyCosignatures(served, [cosignatureVerifierFromKey(sg.node.log.witnessVerifierKey)]);
    expect(cosigs.map((c) => c.name)).toEqual(['concord.sg/witness']);
    // The next one is proven consistent from 6.
    await nl.node.log.append(declaration(101));
    expect((await nl.node.log.publishCheckpoint()).witnessedBy).toEqual(['SG']);
    expect((await sg.node.log.listWitnessedLogs())[0]).toMatchObject({ origin: 'concord.nl/log', cosignedSize: 7 });
  });

  it('refuses malformed notes, wrong keys and checkpoints that go backwards', async () => {
    const post = (payload: Record<string, unknown>) =>
      sg.app.inject({ method: 'POST', url: '/api/v1/log/witness', payload });
    expectProblem(await post({ oldSize: 7, proof: [], checkpoint: 'not a note' }), 400, 'LEDGER_NOTE_MALFORMED');
    expectProblem(
      await post({ oldSize: 7, proof: ['***'], checkpoint: (await nl.node.log.latestCheckpoint()).note }),
      400,
      'LEDGER_PROOF_INVALID',
    );
    expectProblem(await post({ oldSize: 7 }), 400, 'REQUEST_INVALID');

    // Same origin, signed with another key.
    const impostor = await forkedLog(await loadSigningKey(join(sg.dataDir, KEY_FILES.log)), 8);
    expectProblem(
      await post({ oldSize: 7, proof: impostor.proofFrom7, checkpoint: impostor.note }),
      403,
      'LEDGER_NOTE_UNKNOWN_KEY',
    );

    const old = (await nl.node.log.checkpointAt(6))!.note;
    expectProblem(await post({ oldSize: 7, proof: [], checkpoint: old }), 409, 'LEDGER_CHECKPOINT_ROLLBACK');
  });

  it('refuses a forked log as a split view and keeps both signed checkpoints as evidence', async () => {
    const fork = await forkedLog(await loadSigningKey(join(nl.dataDir, KEY_FILES.log)), 9);
    const response = await sg.app.inject({
      method: 'POST',
      url: '/api/v1/log/witness',
      payload: { oldSize: 7, proof: fork.proofFrom7, checkpoint: fork.note },
    });
    expectProblem(response, 409, 'LEDGER_SPLIT_VIEW');
    const sgAdmin = await sg.login();
    const evidence = await sg.app.inject({ url: '/api/v1/log/split-views', headers: sessionHeaders(sgAdmin) });
    const [record] = (evidence.json() as { items: { cosigned: string; submitted: string; oldSize: number }[] }).items;
    expect(record).toMatchObject({ oldSize: 7, submitted: fork.note });
    expect(record!.cosigned).toContain('concord.nl/log\n7\n');
    // The witness still follows the true log.
    await nl.node.log.append(declaration(102));
    expect((await nl.node.log.publishCheckpoint()).witnessedBy).toEqual(['SG']);
  });
});

describe('documents', () => {
  const certificate = { number: 'CO-2026-1', exporter: 'NL123456789', origin: 'NL', hsCode: '090111' };
  const hash = sha256Hex(canonicalBytes(certificate));

  it('anchoring needs the officer or admin role', async () => {
    const payload = { document: certificate };
    expectProblem(await nl.app.inject({ method: 'POST', url: '/api/v1/documents', payload }), 401, 'AUTH_REQUIRED');
    expectProblem(
      await nl.app.inject({ method: 'POST', url: '/api/v1/documents', headers: sessionHeaders(auditor), payload }),
      403,
      'AUTH_FORBIDDEN',
    );
  });

  it('anchors a JSON document by its RFC 8785 hash; refuses it twice and bad input', async () => {
    const anchor = (payload: Record<string, unknown>) =>
      nl.app.inject({ method: 'POST', url: '/api/v1/documents', headers: sessionHeaders(officer), payload });
    const response = await anchor({ document: certificate, subject: 'NL123456789', validUntil: '2099-12-31' });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ documentHash: hash, index: expect.any(Number) });
    expectProblem(await anchor({ documentHash: hash }), 409, 'LEDGER_DOCUMENT_EXISTS');
    expectProblem(await anchor({ documentHash: hash, document: certificate }), 400, 'REQUEST_INVALID');
    expectProblem(await anchor({ documentHash: 'abc' }), 400, 'REQUEST_INVALID');
    expectProblem(
      await anchor({ documentHash: sha256Hex('x'), validUntil: '2026-02-30' }),
      400,
      'LEDGER_ENTRY_MALFORMED',
    );
  });

  it('serves a bundle that verifies offline as valid, witnessed by SG; a changed document is tampered', async () => {
    const response = await nl.app.inject({ url: `/api/v1/documents/${hash}/bundle` });
    expect(response.statusCode).toBe(200);
    const bundle = response.json() as DocumentBundle;
    const options = {
      logKey: nl.node.log.verifierKey,
      witnessKeys: [sg.node.log.witnessVerifierKey],
      documentHashes: [hash],
    };
    expect(await checkBundle(bundle, options)).toMatchObject({
      status: 'valid',
      witnessedBy: ['concord.sg/witness'],
      issuer: 'NL',
    });
    const other = { ...options, documentHashes: [sha256Hex(canonicalBytes({ ...certificate, origin: 'CN' }))] };
    expect((await checkBundle(bundle, other)).status).toBe('tampered');
    expect((await checkBundle(bundle, { ...options, logKey: sg.node.log.verifierKey })).status).toBe('tampered');
    const forged = { ...bundle, anchor: { ...bundle.anchor, index: bundle.anchor.index + 1 } };
    expect((await checkBundle(forged, options)).status).toBe('tampered');
  });

  it('revokes it: the bundle then says revoked; revoking twice or an unknown document is refused', async () => {
    const revoke = (h: string, payload: Record<string, unknown>) =>
      nl.app.inject({
        method: 'POST',
        url: `/api/v1/documents/${h}/revoke`,
        headers: sessionHeaders(officer),
        payload,
      });
    expect((await revoke(hash, { reason: 'withdrawn' })).statusCode).toBe(200);
    expectProblem(await revoke(hash, { reason: 'withdrawn' }), 409, 'LEDGER_DOCUMENT_REVOKED');
    expectProblem(await revoke(sha256Hex('unknown'), { reason: 'withdrawn' }), 404, 'LEDGER_DOCUMENT_UNKNOWN');
    expectProblem(await revoke(hash, { reason: 'Not A Code' }), 400, 'REQUEST_INVALID');
    const bundle = (await nl.app.inject({ url: `/api/v1/documents/${hash}/bundle` })).json() as DocumentBundle;
    expect(bundle.revocation).not.toBeNull();
    const verdict = await checkBundle(bundle, { logKey: nl.node.log.verifierKey, documentHashes: [hash] });
    expect(verdict).toMatchObject({ status: 'revoked', revocationReason: 'withdrawn' });
    // Dropping the revocation does not make a valid bundle of a later checkpoint look revoked, but it is the
    // holder's word against the issuer's latest bundle: verifiers fetch a fresh one.
    expectProblem(
      await nl.app.inject({ url: `/api/v1/documents/${sha256Hex('nope')}/bundle` }),
      404,
      'LEDGER_DOCUMENT_UNKNOWN',
    );
    expectProblem(await nl.app.inject({ url: '/api/v1/documents/XYZ/bundle' }), 400, 'REQUEST_INVALID');
  });

  it('anchors a disclosable document: the holder gets salts, and a partial disclosure still verifies', async () => {
    const { restrictDisclosure, disclosureDigest } = await import('../../ledger/index.js');
    const response = await nl.app.inject({
      method: 'POST',
      url: '/api/v1/documents',
      headers: sessionHeaders(admin),
      payload: { document: { ...certificate, number: 'CO-2026-2' }, disclosable: true },
    });
    expect(response.statusCode).toBe(201);
    const { documentHash, disclosure } = response.json() as { documentHash: string; disclosure: never };
    const partial = restrictDisclosure(disclosure, ['origin', 'hsCode']);
    expect(Object.keys(partial.disclosed).sort()).toEqual(['hsCode', 'origin']);
    expect(disclosureDigest(partial)).toBe(documentHash);
    const bundle = (await nl.app.inject({ url: `/api/v1/documents/${documentHash}/bundle` })).json();
    const verdict = await checkBundle(bundle, {
      logKey: nl.node.log.verifierKey,
      documentHashes: [disclosureDigest(partial)],
    });
    expect(verdict.status).toBe('valid');
  });
});

/** A log that shares NL's origin but not its history, signed with `key`; its checkpoint of `size` entries. */
async function forkedLog(key: Awaited<ReturnType<typeof loadSigningKey>>, size: number) {
  const store = await openStore({});
  await migrate(store, [...ledgerMigrations]);
  try {
    const log = await LogStore.open({ store, origin: 'concord.nl/log' });
    for (let i = 0; i < size; i++) await log.append({ ...declaration(1000 + i) });
    const { note } = await log.publishCheckpoint([ed25519NoteSigner('concord.nl/log', key)]);
    const proof = await log.consistencyProof(7, size);
    return { note, proofFrom7: proof.hashes.map(encodeBase64) };
  } finally {
    await store.close();
  }
}
