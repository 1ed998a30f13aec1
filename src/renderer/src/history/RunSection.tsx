import type { ReactNode } from 'react';

/** One titled part of a run's detail page, a landmark screen readers can jump to. */
export function RunSection({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="card run-section" aria-label={title}>
      <h3 className="card-title">{title}</h3>
      {children}
    </section>
  );
}
