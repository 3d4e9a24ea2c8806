import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { SlackDriver } from '../../emulators/slack/slack-driver.js';
import type { SlackEmulator, SlackMessage } from '../../emulators/slack/slack-emulator.js';

const SANDBOX_CHANNEL = 'C0OPS';
const userId = z.string().regex(/^U[A-Z0-9]{2,20}$/);
const commandRequest = z.object({ text: z.string().max(4000), user: userId });
const clickRequest = z.object({
  actionId: z.string().max(255),
  value: z.string().max(2000),
  messageTs: z.string().max(40),
  threadTs: z.string().max(40).optional(),
  user: userId,
});

interface TimelineItem extends SlackMessage {
  replies: SlackMessage[];
}

/**
 * Serves the sandbox page and turns what a person does on it into what Slack would send: signed
 * slash commands, block_actions and app_mention events, through the same driver the tests use.
 */
export async function startSandboxServer(options: {
  page: string;
  slack: SlackEmulator;
  driver: SlackDriver;
  port: number;
  host: string;
}): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    route(req, res, options).catch((error: unknown) => send(res, 500, { error: String(error) }));
  });
  server.listen(options.port, options.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  return { url: `http://${host}:${port}`, server };
}

async function route(
  req: IncomingMessage,
  res: ServerResponse,
  options: { page: string; slack: SlackEmulator; driver: SlackDriver },
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  if (req.method === 'GET' && url.pathname === '/') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(options.page);
    return;
  }
  if (req.method === 'GET' && url.pathname === '/sandbox/channel') {
    const viewer = userId.safeParse(url.searchParams.get('user'));
    return send(res, 200, { timeline: timeline(options.slack, viewer.success ? viewer.data : undefined) });
  }
  if (req.method === 'GET' && url.pathname === '/sandbox/board') {
    const viewer = userId.safeParse(url.searchParams.get('user'));
    if (!viewer.success) return send(res, 400, { error: 'expected ?user=' });
    // The page's board panel is the viewer's App Home tab: opening it first is what Slack sends.
    if (!options.slack.homeViews.has(viewer.data))
      await options.driver.appHomeOpened({ user: { id: viewer.data } });
    return send(res, 200, { blocks: options.slack.homeViews.get(viewer.data)?.blocks ?? [] });
  }
  if (req.method === 'POST' && url.pathname === '/sandbox/command') {
    const request = commandRequest.safeParse(await readJson(req));
    if (!request.success) return send(res, 400, { error: 'expected {text, user}' });
    const { text, user } = request.data;
    const response = await sendCommand(options.driver, text, user);
    // Slack shows the ack's message to the person who typed the command ("Only visible to you").
    if (!text.startsWith('@')) options.slack.recordSlashAnswer(user, '/retirement', response);
    return send(res, 200, { status: response.status });
  }
  if (req.method === 'POST' && url.pathname === '/sandbox/click') {
    const request = clickRequest.safeParse(await readJson(req));
    if (!request.success) return send(res, 400, { error: 'expected {actionId, value, messageTs, user}' });
    const { actionId, value, messageTs, threadTs, user } = request.data;
    const response = await options.driver.click(actionId, {
      user: { id: user },
      channel: SANDBOX_CHANNEL,
      value,
      messageTs,
      ...(threadTs ? { threadTs } : {}),
    });
    return send(res, 200, { status: response.status });
  }
  send(res, 404, { error: 'not found' });
}

/** `/retirement …` becomes a slash command; `@retirement-bot …` a mention; anything else is help. */
async function sendCommand(driver: SlackDriver, text: string, user: string) {
  const options = { user: { id: user }, channel: SANDBOX_CHANNEL };
  if (text.startsWith('@')) return driver.mention(text.replace(/^@\S+\s*/, ''), options);
  return driver.slash(text.replace(/^\/retirement\b\s*/, ''), options);
}

function timeline(slack: SlackEmulator, viewer: string | undefined): TimelineItem[] {
  const visible = slack.messages.filter(
    (m) => (m.channel === SANDBOX_CHANNEL && !m.ephemeral) || (m.ephemeral && m.user === viewer),
  );
  return visible
    .filter((m) => !m.threadTs)
    .map((m) => ({ ...m, replies: visible.filter((reply) => reply.threadTs === m.ts) }));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64_000) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
