import { lazy, Suspense, useEffect, type ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import { useMe, useSession } from './auth/session.js';
import { Layout } from './components/layout.js';
import { PublicFrame } from './components/public-frame.js';
import { Spinner } from './components/spinner.js';
import { canOpen, moduleFor, requiredRoles } from './modules.js';
import { NodeInfoProvider } from './node-info.js';
import { AgreementsModule } from './pages/agreements-page.js';
import { AuditPage } from './pages/audit-page.js';
import { DeclarationsModule } from './pages/declarations-page.js';
import { ForbiddenPage } from './pages/forbidden-page.js';
import { HsModule } from './pages/hs-page.js';
import { LogPage } from './pages/log-page.js';
import { LoginPage } from './pages/login-page.js';
import { NodePage } from './pages/node-page.js';
import { NotFoundPage } from './pages/not-found-page.js';
import { TokensPage } from './pages/tokens-page.js';
import { UsersPage } from './pages/users-page.js';
import { VerifyPage } from './pages/verify-page.js';
import { navigate, useLocation } from './router.js';

const exchangePages = () => import('./pages/exchange-pages.js');
const OutboxPage = lazy(() => exchangePages().then((pages) => ({ default: pages.OutboxPage })));
const InboxPage = lazy(() => exchangePages().then((pages) => ({ default: pages.InboxPage })));
const PartnersPage = lazy(() => exchangePages().then((pages) => ({ default: pages.PartnersPage })));
const ArrivalsPage = lazy(() => exchangePages().then((pages) => ({ default: pages.ArrivalsPage })));
const MirrorPage = lazy(() => exchangePages().then((pages) => ({ default: pages.MirrorPage })));

const PAGES = {
  node: NodePage,
  log: LogPage,
  users: UsersPage,
  tokens: TokensPage,
  audit: AuditPage,
  declarations: DeclarationsModule,
  hs: HsModule,
  agreements: AgreementsModule,
  outbox: OutboxPage,
  inbox: InboxPage,
  partners: PartnersPage,
  arrivals: ArrivalsPage,
  mirror: MirrorPage,
} as const;

/** Pages anyone may open without signing in; signed-in users see them inside the console's frame. */
const PUBLIC_PAGES: Record<string, { Page: ComponentType; titleKey: string }> = {
  '/verify': { Page: VerifyPage, titleKey: 'verify.title' },
};

function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} — Concord`;
  }, [title]);
}

/** A public page for a visitor who is not signed in. */
function PublicRoute({ pathname }: { pathname: string }) {
  const { t } = useTranslation();
  const { Page, titleKey } = PUBLIC_PAGES[pathname]!;
  useDocumentTitle(t(titleKey));
  return <Page key={pathname} />;
}

/** Picks the page for the path, behind the role check the node will also make. */
function SignedInRoutes({ pathname }: { pathname: string }) {
  const { t } = useTranslation();
  const me = useMe();
  const module = moduleFor(pathname);
  const publicPage = Object.hasOwn(PUBLIC_PAGES, pathname) ? PUBLIC_PAGES[pathname] : undefined;
  const title = publicPage ? t(publicPage.titleKey) : module ? t(`modules.${module.id}.title`) : t('notFound.title');

  useDocumentTitle(title);

  if (publicPage) return <publicPage.Page key={pathname} />;
  if (!module) return <NotFoundPage />;
  if (!canOpen(me, module)) {
    return <ForbiddenPage module={title} requires={requiredRoles(module)} />;
  }
  const Page = PAGES[module.id];
  // Keyed by path so each page (a declaration, an HS code) starts fresh, and its heading takes focus, when you arrive.
  return (
    <Suspense fallback={<Spinner />}>
      <Page key={pathname} />
    </Suspense>
  );
}

export function App() {
  const { state } = useSession();
  const { pathname, search } = useLocation();

  const onLogin = pathname === '/login';
  const onPublicPage = Object.hasOwn(PUBLIC_PAGES, pathname);
  const redirect =
    state.status === 'anonymous' && !onLogin && !onPublicPage
      ? `/login${pathname === '/' || state.reason === 'signed-out' ? '' : `?next=${encodeURIComponent(pathname + (search.size ? `?${search}` : ''))}`}`
      : state.status === 'authenticated' && (onLogin || pathname === '/')
        ? '/node'
        : null;

  useEffect(() => {
    if (redirect) navigate(redirect, { replace: true });
  }, [redirect]);

  if (state.status === 'loading' || redirect) {
    return (
      <div className="boot">
        <Spinner />
      </div>
    );
  }
  if (state.status === 'anonymous') {
    return onPublicPage ? (
      <PublicFrame>
        <PublicRoute pathname={pathname} />
      </PublicFrame>
    ) : (
      <LoginPage />
    );
  }
  return (
    <NodeInfoProvider>
      <Layout>
        <SignedInRoutes pathname={pathname} />
      </Layout>
    </NodeInfoProvider>
  );
}
