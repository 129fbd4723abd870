import type { ComponentChildren } from 'preact';
import { navigate } from '../lib/router';

/** An ordinary link that the page follows itself (opening in a new tab still works). */
export function Link({
  href,
  children,
  current,
  class: className,
}: {
  href: string;
  children: ComponentChildren;
  current?: boolean;
  class?: string;
}) {
  return (
    <a
      href={href}
      class={className}
      aria-current={current ? 'page' : undefined}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}
