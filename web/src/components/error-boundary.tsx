import { Component, type ErrorInfo, type ReactNode } from 'react';
import i18n from '../i18n/index.js';

interface State {
  error: Error | null;
}

/** Last line of defence: a crash in one page shows a message and a way out instead of a blank screen. */
export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="empty-page" role="alert">
        <h1>{i18n.t('crash.title')}</h1>
        <p>{i18n.t('crash.body')}</p>
        <pre className="crash__message">{this.state.error.message}</pre>
        <button type="button" className="button button--primary" onClick={() => window.location.reload()}>
          {i18n.t('crash.reload')}
        </button>
      </div>
    );
  }
}
