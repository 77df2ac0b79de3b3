import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.js';
import { api } from '../api/endpoints.js';
import type { SubmissionResult } from '../api/types.js';
import { Badge } from '../components/badges.js';
import { DropZone } from '../components/drop-zone.js';
import { ProblemAlert } from '../components/problem-alert.js';
import { Link } from '../router.js';

/** The formats `POST /api/v1/declarations` reads, with the content type each is sent as. */
const FORMATS = {
  json: 'application/json',
  ndjson: 'application/x-ndjson',
  csv: 'text/csv',
  xml: 'application/xml',
} as const;
type Format = keyof typeof FORMATS;

/** What the node takes in one request; a larger file is for `concord import`, which streams it. */
const IMPORT_MAX_BYTES = 16 * 1024 * 1024;
/** Rows of the result table shown at most: the counts above it cover every record. */
const SHOWN_RESULTS = 200;

const STATUS_TONE: Record<SubmissionResult['status'], 'success' | 'info' | 'danger' | 'neutral' | 'warning'> = {
  created: 'success',
  existing: 'info',
  amended: 'info',
  cancelled: 'warning',
  rejected: 'danger',
  skipped: 'neutral',
};

function formatOf(name: string): Format {
  const extension = name.toLowerCase().split('.').pop() ?? '';
  if (extension === 'xml') return 'xml';
  if (extension === 'csv') return 'csv';
  if (extension === 'ndjson' || extension === 'jsonl') return 'ndjson';
  return 'json';
}

/**
 * Lodges a file of declarations from the console, as `concord import` does from a shell: JSON (one or an array),
 * NDJSON, CSV (one row per goods item) or an HMRC CDS WCO DM XML declaration. Shows what happened to each record;
 * `onLodged` tells the list to reload.
 */
export function ImportPanel({ onLodged, onClose }: { onLodged: () => void; onClose: () => void }) {
  const { t } = useTranslation();
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<Format>('json');
  const [atomic, setAtomic] = useState(false);
  const [xsd, setXsd] = useState(false);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [results, setResults] = useState<SubmissionResult[] | null>(null);
  const tooLarge = file !== null && file.size > IMPORT_MAX_BYTES;

  function chooseFile(chosen: File | null) {
    setFile(chosen);
    setResults(null);
    setError(null);
    if (chosen) setFormat(formatOf(chosen.name));
  }

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!file || tooLarge) return;
    setRunning(true);
    setError(null);
    setResults(null);
    try {
      const { results: lodged } = await api.lodgeDeclarations(file, FORMATS[format], {
        atomic,
        xsd: format === 'xml' && xsd,
      });
      setResults(lodged);
      onLodged();
    } catch (failure) {
      // A refused batch (or single declaration) still says what was wrong with each record.
      const refused = failure instanceof ApiError ? failure.problem.results : undefined;
      if (Array.isArray(refused)) setResults(refused as SubmissionResult[]);
      setError(failure);
    } finally {
      setRunning(false);
    }
  }

  return (
    <section className="card import-panel" aria-labelledby="import-title" data-testid="import-panel">
      <div className="card__header">
        <h2 id="import-title" className="card__title">
          {t('declarations.import.title')}
        </h2>
        <button type="button" className="button button--ghost" onClick={onClose} data-testid="import-close">
          {t('declarations.import.close')}
        </button>
      </div>
      <form className="form" onSubmit={(event) => void handleSubmit(event)} noValidate>
        <DropZone
          label={t('declarations.import.file')}
          hint={t('declarations.import.fileHint')}
          accept=".json,.ndjson,.jsonl,.csv,.xml,application/json,text/csv,application/xml,text/xml"
          file={file}
          onFile={chooseFile}
          testId="import-file"
        />
        {tooLarge ? (
          <p className="alert alert--info" role="alert" data-testid="import-too-large">
            {t('declarations.import.tooLarge')}
          </p>
        ) : null}
        <div className="form__row">
          <div className="field field--select">
            <label htmlFor="import-format">{t('declarations.import.format')}</label>
            <select
              id="import-format"
              value={format}
              onChange={(event) => setFormat(event.target.value as Format)}
              data-testid="import-format"
            >
              {(Object.keys(FORMATS) as Format[]).map((key) => (
                <option key={key} value={key}>
                  {t(`declarations.import.formats.${key}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="check-list">
            <Check
              label={t('declarations.import.atomic')}
              checked={atomic}
              onChange={setAtomic}
              testId="import-atomic"
            />
            {format === 'xml' ? (
              <Check label={t('declarations.import.xsd')} checked={xsd} onChange={setXsd} testId="import-xsd" />
            ) : null}
          </div>
        </div>
        <div className="form__actions">
          <button
            type="submit"
            className="button button--primary"
            disabled={!file || tooLarge || running}
            data-testid="import-submit"
          >
            {running ? t('declarations.import.running') : t('declarations.import.submit')}
          </button>
        </div>
      </form>
      <ProblemAlert error={error} testId="import-problem" />
      {results ? <ImportResults results={results} /> : null}
    </section>
  );
}

/** One option of the import, as a labelled checkbox. */
export function Check({
  label,
  checked,
  onChange,
  testId,
}: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  testId: string;
}) {
  return (
    <label className="check-inline">
      <input
        type="checkbox"
        checked={checked}
        onChange={(event) => onChange(event.target.checked)}
        data-testid={testId}
      />{' '}
      {label}
    </label>
  );
}

export function ImportResults({ results }: { results: SubmissionResult[] }) {
  const { t } = useTranslation();
  const counts = new Map<SubmissionResult['status'], number>();
  for (const result of results) counts.set(result.status, (counts.get(result.status) ?? 0) + 1);
  // Rejected records first: they are what a person has to act on.
  const ordered = [...results].sort(
    (a, b) => Number(b.status === 'rejected') - Number(a.status === 'rejected') || a.record - b.record,
  );
  const shown = ordered.slice(0, SHOWN_RESULTS);

  return (
    <div className="import-results" data-testid="import-results">
      <p className="import-results__summary" role="status" data-testid="import-summary">
        {t('declarations.import.summary', { count: results.length })}{' '}
        {[...counts].map(([status, count]) => (
          <Badge key={status} tone={STATUS_TONE[status]} testId={`import-count-${status}`}>
            {t(`declarations.import.status.${status}`, { count })}
          </Badge>
        ))}
      </p>
      <div className="table-wrap">
        <table className="table table--dense" data-testid="import-table">
          <caption>
            {results.length > SHOWN_RESULTS
              ? t('declarations.import.captionMore', { count: SHOWN_RESULTS, total: results.length })
              : t('declarations.import.caption')}
          </caption>
          <thead>
            <tr>
              <th scope="col" className="numeric">
                {t('declarations.import.columns.record')}
              </th>
              <th scope="col">{t('declarations.import.columns.status')}</th>
              <th scope="col">{t('declarations.import.columns.reference')}</th>
              <th scope="col">{t('declarations.import.columns.details')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((result) => (
              <tr key={result.record} data-testid="import-row" data-status={result.status}>
                <td className="numeric">{result.record}</td>
                <td>
                  <Badge tone={STATUS_TONE[result.status]}>{t(`declarations.import.result.${result.status}`)}</Badge>
                </td>
                <td>
                  {result.id ? (
                    <Link to={`/declarations/${encodeURIComponent(result.id)}`}>
                      {result.functionalReference ?? result.id}
                    </Link>
                  ) : (
                    (result.functionalReference ?? '—')
                  )}
                </td>
                <td>
                  <ul className="import-results__problems">
                    {result.errors.map((problem, i) => (
                      <li key={`e${i}`}>
                        <code>{problem.code}</code> <code className="muted">{problem.pointer || '/'}</code>{' '}
                        {problem.message}
                      </li>
                    ))}
                    {result.warnings.map((problem, i) => (
                      <li key={`w${i}`} className="muted">
                        <code>{problem.code}</code> <code>{problem.pointer || '/'}</code> {problem.message}
                      </li>
                    ))}
                    {(result.notes ?? []).map((note, i) => (
                      <li key={`n${i}`} className="muted">
                        {t('declarations.import.note')} <code>{note.pointer || '/'}</code> {note.message}
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
