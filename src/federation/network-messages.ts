import type { AgreementEvent, AgreementEvents, AgreementService, SignedNotice } from '../agreements/index.js';
import { ConcordError, ERROR_CATALOGUE, type ErrorCode, isConcordError } from '../kernel/index.js';
import type { LedgerService, WitnessClient, WitnessRequest } from '../ledger/index.js';
import type { Directory } from './directory.js';
import type { JsonValue } from './envelope.js';
import type { CategoryHandler, FederationService } from './service.js';

/**
 * The network's own messages, which travel in envelopes like customs data but under the directory rather than an
 * agreement: checkpoints for witnessing (gossip), and agreements proposed, signed and suspended across nodes.
 */

export const CHECKPOINT_CATEGORY = 'federation.checkpoint';
export const AGREEMENT_PROPOSAL = 'agreement.proposal';
export const AGREEMENT_SIGNATURE = 'agreement.signature';
export const AGREEMENT_NOTICE = 'agreement.notice';
export const NETWORK_PURPOSE = 'network';

const FEDERATION_WITNESS = /^federation:([A-Z]{2}(?:-[A-Z0-9]{1,8})?)$/;

function invalid(message: string): ConcordError {
  return new ConcordError('FEDERATION_PAYLOAD_INVALID', message);
}

function object(payload: JsonValue, what: string): Record<string, JsonValue> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw invalid(`${what} is an object`);
  return payload;
}

// ---- witness gossip

/**
 * Witnessing over the federation: a node's log asks each partner's witness to cosign its checkpoints by sending a
 * `federation.checkpoint` envelope (C2SP tlog-witness's add-checkpoint request as payload); the partner's receipt
 * carries the cosignature line, or refuses with the witness's code. A split view is raised as an alert at the
 * witness that caught it and at the log that was caught.
 */
export function checkpointHandler(
  ledger: Pick<LedgerService, 'witness'>,
  federation: Pick<FederationService, 'raiseAlert'>,
): CategoryHandler {
  return {
    kind: 'control',
    check(payload) {
      const p = object(payload, 'a checkpoint request');
      if (
        typeof p.checkpoint !== 'string' ||
        !Number.isInteger(p.oldSize) ||
        !Array.isArray(p.proof) ||
        p.proof.some((h) => typeof h !== 'string')
      ) {
        throw invalid('a checkpoint request has checkpoint, oldSize and proof');
      }
    },
    async apply({ header, payload }) {
      const request = payload as unknown as WitnessRequest;
      try {
        return { cosignature: await ledger.witness(request) };
      } catch (error) {
        if (isConcordError(error, 'LEDGER_SPLIT_VIEW')) {
          await federation.raiseAlert({
            kind: 'split-view',
            subject: header.from,
            message: `${header.from}'s log showed this node a checkpoint inconsistent with one it showed before`,
            details: { ...(error.details ?? {}), envelopeId: header.id },
          });
        }
        throw error;
      }
    },
  };
}

/**
 * The log's witness client: `federation:SG` goes to SG over the federation, anything else over plain HTTP (the
 * ledger issue's witness endpoint).
 */
export function federatedWitnessClient(
  federation: Pick<FederationService, 'call' | 'raiseAlert'>,
  http: WitnessClient,
): WitnessClient {
  return {
    async addCheckpoint(url: string, request: WitnessRequest): Promise<string> {
      const match = FEDERATION_WITNESS.exec(url);
      if (!match) return http.addCheckpoint(url, request);
      const partner = match[1]!;
      const receipt = await federation.call(partner, CHECKPOINT_CATEGORY, request as unknown as JsonValue);
      const result = receipt.result as { cosignature?: unknown; latestSize?: unknown } | null;
      if (receipt.status === 'accepted' && typeof result?.cosignature === 'string') return result.cosignature;
      const code = receipt.code ?? 'LEDGER_WITNESS_UNREACHABLE';
      if (code === 'LEDGER_SPLIT_VIEW') {
        await federation.raiseAlert({
          kind: 'split-view',
          subject: partner,
          message: `${partner}'s witness refused this node's checkpoint as a split view of its log`,
          details: { code, message: receipt.message },
        });
      }
      const known = Object.hasOwn(ERROR_CATALOGUE, code) ? (code as ErrorCode) : 'LEDGER_WITNESS_UNREACHABLE';
      throw new ConcordError(known, receipt.message ?? code, (result as Record<string, unknown> | null) ?? undefined);
    },
  };
}

/**
 * Keeps the log's witnessing in step with the directory: every other active member that publishes its log keys is
 * trusted as a log this node witnesses, and asked (over the federation) to witness this node's log.
 */
export function syncWitnessing(ledger: Pick<LedgerService, 'trustLog' | 'addWitness'>, self: string) {
  return async (directory: Directory): Promise<void> => {
    for (const member of directory.members()) {
      if (member.id === self || member.status !== 'active' || !member.log) continue;
      await ledger.trustLog(member.log.origin, member.log.key);
      await ledger.addWitness(`federation:${member.id}`, member.log.witnessKey);
    }
  };
}

/** Makes the agreements module trust exactly the directory's signing keys of each member for agreement signatures. */
export function syncPartyKeys(
  agreements: Pick<AgreementService, 'addPartyKey' | 'listPartyKeys' | 'removePartyKey'>,
  self: string,
) {
  return async (directory: Directory): Promise<void> => {
    const existing = await agreements.listPartyKeys();
    for (const member of directory.members()) {
      if (member.id === self) continue;
      const valid = member.keys.filter((k) => k.use === 'sig' && !k.revoked);
      for (const key of valid) {
        if (!existing.some((e) => e.party === member.id && e.kid === key.kid)) {
          await agreements.addPartyKey(member.id, key.jwk);
        }
      }
      for (const key of member.keys.filter((k) => k.use === 'sig' && k.revoked)) {
        if (existing.some((e) => e.party === member.id && e.kid === key.kid)) {
          await agreements.removePartyKey(member.id, key.kid);
        }
      }
    }
  };
}

// ---- agreements over the wire

/**
 * Forwards this node's own agreement acts to the other parties: a version it created or amended (with its
 * document), its signatures, its suspension, resumption and termination notices. Acts applied from a partner's
 * message are not forwarded again (their actor or party is the partner).
 */
export function agreementForwarder(
  federation: Pick<FederationService, 'send' | 'directory'>,
  agreements: () => Pick<AgreementService, 'getVersion' | 'get'>,
  self: string,
  onError: (error: unknown) => void = () => undefined,
): AgreementEvents {
  const toParties = async (agreementId: string, category: string, payload: JsonValue) => {
    const directory = await federation.directory();
    if (!directory) return;
    const view = await agreements().get(agreementId);
    for (const party of view.parties) {
      if (party === self || !directory.member(party)) continue;
      await federation.send(
        { to: party, category, purpose: NETWORK_PURPOSE, payload, subject: agreementId },
        { control: true },
      );
    }
  };
  return {
    async record(event: AgreementEvent) {
      try {
        switch (event.type) {
          case 'agreement.created':
          case 'agreement.amended': {
            if (event.by.startsWith('node:')) return;
            const version = await agreements().getVersion(event.agreementId, event.version);
            await toParties(event.agreementId, AGREEMENT_PROPOSAL, {
              document: version.document as unknown as JsonValue,
            });
            return;
          }
          case 'agreement.signed':
            if (event.party !== self) return;
            await toParties(event.agreementId, AGREEMENT_SIGNATURE, {
              agreementId: event.agreementId,
              version: event.version,
              party: event.party,
              kid: event.kid,
              signature: event.signature,
            });
            return;
          case 'agreement.suspended':
          case 'agreement.resumed':
          case 'agreement.terminated': {
            if (event.party !== self) return;
            const action = {
              'agreement.suspended': 'suspend',
              'agreement.resumed': 'resume',
              'agreement.terminated': 'terminate',
            } as const;
            const notice: SignedNotice = {
              agreementId: event.agreementId,
              action: action[event.type],
              party: event.party,
              at: event.at,
              reason: event.reason,
              kid: event.kid,
              signature: event.signature,
            };
            await toParties(event.agreementId, AGREEMENT_NOTICE, notice as unknown as JsonValue);
            return;
          }
          default:
            return;
        }
      } catch (error) {
        onError(error);
      }
    },
  };
}

/** The handlers of agreement proposals, signatures and notices from partners. */
export function agreementHandlers(agreements: () => AgreementService): Record<string, CategoryHandler> {
  const idempotent = async (work: () => Promise<unknown>, ...harmless: ErrorCode[]) => {
    try {
      await work();
    } catch (error) {
      if (!isConcordError(error) || !harmless.includes(error.code)) throw error;
    }
  };
  return {
    [AGREEMENT_PROPOSAL]: {
      kind: 'control',
      check(payload) {
        const p = object(payload, 'a proposal');
        object(p.document ?? null, 'its document');
      },
      async apply({ header, payload }) {
        const document = (payload as { document: Record<string, JsonValue> }).document;
        const parties = document.parties;
        if (!Array.isArray(parties) || !parties.includes(header.from)) {
          throw invalid(`${header.from} proposes an agreement it is not a party to`);
        }
        const service = agreements();
        const id = String(document.id);
        const version = Number(document.version);
        let exists = true;
        try {
          await service.get(id);
        } catch (error) {
          if (!isConcordError(error, 'AGREEMENT_UNKNOWN')) throw error;
          exists = false;
        }
        if (!exists) {
          await service.create({ document }, `node:${header.from}`);
        } else {
          const view = await service.get(id);
          if (version > view.latestVersion) await service.amend(id, document, `node:${header.from}`);
        }
        return { agreementId: id, version };
      },
    },
    [AGREEMENT_SIGNATURE]: {
      kind: 'control',
      check(payload) {
        const p = object(payload, 'a signature');
        if (typeof p.agreementId !== 'string' || !Number.isInteger(p.version) || typeof p.signature !== 'string') {
          throw invalid('a signature has agreementId, version and signature');
        }
      },
      async apply({ header, payload }) {
        const p = payload as { agreementId: string; version: number; party: string; kid?: string; signature: string };
        if (p.party !== header.from) throw invalid(`${header.from} sent a signature of ${p.party}`);
        await idempotent(
          () =>
            agreements().addSignature(p.agreementId, {
              version: p.version,
              party: p.party,
              signature: p.signature,
              kid: p.kid,
            }),
          'AGREEMENT_ALREADY_SIGNED',
        );
        return { agreementId: p.agreementId, version: p.version };
      },
    },
    [AGREEMENT_NOTICE]: {
      kind: 'control',
      check(payload) {
        const p = object(payload, 'a notice');
        if (typeof p.agreementId !== 'string' || typeof p.action !== 'string' || typeof p.signature !== 'string') {
          throw invalid('a notice has agreementId, action and signature');
        }
      },
      async apply({ header, payload }) {
        const notice = payload as unknown as SignedNotice;
        if (notice.party !== header.from) throw invalid(`${header.from} sent a notice of ${notice.party}`);
        const view = await agreements()
          .applyNotice(notice)
          .catch(async (error: unknown) => {
            // A replayed notice already applied leaves the agreement as it is.
            if (isConcordError(error, 'AGREEMENT_SUSPENDED') && notice.action === 'suspend') return null;
            if (isConcordError(error, 'AGREEMENT_NOT_SUSPENDED') && notice.action === 'resume') return null;
            throw error;
          });
        return { agreementId: notice.agreementId, state: view ? view.lifecycle.state : 'unchanged' };
      },
    },
  };
}
