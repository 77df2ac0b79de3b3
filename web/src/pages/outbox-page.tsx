import { Fragment, useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/endpoints.js';
import type { OutboxEntry, OutboxState } from '../api/types.js';
import { useMe } from '../auth/session.js';
import { Badge } from '../components/badges.js';
import { FilterTabs } from '../components/filter-tabs.js';
import { PageHeader } from '../components/page-header.js';
import { ProblemAlert } from '../components/problem-alert.js';
import { Spinner } from '../components/spinner.js';
import { DecisionDetails } from '../exchange/decision-details.js';
import {
  Administration,
  AgreementLink,
  envelopeCategoryText,
  envelopePurposeText,
  OUTBOX_STATE_TONE,
  ShortId,
} from '../exchange/envelope-text.js';
import { usePartnerIds } from '../exchange/use-partner-ids.js';
import { useQueryFilter } from '../exchange/use-query-filter.js';
import { formatDateTime, formatNumber } from '../format.js';
import { Link } from '../router.js';
import { useResource } from '../use-resource.js';
import { RefreshButton } from '../components/refresh-button.js';
import { CategorySelect, PartnerSelect } from '../exchange/filter-fields.js';

const FILTER_KEYS = ['state', 'partner', 'category'] as const;
const PAGE_SIZE = 100;
/** The node's largest page. */
const MAX_LIMIT = 1000;
const TABS: readonly ('' | OutboxState)[] = ['', 'pending', 'delivered', 'dead', 'refused'];

/** Who may put a dead letter back in its queue (the node checks again). */
const RETRY_ROLES = ['admin', 'liaison'];

/** A delivery time in the unit that reads best: "84 ms", "2.4 s", "3 min". */
export function formatLatency(ms: number | null, language: string): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${formatNumber(Math.round(ms), language)} ms`;
  if (ms < 120_000) return `${formatNumber(Math.round(ms / 100) / 10, language)} s`;
  return `${formatNumber(Math.round(ms / 60_000), language)} min`;
}

/** What went wrong last: the partner's refusal (with its code) or the transport's error. */
function LastError({ entry }: { entry: OutboxEntry }) {
  const code = entry.lastCode ?? entry.receipt?.code ?? null;
  const message = entry.lastError ?? (entry.state === 'refused' ? (entry.receipt?.message ?? null) : null);
  if (!code && !message) return <span className="muted">—</span>;
  return (
    <>
      {code ? <code data-testid="envelope-code">{code}</code> : null}
      {message ? <span className="cell-secondary breakable">{message}</span> : null}
    </>
  );
}

/** What the envelope is about, linked where the console has a page for it. */
function Subject({ entry }: { entry: OutboxEntry }) {
  const { t } = useTranslation();
  if (!entry.subject) return null;
  const to = entry.category.startsWith('declaration.')
    ? `/declarations/${encodeURIComponent(entry.subject)}`
    : entry.category.startsWith('agreement.')
      ? `/agreements/${encodeURIComponent(entry.subject)}`
      : null;
  return (
    <span className="cell-secondary">
      {to ? (
        <Link to={to} title={t('outbox.subject')}>
          <ShortId id={entry.subject} />
        </Link>
      ) : (
        <ShortId id={entry.subject} />
      )}
    </span>
  );
}

/** `/exchange/outbox`: envelopes sent or waiting to be sent to partners, newest first. */
export function OutboxPage() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const filter = useQueryFilter(FILTER_KEYS);
  const partners = usePartnerIds();
  const [limit, setLimit] = useState(PAGE_SIZE);
  const [retrying, setRetrying] = useState<string | null>(null);
  const [retryError, setRetryError] = useState<unknown>(null);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const canRetry = me.roles.some((role) => RETRY_ROLES.includes(role));

  const filterKey = filter.key;
  const load = useCallback(
    (signal: AbortSignal) => api.outbox({ ...(JSON.parse(filterKey) as Record<string, string>), limit }, signal),
    [filterKey, limit],
  );
  const outbox = useResource(load);
  const items = outbox.data?.items;

  async function retry(entry: OutboxEntry) {
    setRetrying(entry.id);
    setRetryError(null);
    try {
      await api.retryEnvelope(entry.id);
      outbox.reload();
    } catch (error) {
      setRetryError(error);
    } finally {
      setRetrying(null);
    }
  }

  function toggle(id: string) {
    setExpanded((previous) => {
      const next = new Set(previous);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  }

  const count = items?.length ?? 0;
  const caption = t(filter.active ? 'outbox.captionFiltered' : 'outbox.caption', { count });

  return (
    <>
      <PageHeader
        title={t('outbox.title')}
        description={t('outbox.description')}
        actions={
          <RefreshButton
            onClick={outbox.reload}
            loading={outbox.loading}
            refreshing={outbox.loading && Boolean(outbox.data)}
            testId="outbox-refresh"
          />
        }
      />
      <div className="filters" role="search" aria-label={t('exchange.filters.label')}>
        <FilterTabs
          label={t('outbox.stateFilter')}
          tabs={TABS.map((state) => ({ value: state, label: t(state ? `outbox.tabs.${state}` : 'outbox.tabs.all') }))}
          value={filter.values.state}
          onSelect={(state) => filter.update({ state })}
          testId="outbox-tab"
        />
        <PartnerSelect
          id="outbox-partner"
          label={t('exchange.filters.partner')}
          partners={partners}
          value={filter.values.partner}
          onChange={(partner) => filter.update({ partner })}
        />
        <CategorySelect
          id="outbox-category"
          value={filter.values.category}
          onChange={(category) => filter.update({ category })}
        />
      </div>
      <ProblemAlert error={outbox.error} />
      <ProblemAlert error={retryError} testId="outbox-retry-error" />
      {!items && !outbox.error ? <Spinner /> : null}
      {items ? (
        <>
          <div className="table-wrap">
            <table className="table table--dense" data-testid="outbox-table">
              <caption data-testid="outbox-caption">{caption}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('exchange.columns.when')}</th>
                  <th scope="col">{t('exchange.columns.partner')}</th>
                  <th scope="col">{t('exchange.columns.category')}</th>
                  <th scope="col">{t('exchange.columns.purpose')}</th>
                  <th scope="col">{t('exchange.columns.agreement')}</th>
                  <th scope="col">{t('exchange.columns.state')}</th>
                  <th scope="col" className="numeric">
                    {t('outbox.columns.delivery')}
                  </th>
                  <th scope="col">{t('outbox.columns.lastError')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.length === 0 ? (
                  <tr>
                    <td colSpan={9} className="table__empty">
                      {filter.active ? t('outbox.emptyFiltered') : t('outbox.empty')}
                    </td>
                  </tr>
                ) : null}
                {items.map((entry) => (
                  <Fragment key={entry.id}>
                    <tr data-testid="outbox-row" data-state={entry.state} data-partner={entry.partner}>
                      <td className="nowrap">
                        <time dateTime={entry.createdAt} title={formatDateTime(entry.createdAt, i18n.language, true)}>
                          {formatDateTime(entry.createdAt, i18n.language)}
                        </time>
                      </td>
                      <td>
                        <Administration id={entry.partner} />
                      </td>
                      <th scope="row">
                        <span className="cell-primary">{envelopeCategoryText(entry.category, t)}</span>
                        <Subject entry={entry} />
                      </th>
                      <td>{envelopePurposeText(entry.purpose, t)}</td>
                      <td className="nowrap">
                        <AgreementLink agreement={entry.agreement} />
                      </td>
                      <td>
                        <span className="badge-stack">
                          <Badge tone={OUTBOX_STATE_TONE[entry.state]} testId="envelope-state">
                            {t(`outbox.states.${entry.state}`)}
                          </Badge>
                          {entry.encrypted ? (
                            <Badge tone="info" testId="envelope-encrypted">
                              {t('exchange.encrypted')}
                            </Badge>
                          ) : (
                            <Badge tone="neutral">{t('exchange.signedOnly')}</Badge>
                          )}
                        </span>
                        {entry.state === 'pending' && entry.nextAttemptAt ? (
                          <span className="cell-secondary">
                            {t('outbox.nextAttempt', { at: formatDateTime(entry.nextAttemptAt, i18n.language, true) })}
                          </span>
                        ) : null}
                      </td>
                      <td className="numeric nowrap">
                        {formatLatency(entry.latencyMs, i18n.language)}
                        <span className="cell-secondary" data-testid="envelope-attempts">
                          {t('outbox.attempts', { count: entry.attempts })}
                        </span>
                      </td>
                      <td>
                        <LastError entry={entry} />
                      </td>
                      <td className="table__actions">
                        {entry.decisionId ? (
                          <button
                            type="button"
                            className="button button--small button--ghost"
                            aria-expanded={expanded.has(entry.id)}
                            aria-controls={`decision-${entry.id}`}
                            title={t('exchange.whyTitle')}
                            onClick={() => toggle(entry.id)}
                            data-testid="envelope-why"
                          >
                            {t('exchange.why')}
                          </button>
                        ) : null}
                        {entry.state === 'dead' && canRetry ? (
                          <button
                            type="button"
                            className="button button--small"
                            onClick={() => void retry(entry)}
                            disabled={retrying !== null}
                            data-testid="envelope-retry"
                          >
                            {retrying === entry.id ? t('outbox.retrying') : t('outbox.retry')}
                          </button>
                        ) : null}
                      </td>
                    </tr>
                    {entry.decisionId && expanded.has(entry.id) ? (
                      <tr className="table__editor" id={`decision-${entry.id}`}>
                        <td colSpan={9}>
                          <DecisionDetails decisionId={entry.decisionId} />
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
          {items.length >= limit && limit < MAX_LIMIT ? (
            <div className="pager">
              <button
                type="button"
                className="button"
                onClick={() => setLimit((value) => Math.min(MAX_LIMIT, value + PAGE_SIZE))}
                disabled={outbox.loading}
              >
                {t('exchange.showMore')}
              </button>
            </div>
          ) : null}
        </>
      ) : null}
    </>
  );
}
