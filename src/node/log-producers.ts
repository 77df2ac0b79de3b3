import type { AgreementEvent, AgreementEvents } from '../agreements/index.js';
import type { AcceptedDeclaration } from '../declarations/index.js';
import { type LedgerEntry, type LedgerService, MAX_ENTRIES_PER_READ } from '../ledger/index.js';

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

/** WCO UCR as the log's entry schema accepts it; other references are left out of the entry (the id identifies it). */
const LOGGABLE_UCR = /^[0-9A-Z][0-9A-Z+-]{0,34}$/;

/**
 * The declarations module's acceptance hook, writing `declaration.accepted` entries: the declaration's id and the
 * SHA-256 of its RFC 8785 canonical form, never its content. The log's batching makes a batch of declarations one
 * log transaction.
 */
export function declarationLogEvents(ledger: Pick<LedgerService, 'append'>) {
  return async (accepted: readonly AcceptedDeclaration[]): Promise<void> => {
    await Promise.all(
      accepted.map((d) =>
        ledger.append({
          type: 'declaration.accepted',
          at: d.at,
          declarationId: d.id,
          declarationHash: d.contentHash,
          ...(d.ucr !== null && LOGGABLE_UCR.test(d.ucr) ? { ucr: d.ucr } : {}),
        }),
      ),
    );
  };
}

/** Both sinks, in order: the log first (it must not miss an event), then the other. */
export function bothEvents(first: AgreementEvents, second: AgreementEvents): AgreementEvents {
  return {
    async record(event) {
      await first.record(event);
      await second.record(event);
    },
  };
}

/** How far before a replayed announcement's time the log is searched for entries already written for it. */
const REPLAY_SEARCH_MARGIN_MS = 10 * 60_000;

/**
 * The replay of the acceptance hook after a crash (`DeclarationService.replayAnnouncements`): writes the
 * `declaration.accepted` entries the log does not have yet. A crash may have come between two appends of a batch,
 * so the log is read back from its end over the entries dated from a margin before the oldest replayed version on
 * (entries are appended in time order, give or take concurrent batches), and the versions found there are skipped.
 */
export function declarationLogReplay(ledger: Pick<LedgerService, 'append' | 'log'>) {
  const append = declarationLogEvents(ledger);
  return async (accepted: readonly AcceptedDeclaration[]): Promise<void> => {
    if (accepted.length === 0) return;
    const since = Math.min(...accepted.map((d) => Date.parse(d.at))) - REPLAY_SEARCH_MARGIN_MS;
    const logged = new Set<string>();
    let end = await ledger.log.size();
    search: while (end > 0) {
      const start = Math.max(0, end - MAX_ENTRIES_PER_READ);
      const entries = await ledger.log.entries(start, end);
      for (let i = entries.length - 1; i >= 0; i--) {
        const { entry } = entries[i]!;
        if (Date.parse(entry.at) < since) break search;
        if (entry.type === 'declaration.accepted') logged.add(`${entry.declarationId}@${entry.declarationHash}`);
      }
      end = start;
    }
    await append(accepted.filter((d) => !logged.has(`${d.id}@${d.contentHash}`)));
  };
}
