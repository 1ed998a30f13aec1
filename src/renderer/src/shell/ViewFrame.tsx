// Where a lazily loaded view shows: a short note while its chunk loads, and an error notice
// instead of a blank window if the chunk cannot load or the view fails while rendering.
import { Component, Suspense, type ReactNode } from 'react';
import { ErrorNotice } from '../components/ErrorNotice';

interface ViewFrameProps {
  children: ReactNode;
}

export function ViewFrame({ children }: ViewFrameProps) {
  return (
    <ViewErrorBoundary>
      <Suspense fallback={<p className="loading muted">Loading…</p>}>{children}</Suspense>
    </ViewErrorBoundary>
  );
}

class ViewErrorBoundary extends Component<ViewFrameProps, { failure: Error | null }> {
  override state = { failure: null as Error | null };

  static getDerivedStateFromError(error: unknown) {
    return { failure: error instanceof Error ? error : new Error(String(error)) };
  }

  override render() {
    if (!this.state.failure) return this.props.children;
    return (
      <ErrorNotice
        title="This view could not be shown"
        error={{
          code: 'view-failed',
          message: this.state.failure.message,
          hint: 'Restart Replica Desk. If it happens again, reinstall it (one of its files may be missing) and report the message above.',
        }}
      />
    );
  }
}
