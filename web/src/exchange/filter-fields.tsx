import { useTranslation } from 'react-i18next';
import { DATA_CATEGORIES } from '../api/types.js';
import { envelopeCategoryText, NETWORK_CATEGORIES } from './envelope-text.js';

/**
 * A filter on a partner administration: "any", the node's partners, and the value in the address bar even when it
 * is no partner (yet), so a shared link shows what it filters on.
 */
export function PartnerSelect({
  id,
  label,
  partners,
  value,
  onChange,
}: {
  /** The element id; also its test id. */
  id: string;
  label: string;
  partners: readonly string[];
  value: string;
  onChange: (value: string) => void;
}) {
  const { t } = useTranslation();
  return (
    <div className="field field--select">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)} data-testid={id}>
        <option value="">{t('exchange.filters.any')}</option>
        {[...new Set([...partners, value].filter(Boolean))].map((partner) => (
          <option key={partner} value={partner}>
            {partner}
          </option>
        ))}
      </select>
    </div>
  );
}

const CATEGORIES = [...DATA_CATEGORIES, ...NETWORK_CATEGORIES];

/** A filter on an envelope's category: "any", the data categories, then the network's own messages. */
export function CategorySelect({
  id,
  value,
  onChange,
}: {
  /** The element id; also its test id. */
  id: string;
  value: string;
  onChange: (value: string) => void;
}) {
  const { t } = useTranslation();
  return (
    <div className="field field--select">
      <label htmlFor={id}>{t('exchange.filters.category')}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)} data-testid={id}>
        <option value="">{t('exchange.filters.any')}</option>
        {CATEGORIES.map((category) => (
          <option key={category} value={category}>
            {envelopeCategoryText(category, t)}
          </option>
        ))}
      </select>
    </div>
  );
}
