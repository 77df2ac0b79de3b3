import { canonicalBytes, sha256Hex } from '../kernel/index.js';
import type { DecisionReason, SharingDecision, SharingRequest } from './decide.js';

/**
 * What the agreements module tells the log. Every signature, suspension, resumption and termination, every new
 * agreement or version, and every decision on data that actually moved is one event; the node wires the sink to the
 * Merkle log (src/ledger) later. Events are also kept in the `agreement_events` table, written in the same
 * transaction as the change, so none is lost before the log takes them.
 */
export type AgreementEvent =
  | {
      type: 'agreement.created' | 'agreement.amended';
      at: string;
      agreementId: string;
      version: number;
      documentHash: string;
      by: string;
    }
  | {
      type: 'agreement.signed';
      at: string;
      agreementId: string;
      version: number;
      documentHash: string;
      party: string;
      kid: string;
      signature: string;
      /** Whether this signature was the last one missing. */
      complete: boolean;
    }
  | {
      type: 'agreement.suspended' | 'agreement.resumed' | 'agreement.terminated';
      at: string;
      agreementId: string;
      party: string;
      reason: string;
      kid: string;
      signature: string;
    }
  | {
      type: 'national-rule.created' | 'national-rule.updated' | 'national-rule.deleted';
      at: string;
      ruleId: string;
      ruleHash: string | null;
    }
  | { type: 'party.key-added' | 'party.key-removed'; at: string; party: string; kid: string }
  | {
      type: 'decision.shared-data';
      at: string;
      decisionId: string;
      sender: string;
      receiver: string;
      category: string;
      purpose: string;
      allowed: boolean;
      code: string | null;
      agreementId: string | null;
      version: number | null;
      clause: string | null;
      /** SHA-256 (hex) of the RFC 8785 form of the record as asked about, and of what left, if anything did. */
      recordHash: string | null;
      outputHash: string | null;
      reasons: Pick<DecisionReason, 'effect' | 'code' | 'clause'>[];
    }
  | { type: 'data.retention-applied'; at: string; deleted: string[]; anonymized: string[] };

export type AgreementEventType = AgreementEvent['type'];

/** Where events go. `record` may be async; the service awaits it after the change is committed. */
export interface AgreementEvents {
  record(event: AgreementEvent): void | Promise<void>;
}

/**
 * Keeps events in an array; for tests.
 *
 * @example
 * const events = new MemoryAgreementEvents();
 * expect(events.ofType('agreement.signed')).toHaveLength(2);
 */
export class MemoryAgreementEvents implements AgreementEvents {
  readonly events: AgreementEvent[] = [];

  record(event: AgreementEvent): void {
    this.events.push(event);
  }

  ofType<T extends AgreementEventType>(type: T): Extract<AgreementEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<AgreementEvent, { type: T }> => e.type === type);
  }
}

/**
 * The log event of a decision: it names the decision, hashes the record instead of copying it (the log must not
 * become a second copy of the data), and keeps the codes of the reasons.
 */
export function decisionEvent(
  decisionId: string,
  request: Pick<SharingRequest, 'record'>,
  decision: SharingDecision,
): Extract<AgreementEvent, { type: 'decision.shared-data' }> {
  return {
    type: 'decision.shared-data',
    at: decision.at,
    decisionId,
    sender: decision.sender,
    receiver: decision.receiver,
    category: decision.category,
    purpose: decision.purpose,
    allowed: decision.allowed,
    code: decision.code,
    agreementId: decision.basis?.agreementId ?? null,
    version: decision.basis?.version ?? null,
    clause: decision.basis?.clause ?? null,
    recordHash: request.record === undefined ? null : sha256Hex(canonicalBytes(request.record)),
    outputHash: decision.record === null ? null : sha256Hex(canonicalBytes(decision.record)),
    reasons: decision.reasons.map((r) => ({
      effect: r.effect,
      code: r.code,
      ...(r.clause ? { clause: r.clause } : {}),
    })),
  };
}
