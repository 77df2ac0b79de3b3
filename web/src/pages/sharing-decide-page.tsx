import { useCallback, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/endpoints.js';
import { DATA_CATEGORIES, PURPOSES, type DecisionReason, type SharingDecision, type Treatment } from '../api/types.js';
import { categoryText, purposeText } from '../agreements/clause-text.js';
import { Badge, type Tone } from '../components/badges.js';
import { PageHeader } from '../components/page-header.js';
import { ProblemAlert } from '../components/problem-alert.js';
import { useNodeInfo } from '../node-info.js';
import { Link, useLocation } from '../router.js';
import { useResource } from '../use-resource.js';

/** A declaration-like record in the shape the node classifies (parties, goods, risk notes). */
export const SAMPLE_RECORD = {
  ucr: '6NL123456789-2026-0001',
  type: 'import',
  lodgedAt: '2026-03-02',
  office: 'NL000396',
  functionalReference: 'NL-2026-000123',
  parties: [
    {
      role: 'consignee',
      name: 'Jan de Vries Handel B.V.',
      address: { line: 'Waalhaven 12', city: 'Rotterdam', country: 'NL' },
      eori: 'NL123456789',
      country: 'NL',
    },
  ],
  transport: { mode: 'sea', vessel: 'MAERSK ESSEX' },
  goods: [
    {
      seq: 1,
      hs: '850760',
      description: 'Lithium-ion batteries',
      origin: 'SG',
      qty: 1200,
      unit: 'PCE',
      value: 208152.18,
    },
  ],
  totals: { items: 1, currency: 'EUR' },
  risk: { score: 72, note: 'consignee new to the route' },
  flags: { prearrival: true, aeo: false },
};

const TREATMENT_TONE: Record<Treatment, Tone> = { full: 'success', pseudonymized: 'info', withheld: 'danger' };
const EFFECT_TONE: Record<DecisionReason['effect'], Tone> = {
  allow: 'success',
  deny: 'danger',
  restrict: 'warning',
  'not-applicable': 'neutral',
};

function Reasons({ reasons }: { reasons: readonly DecisionReason[] }) {
  const { t } = useTranslation();
  return (
    <ol className="trace" data-testid="decision-reasons">
      {reasons.map((reason, index) => (
        <li key={`${reason.code}-${index}`} className="trace__step" data-testid="decision-reason">
          <div className="trace__header">
            <Badge tone={EFFECT_TONE[reason.effect]}>{t(`sharing.effects.${reason.effect}`)}</Badge>
            <code className="trace__pointer">{reason.code}</code>
          </div>
          <p className="trace__change">{reason.message}</p>
          {reason.agreement ? (
            <p className="trace__note">
              {t('sharing.reason.agreement')}{' '}
              <Link to={`/agreements/${encodeURIComponent(reason.agreement.id)}`}>{reason.agreement.title}</Link>{' '}
              {t('sharing.reason.version', { version: reason.agreement.version })}
              {reason.clause ? (
                <>
                  {' · '}
                  {t('sharing.reason.clause')} <code>{reason.clause}</code>
                </>
              ) : null}
            </p>
          ) : null}
          {reason.articles?.length ? (
            <ul className="plain-list trace__note" data-testid="decision-articles">
              {reason.articles.map((article) => (
                <li key={article.article}>
                  <strong>{article.article}</strong> — {article.title}
                </li>
              ))}
            </ul>
          ) : null}
          {reason.rule ? (
            <p className="trace__note">
              {t('sharing.reason.rule', { title: reason.rule.title, reference: reason.rule.legalReference })}
            </p>
          ) : null}
          {reason.fields?.length ? (
            <p className="trace__note">
              {t('sharing.reason.fields')}{' '}
              {reason.fields.map((field) => (
                <code key={field}>{field} </code>
              ))}
            </p>
          ) : null}
        </li>
      ))}
    </ol>
  );
}

function Verdict({ decision }: { decision: SharingDecision }) {
  const { t } = useTranslation();
  const fields = Object.entries(decision.fields);
  return (
    <section className="card" aria-labelledby="decision-title" data-testid="decision">
      <div className={`verdict verdict--${decision.allowed ? 'valid' : 'tampered'}`}>
        <div className="verdict__header">
          <span className="verdict__mark" aria-hidden="true">
            {decision.allowed ? '✓' : '✕'}
          </span>
          <h2 id="decision-title" className="verdict__title" data-testid="decision-verdict">
            {t(decision.allowed ? 'sharing.allowed' : 'sharing.denied')}
          </h2>
        </div>
        <p className="verdict__summary">
          {t('sharing.summary', {
            sender: decision.sender,
            receiver: decision.receiver,
            category: categoryText(decision.category, t),
            purpose: purposeText(decision.purpose, t),
          })}
          {decision.code ? (
            <>
              {' '}
              <code data-testid="decision-code">{decision.code}</code>
            </>
          ) : null}
        </p>
        {decision.basis ? (
          <p className="verdict__summary" data-testid="decision-basis">
            {t('sharing.basis', {
              title: decision.basis.title,
              version: decision.basis.version,
              clause: decision.basis.clause,
              articles: decision.basis.articles.map((article) => article.article).join(', '),
            })}
          </p>
        ) : null}
        {decision.retention ? (
          <p className="verdict__summary">
            {t(`agreementText.retention.${decision.retention.onExpiry}`, { count: decision.retention.days })}
          </p>
        ) : null}
      </div>

      <h3 className="form__title">{t('sharing.classes')}</h3>
      <ul className="code-list" data-testid="decision-classes">
        {Object.entries(decision.treatment).map(([fieldClass, treatment]) => (
          <li key={fieldClass}>
            {t(`agreementEditor.fieldClasses.${fieldClass}`)}{' '}
            <Badge tone={TREATMENT_TONE[treatment]}>{t(`agreementText.treatmentLabels.${treatment}`)}</Badge>
          </li>
        ))}
      </ul>

      <div className="table-wrap">
        <table className="table table--dense" data-testid="decision-fields">
          <caption>{t('sharing.fields.caption', { count: fields.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('sharing.fields.pointer')}</th>
              <th scope="col">{t('sharing.fields.treatment')}</th>
            </tr>
          </thead>
          <tbody>
            {fields.map(([pointer, treatment]) => (
              <tr key={pointer} data-testid="decision-field" data-pointer={pointer} data-treatment={treatment}>
                <th scope="row">
                  <code>{pointer}</code>
                </th>
                <td>
                  <Badge tone={TREATMENT_TONE[treatment]}>{t(`agreementText.treatmentLabels.${treatment}`)}</Badge>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h3 className="form__title">{t('sharing.reasons')}</h3>
      <Reasons reasons={decision.reasons} />

      {decision.record ? (
        <details className="json-details">
          <summary>{t('sharing.recordOut')}</summary>
          <pre>{JSON.stringify(decision.record, null, 2)}</pre>
        </details>
      ) : null}
    </section>
  );
}

export function SharingDecidePage() {
  const { t } = useTranslation();
  const { search } = useLocation();
  const self = useNodeInfo().data?.administration;
  const load = useCallback((signal: AbortSignal) => api.agreementParties(signal), []);
  const known = useResource(load);
  const partners = [...new Set((known.data?.items ?? []).map((key) => key.party))].filter((party) => party !== self);

  const [receiver, setReceiver] = useState(search.get('receiver') ?? '');
  const [category, setCategory] = useState(search.get('category') ?? 'declaration.prearrival');
  const [purpose, setPurpose] = useState(search.get('purpose') ?? 'risk-assessment');
  const [recordText, setRecordText] = useState(JSON.stringify(SAMPLE_RECORD, null, 2));
  const [localError, setLocalError] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [decision, setDecision] = useState<SharingDecision | null>(null);
  const [busy, setBusy] = useState(false);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setLocalError(null);
    setError(null);
    let record: Record<string, unknown> | undefined;
    if (recordText.trim()) {
      try {
        record = JSON.parse(recordText) as Record<string, unknown>;
      } catch (failure) {
        setLocalError(t('agreementEditor.jsonInvalid', { message: failure instanceof Error ? failure.message : '' }));
        return;
      }
    }
    setBusy(true);
    try {
      setDecision(
        await api.decideSharing({
          receiver: receiver.trim().toUpperCase() || (partners[0] ?? ''),
          category,
          purpose,
          record,
        }),
      );
    } catch (failure) {
      setDecision(null);
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <PageHeader
        title={t('sharing.title')}
        description={t('sharing.description')}
        actions={
          <Link to="/agreements" className="button">
            {t('agreement.back')}
          </Link>
        }
      />
      <div className="grid grid--decide">
        <section className="card" aria-labelledby="decide-form-title">
          <h2 id="decide-form-title" className="card__title">
            {t('sharing.form.title', { self: self ?? '' })}
          </h2>
          <form className="form" onSubmit={(event) => void handleSubmit(event)} data-testid="decide-form">
            <div className="form__row">
              <div className="field">
                <label htmlFor="decide-receiver">{t('sharing.form.receiver')}</label>
                <input
                  id="decide-receiver"
                  list="decide-partners"
                  autoCapitalize="characters"
                  spellCheck={false}
                  placeholder={partners[0] ?? 'SG'}
                  value={receiver}
                  onChange={(event) => setReceiver(event.target.value)}
                  data-testid="decide-receiver"
                />
                <datalist id="decide-partners">
                  {partners.map((party) => (
                    <option key={party} value={party} />
                  ))}
                </datalist>
              </div>
              <div className="field">
                <label htmlFor="decide-category">{t('sharing.form.category')}</label>
                <select
                  id="decide-category"
                  value={category}
                  onChange={(event) => setCategory(event.target.value)}
                  data-testid="decide-category"
                >
                  {DATA_CATEGORIES.map((name) => (
                    <option key={name} value={name}>
                      {categoryText(name, t)}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="decide-purpose">{t('sharing.form.purpose')}</label>
                <select
                  id="decide-purpose"
                  value={purpose}
                  onChange={(event) => setPurpose(event.target.value)}
                  data-testid="decide-purpose"
                >
                  {PURPOSES.map((name) => (
                    <option key={name} value={name}>
                      {purposeText(name, t)}
                    </option>
                  ))}
                </select>
              </div>
            </div>
            <div className="field">
              <label htmlFor="decide-record">{t('sharing.form.record')}</label>
              <textarea
                id="decide-record"
                className="code-editor"
                spellCheck={false}
                rows={18}
                value={recordText}
                onChange={(event) => setRecordText(event.target.value)}
                aria-describedby="decide-record-hint"
                data-testid="decide-record"
              />
              <p className="field__hint" id="decide-record-hint">
                {t('sharing.form.recordHint')}
              </p>
            </div>
            {localError ? (
              <p className="alert alert--error" role="alert">
                {localError}
              </p>
            ) : null}
            <ProblemAlert error={error} testId="decide-error" />
            <div className="form__actions">
              <button type="submit" className="button button--primary" disabled={busy} data-testid="decide-submit">
                {busy ? t('common.loading') : t('sharing.form.submit')}
              </button>
            </div>
          </form>
        </section>
        {decision ? <Verdict decision={decision} /> : null}
      </div>
    </>
  );
}
