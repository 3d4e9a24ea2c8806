import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { blocksSchema, homeViewSchema } from './block-kit-limits.js';

/** One Web API call or response_url post, as the emulator received it. */
export interface RecordedSlackCall {
  method: string;
  params: Record<string, unknown>;
  /** The raw request body: what a secret scan must look at. */
  raw: string;
  at: number;
  /** Set when the call was refused with this HTTP status (429 past the rate limits). */
  refusedWith?: number;
}

export interface SlackMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  text?: string;
  blocks?: unknown[];
  user?: string;
  ephemeral?: boolean;
  edited?: number;
  /** Set on messages people posted (as opposed to the bot). */
  author?: string;
  /** Message metadata (`event_type`, `event_payload`), returned only when asked for. */
  metadata?: unknown;
}

/**
 * One of Slack's rate limits: calls a minute, how many may come at once, and whether Slack counts
 * them per channel (chat.postMessage: about one a second per channel) or per workspace (tiers).
 */
export interface EmulatedLimit {
  perMinute: number;
  burst?: number;
  perChannel?: boolean;
}

/**
 * Slack's published limits for the methods the bot writes with (docs: rate limits): chat.update
 * is Tier 3 (50+ a minute), chat.postMessage about one message a second per channel with short
 * bursts; conversations.history and conversations.replies are Tier 3.
 */
export const SLACK_PUBLISHED_LIMITS: Readonly<Record<string, EmulatedLimit>> = {
  'chat.update': { perMinute: 50, burst: 3 },
  'chat.postMessage': { perMinute: 60, burst: 3, perChannel: true },
  'conversations.history': { perMinute: 50, burst: 3 },
  'conversations.replies': { perMinute: 50, burst: 3 },
};

interface Fault {
  status: number;
  retryAfterSeconds?: number;
  remaining: number;
}

export interface SlackEmulatorOptions {
  botToken?: string;
  teamId?: string;
  botUserId?: string;
  usergroups?: Record<string, string[]>;
  /**
   * Limits per method (a number is calls per minute, all of them allowed at once), as Slack's
   * rate-limit tiers, e.g. SLACK_PUBLISHED_LIMITS; beyond them the emulator answers 429 with
   * Retry-After, as Slack does, and the refused call counts against nothing.
   */
  rateLimits?: Record<string, number | EmulatedLimit>;
  /** Every Web API call is answered only after this long (a slow Slack, for benchmarks). */
  latencyMs?: number;
}

/**
 * A loopback Slack Web API that behaves like the real one for the methods the bot calls: form or
 * JSON bodies, bearer-token auth (`invalid_auth`), `{ok:false,error}` envelopes with HTTP 200, and
 * 429 + Retry-After when rate limiting is switched on. It also stores messages so tests and the
 * sandbox page can read a channel back.
 */
export class SlackEmulator {
  readonly calls: RecordedSlackCall[] = [];
  readonly messages: SlackMessage[] = [];
  /** Each user's App Home tab as last published (views.publish). */
  readonly homeViews = new Map<string, { blocks: unknown[]; hash: string }>();
  readonly botToken: string;
  readonly teamId: string;
  readonly botUserId: string;
  private readonly usergroups: Map<string, string[]>;
  private readonly faults = new Map<string, Fault>();
  private readonly platformErrors = new Map<
    string,
    { outcomes: (string | null)[]; extra: Record<string, unknown> }
  >();
  private readonly delays = new Map<string, { ms: number; remaining: number }>();
  private readonly lostAnswers = new Map<string, number>();
  private readonly closedChannels = new Map<string, string>();
  private server: Server | undefined;
  private sequence = 0;
  url = '';

  constructor(options: SlackEmulatorOptions = {}) {
    this.botToken = options.botToken ?? 'xoxb-emulator-token';
    this.teamId = options.teamId ?? 'T0EMULATOR';
    this.botUserId = options.botUserId ?? 'U0RETIREBOT';
    this.usergroups = new Map(Object.entries(options.usergroups ?? {}));
    this.rateLimits = options.rateLimits ?? {};
    this.latencyMs = options.latencyMs ?? 0;
  }

  private readonly latencyMs: number;

  /** How many calls were answered 429 because of `rateLimits`. */
  rateLimited = 0;
  private readonly rateLimits: Record<string, number | EmulatedLimit>;
  /** Per budget (method, or method and channel): when its next call is due if calls came evenly. */
  private readonly due = new Map<string, number>();

  /** Seconds the caller must wait (Retry-After) when this call is over its method's limit. */
  private overLimit(method: string, params: Record<string, unknown>): number | undefined {
    const configured = this.rateLimits[method];
    if (configured === undefined) return undefined;
    const limit = typeof configured === 'number' ? { perMinute: configured, burst: configured } : configured;
    const budget = limit.perChannel ? `${method} ${String(params.channel)}` : method;
    const interval = 60_000 / limit.perMinute;
    const tolerance = Math.max(0, (limit.burst ?? 1) - 1) * interval;
    const now = Date.now();
    const due = Math.max(this.due.get(budget) ?? now, now);
    if (due - tolerance > now) {
      this.rateLimited += 1;
      return Math.max(1, Math.ceil((due - tolerance - now) / 1000));
    }
    this.due.set(budget, due + interval);
    return undefined;
  }

  /** The Web API base URL, with the trailing slash web-api expects. */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<{ url: string }> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
    this.server.listen(port, host);
    await once(this.server, 'listening');
    const address = this.server.address() as AddressInfo;
    this.url = `http://${host}:${address.port}`;
    return { url: this.url };
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
    this.server = undefined;
  }

  /** A message a person posted, as Slack keeps it in the channel (mentions arrive this way). */
  recordUserMessage(message: {
    channel: string;
    ts: string;
    text: string;
    user: string;
    threadTs?: string;
  }): void {
    this.messages.push({
      channel: message.channel,
      ts: message.ts,
      text: message.text,
      author: message.user,
      ...(message.threadTs ? { threadTs: message.threadTs } : {}),
    });
  }

  /** A response_url for a slash command or interaction by `userId`, served by this emulator. */
  responseUrl(userId = 'U0UNKNOWN'): string {
    this.sequence += 1;
    return `${this.url}/response/${userId}.${this.sequence}`;
  }

  /** The next `count` calls to `method` answer `status` (429 carries Retry-After). */
  failNext(method: string, status: number, count = 1, retryAfterSeconds = 1): void {
    this.faults.set(method, { status, retryAfterSeconds, remaining: count });
  }

  /**
   * The next calls to `method` answer in this order: an error string is answered as
   * `{ok: false, error, ...extra}` with HTTP 200 (as Slack answers missing_scope, with `needed`
   * and `provided`, or plan_upgrade_required), null as usual.
   */
  answerErrors(method: string, outcomes: (string | null)[], extra: Record<string, unknown> = {}): void {
    this.platformErrors.set(method, { outcomes: [...outcomes], extra });
  }

  /**
   * The next `count` calls to `method` take effect but their answers are lost (the connection is
   * cut), as when a network fails or the caller dies after Slack took a post.
   */
  loseAnswers(method: string, count = 1): void {
    this.lostAnswers.set(method, count);
  }

  /** The next `count` calls to `method` are answered only after `ms`, as a slow Slack would. */
  answerSlowly(method: string, ms: number, count = 1): void {
    this.delays.set(method, { ms, remaining: count });
  }

  /**
   * The bot cannot post to or edit messages in `channel` from now on, answering as Slack does:
   * `channel_not_found` for a private channel or DM it is not in, `not_in_channel` for a public
   * channel without chat:write.public, `is_archived` for an archived one.
   */
  botCannotPostIn(channel: string, error: 'channel_not_found' | 'not_in_channel' | 'is_archived'): void {
    this.closedChannels.set(channel, error);
  }

  setUsergroup(id: string, users: string[]): void {
    this.usergroups.set(id, users);
  }

  callsTo(method: string): RecordedSlackCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Every byte any client sent to this emulator, for secret scans. */
  allTraffic(): string {
    return this.calls.map((call) => call.raw).join('\n');
  }

  channelMessages(channel: string): SlackMessage[] {
    return this.messages.filter((m) => m.channel === channel && !m.threadTs && !m.ephemeral);
  }

  thread(channel: string, threadTs: string): SlackMessage[] {
    return this.messages.filter((m) => m.channel === channel && m.threadTs === threadTs);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith('/response/')) return this.handleResponseUrl(path, raw, req, res);
    if (!path.startsWith('/api/')) return sendJson(res, 404, { ok: false, error: 'not_found' });

    const method = path.slice('/api/'.length);
    const params = parseParams(raw, req.headers['content-type']);
    const call: RecordedSlackCall = { method, params, raw, at: Date.now() };
    this.calls.push(call);

    const retryAfter = this.overLimit(method, params);
    if (retryAfter !== undefined) {
      call.refusedWith = 429;
      res.setHeader('retry-after', String(retryAfter));
      return sendJson(res, 429, { ok: false, error: 'ratelimited' });
    }
    const fault = this.takeFault(method);
    if (fault) {
      if (fault.status === 429) res.setHeader('retry-after', String(fault.retryAfterSeconds ?? 1));
      return sendJson(res, fault.status, {
        ok: false,
        error: fault.status === 429 ? 'ratelimited' : 'fatal_error',
      });
    }
    const token = bearerToken(req) ?? (typeof params.token === 'string' ? params.token : undefined);
    if (!token) return sendJson(res, 200, { ok: false, error: 'not_authed' });
    if (token !== this.botToken) return sendJson(res, 200, { ok: false, error: 'invalid_auth' });
    await this.takeDelay(method);
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    const planned = this.platformErrors.get(method);
    const error = planned?.outcomes.shift();
    if (planned && planned.outcomes.length === 0) this.platformErrors.delete(method);
    if (planned && error) return sendJson(res, 200, { ok: false, error, ...planned.extra });
    const answer = this.dispatch(method, params);
    const lost = this.lostAnswers.get(method) ?? 0;
    if (lost > 0) {
      this.lostAnswers.set(method, lost - 1);
      res.destroy();
      return;
    }
    return sendJson(res, 200, answer);
  }

  /**
   * What Slack shows the user who typed a slash command: the command's ack body, if it carries a
   * message (only the typist sees it, as with `response_type: ephemeral`), or, when the app
   * answered with an error status, Slack's own `failed with the error "dispatch_failed"` line.
   */
  recordSlashAnswer(
    user: string,
    command: string,
    answer: { status: number; json?: Record<string, unknown> },
  ): void {
    const text =
      answer.status !== 200
        ? `${command} failed with the error "dispatch_failed"`
        : typeof answer.json?.text === 'string'
          ? answer.json.text
          : undefined;
    if (text === undefined) return;
    const blocks =
      answer.status === 200 && Array.isArray(answer.json?.blocks) ? { blocks: answer.json.blocks } : {};
    this.messages.push({
      channel: 'response_url',
      ts: this.nextTs(),
      text,
      ...blocks,
      ephemeral: true,
      user,
    });
  }

  /**
   * response_url posts are kept as ephemeral messages for the user whose id prefixes the URL's id
   * (see responseUrl), so tests and the sandbox can read "only visible to you" answers.
   */
  private handleResponseUrl(path: string, raw: string, req: IncomingMessage, res: ServerResponse): void {
    const id = path.slice('/response/'.length);
    const params = parseParams(raw, req.headers['content-type']);
    this.calls.push({ method: `response_url:${id}`, params, raw, at: Date.now() });
    const content = this.validateContent(params);
    if ('error' in content) {
      sendJson(res, 400, { ok: false, error: content.error });
      return;
    }
    this.messages.push({
      channel: 'response_url',
      ts: this.nextTs(),
      ...content,
      ephemeral: true,
      user: id.split('.')[0],
    });
    sendJson(res, 200, { ok: true });
  }

  private async takeDelay(method: string): Promise<void> {
    const delay = this.delays.get(method);
    if (!delay) return;
    delay.remaining -= 1;
    if (delay.remaining <= 0) this.delays.delete(method);
    await new Promise((resolve) => setTimeout(resolve, delay.ms));
  }

  private takeFault(method: string): Fault | undefined {
    const fault = this.faults.get(method);
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.delete(method);
    return fault;
  }

  private dispatch(method: string, params: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://emulator.slack.com/',
          team: 'Emulator',
          user: 'retirement-bot',
          team_id: this.teamId,
          user_id: this.botUserId,
          bot_id: 'B0RETIREBOT',
        };
      case 'chat.postMessage':
        return this.postMessage(params, false);
      case 'chat.postEphemeral':
        return this.postMessage(params, true);
      case 'chat.update':
        return this.update(params);
      case 'conversations.history':
        return this.listMessages(params, (m) => !m.threadTs, { newestFirst: true });
      case 'conversations.replies':
        return this.listMessages(params, (m) => m.ts === params.ts || m.threadTs === params.ts, {
          newestFirst: false,
          notFound: this.messages.some((m) => m.ts === params.ts) ? undefined : 'thread_not_found',
        });
      case 'usergroups.users.list':
        return this.usergroupUsers(params);
      case 'views.publish':
        return this.publishView(params);
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  private postMessage(params: Record<string, unknown>, ephemeral: boolean): Record<string, unknown> {
    const channel = params.channel;
    if (typeof channel !== 'string' || channel === '') return { ok: false, error: 'channel_not_found' };
    const closed = this.closedChannels.get(channel);
    if (closed) return { ok: false, error: closed };
    if (ephemeral && typeof params.user !== 'string') return { ok: false, error: 'user_not_in_channel' };
    const content = this.validateContent(params);
    if ('error' in content) return { ok: false, error: content.error };
    const ts = this.nextTs();
    const message: SlackMessage = { channel, ts, ...content, ephemeral };
    if (params.metadata !== undefined) message.metadata = params.metadata;
    if (typeof params.thread_ts === 'string') message.threadTs = params.thread_ts;
    if (ephemeral) message.user = params.user as string;
    this.messages.push(message);
    return ephemeral
      ? { ok: true, message_ts: ts }
      : {
          ok: true,
          channel,
          ts,
          message: { type: 'message', text: message.text, ts, blocks: message.blocks },
        };
  }

  private update(params: Record<string, unknown>): Record<string, unknown> {
    const closed = this.closedChannels.get(String(params.channel));
    if (closed) return { ok: false, error: closed === 'is_archived' ? 'is_archived' : 'channel_not_found' };
    const message = this.messages.find(
      (m) => m.channel === params.channel && m.ts === params.ts && !m.ephemeral,
    );
    if (!message) return { ok: false, error: 'message_not_found' };
    const content = this.validateContent(params);
    if ('error' in content) return { ok: false, error: content.error };
    Object.assign(message, content, { edited: (message.edited ?? 0) + 1 });
    return { ok: true, channel: message.channel, ts: message.ts, text: message.text };
  }

  /**
   * views.publish: `user_id` and a home `view` (sent JSON-encoded in a form body), checked against
   * the Home tab limits; a stale `hash` is refused with hash_conflict, as Slack does.
   */
  private publishView(params: Record<string, unknown>): Record<string, unknown> {
    const user = params.user_id;
    if (typeof user !== 'string' || !/^[UW][A-Z0-9]+$/.test(user))
      return { ok: false, error: 'invalid_arguments' };
    let view: unknown = params.view;
    if (typeof view === 'string') {
      try {
        view = JSON.parse(view);
      } catch {
        return { ok: false, error: 'invalid_arguments' };
      }
    }
    const parsed = homeViewSchema.safeParse(view);
    if (!parsed.success) return { ok: false, error: 'invalid_arguments' };
    const current = this.homeViews.get(user);
    if (typeof params.hash === 'string' && current && params.hash !== current.hash) {
      return { ok: false, error: 'hash_conflict' };
    }
    this.sequence += 1;
    const hash = `${Math.floor(Date.now() / 1000)}.${this.sequence}`;
    this.homeViews.set(user, { blocks: parsed.data.blocks, hash });
    return { ok: true, view: { id: `V${this.sequence}`, type: 'home', blocks: parsed.data.blocks, hash } };
  }

  /**
   * conversations.history and conversations.replies: newest first for history, oldest first in a
   * thread (the parent first), as Slack answers; metadata only with include_all_metadata.
   */
  private listMessages(
    params: Record<string, unknown>,
    wanted: (m: SlackMessage) => boolean,
    options: { newestFirst: boolean; notFound?: string },
  ): Record<string, unknown> {
    const channel = params.channel;
    if (typeof channel !== 'string' || channel === '') return { ok: false, error: 'channel_not_found' };
    const closed = this.closedChannels.get(channel);
    if (closed) return { ok: false, error: closed === 'is_archived' ? 'is_archived' : 'channel_not_found' };
    if (options.notFound) return { ok: false, error: options.notFound };
    const oldest = Number(params.oldest ?? 0);
    const withMetadata = params.include_all_metadata === true || params.include_all_metadata === 'true';
    const limit = Math.min(Number(params.limit ?? 100) || 100, 1000);
    const found = this.messages
      .filter((m) => m.channel === channel && !m.ephemeral && wanted(m) && Number(m.ts) > oldest)
      .map((m) => ({
        type: 'message',
        ts: m.ts,
        text: m.text,
        ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
        ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
      }));
    const ordered = options.newestFirst ? found.reverse() : found;
    return { ok: true, messages: ordered.slice(0, limit), has_more: found.length > limit };
  }

  private usergroupUsers(params: Record<string, unknown>): Record<string, unknown> {
    const users = this.usergroups.get(String(params.usergroup));
    return users ? { ok: true, users } : { ok: false, error: 'no_such_subteam' };
  }

  private validateContent(
    params: Record<string, unknown>,
  ): { text?: string; blocks?: unknown[] } | { error: string } {
    const text = typeof params.text === 'string' ? params.text : undefined;
    const blocks = params.blocks;
    if (blocks !== undefined) {
      if (!blocksSchema.safeParse(blocks).success) return { error: 'invalid_blocks' };
      if (text === undefined) return { blocks: blocks as unknown[] };
      return { text, blocks: blocks as unknown[] };
    }
    if (!text) return { error: 'no_text' };
    if (text.length > 40_000) return { error: 'msg_too_long' };
    return { text };
  }

  /** Slack ts values: epoch seconds and a per-workspace sequence, unique and increasing. */
  private nextTs(): string {
    this.sequence += 1;
    return `${Math.floor(Date.now() / 1000)}.${String(this.sequence).padStart(6, '0')}`;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** web-api sends form bodies with JSON-encoded structured fields; response_url posts are JSON. */
function parseParams(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (raw === '') return {};
  if (contentType?.includes('json') || raw.trimStart().startsWith('{'))
    return JSON.parse(raw) as Record<string, unknown>;
  const params: Record<string, unknown> = Object.fromEntries(new URLSearchParams(raw));
  for (const key of ['blocks', 'attachments', 'metadata']) {
    if (typeof params[key] === 'string') params[key] = JSON.parse(params[key] as string);
  }
  return params;
}

function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}
