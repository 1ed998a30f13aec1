import type { ReactNode } from 'react';

/** Messages and hints quote commands between backticks, as the CLI prints them; show those as code. */
export function CodeText({ text }: { text: string }): ReactNode {
  return text.split('`').map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part));
}
