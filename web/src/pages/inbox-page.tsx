import { Fragment, useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/endpoints.js';
import type { InboxStatus } from '../api/types.js';
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
  INBOX_STATUS_TONE,
} from '../exchange/envelope-text.js';
import { usePartnerIds } from '../exchange/use-partner-ids.js';
import { useQueryFilter } from '../exchange/use-query-filter.js';
import { formatDateTime } from '../format.js';
import { useResource } from '../use-resource.js';
import { RefreshButton } from '../components/refresh-button.js';
import { CategorySelect, PartnerSelect } from '../exchange/filter-fields.js';

const FILTER_KEYS = ['status', 'sender', 'category'] as const;
const PAGE_SIZE = 100;
const MAX_LIMIT = 1000;
const TABS: readonly ('' | InboxStatus)[] = ['', 'accepted', 'refused', 'processing'];

/**
 * `/exchange/inbox`: envelopes received from partners, newest first. Refused ones are those that passed
 * authentication (a known sender, a valid signature) and failed a later check: their code says which.
 */
export function InboxPage() {
  const { t, i18n } = useTranslation();
  const filter = useQueryFilter(FILTER_KEYS);
  const senders = usePartnerIds();
  const [limit, setLimit] = useState(PAGE_SIZE);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());

  function toggle(key: string) {
    setExpanded((previous) => {
      const next = new Set(previous);
      if (!next.delete(key)) next.add(key);
      return next;
    });
  }

  const filterKey = filter.key;
  const load = useCallback(
    (signal: AbortSignal) => api.inbox({ ...(JSON.parse(filterKey) as Record<string, string>), limit }, signal),
    [filterKey, limit],
  );
  const inbox = useResource(load);
  const items = inbox.data?.items;
  const count = items?.length ?? 0;

  return (
    <>
      <PageHeader
        title={t('inbox.title')}
        description={t('inbox.description')}
        actions={
          <RefreshButton
            onClick={inbox.reload}
            loading={inbox.loading}
            refreshing={inbox.loading && Boolean(inbox.data)}
            testId="inbox-refresh"
          />
        }
      />
      <div className="filters" role="search" aria-label={t('exchange.filters.label')}>
        <FilterTabs
          label={t('inbox.statusFilter')}
          tabs={TABS.map((status) => ({
            value: status,
            label: t(status ? `inbox.status.${status}` : 'inbox.tabs.all'),
          }))}
          value={filter.values.status}
          onSelect={(status) => filter.update({ status })}
          testId="inbox-tab"
        />
        <PartnerSelect
          id="inbox-sender"
          label={t('inbox.sender')}
          partners={senders}
          value={filter.values.sender}
          onChange={(sender) => filter.update({ sender })}
        />
        <CategorySelect
          id="inbox-category"
          value={filter.values.category}
          onChange={(category) => filter.update({ category })}
        />
      </div>
      <ProblemAlert error={inbox.error} />
      {!items && !inbox.error ? <Spinner /> : null}
      {items ? (
        <>
          <div className="table-wrap">
            <table className="table table--dense" data-testid="inbox-table">
              <caption data-testid="inbox-caption">
                {t(filter.active ? 'inbox.captionFiltered' : 'inbox.caption', { count })}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{t('inbox.columns.received')}</th>
                  <th scope="col">{t('inbox.sender')}</th>
                  <th scope="col">{t('exchange.columns.category')}</th>
                  <th scope="col">{t('exchange.columns.purpose')}</th>
                  <th scope="col">{t('exchange.columns.agreement')}</th>
                  <th scope="col">{t('exchange.columns.state')}</th>
                  <th scope="col">{t('inbox.columns.code')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.length === 0 ? (
                  <tr>
                    <td colSpan={8} className="table__empty">
                      {filter.active ? t('inbox.emptyFiltered') : t('inbox.empty')}
                    </td>
                  </tr>
                ) : null}
                {items.map((entry) => {
                  const key = `${entry.sender}-${entry.id}`;
                  return (
                    <Fragment key={key}>
                      <tr data-testid="inbox-row" data-status={entry.status}>
                        <td className="nowrap">
                          <time dateTime={entry.receivedAt}>
                            {formatDateTime(entry.receivedAt, i18n.language, true)}
                          </time>
                        </td>
                        <td>
                          <Administration id={entry.sender} />
                        </td>
                        <th scope="row">
                          <span className="cell-primary">{envelopeCategoryText(entry.category, t)}</span>
                        </th>
                        <td>{envelopePurposeText(entry.purpose, t)}</td>
                        <td>
                          <AgreementLink agreement={entry.agreement} />
                        </td>
                        <td>
                          <Badge tone={INBOX_STATUS_TONE[entry.status]} testId="envelope-status">
                            {t(`inbox.status.${entry.status}`)}
                          </Badge>
                        </td>
                        <td>
                          {entry.code ? <code data-testid="envelope-code">{entry.code}</code> : null}
                          {entry.message && entry.status === 'refused' ? (
                            <span className="cell-secondary breakable">{entry.message}</span>
                          ) : null}
                          {!entry.code ? <span className="muted">—</span> : null}
                        </td>
                        <td className="table__actions">
                          {entry.decisionId ? (
                            <button
                              type="button"
                              className="button button--small button--ghost"
                              aria-expanded={expanded.has(key)}
                              aria-controls={`decision-${key}`}
                              title={t('inbox.whyTitle')}
                              onClick={() => toggle(key)}
                              data-testid="envelope-why"
                            >
                              {t('exchange.why')}
                            </button>
                          ) : null}
                        </td>
                      </tr>
                      {entry.decisionId && expanded.has(key) ? (
                        <tr className="table__editor" id={`decision-${key}`}>
                          <td colSpan={8}>
                            <DecisionDetails decisionId={entry.decisionId} />
                          </td>
                        </tr>
                      ) : null}
                    </Fragment>
                  );
                })}
              </tbody>
            </table>
          </div>
          {items.length >= limit && limit < MAX_LIMIT ? (
            <div className="pager">
              <button
                type="button"
                className="button"
                onClick={() => setLimit((value) => Math.min(MAX_LIMIT, value + PAGE_SIZE))}
                disabled={inbox.loading}
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
