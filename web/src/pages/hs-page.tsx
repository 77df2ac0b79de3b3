import { useCallback, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { toQuery } from '../api/client.js';
import { api } from '../api/endpoints.js';
import { HS_EDITIONS, type HsEdition, type HsEntry } from '../api/types.js';
import { Badge } from '../components/badges.js';
import { PageHeader } from '../components/page-header.js';
import { ProblemAlert } from '../components/problem-alert.js';
import { Spinner } from '../components/spinner.js';
import { formatHsCode, formatNumber } from '../format.js';
import { Link, navigate, useLocation } from '../router.js';
import { useResource } from '../use-resource.js';
import { NotFoundPage } from './not-found-page.js';

function readEdition(value: string | null | undefined): HsEdition {
  return value === '2017' || value === 'HS2017' ? 2017 : 2022;
}

function otherEdition(edition: HsEdition): HsEdition {
  return edition === 2022 ? 2017 : 2022;
}

function codePath(edition: HsEdition, code: string): string {
  return `/hs/${edition}/${encodeURIComponent(code)}`;
}

/** `/hs` searches the nomenclature, `/hs/{edition}/{code}` shows one chapter, heading or subheading. */
export function HsModule() {
  const { pathname } = useLocation();
  if (pathname === '/hs') return <HsSearchPage />;
  const match = /^\/hs\/(?:HS)?(2017|2022)\/([^/]+)$/.exec(pathname);
  return match ? <HsCodePage edition={readEdition(match[1])} code={decodeURIComponent(match[2]!)} /> : <NotFoundPage />;
}

function SearchForm({ query, edition }: { query: string; edition: HsEdition }) {
  const { t } = useTranslation();
  const [text, setText] = useState(query);
  const [draftEdition, setDraftEdition] = useState<HsEdition>(edition);

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const q = text.trim();
    navigate(`/hs${toQuery({ q, edition: q && draftEdition !== 2022 ? draftEdition : undefined })}`);
  }

  return (
    <form
      className="filters"
      role="search"
      aria-label={t('hs.search.label')}
      onSubmit={handleSubmit}
      data-testid="hs-search-form"
    >
      <div className="field field--wide">
        <label htmlFor="hs-query">{t('hs.search.query')}</label>
        <input
          id="hs-query"
          type="search"
          required
          maxLength={200}
          placeholder={t('hs.search.placeholder')}
          aria-describedby="hs-query-hint"
          value={text}
          onChange={(event) => setText(event.target.value)}
          data-testid="hs-query"
        />
        <p className="field__hint" id="hs-query-hint">
          {t('hs.search.hint')}
        </p>
      </div>
      <div className="field field--select">
        <label htmlFor="hs-edition">{t('hs.edition')}</label>
        <select
          id="hs-edition"
          value={draftEdition}
          onChange={(event) => setDraftEdition(readEdition(event.target.value))}
          data-testid="hs-edition"
        >
          {HS_EDITIONS.map((value) => (
            <option key={value} value={value}>
              HS {value}
            </option>
          ))}
        </select>
      </div>
      <div className="filters__actions">
        <button type="submit" className="button button--primary" data-testid="hs-search">
          {t('hs.search.submit')}
        </button>
      </div>
    </form>
  );
}

function LevelBadge({ entry }: { entry: HsEntry }) {
  const { t } = useTranslation();
  return <span className="badge">{t(`hs.levels.${entry.level}`, { defaultValue: entry.level })}</span>;
}

function SearchResults({ query, edition }: { query: string; edition: HsEdition }) {
  const { t, i18n } = useTranslation();
  const load = useCallback((signal: AbortSignal) => api.hsSearch(query, edition, signal), [query, edition]);
  const results = useResource(load);
  if (results.error) return <ProblemAlert error={results.error} />;
  if (!results.data || results.loading) return <Spinner />;
  const items = results.data.items;
  return (
    <div className="table-wrap">
      <table className="table table--dense" data-testid="hs-results">
        <caption>{t('hs.results.caption', { count: items.length, query, edition })}</caption>
        <thead>
          <tr>
            <th scope="col" className="numeric">
              {t('hs.results.columns.rank')}
            </th>
            <th scope="col">{t('hs.results.columns.code')}</th>
            <th scope="col">{t('hs.results.columns.description')}</th>
            <th scope="col">{t('hs.results.columns.section')}</th>
            <th scope="col" className="numeric">
              {t('hs.results.columns.score')}
            </th>
          </tr>
        </thead>
        <tbody>
          {items.length === 0 ? (
            <tr>
              <td colSpan={5} className="table__empty">
                {t('hs.results.empty')}
              </td>
            </tr>
          ) : null}
          {items.map(({ entry, score }, index) => (
            <tr key={entry.code} data-testid="hs-result">
              <td className="numeric">{index + 1}</td>
              <th scope="row" className="nowrap">
                <Link to={codePath(entry.edition, entry.code)} className="cell-primary" data-testid="hs-result-code">
                  {formatHsCode(entry.code)}
                </Link>
                <LevelBadge entry={entry} />
              </th>
              <td>{entry.description}</td>
              <td className="nowrap">{t('hs.section', { section: entry.section })}</td>
              <td className="numeric muted">{formatNumber(Math.round(score * 10) / 10, i18n.language)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function HsSearchPage() {
  const { t } = useTranslation();
  const { search } = useLocation();
  const query = (search.get('q') ?? '').trim();
  const edition = readEdition(search.get('edition'));
  return (
    <>
      <PageHeader title={t('hs.title')} description={t('hs.description')} />
      <SearchForm key={`${query}|${edition}`} query={query} edition={edition} />
      {query ? <SearchResults query={query} edition={edition} /> : <p className="muted">{t('hs.search.prompt')}</p>}
    </>
  );
}

/** The entry and its ancestors (chapter first), asked one level at a time. */
async function loadWithAncestors(edition: HsEdition, code: string, signal: AbortSignal) {
  const entry = await api.hsEntry(edition, code, signal);
  const ancestors: HsEntry[] = [];
  let parent = entry.parent;
  while (parent && ancestors.length < 4) {
    const next = await api.hsEntry(edition, parent, signal);
    ancestors.unshift(next);
    parent = next.parent;
  }
  return { entry, ancestors };
}

function Translation({ edition, code }: { edition: HsEdition; code: string }) {
  const { t } = useTranslation();
  const to = otherEdition(edition);
  const load = useCallback((signal: AbortSignal) => api.hsTranslate(edition, to, code, signal), [edition, to, code]);
  const translation = useResource(load);
  if (translation.error) return <ProblemAlert error={translation.error} />;
  if (!translation.data) return <Spinner />;
  const { exact, relationship, links } = translation.data;
  return (
    <div data-testid="hs-translation">
      <p>
        <Badge tone={exact ? 'success' : 'warning'} testId="hs-translation-kind">
          {exact ? t('hs.translation.exact') : t('hs.translation.ambiguous')}
        </Badge>{' '}
        <span className="muted">{t('hs.translation.relationship', { relationship })}</span>
      </p>
      <p className="card__description">
        {exact
          ? t('hs.translation.exactHint', { from: edition, to })
          : t('hs.translation.ambiguousHint', { from: edition, to, count: links.length })}
      </p>
      <ul className="candidate-list" aria-label={t('hs.translation.candidates', { edition: to })}>
        {links.map((link) => (
          <li key={link.code}>
            <Link to={codePath(to, link.code)} data-testid="hs-candidate">
              {formatHsCode(link.code)}
            </Link>{' '}
            <span className="muted">HS {to}</span>{' '}
            <code className="muted" title={t('hs.translation.linkHint')}>
              {link.relationship}
            </code>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function HsCodePage({ edition, code }: { edition: HsEdition; code: string }) {
  const { t } = useTranslation();
  const load = useCallback((signal: AbortSignal) => loadWithAncestors(edition, code, signal), [edition, code]);
  const resource = useResource(load);

  if (!resource.data) {
    return (
      <>
        <PageHeader title={t('hs.code.title', { code: formatHsCode(code), edition })} />
        <ProblemAlert error={resource.error} />
        {resource.loading ? <Spinner /> : null}
        <p>
          <Link to="/hs">{t('hs.back')}</Link>
        </p>
      </>
    );
  }

  const { entry, ancestors } = resource.data;
  return (
    <>
      <PageHeader
        title={t('hs.code.title', { code: formatHsCode(entry.code), edition })}
        description={entry.description}
        actions={
          <Link to="/hs" className="button">
            {t('hs.back')}
          </Link>
        }
      />
      <nav aria-label={t('hs.code.breadcrumb')} className="breadcrumb" data-testid="hs-breadcrumb">
        <ol>
          <li>{t('hs.section', { section: entry.section })}</li>
          {ancestors.map((ancestor) => (
            <li key={ancestor.code}>
              <Link to={codePath(edition, ancestor.code)} title={ancestor.description}>
                {formatHsCode(ancestor.code)}
              </Link>
            </li>
          ))}
          <li aria-current="page">{formatHsCode(entry.code)}</li>
        </ol>
      </nav>
      <div className="grid grid--node">
        <section className="card" aria-labelledby="hs-entry">
          <h2 id="hs-entry" className="card__title">
            {t('hs.code.facts')}
          </h2>
          <dl className="facts">
            <div>
              <dt>{t('hs.code.code')}</dt>
              <dd>
                <code data-testid="hs-code">{formatHsCode(entry.code)}</code>
              </dd>
            </div>
            <div>
              <dt>{t('hs.edition')}</dt>
              <dd>HS {entry.edition}</dd>
            </div>
            <div>
              <dt>{t('hs.code.level')}</dt>
              <dd>
                <LevelBadge entry={entry} />
              </dd>
            </div>
            <div>
              <dt>{t('hs.code.section')}</dt>
              <dd>{t('hs.section', { section: entry.section })}</dd>
            </div>
            <div>
              <dt>{t('hs.code.declarable')}</dt>
              <dd>{entry.declarable ? t('hs.code.declarableYes') : t('hs.code.declarableNo')}</dd>
            </div>
            {ancestors.map((ancestor) => (
              <div key={ancestor.code}>
                <dt>{t(`hs.levelNames.${ancestor.level}`, { defaultValue: ancestor.level })}</dt>
                <dd>
                  <Link to={codePath(edition, ancestor.code)}>{formatHsCode(ancestor.code)}</Link>{' '}
                  <span className="muted">{ancestor.description}</span>
                </dd>
              </div>
            ))}
          </dl>
        </section>
        <section className="card" aria-labelledby="hs-translation">
          <h2 id="hs-translation" className="card__title">
            {t('hs.translation.title', { from: edition, to: otherEdition(edition) })}
          </h2>
          <Translation edition={edition} code={entry.code} />
        </section>
      </div>

      <h2 className="section-title">{t('hs.code.children')}</h2>
      {entry.children.length === 0 ? (
        <p className="muted">{t('hs.code.noChildren')}</p>
      ) : (
        <div className="table-wrap">
          <table className="table table--dense" data-testid="hs-children">
            <caption>
              {t('hs.code.childrenCaption', { count: entry.children.length, code: formatHsCode(entry.code) })}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t('hs.results.columns.code')}</th>
                <th scope="col">{t('hs.results.columns.description')}</th>
              </tr>
            </thead>
            <tbody>
              {entry.children.map((child) => (
                <tr key={child.code}>
                  <th scope="row" className="nowrap">
                    <Link to={codePath(edition, child.code)} className="cell-primary">
                      {formatHsCode(child.code)}
                    </Link>
                  </th>
                  <td>{child.description}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
