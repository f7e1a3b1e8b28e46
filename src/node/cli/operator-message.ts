/**
 * Error text for an operator at a terminal. The engine's messages are
 * written for programmers ("see `cause`", "give it a .name(...)", "call
 * ssc.checkpoint(store)"); a CLI user can change only flags and
 * directories, so such sentences are left out and what the `cause` chain
 * says is spelled out instead.
 */

/** Sentences that point at library concepts an operator cannot act on. */
const LIBRARY_ADVICE = /`cause`|\.name\(|checkpoint store|operator as it was|same inputs|ssc\.|StreamingContext/;

/** `error`'s message without library advice, followed by what its causes add ("Reason: …"). */
export function operatorMessage(error: unknown): string {
  const message = withoutLibraryAdvice(messageOf(error));
  const reasons: string[] = [];
  const seen = new Set<unknown>([error]);
  let cause = (error as { cause?: unknown } | null)?.cause;
  while (cause !== undefined && cause !== null && !seen.has(cause)) {
    seen.add(cause);
    const reason = withoutLibraryAdvice(messageOf(cause));
    // A cause the message already quotes (e.g. "failed: <cause message>") adds nothing.
    if (reason !== '' && ![message, ...reasons].some((text) => text.includes(reason.replace(/\.$/, '')))) reasons.push(reason);
    cause = (cause as { cause?: unknown }).cause;
  }
  return [message, ...reasons.map((reason) => `Reason: ${reason}`)].join('\n');
}

function withoutLibraryAdvice(text: string): string {
  return text
    .split(/(?<=\.)\s+(?=[A-Z])/)
    .filter((sentence) => !LIBRARY_ADVICE.test(sentence))
    .join(' ');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
