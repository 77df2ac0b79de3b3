import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultEnvironment, type Declaration } from '../src/declarations/index.js';
import {
  Directory,
  PREARRIVAL_CATEGORY,
  PREARRIVAL_PURPOSE,
  sealEnvelope,
  simulateTrade,
  verifyReceipt,
  withRevokedKey,
  type InboxEntry,
  type JsonValue,
  type OutboxEntry,
  type PrearrivalView,
  type SealInput,
  type Shipment,
} from '../src/federation/index.js';
import {
  ConcordError,
  type ErrorCode,
  generateSigningKey,
  loadSigningKey,
  newId,
  sha256Hex,
  type SigningKeyPair,
} from '../src/kernel/index.js';
import { eventually } from './federation-support.js';
import { prepareNetwork, type ProcessNetwork, ServedNode, stopAllServed } from './federation-processes.js';

/**
 * Two nodes as real `concord serve` processes on loopback ports, NL sending pre-arrival data to SG under a CMAA:
 * a partner down and back, a sender killed with SIGKILL, forged and replayed envelopes, a suspension between
 * sending and receiving, and clocks that disagree. SG is reached through a proxy the tests can cut, so a network
 * failure can be made without stopping a process.
 */
const AGREEMENT = 'cmaa-nl-sg';
const MINUTE = 60_000;

describe('federation between node processes under faults and attacks', () => {
  let root: string;
  let net: ProcessNetwork;
  let nl: ServedNode;
  let sg: ServedNode;
  let nlKey: SigningKeyPair;
  let trade: Generator<Shipment>;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'concord-faults-'));
    net = await prepareNetwork(root, ['NL', 'SG'], AGREEMENT, { behindLink: ['SG'] });
    nl = new ServedNode(net.nodes.NL!);
    sg = new ServedNode(net.nodes.SG!);
    nlKey = await loadSigningKey(net.nodes.NL!.signingKeyFile);
    trade = simulateTrade(defaultEnvironment(), { seed: 'federation-faults', lanes: [{ from: 'NL', to: 'SG' }] });
    await Promise.all([nl.start(), sg.start()]);
  }, 120_000);

  // A test that fails halfway leaves no node down and no link broken for the next one.
  afterEach(async () => {
    if (!net) return;
    net.links.SG!.heal();
    await Promise.all([nl.running ? null : nl.start(), sg.running ? null : sg.start()]);
  }, 120_000);

  afterAll(async () => {
    await stopAllServed();
    for (const link of Object.values(net?.links ?? {})) await link.close();
    if (root) await rm(root, { recursive: true, force: true });
  }, 30_000);

  // ---- helpers

  const nextExports = (n: number): Declaration[] =>
    Array.from({ length: n }, () => (trade.next().value as Shipment).export);

  /** Lodges exports at NL over HTTP; every one must be created (and so be in NL's outbox). */
  async function lodge(exports: readonly Declaration[]): Promise<{ id: string }[]> {
    const { status, body } = await nl.api<{ results: { status: string; id: string }[] }>(
      'POST',
      '/api/v1/declarations',
      { body: exports },
    );
    expect(status).toBe(201);
    expect(body.results.map((r) => r.status)).toEqual(exports.map(() => 'created'));
    return body.results;
  }

  async function prearrivals(): Promise<{ count: number; items: PrearrivalView[] }> {
    const { status, body } = await sg.api<{
      counts: { expected: number; arrived: number };
      items: PrearrivalView[];
    }>('GET', '/api/v1/prearrivals?limit=1000');
    expect(status).toBe(200);
    return { count: body.counts.expected + body.counts.arrived, items: body.items };
  }

  /** NL's pre-arrival envelopes to SG, in queueing order. */
  async function outbox(): Promise<OutboxEntry[]> {
    const { status, body } = await nl.api<{ items: OutboxEntry[] }>(
      'GET',
      `/api/v1/federation/outbox?partner=SG&category=${PREARRIVAL_CATEGORY}&limit=1000`,
    );
    expect(status).toBe(200);
    return body.items.sort((a, b) => a.seq - b.seq);
  }

  async function inbox(): Promise<InboxEntry[]> {
    const { status, body } = await sg.api<{ items: InboxEntry[] }>(
      'GET',
      `/api/v1/federation/inbox?sender=NL&category=${PREARRIVAL_CATEGORY}&limit=1000`,
    );
    expect(status).toBe(200);
    return body.items;
  }

  /** Every entry of SG's log, decoded from the leaf bytes the public API serves. */
  async function logEntries(): Promise<Record<string, unknown>[]> {
    const entries: Record<string, unknown>[] = [];
    for (let start = 0; ; start += 1000) {
      const { status, body } = await sg.api<{ size: number; entries: { entry: string }[] }>(
        'GET',
        `/api/v1/log/entries?start=${start}&end=${start + 1000}`,
      );
      expect(status).toBe(200);
      for (const e of body.entries) {
        entries.push(JSON.parse(Buffer.from(e.entry, 'base64').toString('utf8')) as Record<string, unknown>);
      }
      if (start + 1000 >= body.size) return entries;
    }
  }

  /** Seals a pre-arrival envelope from NL to SG with NL's real key; `change` makes it an attack. */
  async function forge(change: Partial<SealInput> = {}) {
    const now = Date.now();
    return sealEnvelope({
      id: newId(now),
      from: 'NL',
      to: 'SG',
      category: PREARRIVAL_CATEGORY,
      purpose: PREARRIVAL_PURPOSE,
      agreement: { id: AGREEMENT, version: 1 },
      created: now,
      expires: now + 60 * MINUTE,
      payload: nextExports(1)[0] as unknown as JsonValue,
      signingKey: nlKey,
      ...change,
    });
  }

  /** Posts one envelope to SG as a partner would (application/jose). */
  async function deliver(compact: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${sg.url}/federation/v1/envelopes`, {
      method: 'POST',
      headers: { 'content-type': 'application/jose' },
      body: compact,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** The refusal is in SG's access audit (read as an auditor) and in SG's log, under the envelope's hash. */
  async function expectRecorded(envelopeHash: string, code: string): Promise<void> {
    const audit = await sg.api<{ items: { action: string; outcome: string; details: Record<string, unknown> }[] }>(
      'GET',
      '/api/v1/audit?action=envelope.refused&limit=500',
      { token: net.nodes.SG!.auditorToken },
    );
    expect(audit.status).toBe(200);
    expect(audit.body.items).toContainEqual(
      expect.objectContaining({
        action: 'envelope.refused',
        outcome: 'denied',
        details: expect.objectContaining({ code, envelopeHash }) as unknown,
      }),
    );
    expect(await logEntries()).toContainEqual(
      expect.objectContaining({ type: 'envelope.refused', code, envelopeHash }),
    );
  }

  /**
   * Delivers an attack and checks the whole answer: the status of `code`, a refusal receipt signed by SG's key in
   * `directory`, the refusal audited and logged, and no pre-arrival applied.
   */
  async function expectRefused(compact: string, code: ErrorCode, directory = net.directory): Promise<void> {
    const before = await prearrivals();
    const { status, body } = await deliver(compact);
    expect(body.code).toBe(code);
    expect(status).toBe(new ConcordError(code).status);
    const hash = sha256Hex(compact);
    const receipt = await verifyReceipt(body.receipt as string, directory, 'SG', hash);
    expect(receipt).toMatchObject({ status: 'refused', code, by: 'SG', envelopeHash: hash });
    await expectRecorded(hash, code);
    expect((await prearrivals()).count).toBe(before.count);
  }

  /** Replaces the JWS payload (the envelope body) and keeps the signature. */
  function tamper(compact: string, change: (body: { payload: Record<string, unknown> }) => void): string {
    const [header, payload, signature] = compact.split('.') as [string, string, string];
    const body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { payload: Record<string, unknown> };
    change(body);
    return [header, Buffer.from(JSON.stringify(body)).toString('base64url'), signature].join('.');
  }

  const ucrOf = (d: Declaration) => d.ucr!.toUpperCase();

  // ---- reliability

  describe('when the partner is down for a while and then restarted', () => {
    it('delivers each of 100 queued envelopes exactly once, in the order they were queued', async () => {
      const before = { prearrivals: await prearrivals(), inbox: await inbox(), outbox: await outbox() };
      const lastSeq = before.outbox.at(-1)?.seq ?? 0;
      await sg.stop();
      const exports = nextExports(100);
      for (let i = 0; i < exports.length; i += 25) await lodge(exports.slice(i, i + 25));
      const queued = (await outbox()).filter((e) => e.seq > lastSeq);
      expect(queued).toHaveLength(100);
      expect(queued.every((e) => e.state === 'pending')).toBe(true);
      // Several deliveries to a closed port failed and were put back with backoff.
      await eventually(async () => (await outbox()).some((e) => e.seq > lastSeq && e.attempts >= 3), 60_000);

      await sg.start();
      const done = await eventually(async () => {
        const items = (await outbox()).filter((e) => e.seq > lastSeq);
        return items.every((e) => e.state === 'delivered') ? items : null;
      }, 90_000);
      expect(done.map((e) => e.id)).toEqual(queued.map((e) => e.id));
      expect(done.every((e) => e.receipt?.status === 'accepted' && e.receipt.by === 'SG')).toBe(true);

      const after = await prearrivals();
      expect(after.count - before.prearrivals.count).toBe(100);
      const ucrs = after.items.map((p) => p.ucr);
      for (const ucr of exports.map(ucrOf)) expect(ucrs.filter((u) => u === ucr)).toHaveLength(1);
      const known = new Set(before.inbox.map((e) => e.id));
      const received = (await inbox()).filter((e) => !known.has(e.id));
      expect(received).toHaveLength(100);
      expect(new Set(received.map((e) => e.id))).toEqual(new Set(queued.map((e) => e.id)));
      expect(received.every((e) => e.status === 'accepted')).toBe(true);

      // In order: SG's log accepted them in NL's queue order, and SG's receive times follow it.
      const ids = new Set(queued.map((e) => e.id));
      const accepted = (await logEntries())
        .filter((e) => e.type === 'envelope.accepted' && ids.has(e.envelopeId as string))
        .map((e) => e.envelopeId);
      expect(accepted).toEqual(queued.map((e) => e.id));
      const receivedAt = new Map(received.map((e) => [e.id, e.receivedAt]));
      const times = queued.map((e) => receivedAt.get(e.id)!);
      expect(times).toEqual([...times].sort());
    }, 240_000);
  });

  describe('when the sending node is killed with SIGKILL', () => {
    it('loses no acknowledged export and applies none twice, killed while lodging and while delivering', async () => {
      const link = net.links.SG!;
      const before = { prearrivals: await prearrivals(), inbox: await inbox(), outbox: await outbox() };
      const lastSeq = before.outbox.at(-1)?.seq ?? 0;
      await sg.stop();
      const pending = nextExports(80);
      const acknowledged: { id: string; ucr: string }[] = [];
      let kill: Promise<void> | null = null;
      // Three clients lodge one export per request; NL is killed with requests in flight and a full outbox.
      const client = async () => {
        for (let d = pending.shift(); d !== undefined; d = pending.shift()) {
          try {
            const response = await fetch(`${nl.url}/api/v1/declarations`, {
              method: 'POST',
              headers: { authorization: `Bearer ${net.nodes.NL!.adminToken}`, 'content-type': 'application/json' },
              body: JSON.stringify(d),
            });
            if (response.status !== 201) return;
            const { results } = (await response.json()) as { results: { id: string }[] };
            acknowledged.push({ id: results[0]!.id, ucr: ucrOf(d) });
          } catch {
            return; // the node is gone: this lodging was never acknowledged
          }
          if (acknowledged.length >= 30) kill ??= nl.stop('SIGKILL');
        }
      };
      await Promise.all([client(), client(), client()]);
      expect(kill).not.toBeNull();
      await kill;
      expect(pending.length).toBeGreaterThan(0);

      // Back up, but SG's answers are lost: SG applies the batch, NL never records a receipt, and is killed again.
      link.dropReplies();
      await Promise.all([nl.start(), sg.start()]);
      const queued = (await outbox()).filter((e) => e.seq > lastSeq);
      expect(queued.length).toBeGreaterThanOrEqual(acknowledged.length);
      const known = new Set(before.inbox.map((e) => e.id));
      await eventually(async () => {
        const received = (await inbox()).filter((e) => !known.has(e.id) && e.status === 'accepted');
        return received.length === queued.length;
      }, 90_000);
      const killedAt = new Date().toISOString();
      await nl.stop('SIGKILL');

      link.heal();
      await nl.start();
      const sent = await eventually(async () => {
        const items = (await outbox()).filter((e) => e.seq > lastSeq);
        return items.every((e) => e.state === 'delivered') ? items : null;
      }, 90_000);
      expect(sent.map((e) => e.id)).toEqual(queued.map((e) => e.id));
      // Each was recorded after the restart from the receipt SG gave before the kill: the replay's answer.
      for (const e of sent) {
        expect(e.receipt).toMatchObject({ status: 'accepted', by: 'SG' });
        expect(e.receipt!.at < killedAt && killedAt < e.deliveredAt!).toBe(true);
      }
      const subjects = sent.map((e) => e.subject);
      expect(new Set(subjects).size).toBe(subjects.length);
      for (const { id } of acknowledged) expect(subjects).toContain(id);

      const after = await prearrivals();
      expect(after.count - before.prearrivals.count).toBe(sent.length);
      const ucrs = after.items.map((p) => p.ucr);
      expect(new Set(ucrs).size).toBe(ucrs.length);
      for (const { ucr } of acknowledged) expect(ucrs).toContain(ucr);
      const received = (await inbox()).filter((e) => !known.has(e.id));
      expect(received).toHaveLength(sent.length);
      expect(received.every((e) => e.status === 'accepted')).toBe(true);
    }, 300_000);

    it('sends, once restarted, every export it stored, including one whose lodging the crash cut', async () => {
      // A kill between a declaration's commit and the queueing of its envelope leaves a stored export without an
      // envelope; the node queues those on start, before it answers. Every export stored since the directory was
      // installed has its envelope.
      const { status, body: exports } = await nl.api<{ items: { id: string }[] }>(
        'GET',
        '/api/v1/declarations?type=export&limit=500',
      );
      expect(status).toBe(200);
      expect(exports.items.length).toBeGreaterThan(100);
      const subjects = new Set((await outbox()).map((e) => e.subject));
      const unsent = exports.items.filter((d) => !subjects.has(d.id));
      expect(unsent).toEqual([]);
    }, 120_000);
  });

  describe('when the agreement is suspended between sending and receiving', () => {
    it("refuses the queued envelope with SHARING_AGREEMENT_SUSPENDED, shown in the sender's outbox", async () => {
      const link = net.links.SG!;
      const before = await prearrivals();
      link.cut();
      let suspended = false;
      try {
        const [declaration] = await lodge(nextExports(1));
        const queued = (await outbox()).find((e) => e.subject === declaration!.id)!;
        expect(queued.state).toBe('pending');
        const suspension = await sg.api('POST', `/api/v1/agreements/${AGREEMENT}/suspend`, {
          body: { reason: 'suspected breach of confidentiality (test)' },
        });
        expect(suspension.status).toBe(200);
        suspended = true;
        link.heal();

        const refused = await eventually(async () => {
          const entry = (await outbox()).find((e) => e.id === queued.id)!;
          return entry.state === 'pending' ? null : entry;
        }, 60_000);
        expect(refused).toMatchObject({ state: 'refused', lastCode: 'SHARING_AGREEMENT_SUSPENDED' });
        expect(refused.receipt).toMatchObject({ status: 'refused', code: 'SHARING_AGREEMENT_SUSPENDED' });
        const stored = await fetch(`${sg.url}/federation/v1/receipts/${queued.id}`);
        const { receipt } = (await stored.json()) as { receipt: string };
        expect(await verifyReceipt(receipt, net.directory, 'SG', queued.envelopeHash)).toMatchObject({
          status: 'refused',
          code: 'SHARING_AGREEMENT_SUSPENDED',
        });
        await expectRecorded(queued.envelopeHash, 'SHARING_AGREEMENT_SUSPENDED');
        expect((await prearrivals()).count).toBe(before.count);
      } finally {
        link.heal();
        if (suspended) {
          // Lift it again, and wait until NL has the notice too: the tests below send under this agreement.
          const resumed = await sg.api('POST', `/api/v1/agreements/${AGREEMENT}/resume`, {
            body: { reason: 'cleared (test)' },
          });
          expect(resumed.status).toBe(200);
          await eventually(async () => {
            const { body } = await nl.api<{ lifecycle: { state: string } }>('GET', `/api/v1/agreements/${AGREEMENT}`);
            return body.lifecycle.state === 'active';
          }, 60_000);
        }
      }
    }, 120_000);
  });

  // ---- clocks

  describe("when the sender's clock runs ahead of the receiver's", () => {
    it('accepts an envelope created 2 minutes in the future', async () => {
      const before = await prearrivals();
      const now = Date.now();
      const sealed = await forge({ created: now + 2 * MINUTE, expires: now + 60 * MINUTE });
      const { status, body } = await deliver(sealed.compact);
      expect(status).toBe(200);
      const receipt = await verifyReceipt(body.receipt as string, net.directory, 'SG', sealed.hash);
      expect(receipt).toMatchObject({ status: 'accepted', code: null });
      expect((await prearrivals()).count).toBe(before.count + 1);
    });

    it('refuses one created 10 minutes in the future with FEDERATION_CLOCK_SKEW', async () => {
      const now = Date.now();
      const sealed = await forge({ created: now + 10 * MINUTE, expires: now + 60 * MINUTE });
      await expectRefused(sealed.compact, 'FEDERATION_CLOCK_SKEW');
    });
  });

  // ---- attacks

  describe('when envelopes are forged, replayed or misdirected', () => {
    it('refuses a signature by another key claiming NL’s kid with FEDERATION_SIGNATURE_INVALID', async () => {
      const impostor = { ...generateSigningKey(), kid: nlKey.kid };
      const sealed = await forge({ signingKey: impostor });
      await expectRefused(sealed.compact, 'FEDERATION_SIGNATURE_INVALID');
    });

    it('refuses a sender that is not in the directory with FEDERATION_SENDER_UNKNOWN', async () => {
      const sealed = await forge({ from: 'ZZ', signingKey: generateSigningKey() });
      await expectRefused(sealed.compact, 'FEDERATION_SENDER_UNKNOWN');
    });

    it('refuses an expired envelope with FEDERATION_ENVELOPE_EXPIRED', async () => {
      const now = Date.now();
      const sealed = await forge({ created: now - 3 * 60 * MINUTE, expires: now - 60 * MINUTE });
      await expectRefused(sealed.compact, 'FEDERATION_ENVELOPE_EXPIRED');
    });

    it('answers a replayed envelope with the original receipt and applies it once', async () => {
      const before = await prearrivals();
      const sealed = await forge();
      const first = await deliver(sealed.compact);
      expect(first.status).toBe(200);
      expect(await verifyReceipt(first.body.receipt as string, net.directory, 'SG', sealed.hash)).toMatchObject({
        status: 'accepted',
      });
      const again = await deliver(sealed.compact);
      expect(again.status).toBe(200);
      expect(again.body.receipt).toBe(first.body.receipt);
      const batch = await fetch(`${sg.url}/federation/v1/envelopes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ envelopes: [sealed.compact, sealed.compact] }),
      });
      expect(((await batch.json()) as { receipts: string[] }).receipts).toEqual([
        first.body.receipt,
        first.body.receipt,
      ]);
      const after = await prearrivals();
      expect(after.count).toBe(before.count + 1);
      expect(after.items.filter((p) => p.envelopeId === sealed.header.id)).toHaveLength(1);
    });

    it('refuses a payload changed under a kept signature with FEDERATION_PAYLOAD_TAMPERED', async () => {
      const sealed = await forge();
      const tampered = tamper(sealed.compact, (body) => {
        body.payload.destinationCountry = 'KE';
      });
      await expectRefused(tampered, 'FEDERATION_PAYLOAD_TAMPERED');
    });

    it('refuses an envelope addressed to another administration with FEDERATION_WRONG_RECIPIENT', async () => {
      const sealed = await forge({ to: 'KE' });
      await expectRefused(sealed.compact, 'FEDERATION_WRONG_RECIPIENT');
    });

    it('refuses a purpose the agreement does not allow for pre-arrival data with SHARING_PURPOSE_NOT_ALLOWED', async () => {
      // The CMAA's pre-arrival clause allows risk assessment; the decision point at SG checks it again on receipt.
      const sealed = await forge({ purpose: 'statistics' });
      await expectRefused(sealed.compact, 'SHARING_PURPOSE_NOT_ALLOWED');
    });

    it('refuses an envelope over 512 KiB with FEDERATION_ENVELOPE_TOO_LARGE', async () => {
      const [declaration] = nextExports(1);
      const sealed = await forge({
        payload: { ...declaration, padding: 'x'.repeat(600 * 1024) } as unknown as JsonValue,
      });
      expect(Buffer.byteLength(sealed.compact)).toBeGreaterThan(512 * 1024);
      await expectRefused(sealed.compact, 'FEDERATION_ENVELOPE_TOO_LARGE');
    });

    // Last: after it, SG no longer trusts anything NL signs.
    it('refuses a key the directory revoked with FEDERATION_KEY_REVOKED', async () => {
      const revoked = withRevokedKey(net.document, 'NL', nlKey.kid, 'key compromised (test)');
      const install = await sg.api<{ version: number; installed: boolean }>('POST', '/api/v1/federation/directory', {
        body: await net.sign(revoked),
      });
      expect(install).toMatchObject({ status: 200, body: { version: 2, installed: true } });
      const sealed = await forge();
      await expectRefused(sealed.compact, 'FEDERATION_KEY_REVOKED', new Directory(revoked));
    });
  });
});
