import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ConcordError } from '../../kernel/index.js';
import { decodeBase64, encodeBase64, encodeEntry, type CosignedCheckpoint } from '../../ledger/index.js';
import type { ServerContext } from '../context.js';
import { errorResponses } from '../schemas.js';

/**
 * The log over HTTP. Reading (checkpoint, keys, entries, proofs) is public, like Certificate Transparency: entries
 * hold hashes, ids and codes only (docs/decisions/0010-public-log.md). The witness endpoint is public too, but only
 * for origins an admin configured: the log's signature is the authentication. Configuration is for admins.
 */
const TEXT = 'text/plain; charset=utf-8';
const Index = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const Base64Hash = Type.String({ description: 'base64 of a 32-byte SHA-256 hash' });
const Note = Type.String({ minLength: 1, maxLength: 65536, description: 'a C2SP signed note' });
const PUBLIC_ERRORS = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, Type.Ref('Problem')])) as Record<number, ReturnType<typeof Type.Ref>>;

const CheckpointView = Type.Object({
  origin: Type.String(),
  size: Type.Integer(),
  rootHash: Base64Hash,
  publishedAt: Type.String(),
  note: Type.String({ description: 'the signed checkpoint with cosignature lines appended' }),
  witnessedBy: Type.Array(Type.String(), { description: 'administrations whose witnesses cosigned it' }),
});

const EntriesQuery = Type.Object({ start: Index, end: Index }, { additionalProperties: false });
const InclusionQuery = Type.Object(
  {
    index: Type.Optional(Index),
    hash: Type.Optional(Type.String({ maxLength: 64, description: 'base64 leaf hash, instead of index' })),
    size: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
  },
  { additionalProperties: false },
);
const ConsistencyQuery = Type.Object(
  { from: Type.Integer({ minimum: 1 }), to: Type.Optional(Type.Integer({ minimum: 1 })) },
  { additionalProperties: false },
);
const HistoryQuery = Type.Object(
  {
    after: Type.Optional(Type.Integer({ minimum: -1 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);
const WitnessBody = Type.Object(
  {
    oldSize: Index,
    proof: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 128 }),
    checkpoint: Note,
  },
  { additionalProperties: false },
);
const WitnessKeyBody = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2000 }),
    key: Type.String({ minLength: 1, maxLength: 1000, description: 'the witness cosignature verifier key' }),
  },
  { additionalProperties: false },
);
const TrustBody = Type.Object(
  {
    origin: Type.String({ minLength: 1, maxLength: 200 }),
    key: Type.String({ minLength: 1, maxLength: 1000, description: "the log's note verifier key" }),
  },
  { additionalProperties: false },
);
const WitnessView = Type.Object({
  name: Type.String(),
  url: Type.String(),
  key: Type.String(),
  cosignedSize: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
});
const WitnessedView = Type.Object({
  origin: Type.String(),
  key: Type.String(),
  cosignedSize: Type.Integer(),
  updatedAt: Type.String(),
});
const SplitView = Type.Object({
  id: Type.Integer(),
  origin: Type.String(),
  cosigned: Type.String(),
  submitted: Type.String(),
  oldSize: Type.Integer(),
  newSize: Type.Integer(),
  proof: Type.Array(Type.String()),
  detectedAt: Type.String(),
});
const ProofHashes = Type.Array(Base64Hash, { description: 'the proof, RFC 9162 order' });

function checkpointView(cp: CosignedCheckpoint): Static<typeof CheckpointView> {
  return {
    origin: cp.checkpoint.origin,
    size: cp.checkpoint.size,
    rootHash: encodeBase64(cp.checkpoint.rootHash),
    publishedAt: cp.publishedAt,
    note: cp.cosigned,
    witnessedBy: [...cp.witnessedBy],
  };
}

export function registerLogRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { log } = ctx.node;

  app.get(
    '/api/v1/log',
    {
      config: { access: 'public' },
      schema: {
        tags: ['log'],
        summary: "This node's log: origin, size, keys and the latest checkpoint with its witnesses",
        response: {
          200: Type.Object({
            origin: Type.String(),
            size: Type.Integer(),
            key: Type.String({ description: 'note verifier key of the log' }),
            witnessKey: Type.String({ description: "cosignature verifier key of this node's witness" }),
            checkpoint: CheckpointView,
          }),
        },
      },
    },
    async () => ({
      origin: log.origin,
      size: await log.log.size(),
      key: log.verifierKey,
      witnessKey: log.witnessVerifierKey,
      checkpoint: checkpointView(await log.latestCheckpoint()),
    }),
  );

  app.get(
    '/api/v1/log/checkpoint',
    {
      config: { access: 'public' },
      schema: {
        tags: ['log'],
        summary: 'The latest checkpoint: a C2SP signed note, with the cosignature lines of its witnesses appended',
        produces: ['text/plain'],
        response: { 200: Type.String() },
      },
    },
    async (_request, reply) => reply.type(TEXT).send((await log.latestCheckpoint()).cosigned),
  );

  app.post(
    '/api/v1/log/checkpoint',
    {
      config: { access: ['admin'] },
      schema: {
        tags: ['log'],
        summary: 'Publish a checkpoint now and collect cosignatures from the configured witnesses',
        response: { 200: CheckpointView, ...errorResponses() },
      },
    },
    async (request) => {
      const published = await log.publishCheckpoint();
      await request.recordAccess({
        action: 'log.checkpoint',
        targetType: 'log',
        targetId: log.origin,
        outcome: 'success',
        details: { size: published.checkpoint.size },
      });
      return checkpointView(published);
    },
  );

  app.get<{ Querystring: Static<typeof HistoryQuery> }>(
    '/api/v1/log/checkpoints',
    {
      config: { access: 'public' },
      schema: {
        tags: ['log'],
        summary: 'Checkpoint history, by increasing size',
        querystring: HistoryQuery,
        response: { 200: Type.Object({ items: Type.Array(CheckpointView) }), ...PUBLIC_ERRORS(400) },
      },
    },
    async (request) => {
      const history = await log.log.checkpointHistory({
        ...(request.query.after === undefined ? {} : { afterSize: request.query.after }),
        limit: request.query.limit ?? 100,
      });
      const items = await Promise.all(history.map((cp) => log.checkpointAt(cp.checkpoint.size)));
      return { items: items.filter((cp) => cp !== undefined).map(checkpointView) };
    },
  );

  app.get(
    '/api/v1/log/key',
    {
      config: { access: 'public' },
      schema: {
        tags: ['log'],
        summary: "The log's note verifier key (`name+hash+key`)",
        produces: ['text/plain'],
        response: { 200: Type.String() },
      },
    },
    async (_request, reply) => reply.type(TEXT).send(`${log.verifierKey}\n`),
  );

  app.get(
    '/api/v1/log/witness/key',
    {
      config: { access: 'public' },
      schema: {
        tags: ['log'],
        summary: "This node's witness key, as a cosignature verifier key (type 0x04)",
        produces: ['text/plain'],
        response: { 200: Type.String() },
      },
    },
    async (_request, reply) => reply.type(TEXT).send(`${log.witnessVerifierKey}\n`),
  );

  app.get<{ Querystring: Static<typeof EntriesQuery> }>(
    '/api/v1/log/entries',
    {
      config: { access: 'public' },
      schema: {
        tags: ['log'],
        summary: 'Entries [start, end), at most 1000: index and base64 of the exact leaf bytes',
        querystring: EntriesQuery,
        response: {
          200: Type.Object({
            size: Type.Integer(),
            entries: Type.Array(Type.Object({ index: Type.Integer(), entry: Type.String() })),
          }),
          ...PUBLIC_ERRORS(400, 500),
        },
      },
    },
    async (request) => {
      const { start, end } = request.query;
      if (end < start || end - start > 1000) {
        throw new ConcordError('LEDGER_SIZE_INVALID', 'end must be ≥ start and at most start + 1000');
      }
      const size = await log.log.size();
      if (start > size) throw new ConcordError('LEDGER_SIZE_INVALID', `start ${start} is beyond the size ${size}`);
      const entries = await log.log.entries(start, end);
      return { size, entries: entries.map((e) => ({ index: e.index, entry: encodeBase64(encodeEntry(e.entry)) })) };
    },
  );

  app.get<{ Querystring: Static<typeof InclusionQuery> }>(
    '/api/v1/log/proof/inclusion',
    {
      config: { access: 'public' },
      schema: {
        tags: ['log'],
        summary:
          'Inclusion proof of an entry (by index or leaf hash) in the tree of `size` (default: the latest checkpoint)',
        querystring: InclusionQuery,
        response: {
          200: Type.Object({ index: Type.Integer(), size: Type.Integer(), hashes: ProofHashes }),
          ...PUBLIC_ERRORS(400, 404),
        },
      },
    },
    async (request) => {
      const { index, hash } = request.query;
      if ((index === undefined) === (hash === undefined)) {
        throw new ConcordError('REQUEST_INVALID', 'give exactly one of index and hash');
      }
      const size = request.query.size ?? (await log.latestCheckpoint()).checkpoint.size;
      let proof;
      if (hash !== undefined) {
        const leafHash = decodeBase64(hash);
        if (!leafHash || leafHash.length !== 32)
          throw new ConcordError('REQUEST_INVALID', 'hash is base64 of 32 bytes');
        proof = await log.log.inclusionProofByHash(leafHash, size);
      } else {
        if (index! >= size) {
          throw new ConcordError('LEDGER_INDEX_OUT_OF_RANGE', `index ${index} is not below the size ${size}`);
        }
        proof = await log.log.inclusionProof(index!, size);
      }
      return { index: proof.leafIndex, size: proof.treeSize, hashes: proof.hashes.map(encodeBase64) };
    },
  );

  app.get<{ Querystring: Static<typeof ConsistencyQuery> }>(
    '/api/v1/log/proof/consistency',
    {
      config: { access: 'public' },
      schema: {
        tags: ['log'],
        summary: 'Consistency proof from the tree of `from` to the tree of `to` (default: the latest checkpoint)',
        querystring: ConsistencyQuery,
        response: {
          200: Type.Object({ from: Type.Integer(), to: Type.Integer(), hashes: ProofHashes }),
          ...PUBLIC_ERRORS(400),
        },
      },
    },
    async (request) => {
      const to = request.query.to ?? (await log.latestCheckpoint()).checkpoint.size;
      if (request.query.from > to) {
        throw new ConcordError('LEDGER_SIZE_INVALID', `from ${request.query.from} exceeds to ${to}`);
      }
      const proof = await log.log.consistencyProof(request.query.from, to);
      return { from: proof.size1, to: proof.size2, hashes: proof.hashes.map(encodeBase64) };
    },
  );

  app.post<{ Body: Static<typeof WitnessBody> }>(
    '/api/v1/log/witness',
    {
      config: { access: 'public' },
      schema: {
        tags: ['log'],
        summary:
          "Witness a trusted partner's checkpoint: verify its signature and consistency proof, return a " +
          'C2SP tlog-cosignature line, or refuse (a split view is kept as evidence)',
        body: WitnessBody,
        response: {
          200: Type.Object({ cosignature: Type.String({ description: 'the cosignature line, newline included' }) }),
          ...PUBLIC_ERRORS(400, 403, 404, 409),
        },
      },
    },
    async (request) => ({ cosignature: await log.witness(request.body) }),
  );

  app.get(
    '/api/v1/log/witnesses',
    {
      config: { access: ['admin'] },
      schema: {
        tags: ['log'],
        summary: 'Witnesses this node asks to cosign its checkpoints',
        response: { 200: Type.Object({ items: Type.Array(WitnessView) }), ...errorResponses() },
      },
    },
    async () => ({ items: await log.listWitnesses() }),
  );

  app.post<{ Body: Static<typeof WitnessKeyBody> }>(
    '/api/v1/log/witnesses',
    {
      config: { access: ['admin'] },
      schema: {
        tags: ['log'],
        summary: 'Add a witness (its node URL and cosignature verifier key)',
        body: WitnessKeyBody,
        response: { 201: WitnessView, ...errorResponses(400) },
      },
    },
    async (request, reply) => {
      const witness = await log.addWitness(request.body.url, request.body.key);
      await request.recordAccess({
        action: 'log.witness.add',
        targetType: 'witness',
        targetId: witness.name,
        outcome: 'success',
        details: { url: witness.url },
      });
      return reply.status(201).send(witness);
    },
  );

  app.get(
    '/api/v1/log/witnessed',
    {
      config: { access: ['admin'] },
      schema: {
        tags: ['log'],
        summary: 'Partner logs this node witnesses, with the size last cosigned',
        response: { 200: Type.Object({ items: Type.Array(WitnessedView) }), ...errorResponses() },
      },
    },
    async () => ({ items: await log.listWitnessedLogs() }),
  );

  app.post<{ Body: Static<typeof TrustBody> }>(
    '/api/v1/log/witnessed',
    {
      config: { access: ['admin'] },
      schema: {
        tags: ['log'],
        summary: "Witness a partner's log (its origin and note verifier key)",
        body: TrustBody,
        response: { 201: WitnessedView, ...errorResponses(400) },
      },
    },
    async (request, reply) => {
      const trusted = await log.trustLog(request.body.origin, request.body.key);
      await request.recordAccess({
        action: 'log.witness.trust',
        targetType: 'log',
        targetId: trusted.origin,
        outcome: 'success',
      });
      return reply.status(201).send(trusted);
    },
  );

  app.get(
    '/api/v1/log/split-views',
    {
      config: { access: ['admin', 'auditor'] },
      schema: {
        tags: ['log'],
        summary: 'Evidence of split views caught as a witness: both signed checkpoints and the proof',
        response: { 200: Type.Object({ items: Type.Array(SplitView) }), ...errorResponses() },
      },
    },
    async () => ({ items: await log.listSplitViews() }),
  );
}
