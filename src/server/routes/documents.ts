import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ConcordError, canonicalBytes, sha256Hex } from '../../kernel/index.js';
import { decodeBase64, discloseAll, disclosureDigest, type Disclosure } from '../../ledger/index.js';
import type { ServerContext } from '../context.js';
import { errorResponses } from '../schemas.js';

const Sha256Hex = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256, lowercase hex' });
const HashParams = Type.Object({ hash: Sha256Hex }, { additionalProperties: false });
const Code = Type.String({ pattern: '^[a-z0-9]+(?:[.-][a-z0-9]+)*$', maxLength: 64 });

const AnchorBody = Type.Object(
  {
    documentHash: Type.Optional(Sha256Hex),
    document: Type.Optional(Type.Unknown({ description: 'a JSON document: anchored by its RFC 8785 SHA-256' })),
    content: Type.Optional(Type.String({ maxLength: 700_000, description: 'any file, base64: SHA-256 of its bytes' })),
    documentType: Type.Optional(Code),
    documentId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$' })),
    subject: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'an identifier; logged hashed' })),
    validUntil: Type.Optional(Type.String({ maxLength: 40, description: 'YYYY-MM-DD or an RFC 3339 instant' })),
    disclosable: Type.Optional(
      Type.Boolean({ description: 'salt each field of the JSON `document`, so the holder can disclose some only' }),
    ),
  },
  { additionalProperties: false },
);

const Anchored = Type.Object({
  documentId: Type.String(),
  documentHash: Sha256Hex,
  index: Type.Integer(),
  leafHash: Type.String(),
  disclosure: Type.Optional(
    Type.Unknown({ description: 'for a disclosable document: every field with its salt; give it to the holder' }),
  ),
});

const RevokeBody = Type.Object({ reason: Code }, { additionalProperties: false });

const BundleEntrySchema = Type.Object({
  index: Type.Integer(),
  entry: Type.String({ description: 'the exact leaf bytes, base64' }),
  proof: Type.Array(Type.String()),
});
const BundleSchema = Type.Object(
  {
    format: Type.Literal('concord-document-bundle/v1'),
    documentHash: Sha256Hex,
    anchor: BundleEntrySchema,
    revocation: Type.Union([BundleEntrySchema, Type.Null()]),
    checkpoint: Type.String({ description: 'the signed checkpoint with cosignature lines' }),
  },
  { $id: 'DocumentBundle' },
);

const ISSUERS = ['officer', 'admin'] as const;

/** Documents anchored in the log: anchoring and revoking for officers and admins; bundles for anyone. */
export function registerDocumentRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { log } = ctx.node;
  app.addSchema(BundleSchema);

  app.post<{ Body: Static<typeof AnchorBody> }>(
    '/api/v1/documents',
    {
      config: { access: ISSUERS },
      schema: {
        tags: ['documents'],
        summary:
          'Anchor a document by its hash (give exactly one of documentHash, document, content); the document ' +
          'itself is not stored',
        body: AnchorBody,
        response: { 201: Anchored, ...errorResponses(400, 409) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const given = [body.documentHash, body.document, body.content].filter((x) => x !== undefined).length;
      if (given !== 1) {
        throw new ConcordError('REQUEST_INVALID', 'give exactly one of documentHash, document and content');
      }
      let disclosure: Disclosure | undefined;
      let documentHash: string;
      if (body.disclosable) {
        if (body.document === undefined) throw new ConcordError('REQUEST_INVALID', 'disclosable needs `document`');
        disclosure = discloseAll(body.document);
        documentHash = disclosureDigest(disclosure);
      } else if (body.document !== undefined) {
        documentHash = sha256Hex(canonicalBytes(body.document));
      } else if (body.content !== undefined) {
        const bytes = decodeBase64(body.content);
        if (!bytes) throw new ConcordError('REQUEST_INVALID', 'content is not canonical base64');
        documentHash = sha256Hex(bytes);
      } else {
        documentHash = body.documentHash!;
      }
      const anchored = await log.anchorDocument({
        documentHash,
        documentType: body.documentType ?? 'certificate-of-origin',
        documentId: body.documentId,
        subject: body.subject,
        validUntil: body.validUntil,
      });
      await request.recordAccess({
        action: 'document.anchor',
        targetType: 'document',
        targetId: anchored.documentId,
        outcome: 'success',
        details: { documentHash, index: anchored.index },
      });
      return reply.status(201).send({ ...anchored, ...(disclosure ? { disclosure } : {}) });
    },
  );

  app.post<{ Params: Static<typeof HashParams>; Body: Static<typeof RevokeBody> }>(
    '/api/v1/documents/:hash/revoke',
    {
      config: { access: ISSUERS },
      schema: {
        tags: ['documents'],
        summary: 'Revoke an anchored document (appends document.revoked)',
        params: HashParams,
        body: RevokeBody,
        response: { 200: Anchored, ...errorResponses(400, 404, 409) },
      },
    },
    async (request) => {
      const revoked = await log.revokeDocument(request.params.hash, request.body.reason);
      await request.recordAccess({
        action: 'document.revoke',
        targetType: 'document',
        targetId: revoked.documentId,
        outcome: 'success',
        details: { documentHash: revoked.documentHash, index: revoked.index, reason: request.body.reason },
      });
      return revoked;
    },
  );

  app.get<{ Params: Static<typeof HashParams> }>(
    '/api/v1/documents/:hash/bundle',
    {
      config: { access: 'public' },
      schema: {
        tags: ['documents'],
        summary:
          'The verification bundle of a document: its entries, inclusion proofs and the cosigned checkpoint; ' +
          "verifies offline against the log's note verifier key",
        params: HashParams,
        response: { 200: Type.Ref('DocumentBundle'), 400: Type.Ref('Problem'), 404: Type.Ref('Problem') },
      },
    },
    async (request) => log.documentBundle(request.params.hash),
  );
}
