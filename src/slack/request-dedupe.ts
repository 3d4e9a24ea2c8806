import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';

/**
 * What makes a request this request: the trigger id of a slash command or click, the event id of
 * an event. A replayed body, or Slack's own retry (X-Slack-Retry-Num), carries the same one.
 */
export function requestId(body: unknown): string | undefined {
  const fields = body as { trigger_id?: unknown; event_id?: unknown; type?: unknown };
  if (typeof fields.event_id === 'string') return `event:${fields.event_id}`;
  if (typeof fields.trigger_id === 'string') return `trigger:${fields.trigger_id}`;
  return undefined;
}

/** Acts on each request once: a repeat is acknowledged and dropped before any listener sees it. */
export function actOnce(
  firstDelivery: (requestId: string) => Promise<boolean>,
): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const id = requestId(args.body);
    if (id && !(await firstDelivery(id))) {
      if ('ack' in args && typeof args.ack === 'function') await args.ack();
      return;
    }
    await args.next();
  };
}
