import { createHmac, randomUUID } from 'node:crypto';
import type { SlackEmulator } from './slack-emulator.js';

export interface SignedResponse {
  status: number;
  body: string;
  /** The ack body parsed as JSON when it is JSON (slash commands acked with a message). */
  json: Record<string, unknown> | undefined;
}

export interface SlackUser {
  id: string;
  name?: string;
}

export interface SlashOptions {
  user?: SlackUser;
  channel?: string;
}

export interface ClickOptions {
  user?: SlackUser;
  channel?: string;
  messageTs: string;
  threadTs?: string;
  value: string;
  blockId?: string;
}

export interface SendOptions {
  /** Seconds since the epoch; defaults to now. Tests pass a stale one. */
  timestamp?: number;
  /** Overrides the computed signature, to forge a request. */
  signature?: string;
  headers?: Record<string, string>;
}

/**
 * Plays Slack's side of the request/response contract: builds slash-command, block_actions and
 * Events API payloads exactly as Slack sends them and signs them with the v0 scheme
 * (HMAC-SHA256 over `v0:<timestamp>:<raw body>`).
 */
export class SlackDriver {
  constructor(
    private readonly options: {
      botUrl: string;
      signingSecret: string;
      emulator: SlackEmulator;
      teamId?: string;
      appId?: string;
    },
  ) {}

  async slash(text: string, options: SlashOptions = {}): Promise<SignedResponse> {
    return this.send(this.slashBody(text, options), 'application/x-www-form-urlencoded');
  }

  /** The form body Slack posts for `/retirement <text>`: each call is a new invocation (trigger id). */
  slashBody(text: string, options: SlashOptions = {}): string {
    const user = options.user ?? { id: 'U0REQUESTER', name: 'requester' };
    return new URLSearchParams({
      token: 'deprecated-verification-token',
      team_id: this.teamId,
      team_domain: 'emulator',
      channel_id: options.channel ?? 'C0OPS',
      channel_name: 'ops',
      user_id: user.id,
      user_name: user.name ?? user.id.toLowerCase(),
      command: '/retirement',
      text,
      api_app_id: this.appId,
      is_enterprise_install: 'false',
      response_url: this.options.emulator.responseUrl(user.id),
      trigger_id: `${Date.now()}.${randomUUID().slice(0, 8)}`,
    }).toString();
  }

  async click(actionId: string, options: ClickOptions): Promise<SignedResponse> {
    const user = options.user ?? { id: 'U0APPROVER', name: 'approver' };
    const channel = options.channel ?? 'C0OPS';
    const actionTs = `${(Date.now() / 1000).toFixed(6)}`;
    const payload = {
      type: 'block_actions',
      user: {
        id: user.id,
        username: user.name ?? user.id.toLowerCase(),
        name: user.name,
        team_id: this.teamId,
      },
      api_app_id: this.appId,
      token: 'deprecated-verification-token',
      container: { type: 'message', message_ts: options.messageTs, channel_id: channel, is_ephemeral: false },
      trigger_id: `${Date.now()}.${randomUUID().slice(0, 8)}`,
      team: { id: this.teamId, domain: 'emulator' },
      channel: { id: channel, name: 'ops' },
      message: { type: 'message', ts: options.messageTs, thread_ts: options.threadTs, text: '' },
      response_url: this.options.emulator.responseUrl(user.id),
      actions: [
        {
          type: 'button',
          action_id: actionId,
          block_id: options.blockId ?? 'actions',
          value: options.value,
          text: { type: 'plain_text', text: actionId },
          action_ts: actionTs,
        },
      ],
    };
    return this.send(
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      'application/x-www-form-urlencoded',
    );
  }

  /**
   * A choice in an overflow menu of the user's App Home tab: a block_actions payload whose container
   * is the view, and whose action carries `selected_option` instead of `value`.
   */
  async chooseInHome(
    actionId: string,
    options: { user?: SlackUser; value: string },
  ): Promise<SignedResponse> {
    const user = options.user ?? { id: 'U0REQUESTER', name: 'requester' };
    const payload = {
      type: 'block_actions',
      user: {
        id: user.id,
        username: user.name ?? user.id.toLowerCase(),
        name: user.name,
        team_id: this.teamId,
      },
      api_app_id: this.appId,
      token: 'deprecated-verification-token',
      container: { type: 'view', view_id: 'V0HOME' },
      trigger_id: `${Date.now()}.${randomUUID().slice(0, 8)}`,
      team: { id: this.teamId, domain: 'emulator' },
      view: { id: 'V0HOME', type: 'home', team_id: this.teamId, blocks: [] },
      actions: [
        {
          type: 'overflow',
          action_id: actionId,
          block_id: 'board',
          selected_option: { text: { type: 'plain_text', text: options.value }, value: options.value },
          action_ts: `${(Date.now() / 1000).toFixed(6)}`,
        },
      ],
    };
    return this.send(
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      'application/x-www-form-urlencoded',
    );
  }

  /** The Events API's app_home_opened, sent when a user opens the bot's Home tab. */
  async appHomeOpened(options: { user?: SlackUser } = {}): Promise<SignedResponse> {
    const user = options.user?.id ?? 'U0REQUESTER';
    const ts = `${(Date.now() / 1000).toFixed(6)}`;
    const body = JSON.stringify({
      token: 'deprecated-verification-token',
      team_id: this.teamId,
      api_app_id: this.appId,
      type: 'event_callback',
      event_id: `Ev${randomUUID().replaceAll('-', '').slice(0, 12).toUpperCase()}`,
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'app_home_opened', user, channel: 'D0BOTHOME', tab: 'home', event_ts: ts },
      authorizations: [{ team_id: this.teamId, user_id: this.options.emulator.botUserId, is_bot: true }],
    });
    return this.send(body, 'application/json');
  }

  async mention(
    text: string,
    options: { user?: SlackUser; channel?: string; threadTs?: string } = {},
  ): Promise<SignedResponse> {
    const ts = `${(Date.now() / 1000).toFixed(6)}`;
    const user = options.user?.id ?? 'U0REQUESTER';
    const channel = options.channel ?? 'C0OPS';
    const fullText = `<@${this.options.emulator.botUserId}> ${text}`;
    this.options.emulator.recordUserMessage({
      channel,
      ts,
      text: fullText,
      user,
      threadTs: options.threadTs,
    });
    const body = JSON.stringify({
      token: 'deprecated-verification-token',
      team_id: this.teamId,
      api_app_id: this.appId,
      type: 'event_callback',
      event_id: `Ev${randomUUID().replaceAll('-', '').slice(0, 12).toUpperCase()}`,
      event_time: Math.floor(Date.now() / 1000),
      event: {
        type: 'app_mention',
        user,
        text: fullText,
        ts,
        channel,
        thread_ts: options.threadTs,
        event_ts: ts,
      },
      authorizations: [{ team_id: this.teamId, user_id: this.options.emulator.botUserId, is_bot: true }],
    });
    return this.send(body, 'application/json');
  }

  /** Sends a raw body, signed unless the options forge the signature or timestamp. */
  async send(body: string, contentType: string, options: SendOptions = {}): Promise<SignedResponse> {
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const signature = options.signature ?? signSlackRequest(this.options.signingSecret, timestamp, body);
    const response = await fetch(`${this.options.botUrl}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': signature,
        ...options.headers,
      },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    return { status: response.status, body: text, json: parseJson(text) };
  }

  private get teamId(): string {
    return this.options.teamId ?? this.options.emulator.teamId;
  }

  private get appId(): string {
    return this.options.appId ?? 'A0RETIREBOT';
  }
}

export function signSlackRequest(signingSecret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
