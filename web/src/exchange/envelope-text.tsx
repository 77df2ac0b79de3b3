import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { AgreementRef, ArrivalState, InboxStatus, OutboxState, PartnerHealth } from '../api/types.js';
import { categoryText, purposeText } from '../agreements/clause-text.js';
import type { Tone } from '../components/badges.js';
import { countryName } from '../format.js';
import { Link } from '../router.js';

/** The categories nodes send one another to run the network itself (src/federation/network-messages.ts). */
export const NETWORK_CATEGORIES = [
  'agreement.proposal',
  'agreement.signature',
  'agreement.notice',
  'federation.checkpoint',
] as const;

export const OUTBOX_STATE_TONE: Record<OutboxState, Tone> = {
  pending: 'info',
  delivered: 'success',
  refused: 'warning',
  dead: 'danger',
};

export const INBOX_STATUS_TONE: Record<InboxStatus, Tone> = {
  accepted: 'success',
  refused: 'danger',
  processing: 'info',
};

export const HEALTH_TONE: Record<PartnerHealth, Tone> = { up: 'success', retrying: 'warning', down: 'danger' };

export const ARRIVAL_STATE_TONE: Record<ArrivalState, Tone> = { expected: 'info', arrived: 'success' };

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** An envelope's category as a cell reads it ("Pre-arrival declarations"), or in a sentence ("pre-arrival…"). */
export function envelopeCategoryText(category: string, t: TFunction, inSentence = false): string {
  const text = t(`exchange.categories.${category}`, { defaultValue: categoryText(category, t) });
  return inSentence ? text : capitalize(text);
}

/** An envelope's purpose ("Risk assessment"); `network` for the messages that run the network. */
export function envelopePurposeText(purpose: string, t: TFunction, inSentence = false): string {
  const text = t(`exchange.purposes.${purpose}`, { defaultValue: purposeText(purpose, t) });
  return inSentence ? text : capitalize(text);
}

/**
 * A long identifier cut to its last characters ("…f20c"), its full text in the tooltip: the ids are UUIDv7, whose
 * first characters are a timestamp shared by everything made in the same batch.
 */
export function ShortId({ id }: { id: string }) {
  if (id.length <= 16) return <code>{id}</code>;
  return (
    <code title={id} className="short-id">
      …{id.slice(-8)}
    </code>
  );
}

/** An administration's code, with its country's name in the tooltip ("SG" → Singapore). */
export function Administration({ id }: { id: string }) {
  const { i18n } = useTranslation();
  return (
    <abbr className="administration" title={countryName(id.slice(0, 2), i18n.language)}>
      {id}
    </abbr>
  );
}

/** The agreement an envelope travelled under, linked to its page; a dash for the network's own messages. */
export function AgreementLink({ agreement }: { agreement: AgreementRef | null }) {
  const { t } = useTranslation();
  if (!agreement) return <span className="muted">—</span>;
  return (
    <Link
      to={`/agreements/${encodeURIComponent(agreement.id)}`}
      title={t('exchange.agreementTitle', { id: agreement.id, version: agreement.version })}
      data-testid="envelope-agreement"
    >
      {agreement.id}
      <span className="cell-secondary">{t('exchange.agreementVersion', { version: agreement.version })}</span>
    </Link>
  );
}
