import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { rememberedAdministration } from '../node-info.js';
import { Link } from '../router.js';
import { LanguageSwitch } from './language-switch.js';
import { Logo } from './logo.js';

/** The frame of the pages anyone may open without signing in: the product, the language, a way to sign in. */
export function PublicFrame({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const administration = rememberedAdministration();
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('layout.skipToContent')}
      </a>
      <header className="topbar">
        <Link to="/login" className="brand" aria-label={t('public.home')}>
          <Logo />
          <span className="brand__name">Concord</span>
          {administration ? <span className="brand__administration">{administration}</span> : null}
        </Link>
        <div className="topbar__spacer" />
        <LanguageSwitch />
        <Link to="/login" className="button" data-testid="public-sign-in">
          {t('public.signIn')}
        </Link>
      </header>
      <main id="main" className="content content--public" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
