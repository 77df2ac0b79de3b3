import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { ROLES, type Role } from '../api/types.js';

/** A fieldset of one checkbox per role, each with its translated name and what it allows. */
export function RoleCheckboxes({
  legend,
  hint,
  value,
  onChange,
  testIdPrefix,
}: {
  legend: string;
  hint?: string;
  value: readonly Role[];
  onChange(roles: Role[]): void;
  testIdPrefix: string;
}) {
  const { t } = useTranslation();
  const hintId = useId();
  function toggle(role: Role, checked: boolean) {
    const next = new Set(value);
    if (checked) next.add(role);
    else next.delete(role);
    onChange(ROLES.filter((candidate) => next.has(candidate)));
  }
  return (
    <fieldset className="role-fieldset" aria-describedby={hint ? hintId : undefined}>
      <legend>{legend}</legend>
      {hint ? (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      <div className="role-grid">
        {ROLES.map((role) => (
          <label key={role} className="check">
            <input
              type="checkbox"
              checked={value.includes(role)}
              onChange={(event) => toggle(role, event.target.checked)}
              data-testid={`${testIdPrefix}-${role}`}
            />
            <span>
              <span className="check__label">{t(`roles.${role}.name`)}</span>
              <span className="check__hint">{t(`roles.${role}.description`)}</span>
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
