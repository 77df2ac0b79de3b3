import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useMe, useSession } from '../auth/session.js';
import { useNodeInfo } from '../node-info.js';
import { canOpen, COMING_MODULES, LIVE_MODULES, type LiveModule } from '../modules.js';
import { Link, navigate, useLocation } from '../router.js';
import { RoleBadges } from './badges.js';
import { FederationAlerts } from './federation-alerts.js';
import { Icon } from './icons.js';
import { LanguageSwitch } from './language-switch.js';
import { Logo } from './logo.js';

/** The signed-in frame: a header with the node and the user, the module navigation on the left, the page. */
export function Layout({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const me = useMe();
  const { logout } = useSession();
  const node = useNodeInfo();
  const { pathname } = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const [signingOut, setSigningOut] = useState(false);

  async function handleLogout() {
    setSigningOut(true);
    try {
      await logout();
    } catch {
      // the session is dropped locally either way
    } finally {
      setSigningOut(false);
      navigate('/login', { replace: true });
    }
  }

  const administration = node.data?.administration;
  const visibleModules = LIVE_MODULES.filter((module) => canOpen(me, module));
  const nodeModules = visibleModules.filter((module) => !module.section);
  const customsModules = visibleModules.filter((module) => module.section === 'customs');
  const exchangeModules = visibleModules.filter((module) => module.section === 'exchange');

  function moduleLink(module: LiveModule) {
    const current = pathname === module.path || pathname.startsWith(`${module.path}/`);
    return (
      <li key={module.id}>
        <Link
          to={module.path}
          className="sidenav__item"
          aria-current={current ? 'page' : undefined}
          data-testid={`nav-${module.id}`}
        >
          <Icon name={module.id} />
          <span>{t(`modules.${module.id}.title`)}</span>
        </Link>
      </li>
    );
  }

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('layout.skipToContent')}
      </a>
      <header className="topbar">
        <button
          type="button"
          className="topbar__menu button button--ghost"
          aria-expanded={menuOpen}
          aria-controls="primary-navigation"
          onClick={() => setMenuOpen((open) => !open)}
        >
          <Icon name="menu" />
          <span className="visually-hidden">{t('layout.menu')}</span>
        </button>
        <Link to="/node" className="brand" aria-label={t('layout.home')}>
          <Logo />
          <span className="brand__name">Concord</span>
          {administration ? (
            <span className="brand__administration" data-testid="header-administration" title={node.data?.name}>
              {administration}
            </span>
          ) : null}
        </Link>
        <div className="topbar__spacer" />
        <div className="topbar__user" data-testid="header-user">
          <span className="avatar" aria-hidden="true">
            {(me.displayName || me.username).slice(0, 1).toUpperCase()}
          </span>
          <span className="topbar__identity">
            <span className="topbar__name">{me.displayName || me.username}</span>
            {me.displayName && me.displayName !== me.username ? (
              <span className="topbar__username">{me.username}</span>
            ) : null}
          </span>
          <span className="topbar__roles">
            <RoleBadges roles={me.roles} />
          </span>
        </div>
        <LanguageSwitch />
        <button
          type="button"
          className="button button--ghost"
          onClick={() => void handleLogout()}
          disabled={signingOut}
          data-testid="logout"
        >
          <Icon name="logout" />
          <span>{t('layout.logout')}</span>
        </button>
      </header>

      <div className="frame">
        <nav
          id="primary-navigation"
          className={`sidenav${menuOpen ? ' sidenav--open' : ''}`}
          aria-label={t('nav.label')}
          onClick={(event) => {
            if ((event.target as HTMLElement).closest('a')) setMenuOpen(false);
          }}
        >
          <p className="sidenav__heading" id="nav-node-heading">
            {t('nav.sections.node')}
          </p>
          <ul aria-labelledby="nav-node-heading">{nodeModules.map(moduleLink)}</ul>
          <p className="sidenav__heading" id="nav-coming-heading">
            {t('nav.sections.customs')}
          </p>
          <ul aria-labelledby="nav-coming-heading">
            {customsModules.map(moduleLink)}
            {COMING_MODULES.map((module) => (
              <li key={module}>
                <span
                  className="sidenav__item sidenav__item--disabled"
                  aria-disabled="true"
                  title={t('nav.comingHint')}
                  data-testid={`nav-${module}`}
                >
                  <Icon name={module} />
                  <span className="sidenav__label">{t(`modules.${module}.title`)}</span>
                  <span className="badge badge--soon">{t('nav.coming')}</span>
                </span>
              </li>
            ))}
          </ul>
          {exchangeModules.length > 0 ? (
            <>
              <p className="sidenav__heading" id="nav-exchange-heading">
                {t('nav.sections.exchange')}
              </p>
              <ul aria-labelledby="nav-exchange-heading">{exchangeModules.map(moduleLink)}</ul>
            </>
          ) : null}
          <div className="sidenav__footer">
            <a className="sidenav__item" href="/docs" target="_blank" rel="noopener">
              <Icon name="docs" />
              <span className="sidenav__label">{t('nav.apiDocs')}</span>
              <Icon name="external" size={14} />
              <span className="visually-hidden">{t('common.opensInNewTab')}</span>
            </a>
            {node.data ? <p className="sidenav__version">{t('nav.version', { version: node.data.version })}</p> : null}
          </div>
        </nav>
        <main id="main" className="content" tabIndex={-1}>
          <FederationAlerts />
          {children}
        </main>
      </div>
    </div>
  );
}
