import type { ComponentChildren } from 'preact';

/** An error (announced at once) or a status line (announced politely). */
export function Notice({
  kind,
  children,
}: {
  kind: 'error' | 'success' | 'warning' | 'info';
  children: ComponentChildren;
}) {
  const role = kind === 'error' ? 'alert' : 'status';
  return (
    <div class={`notice notice-${kind}`} role={role}>
      {children}
    </div>
  );
}
