import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { toQuery } from '../api/client.js';
import { api } from '../api/endpoints.js';
import { DECLARATION_STATUSES, DECLARATION_TYPES, type DeclarationSummary, type Role } from '../api/types.js';
import { useMe } from '../auth/session.js';
import { useNodeInfo } from '../node-info.js';
import { Badge } from '../components/badges.js';
import { PageHeader } from '../components/page-header.js';
import { ProblemAlert } from '../components/problem-alert.js';
import { Spinner } from '../components/spinner.js';
import { countryName, formatDate } from '../format.js';
import { Link, navigate, useLocation } from '../router.js';
import { DeclarationPage, STATUS_TONE } from './declaration-page.js';
import { GeneratePanel } from './declarations-generate.js';
import { ImportPanel } from './declarations-import.js';
import { NotFoundPage } from './not-found-page.js';

const PAGE_SIZE = 50;
/** The roles that may lodge declarations (`POST /api/v1/declarations`). */
const LODGE: readonly Role[] = ['officer', 'supervisor', 'admin'];

/** The filters the list understands, as they stand in the URL (`/declarations?type=export&hsChapter=85`). */
const FILTER_KEYS = ['reference', 'from', 'to', 'type', 'hsChapter', 'origin', 'declarant', 'status'] as const;
type FilterKey = (typeof FILTER_KEYS)[number];
type Filter = Record<FilterKey, string>;

/** The pages loaded so far for one filter; `filterKey` tells which filter they belong to. */
interface Loaded {
  filterKey: string;
  items: DeclarationSummary[];
  nextCursor: string | null;
  error: unknown;
}

function readFilter(search: URLSearchParams): Filter {
  return Object.fromEntries(FILTER_KEYS.map((key) => [key, search.get(key) ?? ''])) as Filter;
}

/** `/declarations` shows the list, `/declarations/{id}` one declaration. */
export function DeclarationsModule() {
  const { pathname } = useLocation();
  if (pathname === '/declarations') return <DeclarationsPage />;
  const id = /^\/declarations\/([^/]+)$/.exec(pathname)?.[1];
  return id ? <DeclarationPage id={decodeURIComponent(id)} /> : <NotFoundPage />;
}

function FilterForm({ filter }: { filter: Filter }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<Filter>(filter);
  const set = (key: FilterKey) => (value: string) => setDraft((previous) => ({ ...previous, [key]: value }));

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const query: Record<string, string> = {};
    for (const key of FILTER_KEYS) query[key] = draft[key].trim();
    query.origin = query.origin!.toUpperCase();
    navigate(`/declarations${toQuery(query)}`);
  }

  function clear() {
    setDraft(readFilter(new URLSearchParams()));
    navigate('/declarations');
  }

  const anyFilter = FILTER_KEYS.some((key) => filter[key] || draft[key]);

  return (
    <form
      className="filters"
      role="search"
      aria-label={t('declarations.filters.label')}
      onSubmit={handleSubmit}
      data-testid="declarations-filters"
    >
      <div className="field">
        <label htmlFor="declarations-reference">{t('declarations.filters.reference')}</label>
        <input
          id="declarations-reference"
          type="search"
          autoCapitalize="characters"
          spellCheck={false}
          maxLength={70}
          placeholder={t('declarations.filters.referencePlaceholder')}
          value={draft.reference}
          onChange={(event) => set('reference')(event.target.value)}
          data-testid="declarations-reference"
        />
      </div>
      <div className="field field--date">
        <label htmlFor="declarations-from">{t('declarations.filters.from')}</label>
        <input
          id="declarations-from"
          type="date"
          value={draft.from}
          max={draft.to || undefined}
          onChange={(event) => set('from')(event.target.value)}
          data-testid="declarations-from"
        />
      </div>
      <div className="field field--date">
        <label htmlFor="declarations-to">{t('declarations.filters.to')}</label>
        <input
          id="declarations-to"
          type="date"
          value={draft.to}
          min={draft.from || undefined}
          onChange={(event) => set('to')(event.target.value)}
          data-testid="declarations-to"
        />
      </div>
      <div className="field field--select">
        <label htmlFor="declarations-type">{t('declarations.filters.type')}</label>
        <select
          id="declarations-type"
          value={draft.type}
          onChange={(event) => set('type')(event.target.value)}
          data-testid="declarations-type"
        >
          <option value="">{t('declarations.filters.any')}</option>
          {DECLARATION_TYPES.map((type) => (
            <option key={type} value={type}>
              {t(`declarations.types.${type}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field field--code">
        <label htmlFor="declarations-chapter">{t('declarations.filters.hsChapter')}</label>
        <input
          id="declarations-chapter"
          inputMode="numeric"
          pattern="\d{2}"
          maxLength={2}
          placeholder="85"
          aria-describedby="declarations-chapter-hint"
          value={draft.hsChapter}
          onChange={(event) => set('hsChapter')(event.target.value)}
          data-testid="declarations-chapter"
        />
        <p className="field__hint" id="declarations-chapter-hint">
          {t('declarations.filters.hsChapterHint')}
        </p>
      </div>
      <div className="field field--code">
        <label htmlFor="declarations-origin">{t('declarations.filters.origin')}</label>
        <input
          id="declarations-origin"
          autoCapitalize="characters"
          spellCheck={false}
          pattern="[A-Za-z]{2,3}|\d{3}"
          maxLength={3}
          placeholder="CN"
          aria-describedby="declarations-origin-hint"
          value={draft.origin}
          onChange={(event) => set('origin')(event.target.value)}
          data-testid="declarations-origin"
        />
        <p className="field__hint" id="declarations-origin-hint">
          {t('declarations.filters.originHint')}
        </p>
      </div>
      <div className="field">
        <label htmlFor="declarations-declarant">{t('declarations.filters.declarant')}</label>
        <input
          id="declarations-declarant"
          autoCapitalize="none"
          spellCheck={false}
          maxLength={80}
          placeholder={t('declarations.filters.declarantPlaceholder')}
          value={draft.declarant}
          onChange={(event) => set('declarant')(event.target.value)}
          data-testid="declarations-declarant"
        />
      </div>
      <div className="field field--select">
        <label htmlFor="declarations-status">{t('declarations.filters.status')}</label>
        <select
          id="declarations-status"
          value={draft.status}
          onChange={(event) => set('status')(event.target.value)}
          data-testid="declarations-status"
        >
          <option value="">{t('declarations.filters.any')}</option>
          {DECLARATION_STATUSES.map((status) => (
            <option key={status} value={status}>
              {t(`declarations.status.${status}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="filters__actions">
        <button type="submit" className="button button--primary" data-testid="declarations-apply">
          {t('declarations.filters.apply')}
        </button>
        <button type="button" className="button button--ghost" onClick={clear} disabled={!anyFilter}>
          {t('declarations.filters.clear')}
        </button>
      </div>
    </form>
  );
}

/** Country codes with their names in a tooltip, for a compact cell. */
function Countries({ codes }: { codes: readonly string[] }) {
  const { i18n } = useTranslation();
  if (codes.length === 0) return <span className="muted">—</span>;
  return (
    <span className="code-list">
      {codes.map((code) => (
        <abbr key={code} title={countryName(code, i18n.language)}>
          {code}
        </abbr>
      ))}
    </span>
  );
}

export function DeclarationsPage() {
  const { t, i18n } = useTranslation();
  const { search } = useLocation();
  const filter = readFilter(search);
  const filterKey = JSON.stringify(filter);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(null);
  const [reloadCount, setReloadCount] = useState(0);
  const me = useMe();
  const mayLodge = me.roles.some((role) => LODGE.includes(role));
  const nodeAllowsLodging = useNodeInfo().data?.declarations.syntheticLodging === true;
  /** The panel open above the list, if any. */
  const [panel, setPanel] = useState<'import' | 'generate' | null>(null);

  // First page whenever the filter (in the URL) changes. Later pages are appended by "Load more".
  useEffect(() => {
    const current = JSON.parse(filterKey) as Filter;
    const controller = new AbortController();
    api.declarations({ ...current, limit: PAGE_SIZE }, controller.signal).then(
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
      const page = await api.declarations({ ...filter, cursor: current.nextCursor, limit: PAGE_SIZE });
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

  const filtered = FILTER_KEYS.some((key) => filter[key]);
  const count = current?.items.length ?? 0;
  const caption = current?.nextCursor
    ? t(filtered ? 'declarations.captionFilteredMore' : 'declarations.captionMore', { count })
    : t(filtered ? 'declarations.captionFiltered' : 'declarations.caption', { count });

  return (
    <>
      <PageHeader
        title={t('declarations.title')}
        description={t('declarations.description')}
        actions={
          <>
            {mayLodge && panel !== 'import' ? (
              <button
                type="button"
                className="button button--primary"
                onClick={() => setPanel('import')}
                data-testid="declarations-import"
              >
                {t('declarations.import.open')}
              </button>
            ) : null}
            {panel !== 'generate' ? (
              <button
                type="button"
                className="button"
                onClick={() => setPanel('generate')}
                data-testid="declarations-generate"
              >
                {t('declarations.generate.open')}
              </button>
            ) : null}
            <button
              type="button"
              className="button"
              onClick={() => setReloadCount((n) => n + 1)}
              data-testid="declarations-refresh"
            >
              {t('common.refresh')}
            </button>
          </>
        }
      />
      {panel === 'import' ? (
        <ImportPanel onLodged={() => setReloadCount((n) => n + 1)} onClose={() => setPanel(null)} />
      ) : null}
      {panel === 'generate' ? (
        <GeneratePanel
          mayLodge={mayLodge}
          nodeAllowsLodging={nodeAllowsLodging}
          onLodged={() => setReloadCount((n) => n + 1)}
          onClose={() => setPanel(null)}
        />
      ) : null}
      <FilterForm key={filterKey} filter={filter} />
      <ProblemAlert error={current?.error} />
      {!current ? <Spinner /> : null}
      {current && !current.error ? (
        <>
          <div className="table-wrap">
            <table className="table table--dense" data-testid="declarations-table">
              <caption data-testid="declarations-caption">{caption}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('declarations.columns.reference')}</th>
                  <th scope="col">{t('declarations.columns.type')}</th>
                  <th scope="col">{t('declarations.columns.lodged')}</th>
                  <th scope="col">{t('declarations.columns.declarant')}</th>
                  <th scope="col" className="numeric">
                    {t('declarations.columns.items')}
                  </th>
                  <th scope="col">{t('declarations.columns.chapters')}</th>
                  <th scope="col">{t('declarations.columns.origins')}</th>
                  <th scope="col">{t('declarations.columns.status')}</th>
                </tr>
              </thead>
              <tbody>
                {current.items.length === 0 ? (
                  <tr>
                    <td colSpan={8} className="table__empty">
                      {filtered ? t('declarations.emptyFiltered') : t('declarations.empty')}
                    </td>
                  </tr>
                ) : null}
                {current.items.map((declaration) => (
                  <tr key={declaration.id} data-testid="declaration-row" data-type={declaration.type}>
                    <th scope="row">
                      <Link
                        to={`/declarations/${encodeURIComponent(declaration.id)}`}
                        className="cell-primary"
                        data-testid="declaration-link"
                      >
                        {declaration.functionalReference}
                      </Link>
                      {declaration.ucr ? (
                        <span className="cell-secondary">
                          {t('declarations.ucr')} <code>{declaration.ucr}</code>
                        </span>
                      ) : null}
                    </th>
                    <td>
                      <Badge tone="info">{t(`declarations.types.${declaration.type}`)}</Badge>
                    </td>
                    <td className="nowrap">
                      <time dateTime={declaration.lodgedOn}>{formatDate(declaration.lodgedOn, i18n.language)}</time>
                    </td>
                    <td>
                      <code>{declaration.declarantKey}</code>
                    </td>
                    <td className="numeric">{declaration.itemCount}</td>
                    <td>
                      <span className="code-list">
                        {declaration.hsChapters.map((chapter) => (
                          <Link
                            key={chapter}
                            to={`/hs/2022/${chapter}`}
                            title={t('declarations.openChapter', { chapter })}
                          >
                            {chapter}
                          </Link>
                        ))}
                      </span>
                    </td>
                    <td>
                      <Countries codes={declaration.origins} />
                    </td>
                    <td>
                      <Badge tone={STATUS_TONE[declaration.status]}>
                        {t(`declarations.status.${declaration.status}`)}
                      </Badge>
                      {declaration.version > 1 ? (
                        <span className="cell-secondary">
                          {t('declarations.versionShort', { version: declaration.version })}
                        </span>
                      ) : null}
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
                data-testid="declarations-load-more"
              >
                {loadingMore ? t('common.loading') : t('declarations.loadMore', { count: PAGE_SIZE })}
              </button>
            ) : current.items.length > 0 ? (
              <p className="muted">{t('declarations.end')}</p>
            ) : null}
          </div>
        </>
      ) : null}
    </>
  );
}
