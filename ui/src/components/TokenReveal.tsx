import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { Notice } from './Notice';

/**
 * The token of a key just created or rotated. It exists only in the props of this component:
 * closing the dialog that holds it drops it from the page for good.
 */
export function TokenReveal({ token, keyName }: { token: string; keyName: string }) {
  const input = useRef<HTMLTextAreaElement>(null);
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  // Focus lands on the token (selected) instead of falling out of the dialog with the form it replaced.
  useLayoutEffect(() => input.current?.focus(), []);

  const copy = async () => {
    try {
      await copyText(token, input.current);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };

  return (
    <div class="token-reveal">
      <Notice kind="warning">
        <strong>Copy this key now.</strong> It is shown only once: keyscope keeps only a hash of it and cannot show it
        again. If you lose it, rotate or revoke the key.
      </Notice>
      <label for="issued-token">API key for “{keyName}”</label>
      <div class="token-row">
        <textarea
          ref={input}
          id="issued-token"
          class="token"
          rows={2}
          readOnly
          value={token}
          autoComplete="off"
          spellcheck={false}
          data-testid="issued-token"
          onFocus={(event) => event.currentTarget.select()}
        />
        <button type="button" class="button" onClick={copy}>
          Copy
        </button>
      </div>
      <div role="status" class="copy-status">
        {copied === 'yes'
          ? 'Copied to the clipboard.'
          : copied === 'failed'
            ? 'Could not copy: select the key and copy it yourself.'
            : ''}
      </div>
    </div>
  );
}

/** The Clipboard API where the page is a secure context; the selection otherwise (plain http). */
async function copyText(text: string, fallback: HTMLTextAreaElement | null): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  if (!fallback) throw new Error('nothing to copy from');
  fallback.select();
  if (!document.execCommand('copy')) throw new Error('copy refused');
}
