import { useCallback, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.js';
import { api } from '../api/endpoints.js';
import {
  DATA_CATEGORIES,
  FIELD_CLASSES,
  PURPOSES,
  TREATMENTS,
  type AgreementDocument,
  type Clause,
} from '../api/types.js';
import { clauseText, categoryText, purposeText } from '../agreements/clause-text.js';
import { PageHeader } from '../components/page-header.js';
import { ProblemAlert } from '../components/problem-alert.js';
import { useNodeInfo } from '../node-info.js';
import { Link, navigate } from '../router.js';
import { useResource } from '../use-resource.js';

/** The starting points the node offers; it makes the draft itself (`POST /api/v1/agreements/drafts`). */
const AGREEMENT_TEMPLATES = ['cmaa', 'convention', 'aeo-mra'] as const;
type AgreementTemplate = (typeof AGREEMENT_TEMPLATES)[number];

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** The JSON Pointers the node named: `errors[]` for a malformed document, `pointer` for a refused one. */
function pointersOf(error: unknown): { pointer: string; message: string }[] {
  if (!(error instanceof ApiError)) return [];
  const problem = error.problem as ApiError['problem'] & { pointer?: unknown };
  if (Array.isArray(problem.errors)) return problem.errors as { pointer: string; message: string }[];
  return typeof problem.pointer === 'string' ? [{ pointer: problem.pointer, message: problem.detail ?? '' }] : [];
}

function toggle(list: readonly string[], value: string, on: boolean): string[] {
  return on ? [...new Set([...list, value])] : list.filter((item) => item !== value);
}

function ClauseForm({
  clause,
  index,
  onChange,
}: {
  clause: Clause;
  index: number;
  onChange: (clause: Clause) => void;
}) {
  const { t, i18n } = useTranslation();
  const prefix = `clause-${index}`;
  return (
    <fieldset className="card clause-form" data-testid="clause-form">
      <legend className="card__title">
        <code>{clause.id}</code>
      </legend>
      <p className="clause__plain">{clauseText(clause, t, i18n.language)}</p>
      <div className="form__row">
        <div className="field">
          <label htmlFor={`${prefix}-from`}>{t('agreementEditor.clause.from')}</label>
          <input
            id={`${prefix}-from`}
            value={clause.from}
            onChange={(event) => onChange({ ...clause, from: event.target.value.toUpperCase() })}
          />
        </div>
        <div className="field">
          <label htmlFor={`${prefix}-to`}>{t('agreementEditor.clause.to')}</label>
          <input
            id={`${prefix}-to`}
            value={clause.to}
            onChange={(event) => onChange({ ...clause, to: event.target.value.toUpperCase() })}
          />
        </div>
        <div className="field">
          <label htmlFor={`${prefix}-days`}>{t('agreementEditor.clause.retentionDays')}</label>
          <input
            id={`${prefix}-days`}
            type="number"
            min={1}
            max={36500}
            value={clause.retention.days}
            onChange={(event) =>
              onChange({ ...clause, retention: { ...clause.retention, days: Number(event.target.value) } })
            }
          />
        </div>
        <div className="field">
          <label htmlFor={`${prefix}-expiry`}>{t('agreementEditor.clause.onExpiry')}</label>
          <select
            id={`${prefix}-expiry`}
            value={clause.retention.onExpiry}
            onChange={(event) =>
              onChange({
                ...clause,
                retention: { ...clause.retention, onExpiry: event.target.value as 'delete' | 'anonymize' },
              })
            }
          >
            <option value="delete">{t('agreementEditor.clause.expiry.delete')}</option>
            <option value="anonymize">{t('agreementEditor.clause.expiry.anonymize')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${prefix}-onward`}>{t('agreementEditor.clause.onward')}</label>
          <select
            id={`${prefix}-onward`}
            value={clause.onwardTransfer.rule === 'named-parties' ? 'with-consent' : clause.onwardTransfer.rule}
            onChange={(event) =>
              onChange({ ...clause, onwardTransfer: { rule: event.target.value as 'forbidden' | 'with-consent' } })
            }
          >
            <option value="forbidden">{t('agreementText.onward.forbidden')}</option>
            <option value="with-consent">{t('agreementText.onward.with-consent')}</option>
          </select>
        </div>
      </div>
      <div className="form__row">
        {FIELD_CLASSES.map((fieldClass) => (
          <div className="field" key={fieldClass}>
            <label htmlFor={`${prefix}-${fieldClass}`}>{t(`agreementEditor.fieldClasses.${fieldClass}`)}</label>
            <select
              id={`${prefix}-${fieldClass}`}
              value={clause.fields[fieldClass]}
              onChange={(event) =>
                onChange({
                  ...clause,
                  fields: { ...clause.fields, [fieldClass]: event.target.value as (typeof TREATMENTS)[number] },
                })
              }
              data-testid={`${prefix}-${fieldClass}`}
            >
              {TREATMENTS.map((treatment) => (
                <option key={treatment} value={treatment}>
                  {t(`agreementText.treatmentLabels.${treatment}`)}
                </option>
              ))}
            </select>
          </div>
        ))}
      </div>
      <div className="form__row">
        <fieldset className="role-fieldset">
          <legend>{t('agreementEditor.clause.categories')}</legend>
          <div className="check-list">
            {DATA_CATEGORIES.map((category) => (
              <label key={category} className="check-inline">
                <input
                  type="checkbox"
                  checked={clause.categories.includes(category)}
                  onChange={(event) =>
                    onChange({ ...clause, categories: toggle(clause.categories, category, event.target.checked) })
                  }
                />{' '}
                {categoryText(category, t)}
              </label>
            ))}
          </div>
        </fieldset>
        <fieldset className="role-fieldset">
          <legend>{t('agreementEditor.clause.purposes')}</legend>
          <div className="check-list">
            {PURPOSES.map((purpose) => (
              <label key={purpose} className="check-inline">
                <input
                  type="checkbox"
                  checked={clause.purposes.includes(purpose)}
                  onChange={(event) =>
                    onChange({ ...clause, purposes: toggle(clause.purposes, purpose, event.target.checked) })
                  }
                />{' '}
                {purposeText(purpose, t)}
              </label>
            ))}
          </div>
        </fieldset>
      </div>
    </fieldset>
  );
}

export function AgreementEditorPage() {
  const { t } = useTranslation();
  const self = useNodeInfo().data?.administration ?? '';
  const load = useCallback((signal: AbortSignal) => api.agreementParties(signal), []);
  const known = useResource(load);
  const knownParties = [...new Set((known.data?.items ?? []).map((key) => key.party))];

  const [template, setTemplate] = useState<AgreementTemplate>('cmaa');
  const [parties, setParties] = useState<string[]>([]);
  const [from, setFrom] = useState(today());
  const [until, setUntil] = useState('');
  const [document, setDocument] = useState<AgreementDocument | null>(null);
  const [mode, setMode] = useState<'form' | 'json'>('form');
  const [jsonText, setJsonText] = useState('');
  const [localError, setLocalError] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [submitting, setSubmitting] = useState(false);

  const chosen = [...new Set([self, ...parties].filter(Boolean))];

  async function prepare(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setLocalError(null);
    try {
      const draft = await api.draftAgreement({ template, parties: chosen, validity: { from, until: until || null } });
      setDocument(draft);
      setJsonText(JSON.stringify(draft, null, 2));
      setError(null);
    } catch (failure) {
      setError(failure);
    }
  }

  /** The document as the form or the JSON text holds it; null (with a message) when the text is not JSON. */
  function current(): AgreementDocument | null {
    if (mode === 'form') return document;
    try {
      return JSON.parse(jsonText) as AgreementDocument;
    } catch (failure) {
      setLocalError(t('agreementEditor.jsonInvalid', { message: failure instanceof Error ? failure.message : '' }));
      return null;
    }
  }

  function switchMode(next: 'form' | 'json') {
    if (next === mode) return;
    setLocalError(null);
    if (next === 'json') {
      setJsonText(JSON.stringify(document, null, 2));
      setMode('json');
      return;
    }
    const parsed = current();
    if (parsed && Array.isArray(parsed.clauses)) {
      setDocument(parsed);
      setMode('form');
    } else if (parsed) {
      setLocalError(t('agreementEditor.jsonNoClauses'));
    }
  }

  async function create() {
    setLocalError(null);
    setError(null);
    const body = current();
    if (!body) return;
    setSubmitting(true);
    try {
      const created = await api.createAgreement({ document: body });
      navigate(`/agreements/${encodeURIComponent(created.id)}`);
    } catch (failure) {
      setError(failure);
    } finally {
      setSubmitting(false);
    }
  }

  const pointers = pointersOf(error);

  return (
    <>
      <PageHeader
        title={t('agreementEditor.title')}
        description={t('agreementEditor.description')}
        actions={
          <Link to="/agreements" className="button">
            {t('agreement.back')}
          </Link>
        }
      />
      <section className="card" aria-labelledby="editor-start">
        <h2 id="editor-start" className="card__title">
          {t('agreementEditor.start.title')}
        </h2>
        <form className="form" onSubmit={(event) => void prepare(event)} data-testid="agreement-start-form">
          <div className="form__row">
            <div className="field">
              <label htmlFor="agreement-template">{t('agreementEditor.start.template')}</label>
              <select
                id="agreement-template"
                value={template}
                onChange={(event) => setTemplate(event.target.value as AgreementTemplate)}
                data-testid="agreement-template"
              >
                {AGREEMENT_TEMPLATES.map((name) => (
                  <option key={name} value={name}>
                    {t(`agreementEditor.templates.${name}`)}
                  </option>
                ))}
              </select>
            </div>
            <div className="field field--date">
              <label htmlFor="agreement-from">{t('agreementEditor.start.from')}</label>
              <input
                id="agreement-from"
                type="date"
                required
                value={from}
                onChange={(event) => setFrom(event.target.value)}
              />
            </div>
            <div className="field field--date">
              <label htmlFor="agreement-until">
                {t('agreementEditor.start.until')} <span className="field__optional">{t('common.optional')}</span>
              </label>
              <input
                id="agreement-until"
                type="date"
                min={from}
                value={until}
                onChange={(event) => setUntil(event.target.value)}
              />
            </div>
          </div>
          <fieldset className="role-fieldset">
            <legend>{t('agreementEditor.start.parties')}</legend>
            <p className="field__hint">{t('agreementEditor.start.partiesHint', { self })}</p>
            <div className="check-list" data-testid="agreement-parties">
              {knownParties.map((party) => (
                <label key={party} className="check-inline">
                  <input
                    type="checkbox"
                    checked={party === self || parties.includes(party)}
                    disabled={party === self}
                    onChange={(event) => setParties(toggle(parties, party, event.target.checked))}
                    data-testid={`agreement-party-${party}`}
                  />{' '}
                  <code>{party}</code>
                </label>
              ))}
            </div>
          </fieldset>
          <div className="form__actions">
            <button type="submit" className="button" data-testid="agreement-prepare">
              {t('agreementEditor.start.prepare')}
            </button>
          </div>
        </form>
      </section>

      {document ? (
        <section className="card editor" aria-labelledby="editor-clauses" data-testid="agreement-editor">
          <div className="card__header">
            <h2 id="editor-clauses" className="card__title">
              {t('agreementEditor.edit.title')}
            </h2>
            <div className="segmented" role="group" aria-label={t('agreementEditor.edit.mode')}>
              {(['form', 'json'] as const).map((value) => (
                <button
                  key={value}
                  type="button"
                  className="segmented__item"
                  aria-pressed={mode === value}
                  onClick={() => switchMode(value)}
                  data-testid={`agreement-mode-${value}`}
                >
                  {t(`agreementEditor.edit.modes.${value}`)}
                </button>
              ))}
            </div>
          </div>
          {mode === 'form' ? (
            <div className="form">
              <div className="form__row">
                <div className="field">
                  <label htmlFor="agreement-id">{t('agreementEditor.edit.id')}</label>
                  <input
                    id="agreement-id"
                    value={document.id}
                    onChange={(event) => setDocument({ ...document, id: event.target.value })}
                    data-testid="agreement-id"
                  />
                </div>
                <div className="field field--wide">
                  <label htmlFor="agreement-title">{t('agreementEditor.edit.titleField')}</label>
                  <input
                    id="agreement-title"
                    value={document.title}
                    onChange={(event) => setDocument({ ...document, title: event.target.value })}
                  />
                </div>
              </div>
              {document.clauses.map((clause, index) => (
                <ClauseForm
                  key={index}
                  clause={clause}
                  index={index}
                  onChange={(next) =>
                    setDocument({ ...document, clauses: document.clauses.map((c, i) => (i === index ? next : c)) })
                  }
                />
              ))}
            </div>
          ) : (
            <div className="field">
              <label htmlFor="agreement-json">{t('agreementEditor.edit.json')}</label>
              <textarea
                id="agreement-json"
                className="code-editor"
                spellCheck={false}
                rows={24}
                value={jsonText}
                onChange={(event) => setJsonText(event.target.value)}
                data-testid="agreement-json"
              />
            </div>
          )}
          {localError ? (
            <p className="alert alert--error" role="alert" data-testid="agreement-json-error">
              {localError}
            </p>
          ) : null}
          <ProblemAlert error={error} testId="agreement-create-error" />
          {pointers.length > 0 ? (
            <ul className="plain-list pointer-list" data-testid="agreement-error-pointers">
              {pointers.map((entry, index) => (
                <li key={`${entry.pointer}-${index}`}>
                  <code>{entry.pointer}</code> {entry.message}
                </li>
              ))}
            </ul>
          ) : null}
          <div className="form__actions">
            <button
              type="button"
              className="button button--primary"
              onClick={() => void create()}
              disabled={submitting}
              data-testid="agreement-create"
            >
              {submitting ? t('common.saving') : t('agreementEditor.create')}
            </button>
          </div>
        </section>
      ) : null}
    </>
  );
}
