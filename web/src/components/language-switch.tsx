import { useTranslation } from 'react-i18next';
import { changeLanguage, LANGUAGES } from '../i18n/index.js';

/** EN / FR toggle. Each button is labelled in its own language, so anyone can find theirs. */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <div className="segmented" role="group" aria-label={t('language.label')} data-testid="language-switch">
      {LANGUAGES.map((language) => (
        <button
          key={language}
          type="button"
          lang={language}
          className="segmented__item"
          aria-pressed={i18n.resolvedLanguage === language}
          title={t(`language.names.${language}`, { lng: language })}
          onClick={() => void changeLanguage(language)}
          data-testid={`language-${language}`}
        >
          {language.toUpperCase()}
        </button>
      ))}
    </div>
  );
}
