import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/endpoints.js';
import type { ArrivalState } from '../api/types.js';
import { Badge } from '../components/badges.js';
import { FilterTabs } from '../components/filter-tabs.js';
import { PageHeader } from '../components/page-header.js';
import { ProblemAlert } from '../components/problem-alert.js';
import { Spinner } from '../components/spinner.js';
import { Administration, ARRIVAL_STATE_TONE } from '../exchange/envelope-text.js';
import { usePartnerIds } from '../exchange/use-partner-ids.js';
import { useQueryFilter } from '../exchange/use-query-filter.js';
import { formatDate, formatDateTime } from '../format.js';
import { Link } from '../router.js';
import { useResource } from '../use-resource.js';
import { RefreshButton } from '../components/refresh-button.js';
import { PartnerSelect } from '../exchange/filter-fields.js';

const FILTER_KEYS = ['state', 'sender'] as const;
const LIMIT = 500;
const TABS: readonly ('' | ArrivalState)[] = ['', 'expected', 'arrived'];

/**
 * `/arrivals`: export declarations partners sent ahead of the goods (pre-arrival data), as far as each agreement let
 * them in. An arrival is matched to the import declaration lodged here, by UCR or else by container and transport.
 */
export function ArrivalsPage() {
  const { t, i18n } = useTranslation();
  const filter = useQueryFilter(FILTER_KEYS);
  const senders = usePartnerIds();
  const filterKey = filter.key;
  const load = useCallback(
    (signal: AbortSignal) =>
      api.prearrivals({ ...(JSON.parse(filterKey) as Record<string, string>), limit: LIMIT }, signal),
    [filterKey],
  );
  const arrivals = useResource(load);
  const data = arrivals.data;
  const counts = data?.counts;

  return (
    <>
      <PageHeader
        title={t('arrivals.title')}
        description={t('arrivals.description')}
        actions={
          <RefreshButton
            onClick={arrivals.reload}
            loading={arrivals.loading}
            refreshing={arrivals.loading && Boolean(data)}
            testId="arrivals-refresh"
          />
        }
      />
      {counts ? (
        <dl className="stat-tiles" data-testid="arrivals-counts">
          <div className="stat-tile">
            <dt>{t('arrivals.states.expected')}</dt>
            <dd data-testid="arrivals-count-expected">{counts.expected}</dd>
          </div>
          <div className="stat-tile">
            <dt>{t('arrivals.states.arrived')}</dt>
            <dd data-testid="arrivals-count-arrived">{counts.arrived}</dd>
          </div>
        </dl>
      ) : null}
      <div className="filters" role="search" aria-label={t('exchange.filters.label')}>
        <FilterTabs
          label={t('arrivals.stateFilter')}
          tabs={TABS.map((state) => ({
            value: state,
            label: t(state ? `arrivals.states.${state}` : 'arrivals.all'),
            count: counts ? (state ? counts[state] : counts.expected + counts.arrived) : undefined,
          }))}
          value={filter.values.state}
          onSelect={(state) => filter.update({ state })}
          testId="arrivals-tab"
        />
        <PartnerSelect
          id="arrivals-sender"
          label={t('arrivals.sender')}
          partners={senders}
          value={filter.values.sender}
          onChange={(sender) => filter.update({ sender })}
        />
      </div>
      <ProblemAlert error={arrivals.error} />
      {!data && !arrivals.error ? <Spinner /> : null}
      {data ? (
        <div className="table-wrap">
          <table className="table table--dense" data-testid="arrivals-table">
            <caption data-testid="arrivals-caption">
              {t(filter.active ? 'arrivals.captionFiltered' : 'arrivals.caption', { count: data.items.length })}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t('arrivals.columns.ucr')}</th>
                <th scope="col">{t('arrivals.sender')}</th>
                <th scope="col">{t('arrivals.columns.containers')}</th>
                <th scope="col">{t('arrivals.columns.transport')}</th>
                <th scope="col">{t('arrivals.columns.expectedArrival')}</th>
                <th scope="col">{t('arrivals.columns.chapters')}</th>
                <th scope="col">{t('arrivals.columns.state')}</th>
                <th scope="col">{t('arrivals.columns.declaration')}</th>
                <th scope="col">{t('arrivals.columns.received')}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.length === 0 ? (
                <tr>
                  <td colSpan={9} className="table__empty">
                    {filter.active ? t('arrivals.emptyFiltered') : t('arrivals.empty')}
                  </td>
                </tr>
              ) : null}
              {data.items.map((arrival) => (
                <tr key={arrival.id} data-testid="arrival-row" data-state={arrival.state}>
                  <th scope="row">
                    {arrival.ucr ? (
                      <code className="cell-primary" data-testid="arrival-ucr">
                        {arrival.ucr}
                      </code>
                    ) : (
                      <span className="muted">{t('arrivals.noUcr')}</span>
                    )}
                  </th>
                  <td>
                    <Administration id={arrival.sender} />
                  </td>
                  <td>
                    {arrival.containers.length > 0 ? (
                      <span className="code-list">
                        {arrival.containers.map((container) => (
                          <code key={container}>{container}</code>
                        ))}
                      </span>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td>{arrival.transport ? <code>{arrival.transport}</code> : <span className="muted">—</span>}</td>
                  <td className="nowrap">
                    {arrival.expectedArrival ? (
                      <time dateTime={arrival.expectedArrival}>
                        {formatDate(arrival.expectedArrival, i18n.language)}
                      </time>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td>
                    <span className="code-list">
                      {arrival.hsChapters.map((chapter) => (
                        <Link key={chapter} to={`/hs/2022/${chapter}`} title={t('arrivals.openChapter', { chapter })}>
                          {chapter}
                        </Link>
                      ))}
                    </span>
                  </td>
                  <td>
                    <Badge tone={ARRIVAL_STATE_TONE[arrival.state]} testId="arrival-state">
                      {t(`arrivals.states.${arrival.state}`)}
                    </Badge>
                  </td>
                  <td>
                    {arrival.matchedDeclarationId ? (
                      <Link
                        to={`/declarations/${encodeURIComponent(arrival.matchedDeclarationId)}`}
                        data-testid="arrival-declaration"
                      >
                        {t('arrivals.openDeclaration')}
                      </Link>
                    ) : (
                      <span className="muted">{t('arrivals.notYet')}</span>
                    )}
                  </td>
                  <td className="nowrap">
                    <time dateTime={arrival.receivedAt}>{formatDateTime(arrival.receivedAt, i18n.language)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
