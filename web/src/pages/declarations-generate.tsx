import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/endpoints.js';
import {
  type Declaration,
  type Generated,
  type GeneratedLabel,
  type GenerateRequest,
  IRREGULARITY_KINDS,
  type IrregularityKind,
} from '../api/types.js';
import { Badge } from '../components/badges.js';
import { ProblemAlert } from '../components/problem-alert.js';
import { formatDate } from '../format.js';
import { Link } from '../router.js';
import { Check, ImportResults } from './declarations-import.js';

/** What one request generates at most; `concord generate declarations` streams any number. */
const GENERATE_MAX = 5000;
/** Rows of the generated declarations shown at most: the downloads hold them all. */
const SHOWN_DECLARATIONS = 200;

interface Outcome {
  request: GenerateRequest;
  generated: Generated;
}

/** A seed a person can read back and type again: the same seed gives the same declarations. */
function newSeed(): string {
  return `training-${Math.random().toString(36).slice(2, 8)}`;
}

/** A file of JSON lines the browser saves, named after the seed. */
function download(name: string, lines: readonly unknown[]): void {
  const blob = new Blob([lines.map((line) => JSON.stringify(line) + '\n').join('')], {
    type: 'application/x-ndjson',
  });
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = name;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // Revoked after the click has started the download.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * The synthetic trade generator of `concord generate declarations`, from the console: declarations along real lanes,
 * some with a labelled irregularity, for training analysts and testing rules. They can be downloaded (with their
 * labels) anywhere, and lodged on the node where its settings allow it (a demo, test or training node).
 */
export function GeneratePanel({
  mayLodge,
  nodeAllowsLodging,
  onLodged,
  onClose,
}: {
  mayLodge: boolean;
  nodeAllowsLodging: boolean;
  onLodged: () => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [count, setCount] = useState('100');
  const [seed, setSeed] = useState(newSeed);
  const [ratePercent, setRatePercent] = useState('5');
  const [kinds, setKinds] = useState<readonly IrregularityKind[]>(IRREGULARITY_KINDS);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [running, setRunning] = useState<'preview' | 'lodge' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const countValue = Number(count);
  const rateValue = Number(ratePercent);
  const countValid = Number.isInteger(countValue) && countValue >= 1 && countValue <= GENERATE_MAX;
  const rateValid = ratePercent !== '' && rateValue >= 0 && rateValue <= 100;
  const datesValid = from === '' || to === '' || from <= to;
  const valid = countValid && rateValid && seed.trim() !== '' && datesValid && (rateValue === 0 || kinds.length > 0);
  const canLodge = mayLodge && nodeAllowsLodging;

  function toggleKind(kind: IrregularityKind, on: boolean) {
    setKinds((current) => IRREGULARITY_KINDS.filter((k) => (k === kind ? on : current.includes(k))));
  }

  async function handleGenerate(lodge: boolean) {
    if (!valid) return;
    const request: GenerateRequest = {
      count: countValue,
      seed: seed.trim(),
      irregularRate: rateValue / 100,
      ...(rateValue > 0 && kinds.length < IRREGULARITY_KINDS.length ? { kinds: [...kinds] } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(lodge ? { lodge: true } : {}),
    };
    setRunning(lodge ? 'lodge' : 'preview');
    setError(null);
    setOutcome(null);
    try {
      const generated = await api.generateDeclarations(request);
      setOutcome({ request, generated });
      if (lodge) onLodged();
    } catch (failure) {
      setError(failure);
    } finally {
      setRunning(null);
    }
  }

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void handleGenerate(false);
  }

  return (
    <section className="card import-panel" aria-labelledby="generate-title" data-testid="generate-panel">
      <div className="card__header">
        <h2 id="generate-title" className="card__title">
          {t('declarations.generate.title')}
        </h2>
        <button type="button" className="button button--ghost" onClick={onClose} data-testid="generate-close">
          {t('declarations.import.close')}
        </button>
      </div>
      <p className="muted">{t('declarations.generate.intro')}</p>
      <form className="form" onSubmit={handleSubmit} noValidate>
        <div className="form__row">
          <div className="field">
            <label htmlFor="generate-count">{t('declarations.generate.count')}</label>
            <input
              id="generate-count"
              type="number"
              inputMode="numeric"
              min={1}
              max={GENERATE_MAX}
              step={1}
              required
              aria-invalid={!countValid}
              aria-describedby="generate-count-hint"
              value={count}
              onChange={(event) => setCount(event.target.value)}
              data-testid="generate-count"
            />
            <p className="field__hint" id="generate-count-hint">
              {t('declarations.generate.countHint', { max: GENERATE_MAX })}
            </p>
          </div>
          <div className="field">
            <label htmlFor="generate-seed">{t('declarations.generate.seed')}</label>
            <input
              id="generate-seed"
              autoCapitalize="none"
              spellCheck={false}
              maxLength={64}
              required
              aria-invalid={seed.trim() === ''}
              aria-describedby="generate-seed-hint"
              value={seed}
              onChange={(event) => setSeed(event.target.value)}
              data-testid="generate-seed"
            />
            <p className="field__hint" id="generate-seed-hint">
              {t('declarations.generate.seedHint')}
            </p>
          </div>
          <div className="field">
            <label htmlFor="generate-rate">{t('declarations.generate.rate')}</label>
            <input
              id="generate-rate"
              type="number"
              inputMode="decimal"
              min={0}
              max={100}
              step="any"
              aria-invalid={!rateValid}
              aria-describedby="generate-rate-hint"
              value={ratePercent}
              onChange={(event) => setRatePercent(event.target.value)}
              data-testid="generate-rate"
            />
            <p className="field__hint" id="generate-rate-hint">
              {t('declarations.generate.rateHint')}
            </p>
          </div>
        </div>
        <div className="form__row">
          <div className="field">
            <label htmlFor="generate-from">{t('declarations.generate.from')}</label>
            <input
              id="generate-from"
              type="date"
              value={from}
              onChange={(event) => setFrom(event.target.value)}
              data-testid="generate-from"
            />
          </div>
          <div className="field">
            <label htmlFor="generate-to">{t('declarations.generate.to')}</label>
            <input
              id="generate-to"
              type="date"
              aria-invalid={!datesValid}
              value={to}
              onChange={(event) => setTo(event.target.value)}
              data-testid="generate-to"
            />
            <p className="field__hint">{t('declarations.generate.datesHint')}</p>
          </div>
        </div>
        {rateValue > 0 ? (
          <fieldset className="generate-kinds">
            <legend>{t('declarations.generate.kinds')}</legend>
            <div className="check-list">
              {IRREGULARITY_KINDS.map((kind) => (
                <Check
                  key={kind}
                  label={t(`declarations.generate.kind.${kind}`)}
                  checked={kinds.includes(kind)}
                  onChange={(on) => toggleKind(kind, on)}
                  testId={`generate-kind-${kind}`}
                />
              ))}
            </div>
          </fieldset>
        ) : null}
        <div className="form__actions">
          <button
            type="submit"
            className="button button--primary"
            disabled={!valid || running !== null}
            data-testid="generate-submit"
          >
            {running === 'preview' ? t('declarations.generate.running') : t('declarations.generate.submit')}
          </button>
          {canLodge ? (
            <button
              type="button"
              className="button"
              disabled={!valid || running !== null}
              onClick={() => void handleGenerate(true)}
              data-testid="generate-lodge"
            >
              {running === 'lodge' ? t('declarations.generate.lodging') : t('declarations.generate.lodge')}
            </button>
          ) : null}
        </div>
        {mayLodge && !nodeAllowsLodging ? (
          <p className="field__hint" data-testid="generate-lodging-off">
            {t('declarations.generate.lodgingOff')}
          </p>
        ) : null}
      </form>
      <ProblemAlert error={error} testId="generate-problem" />
      {outcome ? <GeneratedView outcome={outcome} /> : null}
    </section>
  );
}

function GeneratedView({ outcome }: { outcome: Outcome }) {
  const { t } = useTranslation();
  const { request, generated } = outcome;
  const { declarations, results, labels } = generated;
  const count = declarations?.length ?? results?.length ?? 0;
  const ids = new Map(
    (results ?? []).flatMap((r) => (r.id && r.functionalReference ? [[r.functionalReference, r.id]] : [])),
  );
  const stem = `declarations-${request.seed.replace(/[^\w.-]+/g, '_')}`;

  return (
    <div className="import-results" data-testid="generate-results">
      <p className="import-results__summary" role="status" data-testid="generate-summary">
        {t(results ? 'declarations.generate.summaryLodged' : 'declarations.generate.summary', {
          count,
          irregular: labels.length,
        })}
      </p>
      <div className="form__actions">
        {declarations ? (
          <button
            type="button"
            className="button"
            onClick={() => download(`${stem}.ndjson`, declarations)}
            data-testid="generate-download"
          >
            {t('declarations.generate.download')}
          </button>
        ) : null}
        <button
          type="button"
          className="button"
          disabled={labels.length === 0}
          onClick={() => download(`${stem}.labels.ndjson`, labels)}
          data-testid="generate-download-labels"
        >
          {t('declarations.generate.downloadLabels')}
        </button>
      </div>
      {declarations ? <DeclarationTable declarations={declarations} labels={labels} /> : null}
      {results ? <ImportResults results={results} /> : null}
      {results && labels.length > 0 ? <LabelTable labels={labels} ids={ids} /> : null}
    </div>
  );
}

/** The generated declarations (not stored), each with the irregularities planted in it. */
function DeclarationTable({ declarations, labels }: { declarations: Declaration[]; labels: GeneratedLabel[] }) {
  const { t, i18n } = useTranslation();
  const planted = new Map(labels.map((label) => [label.functionalReference, label.irregularities]));
  const shown = declarations.slice(0, SHOWN_DECLARATIONS);
  return (
    <div className="table-wrap">
      <table className="table table--dense" data-testid="generate-table">
        <caption>
          {declarations.length > SHOWN_DECLARATIONS
            ? t('declarations.generate.captionMore', { count: SHOWN_DECLARATIONS, total: declarations.length })
            : t('declarations.generate.caption')}
        </caption>
        <thead>
          <tr>
            <th scope="col">{t('declarations.columns.reference')}</th>
            <th scope="col">{t('declarations.columns.type')}</th>
            <th scope="col">{t('declarations.columns.lodged')}</th>
            <th scope="col">{t('declarations.generate.columns.route')}</th>
            <th scope="col" className="numeric">
              {t('declarations.columns.items')}
            </th>
            <th scope="col">{t('declarations.generate.columns.irregularity')}</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((declaration) => {
            const irregularities = planted.get(declaration.functionalReference) ?? [];
            return (
              <tr
                key={declaration.functionalReference}
                data-testid="generate-row"
                data-irregular={irregularities.length > 0}
              >
                <td>
                  <code>{declaration.functionalReference}</code>
                </td>
                <td>{t(`declarations.types.${declaration.type}`)}</td>
                <td>{formatDate(declaration.dates.lodged, i18n.language)}</td>
                <td>
                  {declaration.dispatchCountry ?? '—'} → {declaration.destinationCountry ?? '—'}
                </td>
                <td className="numeric">{declaration.items.length}</td>
                <td>
                  {irregularities.map((irregularity, i) => (
                    <span key={i} title={irregularity.note}>
                      <Badge tone="warning">{t(`declarations.generate.kind.${irregularity.kind}`)}</Badge>{' '}
                    </span>
                  ))}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** The lodged declarations with a planted irregularity: what an analyst's rules should find. */
function LabelTable({ labels, ids }: { labels: GeneratedLabel[]; ids: ReadonlyMap<string, string> }) {
  const { t } = useTranslation();
  return (
    <div className="table-wrap">
      <table className="table table--dense" data-testid="generate-labels">
        <caption>{t('declarations.generate.labelsCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('declarations.columns.reference')}</th>
            <th scope="col">{t('declarations.generate.columns.irregularity')}</th>
            <th scope="col">{t('declarations.generate.columns.truth')}</th>
          </tr>
        </thead>
        <tbody>
          {labels.map((label) => {
            const id = ids.get(label.functionalReference);
            return (
              <tr key={label.functionalReference} data-testid="generate-label">
                <td>
                  {id ? (
                    <Link to={`/declarations/${encodeURIComponent(id)}`}>{label.functionalReference}</Link>
                  ) : (
                    <code>{label.functionalReference}</code>
                  )}
                </td>
                <td>
                  {label.irregularities.map((irregularity, i) => (
                    <Badge key={i} tone="warning">
                      {t(`declarations.generate.kind.${irregularity.kind}`)}
                    </Badge>
                  ))}
                </td>
                <td>{label.irregularities.map((irregularity) => irregularity.note).join(' ')}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
