import { useCallback, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/endpoints.js';
import type { MirrorGroup, MirrorMatch, MirrorReason } from '../api/types.js';
import { Badge, type Tone } from '../components/badges.js';
import { BarChart, type Bar } from '../components/bar-chart.js';
import { PageHeader } from '../components/page-header.js';
import { ProblemAlert } from '../components/problem-alert.js';
import { Spinner } from '../components/spinner.js';
import { Administration, ShortId } from '../exchange/envelope-text.js';
import { usePartnerIds } from '../exchange/use-partner-ids.js';
import { useQueryFilter, type QueryFilter } from '../exchange/use-query-filter.js';
import { formatDateTime, formatNumber } from '../format.js';
import { Link } from '../router.js';
import { useResource } from '../use-resource.js';
import { RefreshButton } from '../components/refresh-button.js';
import { PartnerSelect } from '../exchange/filter-fields.js';

const FILTER_KEYS = ['partner', 'minScore', 'chapter'] as const;
type FilterKey = (typeof FILTER_KEYS)[number];
const LIMIT = 200;
const TOP = 10;
/** The node counts a match scoring this much or more as a discrepancy (src/federation/mirror.ts). */
const DISCREPANCY_THRESHOLD = 20;

/** Mirror images are green; a discrepancy amber, a strong one red. */
export function scoreTone(score: number): Tone {
  if (score >= 50) return 'danger';
  if (score >= DISCREPANCY_THRESHOLD) return 'warning';
  return 'success';
}

function FilterForm({ filter, partners }: { filter: QueryFilter<FilterKey>; partners: readonly string[] }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState(filter.values);
  const set = (key: FilterKey) => (value: string) => setDraft((previous) => ({ ...previous, [key]: value }));

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    filter.update({ partner: draft.partner, minScore: draft.minScore.trim(), chapter: draft.chapter.trim() });
  }

  return (
    <form
      className="filters"
      role="search"
      aria-label={t('exchange.filters.label')}
      onSubmit={handleSubmit}
      data-testid="mirror-filters"
    >
      <PartnerSelect
        id="mirror-partner"
        label={t('exchange.filters.partner')}
        partners={[...partners, filter.values.partner]}
        value={draft.partner}
        onChange={set('partner')}
      />
      <div className="field field--code">
        <label htmlFor="mirror-min-score">{t('mirror.filters.minScore')}</label>
        <input
          id="mirror-min-score"
          type="number"
          min={0}
          max={100}
          step={1}
          inputMode="numeric"
          placeholder="20"
          value={draft.minScore}
          onChange={(event) => set('minScore')(event.target.value)}
          data-testid="mirror-min-score"
        />
      </div>
      <div className="field field--code">
        <label htmlFor="mirror-chapter">{t('mirror.filters.chapter')}</label>
        <input
          id="mirror-chapter"
          inputMode="numeric"
          pattern="\d{2}"
          maxLength={2}
          placeholder="85"
          aria-describedby="mirror-chapter-hint"
          value={draft.chapter}
          onChange={(event) => set('chapter')(event.target.value)}
          data-testid="mirror-chapter"
        />
        <p className="field__hint" id="mirror-chapter-hint">
          {t('mirror.filters.chapterHint')}
        </p>
      </div>
      <div className="filters__actions">
        <button type="submit" className="button button--primary" data-testid="mirror-apply">
          {t('mirror.filters.apply')}
        </button>
        <button
          type="button"
          className="button button--ghost"
          onClick={() => filter.update({ partner: '', minScore: '', chapter: '' })}
          disabled={!filter.active}
        >
          {t('mirror.filters.clear')}
        </button>
      </div>
    </form>
  );
}

/** A reason in words: what differs, translated from its code, then the node's figures. */
function Reason({ reason }: { reason: MirrorReason }) {
  const { t } = useTranslation();
  return (
    <li className="mirror-reason" data-testid="mirror-reason" data-code={reason.code}>
      <span className="mirror-reason__title">
        {t(`mirror.reasons.${reason.code}`, { defaultValue: reason.code })}
        {reason.weight > 0 ? (
          <span className="mirror-reason__weight" title={t('mirror.weightTitle')}>
            {' '}
            +{reason.weight}
          </span>
        ) : null}
      </span>
      <span className="cell-secondary">{reason.message}</span>
    </li>
  );
}

function MatchesTable({ matches, filtered }: { matches: readonly MirrorMatch[]; filtered: boolean }) {
  const { t, i18n } = useTranslation();
  const sorted = [...matches].sort((a, b) => b.score - a.score || b.matchedAt.localeCompare(a.matchedAt));
  return (
    <div className="table-wrap">
      <table className="table table--dense" data-testid="mirror-table">
        <caption data-testid="mirror-caption">
          {t(filtered ? 'mirror.captionFiltered' : 'mirror.caption', { count: matches.length })}
        </caption>
        <thead>
          <tr>
            <th scope="col" className="numeric">
              {t('mirror.columns.score')}
            </th>
            <th scope="col">{t('mirror.columns.declaration')}</th>
            <th scope="col">{t('exchange.columns.partner')}</th>
            <th scope="col">{t('mirror.columns.chapters')}</th>
            <th scope="col">{t('mirror.columns.trader')}</th>
            <th scope="col">{t('mirror.columns.reasons')}</th>
            <th scope="col">{t('mirror.columns.matched')}</th>
          </tr>
        </thead>
        <tbody>
          {matches.length === 0 ? (
            <tr>
              <td colSpan={7} className="table__empty">
                {filtered ? t('mirror.emptyFiltered') : t('mirror.empty')}
              </td>
            </tr>
          ) : null}
          {sorted.map((match) => (
            <tr key={match.id} data-testid="mirror-row" data-score={match.score}>
              <td className="numeric">
                <Badge tone={scoreTone(match.score)} testId="mirror-score">
                  {formatNumber(match.score, i18n.language)}
                </Badge>
              </td>
              <th scope="row">
                <Link
                  to={`/declarations/${encodeURIComponent(match.declarationId)}`}
                  className="cell-primary"
                  data-testid="mirror-declaration"
                >
                  {t('mirror.importDeclaration')}
                </Link>
                <span className="cell-secondary">
                  <ShortId id={match.declarationId} />
                </span>
              </th>
              <td>
                <Administration id={match.partner} />
                <span className="cell-secondary">{t(`mirror.matchedBy.${match.matchedBy}`)}</span>
              </td>
              <td>
                <span className="code-list">
                  {match.hsChapters.map((chapter) => (
                    <Link key={chapter} to={`/hs/2022/${chapter}`}>
                      {chapter}
                    </Link>
                  ))}
                </span>
              </td>
              <td>{match.trader ? <code>{match.trader}</code> : <span className="muted">—</span>}</td>
              <td>
                {match.reasons.length === 0 ? (
                  <span className="muted">{t('mirror.noReason')}</span>
                ) : (
                  <ul className="plain-list mirror-reasons">
                    {match.reasons.map((reason, index) => (
                      <Reason key={`${reason.code}-${index}`} reason={reason} />
                    ))}
                  </ul>
                )}
              </td>
              <td className="nowrap">
                <time dateTime={match.matchedAt}>{formatDateTime(match.matchedAt, i18n.language)}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function top(groups: readonly MirrorGroup[], label: (key: string) => string, count = TOP): Bar[] {
  return [...groups]
    .sort((a, b) => b.discrepancies - a.discrepancies || b.matches - a.matches || a.key.localeCompare(b.key))
    .slice(0, count)
    .map((group) => ({ key: group.key, label: label(group.key), total: group.matches, part: group.discrepancies }));
}

/**
 * `/mirror`: each import declaration matched with its partner's export, compared (mirror analysis). Charts count the
 * matches and discrepancies by partner, HS chapter, trader and reason; the table lists the matches, most
 * suspicious first, with the reasons in words.
 */
export function MirrorPage() {
  const { t } = useTranslation();
  const filter = useQueryFilter(FILTER_KEYS);
  const partners = usePartnerIds();
  const filterKey = filter.key;

  const loadSummary = useCallback((signal: AbortSignal) => api.mirrorSummary(signal), []);
  const loadMatches = useCallback(
    (signal: AbortSignal) =>
      api.mirrorDiscrepancies({ ...(JSON.parse(filterKey) as Record<string, string>), limit: LIMIT }, signal),
    [filterKey],
  );
  const summary = useResource(loadSummary);
  const matches = useResource(loadMatches);

  const chartProps = { totalLabel: t('mirror.chart.matches'), partLabel: t('mirror.chart.discrepancies') };
  const s = summary.data;

  return (
    <>
      <PageHeader
        title={t('mirror.title')}
        description={t('mirror.description', { threshold: DISCREPANCY_THRESHOLD })}
        actions={
          <RefreshButton
            onClick={() => {
              summary.reload();
              matches.reload();
            }}
            loading={summary.loading || matches.loading}
            refreshing={(summary.loading && Boolean(s)) || (matches.loading && Boolean(matches.data))}
            testId="mirror-refresh"
          />
        }
      />
      <ProblemAlert error={summary.error} />
      {!s && !summary.error ? <Spinner /> : null}
      {s ? (
        <section className="grid grid--charts" aria-label={t('mirror.chart.label')} data-testid="mirror-charts">
          <div className="card">
            <BarChart
              title={t('mirror.chart.byPartner')}
              keyLabel={t('exchange.columns.partner')}
              bars={top(s.byPartner, (key) => key)}
              testId="mirror-chart-partner"
              {...chartProps}
            />
          </div>
          <div className="card">
            <BarChart
              title={t('mirror.chart.byChapter', { count: TOP })}
              keyLabel={t('mirror.columns.chapters')}
              bars={top(s.byChapter, (key) => t('mirror.chart.chapter', { chapter: key }))}
              testId="mirror-chart-chapter"
              {...chartProps}
            />
          </div>
          <div className="card">
            <BarChart
              title={t('mirror.chart.byTrader', { count: TOP })}
              keyLabel={t('mirror.columns.trader')}
              bars={top(s.byTrader, (key) => key)}
              testId="mirror-chart-trader"
              {...chartProps}
            />
          </div>
          <div className="card">
            <BarChart
              title={t('mirror.chart.byReason')}
              keyLabel={t('mirror.columns.reasons')}
              bars={top(s.byReason, (key) => t(`mirror.reasons.${key}`, { defaultValue: key }), Infinity)}
              testId="mirror-chart-reason"
              {...chartProps}
            />
          </div>
        </section>
      ) : null}
      <h2 className="section-title">{t('mirror.matchesTitle')}</h2>
      <FilterForm key={filterKey} filter={filter} partners={partners} />
      <ProblemAlert error={matches.error} />
      {!matches.data && !matches.error ? <Spinner /> : null}
      {matches.data ? <MatchesTable matches={matches.data.items} filtered={filter.active} /> : null}
    </>
  );
}
