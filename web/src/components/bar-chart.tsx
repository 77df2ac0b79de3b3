import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../format.js';

/** One bar: a total (the whole bar) and the part of it to stand out (drawn over its start). */
export interface Bar {
  key: string;
  label: string;
  total: number;
  part: number;
}

const WIDTH = 480;
const VALUE_WIDTH = 64;
const ROW = 26;
const BAR = 14;
/** The average width of a character of the 12 px system font, estimated (the console ships no font to measure). */
const CHAR_WIDTH = 6.5;
/** The label column takes what the longest label needs, within these bounds; longer labels are cut. */
const MIN_LABEL_WIDTH = 60;
const MAX_LABEL_WIDTH = 240;

function shorten(label: string, room: number): string {
  return label.length > room ? `${label.slice(0, room - 1)}…` : label;
}

/**
 * A horizontal bar chart in SVG, one row per group: the whole bar is the total (matches), the dark part the share
 * that stands out (discrepancies). Screen readers get the same numbers as a table; the drawing is hidden from them.
 *
 * @example
 * <BarChart title="By partner" totalLabel="Matches" partLabel="Discrepancies"
 *   bars={[{ key: 'NL', label: 'NL', total: 6, part: 2 }]} />
 */
export function BarChart({
  title,
  bars,
  totalLabel,
  partLabel,
  keyLabel,
  testId,
}: {
  title: string;
  bars: readonly Bar[];
  totalLabel: string;
  partLabel: string;
  /** The table's first column header ("Partner"). */
  keyLabel: string;
  testId?: string;
}) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const max = Math.max(1, ...bars.map((bar) => bar.total));
  const longest = Math.max(0, ...bars.map((bar) => bar.label.length));
  const labelWidth = Math.min(MAX_LABEL_WIDTH, Math.max(MIN_LABEL_WIDTH, Math.ceil(longest * CHAR_WIDTH) + 12));
  const room = Math.floor((labelWidth - 12) / CHAR_WIDTH);
  const area = WIDTH - labelWidth - VALUE_WIDTH - 8;
  const height = Math.max(1, bars.length) * ROW + 4;
  const scale = (value: number) => (value / max) * area;

  return (
    <figure className="bar-chart" aria-labelledby={`${id}-title`} data-testid={testId}>
      <figcaption id={`${id}-title`} className="bar-chart__title">
        {title}
      </figcaption>
      {bars.length === 0 ? (
        <p className="muted">{t('barChart.empty')}</p>
      ) : (
        <>
          <svg className="bar-chart__svg" viewBox={`0 0 ${WIDTH} ${height}`} aria-hidden="true" focusable="false">
            {bars.map((bar, index) => {
              const y = index * ROW + 4;
              return (
                <g key={bar.key} data-testid="bar" data-key={bar.key}>
                  <title>{`${bar.label}: ${partLabel} ${bar.part}, ${totalLabel} ${bar.total}`}</title>
                  <text className="bar-chart__label" x={labelWidth - 8} y={y + BAR - 3} textAnchor="end">
                    {shorten(bar.label, room)}
                  </text>
                  <rect className="bar-chart__track" x={labelWidth} y={y} width={area} height={BAR} rx={2} />
                  <rect
                    className="bar-chart__total"
                    x={labelWidth}
                    y={y}
                    width={Math.max(bar.total > 0 ? 2 : 0, scale(bar.total))}
                    height={BAR}
                    rx={2}
                  />
                  <rect
                    className="bar-chart__part"
                    x={labelWidth}
                    y={y}
                    width={Math.max(bar.part > 0 ? 2 : 0, scale(bar.part))}
                    height={BAR}
                    rx={2}
                  />
                  <text className="bar-chart__value" x={labelWidth + area + 8} y={y + BAR - 3}>
                    {`${formatNumber(bar.part, i18n.language)} / ${formatNumber(bar.total, i18n.language)}`}
                  </text>
                </g>
              );
            })}
          </svg>
          <ul className="bar-chart__legend" aria-hidden="true">
            <li>
              <span className="bar-chart__swatch bar-chart__swatch--part" />
              {partLabel}
            </li>
            <li>
              <span className="bar-chart__swatch bar-chart__swatch--total" />
              {totalLabel}
            </li>
          </ul>
          <table className="visually-hidden">
            <caption>{title}</caption>
            <thead>
              <tr>
                <th scope="col">{keyLabel}</th>
                <th scope="col">{partLabel}</th>
                <th scope="col">{totalLabel}</th>
              </tr>
            </thead>
            <tbody>
              {bars.map((bar) => (
                <tr key={bar.key}>
                  <th scope="row">{bar.label}</th>
                  <td>{bar.part}</td>
                  <td>{bar.total}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </figure>
  );
}
