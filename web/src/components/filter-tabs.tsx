export interface FilterTab {
  /** The filter's value; '' for "all". */
  value: string;
  label: string;
  /** Shown after the label when known. */
  count?: number;
}

/**
 * A row of toggle buttons choosing one value of a filter (all / pending / dead letters…), in the style of the
 * language switch; the pressed one is the current value.
 */
export function FilterTabs({
  label,
  tabs,
  value,
  onSelect,
  testId,
}: {
  label: string;
  tabs: readonly FilterTab[];
  value: string;
  onSelect: (value: string) => void;
  testId?: string;
}) {
  return (
    <div className="segmented filter-tabs" role="group" aria-label={label} data-testid={testId}>
      {tabs.map((tab) => (
        <button
          key={tab.value}
          type="button"
          className="segmented__item filter-tabs__item"
          aria-pressed={tab.value === value}
          onClick={() => onSelect(tab.value)}
          data-testid={testId ? `${testId}-${tab.value || 'all'}` : undefined}
        >
          {tab.label}
          {tab.count !== undefined ? <span className="filter-tabs__count">{tab.count}</span> : null}
        </button>
      ))}
    </div>
  );
}
