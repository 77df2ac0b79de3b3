import { lazy, Suspense, useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/endpoints.js';
import type {
  DeclarationProblem,
  DeclarationStatus,
  DeclarationRecord,
  GoodsItem,
  HsEdition,
  Measure,
  Money,
  Party,
  TraceStep,
} from '../api/types.js';
import { Badge, type Tone } from '../components/badges.js';
import { CopyButton } from '../components/copy-button.js';
import { PageHeader } from '../components/page-header.js';
import { ProblemAlert } from '../components/problem-alert.js';
import { RouteDiagram } from '../components/route-diagram.js';
import { Spinner } from '../components/spinner.js';
import { countryName, formatDate, formatDateTime, formatHsCode, formatMoney, formatNumber } from '../format.js';
import { Link } from '../router.js';
import { useResource } from '../use-resource.js';

/** The map and its outline are loaded with the page that shows them, not with the console. */
const RouteMap = lazy(() => import('../components/route-map.js').then((module) => ({ default: module.RouteMap })));

export const STATUS_TONE: Record<DeclarationStatus, Tone> = { accepted: 'success', cancelled: 'neutral' };

const PARTY_ROLES = ['declarant', 'exporter', 'importer', 'carrier'] as const;

function isMoney(value: unknown): value is Money {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Money).amount === 'number' &&
    typeof (value as Money).currency === 'string'
  );
}

function isMeasure(value: unknown): value is Measure {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Measure).value === 'number' &&
    typeof (value as Measure).unit === 'string'
  );
}

function isHs(value: unknown): value is { code: string; edition?: number; national?: string } {
  return typeof value === 'object' && value !== null && typeof (value as { code?: unknown }).code === 'string';
}

function formatMeasure(measure: Measure | undefined, language: string): string {
  return measure ? `${formatNumber(measure.value, language)} ${measure.unit}` : '—';
}

/** A value before or after a harmonization step, as a person reads it. */
function describeValue(value: unknown, language: string): string {
  if (value === null || value === undefined) return '—';
  if (isMoney(value)) return formatMoney(value, language);
  if (isMeasure(value)) return formatMeasure(value, language);
  if (isHs(value)) {
    return [
      formatHsCode(value.code),
      value.edition ? `HS ${value.edition}` : null,
      value.national && value.national !== value.code ? `(${value.national})` : null,
    ]
      .filter(Boolean)
      .join(' ');
  }
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** The value the declarant gave, when harmonization changed it (another currency, another edition). */
function declaredBefore(trace: readonly TraceStep[], pointer: string): unknown {
  return trace.find((step) => step.pointer === pointer)?.from;
}

function PersonalBadge() {
  const { t } = useTranslation();
  return (
    <span className="badge badge--personal" title={t('declaration.personal.hint')} data-testid="personal-badge">
      {t('declaration.personal.badge')}
    </span>
  );
}

function PartyCard({ role, party }: { role: (typeof PARTY_ROLES)[number]; party: Party }) {
  const { t, i18n } = useTranslation();
  const address = party.address;
  const country = address?.country ?? party.country;
  return (
    <section className="card" aria-labelledby={`party-${role}`} data-testid={`party-${role}`}>
      <h3 id={`party-${role}`} className="card__title">
        {t(`declaration.parties.${role}`)}
      </h3>
      <dl className="facts">
        <div>
          <dt>{t('declaration.parties.name')}</dt>
          <dd>
            {party.name ?? <span className="muted">—</span>} {party.name ? <PersonalBadge /> : null}
          </dd>
        </div>
        {address && (address.line || address.city || address.postcode) ? (
          <div>
            <dt>{t('declaration.parties.address')}</dt>
            <dd>
              {[address.line, [address.postcode, address.city].filter(Boolean).join(' ')].filter(Boolean).join(', ')}{' '}
              <PersonalBadge />
            </dd>
          </div>
        ) : null}
        <div>
          <dt>{t('declaration.parties.country')}</dt>
          <dd>{country ? `${countryName(country, i18n.language)} (${country})` : <span className="muted">—</span>}</dd>
        </div>
        {party.identifiers?.length ? (
          <div>
            <dt>{t('declaration.parties.identifiers')}</dt>
            <dd>
              <ul className="plain-list">
                {party.identifiers.map((identifier) => (
                  <li key={`${identifier.scheme}:${identifier.value}`}>
                    <span className="muted">{identifier.scheme}</span> <code>{identifier.value}</code>
                  </li>
                ))}
              </ul>
              <PersonalBadge />
            </dd>
          </div>
        ) : null}
        {party.aeo ? (
          <div>
            <dt>{t('declaration.parties.aeo')}</dt>
            <dd>
              {party.aeo.status === 'none' ? t('declaration.parties.aeoNone') : party.aeo.status}
              {party.aeo.certificate ? <code className="cell-secondary">{party.aeo.certificate}</code> : null}
            </dd>
          </div>
        ) : null}
      </dl>
    </section>
  );
}

function ValueCell({ value, before }: { value: Money | undefined; before: unknown }) {
  const { t, i18n } = useTranslation();
  if (!value) return <span className="muted">—</span>;
  return (
    <>
      <span className="cell-primary">{formatMoney(value, i18n.language)}</span>
      {isMoney(before) && (before.currency !== value.currency || before.amount !== value.amount) ? (
        <span className="cell-secondary">
          {t('declaration.items.declared', { value: formatMoney(before, i18n.language) })}
        </span>
      ) : null}
    </>
  );
}

function ItemsTable({ record, descriptions }: { record: DeclarationRecord; descriptions: Map<string, string> }) {
  const { t, i18n } = useTranslation();
  const items = record.canonical.items;
  return (
    <div className="table-wrap">
      <table className="table table--dense" data-testid="items-table">
        <caption>{t('declaration.items.caption', { count: items.length })}</caption>
        <thead>
          <tr>
            <th scope="col" className="numeric">
              {t('declaration.items.columns.sequence')}
            </th>
            <th scope="col">{t('declaration.items.columns.goods')}</th>
            <th scope="col">{t('declaration.items.columns.hs')}</th>
            <th scope="col">{t('declaration.items.columns.origin')}</th>
            <th scope="col" className="numeric">
              {t('declaration.items.columns.quantity')}
            </th>
            <th scope="col" className="numeric">
              {t('declaration.items.columns.masses')}
            </th>
            <th scope="col" className="numeric">
              {t('declaration.items.columns.value')}
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((item: GoodsItem, index) => {
            const hs = item.hs;
            const edition = hs?.edition ?? 2022;
            const declaredHs = declaredBefore(record.trace, `/items/${index}/hs`);
            return (
              <tr key={item.sequence} data-testid="item-row">
                <td className="numeric">{item.sequence}</td>
                <th scope="row">
                  <span className="cell-primary">{item.description}</span>
                  {item.packages ? (
                    <span className="cell-secondary">
                      {t('declaration.items.packages', { count: item.packages.count, type: item.packages.type ?? '' })}
                    </span>
                  ) : null}
                  {item.documents?.length ? (
                    <span className="cell-secondary">
                      {item.documents.map((document) => `${document.type} ${document.id}`).join(', ')}
                    </span>
                  ) : null}
                </th>
                <td className="hs-cell">
                  {hs ? (
                    <>
                      <Link to={`/hs/${edition}/${hs.code}`} className="cell-primary nowrap" data-testid="item-hs">
                        {formatHsCode(hs.code)}
                      </Link>{' '}
                      <span className="badge">HS {edition}</span>
                      <span className="cell-secondary">
                        {descriptions.get(`${edition}/${hs.code}`) ?? t('common.loading')}
                      </span>
                      {hs.national ? (
                        <span className="cell-secondary">
                          {t('declaration.items.national')} <code>{formatHsCode(hs.national)}</code>
                        </span>
                      ) : null}
                      {isHs(declaredHs) && declaredHs.edition && declaredHs.edition !== edition ? (
                        <span className="cell-secondary">
                          {t('declaration.items.declared', { value: describeValue(declaredHs, i18n.language) })}
                        </span>
                      ) : null}
                    </>
                  ) : (
                    <span className="muted">{t('declaration.items.noHs')}</span>
                  )}
                </td>
                <td>
                  {item.origin ? (
                    <>
                      <span className="cell-primary">{countryName(item.origin, i18n.language)}</span>
                      <span className="cell-secondary">
                        <code>{item.origin}</code>
                        {item.preferentialOrigin
                          ? ` · ${t('declaration.items.preferential', { country: item.preferentialOrigin })}`
                          : ''}
                      </span>
                    </>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td className="numeric nowrap">{formatMeasure(item.quantity, i18n.language)}</td>
                <td className="numeric nowrap">
                  <span className="cell-primary">
                    {t('declaration.items.gross', { value: formatMeasure(item.grossMass, i18n.language) })}
                  </span>
                  <span className="cell-secondary">
                    {t('declaration.items.net', { value: formatMeasure(item.netMass, i18n.language) })}
                  </span>
                </td>
                <td className="numeric nowrap">
                  <ValueCell
                    value={item.customsValue}
                    before={declaredBefore(record.trace, `/items/${index}/customsValue`)}
                  />
                  {item.statisticalValue ? (
                    <span className="cell-secondary">
                      {t('declaration.items.statistical', {
                        value: formatMoney(item.statisticalValue, i18n.language),
                      })}
                    </span>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

const SEVERITY_ORDER = { error: 0, warning: 1 } as const;

function ValidationMessages({ problems }: { problems: readonly DeclarationProblem[] }) {
  const { t } = useTranslation();
  if (problems.length === 0) {
    return (
      <p className="mark mark--ok" data-testid="validation-clean">
        <span aria-hidden="true">✓</span> {t('declaration.validation.clean')}
      </p>
    );
  }
  const sorted = [...problems].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  const errors = problems.filter((problem) => problem.severity === 'error').length;
  return (
    <div className="table-wrap">
      <table className="table table--dense" data-testid="validation-table">
        <caption>
          {t('declaration.validation.caption', { errors, warnings: problems.length - errors, count: problems.length })}
        </caption>
        <thead>
          <tr>
            <th scope="col">{t('declaration.validation.columns.severity')}</th>
            <th scope="col">{t('declaration.validation.columns.code')}</th>
            <th scope="col">{t('declaration.validation.columns.pointer')}</th>
            <th scope="col">{t('declaration.validation.columns.message')}</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((problem, index) => (
            <tr key={`${problem.code}-${problem.pointer}-${index}`} data-testid="validation-row">
              <td>
                <Badge tone={problem.severity === 'error' ? 'danger' : 'warning'}>
                  {t(`declaration.validation.severity.${problem.severity}`)}
                </Badge>
              </td>
              <td>
                <code>{problem.code}</code>
              </td>
              <td>
                <code className="nowrap">{problem.pointer || '/'}</code>
              </td>
              <td>{problem.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** "/items/0/customsValue" → "Item 1 · customsValue": where a step applies, in words. */
function pointerLabel(pointer: string, t: (key: string, options?: Record<string, unknown>) => string): string {
  const item = /^\/items\/(\d+)(?:\/(.*))?$/.exec(pointer);
  if (item) {
    const label = t('declaration.trace.item', { sequence: Number(item[1]) + 1 });
    return item[2] ? `${label} · ${item[2].replaceAll('/', ' › ')}` : label;
  }
  return pointer.replace(/^\//, '').replaceAll('/', ' › ') || '/';
}

function Trace({ trace }: { trace: readonly TraceStep[] }) {
  const { t, i18n } = useTranslation();
  if (trace.length === 0) return <p className="muted">{t('declaration.trace.empty')}</p>;
  return (
    <ol className="trace" data-testid="trace">
      {trace.map((step, index) => (
        <li key={`${step.pointer}-${step.rule}-${index}`} className="trace__step" data-testid="trace-step">
          <div className="trace__header">
            <span className="trace__where">{pointerLabel(step.pointer, t)}</span>
            <span className="badge badge--info">
              {t(`declaration.trace.rules.${step.rule}`, { defaultValue: step.rule })}
            </span>
            <code className="trace__pointer">{step.pointer}</code>
          </div>
          <p className="trace__change">
            <span className="trace__from">{describeValue(step.from, i18n.language)}</span>
            <span aria-hidden="true"> → </span>
            <span className="visually-hidden"> {t('declaration.trace.becomes')} </span>
            <span className="trace__to">{describeValue(step.to, i18n.language)}</span>
          </p>
          <p className="trace__note">{step.note}</p>
        </li>
      ))}
    </ol>
  );
}

function Versions({ id, current }: { id: string; current: number }) {
  const { t, i18n } = useTranslation();
  const load = useCallback((signal: AbortSignal) => api.declarationVersions(id, signal), [id]);
  const versions = useResource(load);
  if (versions.error) return <ProblemAlert error={versions.error} />;
  if (!versions.data) return <Spinner />;
  const items = [...versions.data.items].reverse();
  return (
    <div className="table-wrap">
      <table className="table table--dense" data-testid="versions-table">
        <caption>{t('declaration.versions.caption', { count: items.length })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('declaration.versions.columns.version')}</th>
            <th scope="col">{t('declaration.versions.columns.recorded')}</th>
            <th scope="col">{t('declaration.versions.columns.by')}</th>
            <th scope="col">{t('declaration.versions.columns.reason')}</th>
            <th scope="col">{t('declaration.versions.columns.hash')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((version) => (
            <tr key={version.version}>
              <th scope="row">
                {t('declaration.versions.number', { version: version.version })}{' '}
                {version.version === current ? <Badge tone="success">{t('declaration.versions.current')}</Badge> : null}
              </th>
              <td className="nowrap">
                <time dateTime={version.recordedAt}>{formatDateTime(version.recordedAt, i18n.language, true)}</time>
              </td>
              <td>{version.recordedBy || <span className="muted">—</span>}</td>
              <td>{version.replacedReason ?? <span className="muted">—</span>}</td>
              <td>
                <code title={version.contentHash}>{version.contentHash.slice(0, 12)}…</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** HS descriptions of the items' codes, keyed `edition/code`; each distinct code is asked once. */
function useHsDescriptions(items: readonly GoodsItem[] | undefined): Map<string, string> {
  const codes = [
    ...new Set((items ?? []).flatMap((item) => (item.hs ? [`${item.hs.edition ?? 2022}/${item.hs.code}`] : []))),
  ]
    .sort()
    .join(',');
  const load = useCallback(
    async (signal: AbortSignal) => {
      const keys = codes ? codes.split(',') : [];
      const results = await Promise.allSettled(
        keys.map((key) => {
          const [edition, code] = key.split('/') as [string, string];
          return api.hsEntry(Number(edition) as HsEdition, code, signal);
        }),
      );
      const map = new Map<string, string>();
      results.forEach((result, index) =>
        map.set(keys[index]!, result.status === 'fulfilled' ? result.value.description : '—'),
      );
      return map;
    },
    [codes],
  );
  return useResource(load).data ?? new Map<string, string>();
}

export function DeclarationPage({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const load = useCallback((signal: AbortSignal) => api.declaration(id, signal), [id]);
  const record = useResource(load);
  const descriptions = useHsDescriptions(record.data?.canonical.items);

  if (!record.data) {
    return (
      <>
        <PageHeader title={t('declaration.loadingTitle')} />
        <ProblemAlert error={record.error} />
        {record.loading ? <Spinner /> : null}
        <p>
          <Link to="/declarations">{t('declaration.back')}</Link>
        </p>
      </>
    );
  }

  const data = record.data;
  const declaration = data.canonical;
  const transport = declaration.transport;
  const totals = declaration.totals;
  const parties = PARTY_ROLES.flatMap((role) => (declaration[role] ? [{ role, party: declaration[role] }] : []));

  return (
    <>
      <PageHeader
        title={t('declaration.title', { reference: data.functionalReference })}
        description={t(`declaration.description.${data.type}`, { date: formatDate(data.lodgedOn, i18n.language) })}
        actions={
          <Link to="/declarations" className="button" data-testid="declaration-back">
            {t('declaration.back')}
          </Link>
        }
      />
      {data.cancellation ? (
        <p className="alert alert--info" role="status" data-testid="declaration-cancelled">
          {t('declaration.cancelled', {
            at: formatDateTime(data.cancellation.at, i18n.language),
            by: data.cancellation.by,
            reason: data.cancellation.reason,
          })}
        </p>
      ) : null}

      <div className="grid grid--node">
        <section className="card" aria-labelledby="declaration-header" data-testid="declaration-header">
          <h2 id="declaration-header" className="card__title">
            {t('declaration.header.title')}
          </h2>
          <dl className="facts">
            <div>
              <dt>{t('declaration.header.type')}</dt>
              <dd>
                <Badge tone="info" testId="declaration-type">
                  {t(`declarations.types.${data.type}`)}
                </Badge>
              </dd>
            </div>
            <div>
              <dt>{t('declaration.header.procedure')}</dt>
              <dd>{declaration.procedure ? <code>{declaration.procedure}</code> : <span className="muted">—</span>}</dd>
            </div>
            <div>
              <dt>{t('declaration.header.reference')}</dt>
              <dd>
                <code data-testid="declaration-reference">{data.functionalReference}</code>
              </dd>
            </div>
            <div>
              <dt>{t('declaration.header.ucr')}</dt>
              <dd>{data.ucr ? <code>{data.ucr}</code> : <span className="muted">—</span>}</dd>
            </div>
            <div>
              <dt>{t('declaration.header.status')}</dt>
              <dd>
                <Badge tone={STATUS_TONE[data.status]} testId="declaration-status">
                  {t(`declarations.status.${data.status}`)}
                </Badge>{' '}
                <span className="muted">{t('declaration.header.version', { version: data.version })}</span>
              </dd>
            </div>
            <div>
              <dt>{t('declaration.header.lodged')}</dt>
              <dd>
                <time dateTime={data.lodgedOn}>{formatDate(data.lodgedOn, i18n.language)}</time>
              </dd>
            </div>
            {declaration.dates.expectedArrival ? (
              <div>
                <dt>{t('declaration.header.expectedArrival')}</dt>
                <dd>
                  <time dateTime={declaration.dates.expectedArrival}>
                    {formatDate(declaration.dates.expectedArrival, i18n.language)}
                  </time>
                </dd>
              </div>
            ) : null}
            {declaration.office ? (
              <div>
                <dt>{t('declaration.header.office')}</dt>
                <dd>
                  <code>{declaration.office}</code>
                </dd>
              </div>
            ) : null}
            <div>
              <dt>{t('declaration.header.declarant')}</dt>
              <dd>
                <code>{data.declarantKey}</code>
              </dd>
            </div>
            <div>
              <dt>{t('declaration.header.recorded')}</dt>
              <dd>
                <time dateTime={data.createdAt}>{formatDateTime(data.createdAt, i18n.language)}</time>
                {data.updatedAt !== data.createdAt ? (
                  <span className="cell-secondary">
                    {t('declaration.header.updated', { date: formatDateTime(data.updatedAt, i18n.language) })}
                  </span>
                ) : null}
              </dd>
            </div>
            <div>
              <dt>{t('declaration.header.hash')}</dt>
              <dd className="key__value">
                <code className="breakable">{data.contentHash}</code>
                <CopyButton value={data.contentHash} label={t('declaration.header.copyHash')} />
              </dd>
            </div>
          </dl>
        </section>

        <section className="card" aria-labelledby="declaration-route">
          <h2 id="declaration-route" className="card__title">
            {t('declaration.route.title')}
          </h2>
          <RouteDiagram declaration={declaration} labelledBy="declaration-route" />
          <dl className="facts">
            <div>
              <dt>{t('declaration.transport.countries')}</dt>
              <dd>
                {countryName(declaration.dispatchCountry, i18n.language)} →{' '}
                {countryName(declaration.destinationCountry, i18n.language)}
              </dd>
            </div>
            {transport ? (
              <>
                <div>
                  <dt>{t('declaration.transport.mode')}</dt>
                  <dd>{t(`declaration.transport.modes.${transport.mode}`, { defaultValue: transport.mode })}</dd>
                </div>
                {transport.meansId ? (
                  <div>
                    <dt>{t('declaration.transport.means')}</dt>
                    <dd>
                      {transport.meansType ? <span className="muted">{transport.meansType.toUpperCase()} </span> : null}
                      <code>{transport.meansId}</code>
                    </dd>
                  </div>
                ) : null}
                {transport.nationality ? (
                  <div>
                    <dt>{t('declaration.transport.nationality')}</dt>
                    <dd>
                      {countryName(transport.nationality, i18n.language)} ({transport.nationality})
                    </dd>
                  </div>
                ) : null}
              </>
            ) : null}
            <div>
              <dt>{t('declaration.containers.title', { count: declaration.containers?.length ?? 0 })}</dt>
              <dd>
                {declaration.containers?.length ? (
                  <ul className="code-list" data-testid="containers">
                    {declaration.containers.map((container) => (
                      <li key={container}>
                        <code>{container}</code>
                      </li>
                    ))}
                  </ul>
                ) : (
                  <span className="muted">{t('declaration.containers.none')}</span>
                )}
              </dd>
            </div>
            {totals ? (
              <div>
                <dt>{t('declaration.totals.title')}</dt>
                <dd>
                  {[
                    totals.invoice
                      ? t('declaration.totals.invoice', { value: formatMoney(totals.invoice, i18n.language) })
                      : null,
                    totals.grossMass
                      ? t('declaration.totals.gross', { value: formatMeasure(totals.grossMass, i18n.language) })
                      : null,
                    totals.packages !== undefined ? t('declaration.totals.packages', { count: totals.packages }) : null,
                  ]
                    .filter(Boolean)
                    .join(' · ')}
                </dd>
              </div>
            ) : null}
          </dl>
        </section>
      </div>

      <h2 className="section-title" id="declaration-map">
        {t('declaration.map.title')}
      </h2>
      <p className="section-description">{t('declaration.map.description')}</p>
      <section className="card" aria-labelledby="declaration-map">
        <Suspense fallback={<Spinner />}>
          <RouteMap declaration={declaration} reference={data.functionalReference} />
        </Suspense>
      </section>

      <h2 className="section-title" id="declaration-parties">
        {t('declaration.parties.title')}
      </h2>
      <p className="section-description">{t('declaration.parties.description')}</p>
      <div className="grid grid--parties">
        {parties.map(({ role, party }) => (
          <PartyCard key={role} role={role} party={party} />
        ))}
      </div>

      <h2 className="section-title">{t('declaration.items.title')}</h2>
      <p className="section-description">{t('declaration.items.description')}</p>
      <ItemsTable record={data} descriptions={descriptions} />

      <h2 className="section-title">{t('declaration.validation.title')}</h2>
      <p className="section-description">{t('declaration.validation.description')}</p>
      <ValidationMessages problems={data.warnings} />

      <h2 className="section-title">{t('declaration.trace.title')}</h2>
      <p className="section-description">{t('declaration.trace.description', { count: data.trace.length })}</p>
      <Trace trace={data.trace} />

      <h2 className="section-title">{t('declaration.versions.title')}</h2>
      <Versions id={data.id} current={data.version} />
    </>
  );
}
