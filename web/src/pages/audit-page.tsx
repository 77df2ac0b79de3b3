import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { toQuery } from '../api/client.js';
import { api } from '../api/endpoints.js';
import type { AuditEntry } from '../api/types.js';
import { Badge, type Tone } from '../components/badges.js';
import { PageHeader } from '../components/page-header.js';
import { ProblemAlert } from '../components/problem-alert.js';
import { Spinner } from '../components/spinner.js';
import { formatDateTime } from '../format.js';
import { navigate, useLocation } from '../router.js';

const PAGE_SIZE = 50;

const OUTCOME_TONE: Record<AuditEntry['outcome'], Tone> = { success: 'success', denied: 'warning', failure: 'danger' };

interface Filter {
  actor: string;
  action: string;
}

/** The pages loaded so far for one filter; `filterKey` tells which filter they belong to. */
interface Loaded {
  filterKey: string;
  items: AuditEntry[];
  nextCursor: string | null;
  error: unknown;
}

function FilterForm({ filter }: { filter: Filter }) {
  const { t } = useTranslation();
  const [actor, setActor] = useState(filter.actor);
  const [action, setAction] = useState(filter.action);

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    navigate(`/audit${toQuery({ actor: actor.trim(), action: action.trim() })}`);
  }

  function clear() {
    setActor('');
    setAction('');
    navigate('/audit');
  }

  return (
    <form
      className="filters"
      role="search"
      aria-label={t('audit.filters.label')}
      onSubmit={handleSubmit}
      data-testid="audit-filters"
    >
      <div className="field">
        <label htmlFor="audit-actor">{t('audit.filters.actor')}</label>
        <input
          id="audit-actor"
          autoCapitalize="none"
          spellCheck={false}
          value={actor}
          onChange={(event) => setActor(event.target.value)}
          data-testid="audit-actor"
        />
      </div>
      <div className="field">
        <label htmlFor="audit-action">{t('audit.filters.action')}</label>
        <input
          id="audit-action"
          autoCapitalize="none"
          spellCheck={false}
          placeholder={t('audit.filters.actionPlaceholder')}
          value={action}
          onChange={(event) => setAction(event.target.value)}
          data-testid="audit-action"
        />
      </div>
      <div className="filters__actions">
        <button type="submit" className="button button--primary" data-testid="audit-apply">
          {t('audit.filters.apply')}
        </button>
        <button
          type="button"
          className="button button--ghost"
          onClick={clear}
          disabled={!filter.actor && !filter.action && !actor && !action}
        >
          {t('audit.filters.clear')}
        </button>
      </div>
    </form>
  );
}

function Target({ entry }: { entry: AuditEntry }) {
  if (!entry.targetType && !entry.targetId) return <span className="muted">—</span>;
  return (
    <>
      <span className="cell-primary">{entry.targetType ?? '—'}</span>
      {entry.targetId ? <code className="cell-secondary nowrap">{entry.targetId}</code> : null}
    </>
  );
}

export function AuditPage() {
  const { t, i18n } = useTranslation();
  const { search } = useLocation();
  const filter: Filter = { actor: search.get('actor') ?? '', action: search.get('action') ?? '' };
  const filterKey = JSON.stringify(filter);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(null);
  const [reloadCount, setReloadCount] = useState(0);

  // First page whenever the filter (in the URL) changes. Later pages are appended by "Load more".
  useEffect(() => {
    const { actor, action } = JSON.parse(filterKey) as Filter;
    const controller = new AbortController();
    api.audit({ actor, action, limit: PAGE_SIZE }, controller.signal).then(
      (page) => setLoaded({ filterKey, items: page.items, nextCursor: page.nextCursor ?? null, error: null }),
      (error: unknown) => {
        if (!controller.signal.aborted) setLoaded({ filterKey, items: [], nextCursor: null, error });
      },
    );
    return () => controller.abort();
  }, [filterKey, reloadCount]);

  const current = loaded?.filterKey === filterKey ? loaded : null;

  async function loadMore() {
    if (!current?.nextCursor) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await api.audit({ ...filter, cursor: current.nextCursor, limit: PAGE_SIZE });
      setLoaded({
        filterKey,
        items: [...current.items, ...page.items],
        nextCursor: page.nextCursor ?? null,
        error: null,
      });
    } catch (error) {
      setMoreError(error);
    } finally {
      setLoadingMore(false);
    }
  }

  const filtered = Boolean(filter.actor || filter.action);

  return (
    <>
      <PageHeader
        title={t('audit.title')}
        description={t('audit.description')}
        actions={
          <button
            type="button"
            className="button"
            onClick={() => setReloadCount((n) => n + 1)}
            data-testid="audit-refresh"
          >
            {t('common.refresh')}
          </button>
        }
      />
      <FilterForm key={filterKey} filter={filter} />
      <ProblemAlert error={current?.error} />
      {!current ? <Spinner /> : null}
      {current && !current.error ? (
        <>
          <div className="table-wrap">
            <table className="table table--dense" data-testid="audit-table">
              <caption>
                {filtered
                  ? t('audit.captionFiltered', { count: current.items.length })
                  : t('audit.caption', { count: current.items.length })}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{t('audit.columns.at')}</th>
                  <th scope="col">{t('audit.columns.actor')}</th>
                  <th scope="col">{t('audit.columns.action')}</th>
                  <th scope="col">{t('audit.columns.target')}</th>
                  <th scope="col">{t('audit.columns.purpose')}</th>
                  <th scope="col">{t('audit.columns.ip')}</th>
                  <th scope="col">{t('audit.columns.outcome')}</th>
                  <th scope="col">{t('audit.columns.details')}</th>
                </tr>
              </thead>
              <tbody>
                {current.items.length === 0 ? (
                  <tr>
                    <td colSpan={8} className="table__empty">
                      {filtered ? t('audit.emptyFiltered') : t('audit.empty')}
                    </td>
                  </tr>
                ) : null}
                {current.items.map((entry) => (
                  <tr key={entry.id} data-testid="audit-row">
                    <td className="nowrap">
                      <time dateTime={entry.at}>{formatDateTime(entry.at, i18n.language, true)}</time>
                    </td>
                    <td>
                      <span className="cell-primary">{entry.actor}</span>
                      <span className="cell-secondary">{t(`audit.actorKind.${entry.actorKind}`)}</span>
                    </td>
                    <td>
                      <code>{entry.action}</code>
                    </td>
                    <td>
                      <Target entry={entry} />
                    </td>
                    <td>{entry.purpose ?? <span className="muted">—</span>}</td>
                    <td className="nowrap">{entry.ip ?? <span className="muted">—</span>}</td>
                    <td>
                      <Badge tone={OUTCOME_TONE[entry.outcome]}>{t(`audit.outcome.${entry.outcome}`)}</Badge>
                    </td>
                    <td>
                      {entry.details && Object.keys(entry.details).length > 0 ? (
                        <details className="json-details">
                          <summary>{t('audit.showDetails')}</summary>
                          <pre>{JSON.stringify(entry.details, null, 2)}</pre>
                        </details>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="pager">
            <ProblemAlert error={moreError} />
            {current.nextCursor ? (
              <button
                type="button"
                className="button"
                onClick={() => void loadMore()}
                disabled={loadingMore}
                data-testid="audit-load-more"
              >
                {loadingMore ? t('common.loading') : t('audit.loadMore')}
              </button>
            ) : current.items.length > 0 ? (
              <p className="muted">{t('audit.end')}</p>
            ) : null}
          </div>
        </>
      ) : null}
    </>
  );
}
