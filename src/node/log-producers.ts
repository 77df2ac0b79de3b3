import type { AgreementEvent, AgreementEvents } from '../agreements/index.js';
import type { LedgerEntry, LedgerService } from '../ledger/index.js';

/**
 * The agreements module's event sink, writing to the node's log. Signatures become `agreement.signed`, creations,
 * amendments, suspensions, resumptions and terminations `agreement.lifecycle`. The other events (national rules,
 * party keys, retention, policy decisions without an envelope) stay in `agreement_events` only: the log's
 * `decision.shared-data` entries name the envelope that moved, and are written where envelopes are (federation).
 */
export function agreementLogEvents(ledger: Pick<LedgerService, 'append'>): AgreementEvents {
  return {
    async record(event) {
      const entry = agreementEntry(event);
      if (entry) await ledger.append(entry);
    },
  };
}

/** The log entry of an agreement event, or undefined when the event is not logged. */
export function agreementEntry(event: AgreementEvent): LedgerEntry | undefined {
  const at = new Date(event.at).toISOString();
  switch (event.type) {
    case 'agreement.signed':
      return {
        type: 'agreement.signed',
        at,
        agreementId: event.agreementId,
        agreementHash: event.documentHash,
        party: event.party,
        keyThumbprint: event.kid,
      };
    case 'agreement.created':
    case 'agreement.amended':
      return {
        type: 'agreement.lifecycle',
        at,
        agreementId: event.agreementId,
        event: event.type === 'agreement.created' ? 'created' : 'amended',
        agreementHash: event.documentHash,
      };
    case 'agreement.suspended':
    case 'agreement.resumed':
    case 'agreement.terminated':
      return {
        type: 'agreement.lifecycle',
        at,
        agreementId: event.agreementId,
        event: event.type.slice('agreement.'.length) as 'suspended' | 'resumed' | 'terminated',
        party: event.party,
      };
    default:
      return undefined;
  }
}
