/** Concord's mark: two overlapping rings, two administrations working together. */
export function Logo({ size = 28 }: { size?: number }) {
  return (
    <svg className="logo" viewBox="0 0 32 32" width={size} height={size} aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="7" fill="var(--color-brand)" />
      <circle cx="12" cy="16" r="7" fill="none" stroke="#ffffff" strokeWidth="2.5" />
      <circle cx="20" cy="16" r="7" fill="none" stroke="var(--color-brand-accent)" strokeWidth="2.5" />
    </svg>
  );
}
