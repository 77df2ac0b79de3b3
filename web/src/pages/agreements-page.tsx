import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { toQuery } from '../api/client.js';
import { api } from '../api/endpoints.js';
import {
  DATA_CATEGORIES,
  FIELD_CLASSES,
  type Agreement,
  type AgreementStatus,
  type AgreementSummary,
  type Clause,
  type Treatment,
} from '../api/types.js';
import { categoryText, partyText, purposeText } from '../agreements/clause-text.js';
import { useMe } from '../auth/session.js';
import { Badge, type Tone } from '../components/badges.js';
import { PageHeader } from '../components/page-header.js';
import { ProblemAlert } from '../components/problem-alert.js';
import { Spinner } from '../components/spinner.js';
import { formatDate, formatList } from '../format.js';
import { useNodeInfo } from '../node-info.js';
import { Link, useLocation } from '../router.js';
import { useResource } from '../use-resource.js';
import { AgreementEditorPage } from './agreement-editor-page.js';
import { AgreementPage } from './agreement-page.js';
import { ForbiddenPage } from './forbidden-page.js';
import { NotFoundPage } from './not-found-page.js';
import { SharingDecidePage } from './sharing-decide-page.js';

export const AGREEMENT_STATUS_TONE: Record<AgreementStatus, Tone> = {
  'pending-signatures': 'warning',
  'not-yet-valid': 'info',
  'in-force': 'success',
  expired: 'neutral',
  suspended: 'warning',
  terminated: 'neutral',
  tampered: 'danger',
};

/** `/agreements` lists them with the coverage matrix; `/agreements/new` is the editor, `/agreements/decide` the "why" view. */
export function AgreementsModule() {
  const { t } = useTranslation();
  const me = useMe();
  const { pathname } = useLocation();
  if (pathname === '/agreements') return <AgreementsPage />;
  if (pathname === '/agreements/decide') return <SharingDecidePage />;
  if (pathname === '/agreements/new') {
    return me.roles.includes('admin') ? (
      <AgreementEditorPage />
    ) : (
      <ForbiddenPage module={t('agreementEditor.title')} requires={['admin']} />
    );
  }
  const id = /^\/agreements\/([^/]+)$/.exec(pathname)?.[1];
  return id ? <AgreementPage id={decodeURIComponent(id)} /> : <NotFoundPage />;
}

/** How much of a record a partner may receive, from the most to the least. */
export type CoverageLevel = Treatment | 'none';

interface Cell {
  level: CoverageLevel;
  purposes: string[];
  clauses: { agreement: string; clause: string }[];
}

const LEVEL_ORDER: Record<CoverageLevel, number> = { full: 0, pseudonymized: 1, withheld: 2, none: 3 };

/** The strictest treatment a clause gives any field class: what a receiver loses under it. */
function clauseLevel(clause: Clause): Treatment {
  let level: Treatment = 'full';
  for (const fieldClass of FIELD_CLASSES) {
    if (LEVEL_ORDER[clause.fields[fieldClass]] > LEVEL_ORDER[level]) level = clause.fields[fieldClass];
  }
  return level;
}

/**
 * What this node may send each partner, per category, under the agreements in force: the most open clause that
 * covers the pair decides the colour; the purposes are those of every such clause.
 */
function coverage(self: string, agreements: readonly Agreement[]) {
  const partners = [...new Set(agreements.flatMap((agreement) => agreement.parties))]
    .filter((party) => party !== self)
    .sort();
  const categories = new Set<string>();
  const cells = new Map<string, Cell>();
  for (const agreement of agreements) {
    for (const version of agreement.versions)
      for (const c of version.document.clauses) c.categories.forEach((x) => categories.add(x));
    if (agreement.status !== 'in-force' || agreement.inForceVersion === null) continue;
    const document = agreement.versions.find((version) => version.version === agreement.inForceVersion)?.document;
    if (!document) continue;
    for (const clause of document.clauses) {
      if (clause.from !== self && clause.from !== '*') continue;
      for (const partner of partners) {
        if (!document.parties.includes(partner) || (clause.to !== partner && clause.to !== '*')) continue;
        for (const category of clause.categories) {
          const key = `${partner}|${category}`;
          const cell = cells.get(key) ?? { level: 'none', purposes: [], clauses: [] };
          const level = clauseLevel(clause);
          if (LEVEL_ORDER[level] < LEVEL_ORDER[cell.level]) cell.level = level;
          cell.purposes = [...new Set([...cell.purposes, ...clause.purposes])];
          cell.clauses.push({ agreement: agreement.id, clause: clause.id });
          cells.set(key, cell);
        }
      }
    }
  }
  // The vocabulary's order (declarations, intelligence, assistance…), a node's own categories after it.
  const order = (category: string) => {
    const index = (DATA_CATEGORIES as readonly string[]).indexOf(category);
    return index === -1 ? DATA_CATEGORIES.length : index;
  };
  return { partners, categories: [...categories].sort((a, b) => order(a) - order(b) || a.localeCompare(b)), cells };
}

function CoverageMatrix({ self, agreements }: { self: string; agreements: readonly Agreement[] }) {
  const { t, i18n } = useTranslation();
  const { partners, categories, cells } = coverage(self, agreements);
  if (partners.length === 0) return <p className="muted">{t('agreements.coverage.empty')}</p>;
  return (
    <>
      <div className="table-wrap">
        <table className="table table--dense coverage" data-testid="coverage-matrix">
          <caption>{t('agreements.coverage.caption', { self })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('agreements.coverage.partner')}</th>
              {categories.map((category) => (
                <th scope="col" key={category} title={category}>
                  {categoryText(category, t)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {partners.map((partner) => (
              <tr key={partner}>
                <th scope="row">
                  <code>{partner}</code>
                </th>
                {categories.map((category) => {
                  const cell = cells.get(`${partner}|${category}`) ?? { level: 'none', purposes: [], clauses: [] };
                  const purposes = cell.purposes.map((purpose) => purposeText(purpose, t));
                  const title =
                    cell.level === 'none'
                      ? t('agreements.coverage.noneTitle', { partner: partyText(partner, t, 'to'), category })
                      : t('agreements.coverage.cellTitle', {
                          level: t(`agreements.coverage.levels.${cell.level}`),
                          purposes: formatList(purposes, i18n.language),
                          clauses: cell.clauses.map((c) => `${c.agreement} § ${c.clause}`).join(', '),
                        });
                  return (
                    <td
                      key={category}
                      className={`coverage__cell coverage__cell--${cell.level}`}
                      title={title}
                      data-testid="coverage-cell"
                      data-partner={partner}
                      data-category={category}
                      data-level={cell.level}
                    >
                      <span className="coverage__level">{t(`agreements.coverage.levels.${cell.level}`)}</span>
                      {cell.level !== 'none' ? (
                        <Link
                          className="coverage__purposes"
                          to={`/agreements/decide${toQuery({ receiver: partner, category, purpose: cell.purposes[0] })}`}
                          title={t('agreements.coverage.why')}
                        >
                          {purposes.join(', ')}
                        </Link>
                      ) : null}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ul className="coverage-legend" aria-label={t('agreements.coverage.legend')} data-testid="coverage-legend">
        {(['full', 'pseudonymized', 'withheld', 'none'] as const).map((level) => (
          <li key={level}>
            <span className={`coverage-legend__swatch coverage__cell--${level}`} aria-hidden="true" />
            <strong>{t(`agreements.coverage.levels.${level}`)}</strong> {t(`agreements.coverage.legendText.${level}`)}
          </li>
        ))}
      </ul>
    </>
  );
}

function AgreementsTable({ items }: { items: readonly AgreementSummary[] }) {
  const { t, i18n } = useTranslation();
  return (
    <div className="table-wrap">
      <table className="table table--dense" data-testid="agreements-table">
        <caption>{t('agreements.caption', { count: items.length })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('agreements.columns.title')}</th>
            <th scope="col">{t('agreements.columns.kind')}</th>
            <th scope="col">{t('agreements.columns.parties')}</th>
            <th scope="col">{t('agreements.columns.validity')}</th>
            <th scope="col">{t('agreements.columns.status')}</th>
          </tr>
        </thead>
        <tbody>
          {items.length === 0 ? (
            <tr>
              <td colSpan={5} className="table__empty">
                {t('agreements.empty')}
              </td>
            </tr>
          ) : null}
          {items.map((agreement) => (
            <tr key={agreement.id} data-testid="agreement-row" data-status={agreement.status}>
              <th scope="row">
                <Link
                  to={`/agreements/${encodeURIComponent(agreement.id)}`}
                  className="cell-primary"
                  data-testid="agreement-link"
                >
                  {agreement.title}
                </Link>
                <span className="cell-secondary">
                  <code>{agreement.id}</code> · {t('agreements.versionShort', { version: agreement.latestVersion })}
                </span>
              </th>
              <td>
                <Badge tone="info">{t(`agreements.kinds.${agreement.kind}`)}</Badge>
              </td>
              <td>
                <span className="code-list">
                  {agreement.parties.map((party) => (
                    <code key={party}>{party}</code>
                  ))}
                </span>
              </td>
              <td className="nowrap">
                {agreement.validity.until
                  ? t('agreements.validityRange', {
                      from: formatDate(agreement.validity.from, i18n.language),
                      until: formatDate(agreement.validity.until, i18n.language),
                    })
                  : t('agreements.validityOpen', { from: formatDate(agreement.validity.from, i18n.language) })}
              </td>
              <td>
                <Badge tone={AGREEMENT_STATUS_TONE[agreement.status]} testId="agreement-status">
                  {t(`agreements.status.${agreement.status}`)}
                </Badge>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function AgreementsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const node = useNodeInfo();
  // The list, then each agreement's versions: the matrix reads the clauses of the version in force.
  const load = useCallback(async (signal: AbortSignal) => {
    const { items } = await api.agreements(signal);
    const details = await Promise.all(items.map((item) => api.agreement(item.id, signal)));
    return { items, details };
  }, []);
  const agreements = useResource(load);
  const self = node.data?.administration;

  return (
    <>
      <PageHeader
        title={t('agreements.title')}
        description={t('agreements.description')}
        actions={
          <>
            <Link to="/agreements/decide" className="button" data-testid="agreements-why">
              {t('agreements.why')}
            </Link>
            {me.roles.includes('admin') ? (
              <Link to="/agreements/new" className="button button--primary" data-testid="agreements-new">
                {t('agreements.new')}
              </Link>
            ) : null}
            <button type="button" className="button" onClick={agreements.reload} data-testid="agreements-refresh">
              {t('common.refresh')}
            </button>
          </>
        }
      />
      <ProblemAlert error={agreements.error} />
      {!agreements.data && agreements.loading ? <Spinner /> : null}
      {agreements.data ? (
        <>
          <AgreementsTable items={agreements.data.items} />
          <h2 className="section-title">{t('agreements.coverage.title')}</h2>
          <p className="section-description">{t('agreements.coverage.description')}</p>
          {self ? <CoverageMatrix self={self} agreements={agreements.data.details} /> : <Spinner />}
        </>
      ) : null}
    </>
  );
}
